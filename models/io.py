"""Reading and writing instances and schedules: JSON in, validated models out."""

from __future__ import annotations

import os
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from models.diff import ScheduleDiff
from models.errors import (
    InputError,
    Problem,
    error_loc,
    format_loc,
    reference_problems,
    validation_problems,
)
from models.fit import FitResult
from models.instance import Instance, reference_problems_despite
from models.outputs import write_text_atomic
from models.reading import read_json
from models.schedule import Schedule

M = TypeVar("M", bound=BaseModel)


def _validate(model: type[M], data: Any) -> tuple[M | None, list[Problem]]:
    """The model of ``data``, or None and every problem, each at its location."""
    try:
        # Strict: a value has its JSON type (no "2" for 2, no true for 1, no set for a list).
        return model.model_validate(data, strict=True), []
    except ValidationError as err:
        problems = validation_problems(err)
        errors = err.errors(include_url=False)
        checked = any(reference_problems(e) is not None for e in errors)
        if model is Instance and not checked:  # pydantic skipped the cross-object check
            problems += reference_problems_despite(data, [error_loc(e) for e in errors])
        return None, problems


def _parse(model: type[M], data: Any, source: str) -> M:
    value, problems = _validate(model, data)
    if value is None:
        raise InputError(source, [f"{format_loc(p.loc, data)}: {p.message}" for p in problems])
    return value


def validate_instance(data: Any) -> tuple[Instance | None, list[Problem]]:
    """Validate instance data as :func:`parse_instance` does, but return the problems:
    the instance, or None and every problem at its location in ``data`` (for a format
    that places them otherwise, as the workbook does by sheet, row and column)."""
    return _validate(Instance, data)


def parse_instance(data: Any, source: str = "instance") -> Instance:
    """Validate instance data (a dict from JSON); raise :class:`InputError` listing every problem."""
    return _parse(Instance, data, source)


def parse_schedule(data: Any, source: str = "schedule") -> Schedule:
    """Validate schedule data (a dict from JSON); raise :class:`InputError` listing every problem."""
    return _parse(Schedule, data, source)


def load_instance(path: str | os.PathLike[str]) -> Instance:
    """Read and validate an instance file: an Excel workbook when its name ends in
    ``.xlsx`` (any case; see :func:`models.workbook.read_workbook`), JSON otherwise (see
    :func:`models.reading.read_json`)."""
    if os.fspath(path).lower().endswith(".xlsx"):
        # Imported here: openpyxl takes as long to import as all of models.
        from models.workbook import read_workbook

        return read_workbook(path)
    return parse_instance(read_json(path), str(path))


def load_schedule(path: str | os.PathLike[str]) -> Schedule:
    """Read and validate a schedule JSON file (see :func:`models.reading.read_json`)."""
    return parse_schedule(read_json(path), str(path))


def same_instance(instance: Instance, schedule: Schedule, source: str = "schedule") -> None:
    """A schedule made for another instance is bad input: raise :class:`InputError`."""
    if schedule.instance != instance.name:
        line = f"instance: the schedule is for '{schedule.instance}', not '{instance.name}'"
        raise InputError(source, [line])


def to_json(model: BaseModel) -> str:
    """Stable JSON text of an instance or schedule (fixed key order, 2-space indent)."""
    # A schedule's ``changes`` (added to format 1 later) is written only when set, so other
    # files stay as they were. Excluded here rather than by a serializer of the model: no
    # Python code runs inside the serialization (a Ctrl-C there would be wrapped in a
    # serialization error instead of interrupting).
    unset = isinstance(model, Schedule) and model.changes is None
    return model.model_dump_json(indent=2, exclude={"changes"} if unset else None) + "\n"


def dump(model: BaseModel, path: str | os.PathLike[str]) -> None:
    """Write an instance or schedule as JSON, atomically (see :func:`write_text_atomic`)."""
    write_text_atomic(path, to_json(model))


def json_schema(which: str) -> dict[str, Any]:
    """The JSON Schema of ``"instance"`` or ``"schedule"`` files, or of ``"fit"``'s or
    ``"diff"``'s answer."""
    if which == "fit":
        schema = FitResult.model_json_schema(mode="serialization")
    elif which == "diff":
        schema = ScheduleDiff.model_json_schema()
    else:
        schema = (Instance if which == "instance" else Schedule).model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
