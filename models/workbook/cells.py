"""One cell's value, both ways: what Excel typed into the JSON value of a field, and back.

Reading converts only where the conversion is exact (9.0 -> 9, the text "9" -> 9, an
Excel date at midnight -> ``2026-12-07``, an Excel time without seconds -> ``09:00``, the
number 101 in an id column -> ``"101"``); anything else is a :class:`CellError` that
says what the cell holds. Text is read stripped of stray spaces; a text that must keep
its spaces, is empty, or holds characters a cell cannot store is written in double
quotes as a JSON string, and read back from them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from models.workbook.layout import Column

EMPTY_LIST = "[]"
"""How a cell says an empty list where blank would mean absent."""


class CellError(ValueError):
    """A cell whose value does not convert to its column's type."""


class Unsaved:
    """A formula cell whose value was never saved (a file written by a program, not Excel)."""

    def __repr__(self) -> str:
        return "a formula without a saved value"


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value: Any) -> str:
    """A cell's value as a problem line shows it: ``'y'``, ``9.5``, ``2026-12-07 10:30``."""
    if isinstance(value, Unsaved):
        return repr(value)
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:36] + "..."
        return repr(text)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


# --- reading ---------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def read_cell(value: Any, column: Column) -> Any:
    """The JSON value of a non-blank cell in ``column``; :class:`CellError` if there is none."""
    if isinstance(value, Unsaved):
        raise CellError("a formula without a saved value: open the file in Excel and save it")
    if column.listed or column.kind == "mapping":
        text = value if isinstance(value, str) else _text(value)
        if text.strip() == EMPTY_LIST:
            return [] if column.listed else {}
        items = split_list(text)
        if column.kind == "mapping":
            return _mapping(items)
        return [_item(item, column) for item in items]
    return _scalar(value, column)


def _scalar(value: Any, column: Column) -> Any:
    kind = column.kind
    if kind == "integer":
        return _integer(value)
    if kind == "number":
        return _number(value)
    if kind == "boolean":
        return _boolean(value)
    if kind == "date":
        return _date(value)
    if kind == "time":
        return _time(value)
    return _item(value if isinstance(value, str) else _text(value), column)


def _item(text: str, column: Column) -> Any:
    """One value given as text (a cell's, or one item of a list)."""
    text = unquote(text)
    if column.kind == "choice":  # forgive the case: "Skills" is skills
        return next((c for c in column.choices if c.lower() == text.lower()), text)
    if column.kind == "period":
        start, sep, end = text.partition("-")
        if not sep:
            raise CellError(f"{text!r} is not a period START-END, e.g. '08:00-08:50'")
        return {"start": start.strip(), "end": end.strip()}
    return _integer(text) if column.kind == "integer" else text


def _text(value: Any) -> str:
    """A number typed where text belongs: its text when it is a whole number (101 -> '101')."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    raise CellError(f"{shown(value)} is not text")


def _integer(value: Any) -> int:
    number = _decimal(value, "a whole number")
    if number != number.to_integral_value():
        raise CellError(f"{shown(value)} is not a whole number")
    return int(number)


def _number(value: Any) -> float | int:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    number = _decimal(value, "a number")
    return int(number) if number == number.to_integral_value() else float(number)


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            pass
    raise CellError(f"{shown(value)} is not {what}")


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise CellError(f"{shown(value)} is not true or false")


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise CellError(f"{shown(value)} is a date and a time: give the date alone")
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()  # the model reads YYYY-MM-DD and says what is wrong
    raise CellError(f"{shown(value)} is not a date: format the cell as a date, or type YYYY-MM-DD")


def _time(value: Any) -> str:
    if isinstance(value, dt.time) and not isinstance(value, dt.datetime):
        if value.second or value.microsecond:
            raise CellError(f"{shown(value)} has seconds: a time is HH:MM")
        return value.strftime("%H:%M")
    if isinstance(value, str):
        return value.strip()  # the model reads HH:MM and says what is wrong
    raise CellError(f"{shown(value)} is not a time: format the cell as a time, or type HH:MM")


def _mapping(items: list[str]) -> dict[str, int]:
    """``engagement=2, early=1`` -> ``{"engagement": 2, "early": 1}``."""
    out: dict[str, int] = {}
    for item in items:
        key, sep, number = item.partition("=")
        if not sep or not key.strip():
            raise CellError(f"{item!r} is not KEY=NUMBER, e.g. 'engagement=2'")
        if key.strip() in out:
            raise CellError(f"{key.strip()!r} is given twice")
        out[key.strip()] = _integer(number)
    return out


def unquote(text: str) -> str:
    """Stripped text, or the JSON string it is written as (``"  two spaces"``)."""
    text = text.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        try:
            value = json.loads(text)
        except ValueError:
            return text
        if isinstance(value, str):
            return value
    return text


def split_list(text: str) -> list[str]:
    """The items of a comma-separated list; an item in double quotes keeps its commas.

    Stray commas and spaces are forgiven (``"a, , b,"`` is ``a``, ``b``); an item that is
    empty or has spaces of its own is written as a JSON string (``""``).
    """
    items: list[str] = []
    pos = 0
    while pos < len(text):
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        quoted = _JSON_STRING.match(text, pos)
        end = text.find(",", quoted.end() if quoted else pos)
        end = len(text) if end < 0 else end
        part = text[pos:end].strip()
        if quoted and text[quoted.end() : end].strip():
            raise CellError(f"{part!r}: text after a quoted item (a comma is missing?)")
        if part:
            items.append(part)
        pos = end + 1
    return items


# --- writing ---------------------------------------------------------------------------


def needs_quotes(text: str, in_list: bool = False) -> bool:
    """Text that would not read back as itself unless written as a JSON string."""
    return (
        text != text.strip()
        or not text
        or text.startswith('"')
        or "\r" in text  # XML reads a carriage return as a line feed
        or bool(ILLEGAL_CHARACTERS_RE.search(text))
        or (in_list and ("," in text or text == EMPTY_LIST))
    )


def quoted(text: str, in_list: bool = False) -> str:
    """``text`` as it is written in a cell (see :func:`needs_quotes`)."""
    return json.dumps(text) if needs_quotes(text, in_list) else text


def write_cell(value: Any, column: Column) -> Any:
    """What a cell holds for a field's value: blank (None), a number, a boolean, a date, or text."""
    if value is None:
        return None
    if column.kind == "mapping":
        return ", ".join(f"{k}={v}" for k, v in value.items()) or None
    if column.listed:
        if not value:
            return None if column.empty_is_default else EMPTY_LIST
        return ", ".join(_item_text(item, column, in_list=True) for item in value)
    if column.kind in ("integer", "number", "boolean") or isinstance(value, dt.date):
        return value
    return _item_text(value, column)


def _item_text(value: Any, column: Column, in_list: bool = False) -> str:
    if column.kind == "period":
        return f"{value.start}-{value.end}"
    return quoted(str(value), in_list)
