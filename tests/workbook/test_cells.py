"""Excel types cells its own way: each conversion the reader accepts, and each it refuses.

Every case types one value into tiny's workbook (patient P1 on row 2, the first room,
the first period of block am, a program key) as openpyxl stores it, then reads it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import load
from models import Instance
from models.workbook import instance_to_workbook, parse_workbook

from .sheets import book_of, key_row, problems, put, read, saved

P1 = lambda inst: inst.patients[0]  # noqa: E731 - a table of small getters reads best

ACCEPTED: list[tuple[str, str, Any, Callable[[Instance], Any], Any]] = [
    ("patients", "min_days", 2.0, lambda i: P1(i).min_days, 2),
    ("patients", "min_days", "2", lambda i: P1(i).min_days, 2),
    ("patients", "min_days", " 2 ", lambda i: P1(i).min_days, 2),
    ("patients", "min_days", "2.0", lambda i: P1(i).min_days, 2),
    ("patients", "min_hours", "7.5", lambda i: P1(i).min_hours, 7.5),
    ("patients", "min_hours", 7, lambda i: P1(i).min_hours, 7.0),
    ("patients", "medication_management", True, lambda i: P1(i).medication_management, True),
    ("patients", "medication_management", "TRUE", lambda i: P1(i).medication_management, True),
    ("patients", "medication_management", " false ", lambda i: P1(i).medication_management, False),
    ("patients", "track", 2026, lambda i: P1(i).track, "2026"),
    ("patients", "track", "  day  ", lambda i: P1(i).track, "day"),
    ("patients", "track", '"  day  "', lambda i: P1(i).track, "  day  "),
    ("patients", "flags", "a, , b,", lambda i: P1(i).flags, ["a", "b"]),
    ("patients", "flags", '"a, b", c', lambda i: P1(i).flags, ["a, b", "c"]),
    ("patients", "mon.am", " X ", lambda i: P1(i).available[0], "mon.am"),
    ("patients", "mon.am", "P", lambda i: P1(i).preferred, ["mon.am"]),
    ("rooms", "id", 101, lambda i: i.rooms[0].id, "101"),
    ("rooms", "id", 101.0, lambda i: i.rooms[0].id, "101"),
    (
        "group_types",
        "kind",
        "Psychoeducational",
        lambda i: i.group_types[0].kind,
        "psychoeducational",
    ),
    ("blocks", "start", dt.time(9, 0), lambda i: i.blocks[0].periods[0].start, "09:00"),
    ("blocks", "start", " 09:00", lambda i: i.blocks[0].periods[0].start, "09:00"),
    ("program", "week_of", dt.datetime(2026, 12, 7), lambda i: i.week_of, dt.date(2026, 12, 7)),
    ("program", "week_of", dt.date(2026, 12, 7), lambda i: i.week_of, dt.date(2026, 12, 7)),
    ("program", "week_of", "2026-12-07", lambda i: i.week_of, dt.date(2026, 12, 7)),
    ("program", "weights.session_run", "70", lambda i: i.weights.session_run, 70),
]

REFUSED: list[tuple[str, str, Any, str]] = [
    ("patients", "min_days", 9.5, "9.5 is not a whole number"),
    ("patients", "min_days", "nine", "'nine' is not a whole number"),
    ("patients", "min_days", True, "TRUE is not a whole number"),
    ("patients", "min_days", dt.datetime(2026, 1, 1), "2026-01-01 00:00 is not a whole number"),
    ("patients", "min_hours", "7,5", "'7,5' is not a number"),
    ("patients", "track", True, "TRUE is not text"),
    ("patients", "track", 1.5, "1.5 is not text"),
    ("rooms", "id", 101.5, "101.5 is not text"),
    ("patients", "medication_management", "yes", "'yes' is not true or false"),
    ("patients", "medication_management", 1, "1 is not true or false"),
    ("patients", "mon.am", "y", "'y' is not one of blank, x, p"),
    ("patients", "mon.am", 1, "1 is not one of blank, x, p"),
    ("patients", "flags", '"a" b', "'\"a\" b': text after a quoted item (a comma is missing?)"),
    (
        "patients",
        "min_days",
        "=1+1",
        "a formula without a saved value: open the file in Excel and save it",
    ),
    ("blocks", "start", dt.time(9, 0, 30), "09:00:30 has seconds: a time is HH:MM"),
    ("blocks", "start", 0.375, "0.375 is not a time: format the cell as a time, or type HH:MM"),
    ("blocks", "start", "9:00", "'9:00': a time is HH:MM on a 24-hour clock, e.g. '09:00'"),
    (
        "program",
        "week_of",
        dt.datetime(2026, 12, 7, 10, 30),
        "2026-12-07 10:30 is a date and a time: give the date alone",
    ),
    (
        "program",
        "week_of",
        46000,
        "46000 is not a date: format the cell as a date, or type YYYY-MM-DD",
    ),
    (
        "program",
        "individual_slots",
        "08:00",
        "'08:00' is not a period START-END, e.g. '08:00-08:50'",
    ),
    (
        "program",
        "individual.per_week_by_stage",
        "early 2",
        "'early 2' is not KEY=NUMBER, e.g. 'engagement=2'",
    ),
]


TINY = instance_to_workbook(load("tiny"))


def _typed(sheet: str, column: str, value: Any) -> bytes:
    book = book_of(TINY)
    if sheet == "program":
        book["program"].cell(row=key_row(book, column), column=2).value = value
    else:
        put(book, sheet, 2, column, value)
    return saved(book)


def _where(sheet: str, column: str) -> str:
    if sheet == "program":
        return f"program row {key_row(book_of(TINY), column)} ({column})"
    return f"{sheet} row 2, column {column}"


@pytest.mark.parametrize(("sheet", "column", "value", "get", "expected"), ACCEPTED)
def test_accepted(
    sheet: str, column: str, value: Any, get: Callable[[Instance], Any], expected: Any
) -> None:
    instance = parse_workbook(_typed(sheet, column, value), "roster.xlsx")
    assert get(instance) == expected
    assert type(get(instance)) is type(expected)


@pytest.mark.parametrize(("sheet", "column", "value", "message"), REFUSED)
def test_refused(sheet: str, column: str, value: Any, message: str) -> None:
    assert problems(_typed(sheet, column, value)) == [f"{_where(sheet, column)}: {message}"]


def _with_formula(data: bytes, part: str, ref: str, formula: str) -> bytes:
    """The workbook with cell ``ref`` of a sheet's part made a formula, its value kept (as
    Excel saves one)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == part:
                pattern = rf'<c r="{ref}"([^>]*)><v>([^<]*)</v></c>'.encode()
                body, n = re.subn(
                    pattern, rf'<c r="{ref}"\1><f>{formula}</f><v>\2</v></c>'.encode(), body
                )
                assert n == 1
            dst.writestr(info, body)
    return out.getvalue()


def test_a_formula_reads_as_its_saved_value() -> None:
    book = book_of(load("tiny"))
    data = saved(book)
    min_days = [c.value for c in book["patients"][1]].index("min_days")
    ref = f"{book['patients'].cell(row=2, column=min_days + 1).column_letter}2"
    changed = _with_formula(data, "xl/worksheets/sheet5.xml", ref, "1+2")
    assert changed != data
    assert parse_workbook(changed, "x.xlsx") == load("tiny")


def test_the_notes_sheet_is_not_read() -> None:
    book = book_of(load("tiny"))
    book["notes"].append(["anything", "=1+1", 9.5])
    assert read(book) == load("tiny")


def test_blank_rows_are_skipped() -> None:
    book = book_of(load("tiny"))
    book["patients"].insert_rows(3, amount=2)
    book["patients"].cell(row=3, column=1).value = "   "
    assert read(book) == load("tiny")


def test_text_that_needs_quotes_round_trips() -> None:
    """Every text a cell cannot hold as itself is written as a JSON string."""
    texts = [
        "",
        " ",
        " lead",
        "trail ",
        '"quoted"',
        "a, b",
        "[]",
        "=SUM(A1)",
        "back\\slash",
        "tab\there",
        "two\nlines",
        "carriage\rreturn",
        "\n",
        "\x01bell",
    ]
    data = load("tiny").model_dump()
    data["patients"][0]["flags"] = texts
    data["patients"][0]["track"] = texts[1]
    data["counselors"][0]["name"] = texts[-1]
    instance = Instance.model_validate(data)
    assert parse_workbook(instance_to_workbook(instance), "x.xlsx") == instance


@settings(max_examples=25, deadline=None)
@given(track=st.text(max_size=12), flags=st.lists(st.text(max_size=6), max_size=3))
def test_any_text_round_trips(track: str, flags: list[str]) -> None:
    data = load("tiny").model_dump()
    data["patients"][0].update(track=track, flags=flags)
    instance = Instance.model_validate(data)
    back = parse_workbook(instance_to_workbook(instance), "x.xlsx").patients[0]
    assert (back.track, back.flags) == (track, flags)
