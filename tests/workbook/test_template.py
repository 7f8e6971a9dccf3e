"""The template a coordinator starts from, and the CLI's --days and --blocks options."""

from __future__ import annotations

import pytest

from conftest import solve_checked
from models.workbook import parse_blocks, parse_days, parse_workbook, template_workbook

from .sheets import book_of

DEFAULT_DAYS = "mon,tue,wed,thu,fri"
DEFAULT_BLOCKS = "am=09:00-12:00/3,pm=18:00-21:00/3"


def test_the_template_reads_back_as_a_valid_instance_of_its_week() -> None:
    blocks = parse_blocks("am=09:00-12:00/3")
    instance = parse_workbook(template_workbook(["mon", "wed"], blocks), "roster.xlsx")
    assert instance.days == ["mon", "wed"]
    assert instance.blocks == blocks
    assert instance.slots == ["mon.am", "wed.am"]
    assert len(instance.patients) == len(instance.counselors) == len(instance.rooms) == 1


def test_the_default_template_has_one_example_row_per_sheet_and_solves() -> None:
    data = template_workbook(parse_days(DEFAULT_DAYS), parse_blocks(DEFAULT_BLOCKS))
    book = book_of(data)
    rows = {name: book[name].max_row - 1 for name in book.sheetnames}
    assert rows["blocks"] == 6  # one row per period
    for name in ("group_types", "requirements", "patients", "counselors", "rooms"):
        assert rows[name] == 1, name
    assert rows["together"] == 0  # a pair needs two patients
    assert "sites" not in rows
    assert rows["notes"] > 50
    assert book["patients"]["O1"].value is not None  # a slot column: mon.am
    instance = parse_workbook(data, "roster.xlsx")
    assert solve_checked(instance).schedule is not None


def test_parse_blocks() -> None:
    [am, pm] = parse_blocks(DEFAULT_BLOCKS)
    assert am.id == "am" and pm.id == "pm"
    assert [(p.start, p.end) for p in am.periods] == [
        ("09:00", "10:00"),
        ("10:00", "11:00"),
        ("11:00", "12:00"),
    ]
    assert [(p.start, p.end) for p in pm.periods][-1] == ("20:00", "21:00")
    [whole] = parse_blocks(" day = 10:00 - 14:30 ")  # one period when /N is left out
    assert whole.id == "day" and [(p.start, p.end) for p in whole.periods] == [("10:00", "14:30")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("am09:00", "'am09:00' is not ID=START-END/PERIODS, e.g. am=09:00-12:00/3"),
        ("", "'' is not ID=START-END/PERIODS, e.g. am=09:00-12:00/3"),
        ("am=9:00-12:00/3", "'am=9:00-12:00/3': a time is HH:MM on a 24-hour clock, e.g. 09:00"),
        ("am=12:00-09:00", "'am=12:00-09:00': period ends at 09:00, not after its start 12:00"),
        ("am=09:00-12:00/7", "'am=09:00-12:00/7': 180 minutes do not split into 7 equal periods"),
        ("am=09:00-12:00/x", "'am=09:00-12:00/x': 'x' periods is not a number from 1 to 24"),
        ("am=09:00-12:00/0", "'am=09:00-12:00/0': '0' periods is not a number from 1 to 24"),
        ("a m=09:00-10:00", "'a m=09:00-10:00': 'a m' is not an id (letters, digits, _ and -)"),
        ("am=09:00-12:00,am=13:00-14:00", "'am=13:00-14:00': block 'am' is given twice"),
        ("am=09:00-12:00,pm=11:00-13:00", "'pm=11:00-13:00': overlaps block 'am'"),
    ],
)
def test_parse_blocks_names_the_bad_part(text: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_blocks(text)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (" , ", "no days: give them comma-separated, e.g. mon,tue,wed,thu,fri"),
        ("mon,mo n", "'mo n' is not a day id (letters, digits, _ and -)"),
        ("mon,tue,mon", "day 'mon' is given twice"),
    ],
)
def test_parse_days_names_the_bad_day(text: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_days(text)
    assert str(err.value) == message
    with pytest.raises(ValueError):  # the template refuses them too
        template_workbook(
            [d.strip() for d in text.split(",") if d.strip()], parse_blocks("am=09:00-12:00")
        )
