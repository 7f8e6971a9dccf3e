"""A new admission: one patient read from a file of its own and added to an instance.

The patient file holds one object in the instance's patient format (``models.Patient``).
It is read strictly like every input; its problems are reported at the patient file's
own fields (``new.json: stage: 'x' is not a stage``), the field problems and the
cross-object ones (a stage, slot, counselor or topic the instance does not have) in one
pass, and an id that is already a patient of the instance is a problem too.
"""

from __future__ import annotations

import json
import os
from typing import Any

from pydantic import ValidationError

from models.errors import InputError, Problem, format_loc, validation_problems
from models.instance import Instance
from models.io import to_json, validate_instance
from models.people import Patient
from models.reading import read_json


def load_admission(path: str | os.PathLike[str], instance: Instance) -> Instance:
    """The instance with the patient of the file ``path`` added (last).

    Raises
    ------
    InputError
        One line per problem of the patient file, each naming its field.
    """
    return admit(read_json(path), instance, str(path))


def admit(data: Any, instance: Instance, source: str = "patient") -> Instance:
    """The instance with the patient ``data`` (a dict from JSON) added (last); raise
    :class:`InputError` with every problem, each at its place in ``data``."""
    problems = _field_problems(data)
    ident = data.get("id") if isinstance(data, dict) else None
    if isinstance(ident, str) and any(p.id == ident for p in instance.patients):
        problems.append(Problem(("id",), f"'{ident}' is already a patient of the instance"))
    if problems:
        raise InputError(source, [f"{format_loc(p.loc, data)}: {p.message}" for p in problems])
    whole = json.loads(to_json(instance))
    whole["patients"].append(data)
    added, found = validate_instance(whole)
    if added is None:
        at = len(instance.patients)
        lines = [_line(p, at, data, whole) for p in found]
        raise InputError(source, list(dict.fromkeys(lines)))
    return added


def _field_problems(data: Any) -> list[Problem]:
    try:
        Patient.model_validate(data, strict=True)
    except ValidationError as err:
        return validation_problems(err)
    return []


def _line(problem: Problem, at: int, data: Any, whole: Any) -> str:
    """A problem of the combined instance, placed in the patient file when it is the new
    patient's (``patients[N].stage`` -> ``stage``), else in the instance's terms."""
    loc = problem.loc
    if loc[:2] == ("patients", at):
        return f"{format_loc(loc[2:], data)}: {problem.message}"
    return f"instance {format_loc(loc, whole)}: {problem.message}"
