"""Input problems as one readable line each, e.g.

``patients[3] (P004).primary_counselor: 'C09' is not a counselor id``
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from models.text import printable


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where (a path of keys) and what.

    ``refers_to`` names the top-level fields a cross-reference problem looks things up
    in (``("stages",)`` for "'x' is not a stage"): when one of those has a field
    problem of its own, this one may be its echo.
    """

    loc: tuple[str | int, ...]
    message: str
    refers_to: tuple[str, ...] = ()


class ReferenceProblems(ValueError):
    """Raised inside validation with every cross-reference (or cross-field) problem at
    once, each at its own location."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class InputError(Exception):
    """An input file that cannot be used; ``lines`` holds one line per problem.

    The source and the lines are :func:`~models.text.printable`: whatever of the file
    they echo (ids, names, values, the path) has its control characters escaped, so
    each problem prints as one line and nothing in it acts on a terminal.
    """

    def __init__(self, source: str, lines: list[str]) -> None:
        source, lines = printable(source), [printable(line) for line in lines]
        super().__init__(f"{source}: " + "; ".join(lines))
        self.source = source
        self.lines = lines


def format_loc(loc: tuple[str | int, ...], data: Any) -> str:
    """``('patients', 3, 'stage')`` -> ``patients[3] (P004).stage``, using the raw data for ids."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                out += f" ({node['id']})"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


_PATTERN_HELP = {
    r"^[A-Za-z0-9_\-]+$": "an id uses only letters, digits, '_' and '-'",
    r"^([01]\d|2[0-3]):[0-5]\d$": "a time is HH:MM on a 24-hour clock, e.g. '09:00'",
    r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$": "a slot is day.block, e.g. 'tue.pm'",
    r"^[^\x00-\x1f\x7f]+$": "a name is one line of text, without control characters",
}


MISSING = "required field is missing"
"""The message of a required field left out."""

# Errors about the type of a value: the line says which type was given.
_TYPE_ERRORS = {
    "int_type",
    "float_type",
    "bool_type",
    "string_type",
    "list_type",
    "dict_type",
    "date_type",
}


def json_kind(value: Any) -> str:
    """What a value is, in JSON's words: ``the string '2'``, ``true``, ``a list``."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int) and value.bit_length() > 128:  # repr fails past 4,300 digits
        return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, (int, float, str)):
        text = repr(value)
        text = text if len(text) <= 40 else text[:36] + "..." + text[-1]
        return f"the {'string' if isinstance(value, str) else 'number'} {text}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a Python {type(value).__name__}, which is not a JSON value"


def error_loc(error: ErrorDetails) -> tuple[str | int, ...]:
    """Where a pydantic error is, in the data's keys (validator wrappers left out)."""
    return tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))


def reference_problems(error: ErrorDetails) -> ReferenceProblems | None:
    """The cross-object problems a pydantic error carries, if it is that kind."""
    cause = (error.get("ctx") or {}).get("error")
    return cause if isinstance(cause, ReferenceProblems) else None


def validation_problems(err: ValidationError) -> list[Problem]:
    """One problem per error in a pydantic error, at its location in the data's keys,
    reference problems expanded (a workbook places them by sheet, row and column)."""
    problems: list[Problem] = []
    for e in err.errors(include_url=False):
        loc = error_loc(e)
        cause = reference_problems(e)
        if cause is not None:
            problems += [Problem(loc + p.loc, p.message, p.refers_to) for p in cause.problems]
            continue
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "string_pattern_mismatch":
            msg = _PATTERN_HELP.get((e.get("ctx") or {}).get("pattern", ""), msg)
            msg = f"{e['input']!r}: {msg}"
        elif e["type"] == "missing":
            msg = MISSING
        elif e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        elif e["type"] in _TYPE_ERRORS or (
            e["type"] == "literal_error" and not isinstance(e["input"], str)
        ):
            msg = f"{msg}, not {json_kind(e['input'])}"
        problems.append(Problem(loc, msg))
    return problems


def validation_lines(err: ValidationError, data: Any) -> list[str]:
    """One line per problem in a pydantic error, reference problems expanded."""
    return [f"{format_loc(p.loc, data)}: {p.message}" for p in validation_problems(err)]
