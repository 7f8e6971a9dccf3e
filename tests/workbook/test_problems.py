"""Every problem of a workbook in one pass, each placed by sheet, Excel row and column."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import load
from models import InputError
from models.workbook import instance_to_workbook, parse_workbook

from .sheets import book_of, column_of, key_row, problems, put, saved


def test_ten_planted_mistakes_are_ten_lines_at_once() -> None:
    book = book_of(load("medium"))  # patient i is on row i + 2
    put(book, "patients", 14, "mon.am", "y")
    put(book, "patients", 9, "primary_counselor", "C007")  # counselors are C01..C17
    put(book, "patients", 5, "min_days", 9.5)
    put(book, "blocks", 3, "start", "9:60")
    book["patients"].cell(row=1, column=column_of(book, "patients", "min_hours")).value = "min_hour"
    put(book, "rooms", 3, "capacity", None)
    put(book, "patients", 20, "stage", "engagment")
    put(book, "patients", 31, "id", "P029")  # row 30 is P029 (nobody refers to P030)
    put(book, "patients", 11, "medication_management", "yes")
    book["program"].cell(row=key_row(book, "week_of"), column=2).value = "2026-02-30"

    assert problems(book) == [
        "program row 4 (week_of): Input should be a valid date or datetime, "
        "day value is outside expected range",
        "blocks row 3, column start: '9:60': a time is HH:MM on a 24-hour clock, e.g. '09:00'",
        "patients row 1, column min_hour: unknown column (check the spelling: "
        "did you mean 'min_hours'?)",
        "patients row 5, column min_days: 9.5 is not a whole number",
        "patients row 9, column primary_counselor: 'C007' is not a counselor id "
        "(did you mean 'C07'?)",
        "patients row 11, column medication_management: 'yes' is not true or false",
        "patients row 14, column mon.am: 'y' is not one of blank, x, p",
        "patients row 20, column stage: 'engagment' is not a stage (did you mean 'engagement'?)",
        "patients row 31, column id: duplicate id 'P029'",
        "rooms row 3, column capacity: required (the cell is blank)",
    ]


def test_the_error_names_the_file_once_per_line() -> None:
    book = book_of(load("tiny"))
    put(book, "patients", 2, "mon.am", "y")
    with pytest.raises(InputError) as err:
        parse_workbook(saved(book), "roster.xlsx")
    assert (
        str(err.value)
        == "roster.xlsx: patients row 2, column mon.am: 'y' is not one of blank, x, p"
    )


def test_every_unknown_name_gets_its_near_miss() -> None:
    book = book_of(load("data/workbook_every_feature"))
    put(book, "patients", 2, "completed_topics", "sleeep")
    put(book, "patients", 3, "avoid", "P11")
    put(book, "patients", 4, "site", "nort")
    put(book, "counselors", 2, "qualified", "psychoed, womans")
    put(book, "counselors", 3, "sites", "north, sout")
    put(book, "group_types", 5, "stages", "early_recovry")
    put(book, "requirements", 3, "group_type", "woomens")
    put(book, "together", 2, "patients", "P1, P55")
    book["program"].cell(
        row=key_row(book, "individual.per_week_by_stage"), column=2
    ).value = "engagment=1"
    assert problems(book) == [
        "program row 10 (individual.per_week_by_stage): 'engagment' is not a stage "
        "(did you mean 'engagement'?)",
        "group_types row 5, column stages: 'early_recovry' is not a stage "
        "(did you mean 'early_recovery'?)",
        "requirements row 3, column group_type: 'woomens' is not a group type id "
        "(did you mean 'womens'?)",
        "patients row 2, column completed_topics: 'sleeep' is not a topic of any group type "
        "(did you mean 'sleep'?)",
        "patients row 3, column avoid: 'P11' is not a patient id (did you mean 'P1'?)",
        "patients row 4, column site: 'nort' is not a site id (did you mean 'north'?)",
        "counselors row 2, column qualified: 'womans' is not a group type id "
        "(did you mean 'womens'?)",
        "counselors row 3, column sites: 'sout' is not a site id (did you mean 'south'?)",
        "together row 2, column patients: 'P55' is not a patient id (did you mean 'P5'?)",
    ]


def test_sheets_keys_and_columns_that_are_wrong() -> None:
    book = book_of(load("tiny"))
    book["counselors"].title = "counsellors"
    book.create_sheet("Sheet1")
    book.remove(book["blocks"])
    program = book["program"]
    program.cell(row=key_row(book, "timezone"), column=1).value = "time_zone"
    program.append(["name", "again"])
    patients = book["patients"]
    patients.cell(row=1, column=patients.max_column + 2).value = None
    patients.cell(row=3, column=patients.max_column + 2).value = "stray"
    book["rooms"].delete_cols(column_of(book, "rooms", "capacity"))
    lines = problems(book)
    assert lines == [
        f"program row {key_row(book, 'time_zone')} (time_zone): unknown key "
        "(check the spelling: did you mean 'timezone'?)",
        f"program row {program.max_row} (name): key given twice (first on row 3)",
        "blocks: the sheet is missing",
        f"patients row 1, column {patients.cell(row=1, column=patients.max_column).column_letter}"
        ": values in a column without a name",
        "rooms row 1, column capacity: required column is missing",
        "counsellors: unknown sheet (check the spelling: did you mean 'counselors'?)",
        "Sheet1: unknown sheet (check the spelling)",
    ]


def test_slot_columns_missing_repeated_and_rooms_open_everywhere() -> None:
    book = book_of(load("tiny"))
    patients = book["patients"]
    mon_am = column_of(book, "patients", "mon.am")
    patients.cell(row=1, column=mon_am).value = "wed.am"  # wed.am is the next column
    patients.delete_cols(column_of(book, "patients", "fri.am"))
    put(book, "counselors", 2, "mon.am", "p")  # p is for patients only
    put(book, "rooms", 2, "all_slots", " X ")  # case and spaces forgiven
    put(book, "rooms", 2, "wed.am", None)
    letters = [patients.cell(row=1, column=c).column_letter for c in (mon_am, mon_am + 1)]
    assert problems(book) == [
        "patients row 1: slot columns missing: mon.am, fri.am",
        f"patients row 1, column wed.am: the column appears twice "
        f"(columns {letters[0]} and {letters[1]})",
        "counselors row 2, column mon.am: 'p' is not one of blank, x",
        "rooms row 2, column wed.am: blank, but all_slots is x (open at every slot): "
        "mark it x or clear all_slots",
    ]


def test_problems_left_out_where_a_reading_problem_says_it() -> None:
    """A cell that does not convert, a missing column or sheet is said once: the model's
    own problem with it (and the references that depend on it) are left out."""
    book = book_of(load("small"))
    put(book, "patients", 2, "id", 3.5)  # not an id: nothing refers back to it
    book["patients"].delete_cols(column_of(book, "patients", "stage"))
    book.remove(book["group_types"])
    assert problems(book) == [
        "group_types: the sheet is missing",
        "patients row 1, column stage: required column is missing",
        "patients row 2, column id: 3.5 is not text",
    ]


def test_a_workbook_without_problems_reads() -> None:
    data = instance_to_workbook(load("small"))
    assert parse_workbook(data, "x.xlsx") == load("small")


def test_program_values_absent_or_blank() -> None:
    book = book_of(load("tiny"))
    book["program"].cell(row=key_row(book, "name"), column=2).value = None
    book["program"].delete_rows(key_row(book, "days"))
    put(book, "program", key_row(book, "week_of"), "value", dt.datetime(2026, 12, 7, 10, 30))
    assert problems(book) == [
        "program row 3 (name): required (the value is blank)",
        "program row 4 (week_of): 2026-12-07 10:30 is a date and a time: give the date alone",
        "program (days): required: add this key",
    ]


def test_a_title_row_above_the_header() -> None:
    book = book_of(load("tiny"))
    book["counselors"].insert_rows(1)
    assert problems(book) == ["counselors row 1: the first row is blank: it names the columns"]
