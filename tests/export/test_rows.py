"""The CSV export: columns, one row per session / seat / appointment / screen, dates from
week_of, week order, formula escaping, and ids only."""

from __future__ import annotations

import csv
import datetime as dt
import io

import icalendar
import pytest

from models import Instance, Schedule
from scheduler.export import ics, rows
from scheduler.export.keys import day_dates

from .witnesses import dated_witness, with_broken_references, with_display_names


@pytest.fixture(scope="module")
def week() -> tuple[Instance, Schedule]:
    return dated_witness()


def read(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def header(data: bytes) -> list[str]:
    return data.decode("utf-8").split("\r\n", 1)[0].split(",")


def test_the_four_files_with_their_columns(week: tuple[Instance, Schedule]) -> None:
    out = rows.files(*week)
    assert sorted(out) == ["appointments.csv", "attendance.csv", "screens.csv", "sessions.csv"]
    assert header(out["sessions.csv"]) == [
        "session_id", "day", "date", "block", "period", "start", "end", "group_type", "kind",
        "stage", "topic", "room", "site", "counselors", "patient_count", "uid",
    ]  # fmt: skip
    assert header(out["attendance.csv"]) == [
        "session_id", "day", "date", "start", "end", "minutes", "group_type", "patient", "room",
        "session_uid",
    ]  # fmt: skip
    assert header(out["appointments.csv"]) == [
        "kind", "patient", "counselor", "day", "date", "start", "end", "minutes", "room", "uid",
    ]  # fmt: skip
    assert header(out["screens.csv"]) == ["patient", "day", "date", "block"]


def test_uids_are_the_calendar_uids(week: tuple[Instance, Schedule]) -> None:
    """The CSV's uid columns hold the calendars' UIDs, so an EHR can match re-imports."""
    out = rows.files(*week)
    feeds = [icalendar.Calendar.from_ical(f) for f in ics.files(*week).values()]
    uids = {str(e["UID"]) for cal in feeds for e in cal.walk("VEVENT")}
    sessions, appointments = read(out["sessions.csv"]), read(out["appointments.csv"])
    ids = [f"{r['uid']}@iop-scheduler" for r in sessions + appointments]
    assert len(set(ids)) == len(ids) == len(sessions) + len(appointments)
    assert set(ids) == uids
    by_session = {r["session_id"]: r["uid"] for r in sessions}
    assert all(by_session[r["session_id"]] == r["session_uid"] for r in read(out["attendance.csv"]))


def test_no_site_column_without_sites() -> None:
    instance, witness = dated_witness(sites=1)
    assert "site" not in header(rows.files(instance, witness)["sessions.csv"])


def test_a_row_per_session_seat_appointment_and_screen(week: tuple[Instance, Schedule]) -> None:
    instance, witness = week
    out = rows.files(instance, witness)
    sessions = read(out["sessions.csv"])
    assert len(sessions) == len(witness.sessions)
    assert len(read(out["attendance.csv"])) == sum(len(s.patients) for s in witness.sessions)
    appointments = read(out["appointments.csv"])
    assert len(appointments) == len(witness.individual_sessions) + len(
        witness.medication_appointments
    )
    assert {a["kind"] for a in appointments} == {"individual", "medication"}
    assert len(read(out["screens.csv"])) == len(witness.screens)
    # The cells of one session, as the schedule has it.
    first = next(s for s in witness.sessions if s.id == sessions[0]["session_id"])
    assert sessions[0]["counselors"] == ";".join(first.counselors)
    assert sessions[0]["patient_count"] == str(len(first.patients))
    assert sessions[0]["site"] == first.room.split("-")[0]  # generated rooms: S1-R1, ...


def test_rows_in_week_order_and_byte_identical(week: tuple[Instance, Schedule]) -> None:
    instance, witness = week
    shuffled = witness.model_copy(update={"sessions": witness.sessions[::-1]})
    out = rows.files(instance, witness)
    assert rows.files(instance, shuffled) == out  # the schedule's order does not matter
    days = [r["day"] for r in read(out["sessions.csv"])]
    assert days == sorted(days, key=instance.days.index)
    times = [(r["day"], r["start"]) for r in read(out["appointments.csv"])]
    assert times == sorted(times, key=lambda t: (instance.days.index(t[0]), t[1]))


def test_rfc_4180_line_ends(week: tuple[Instance, Schedule]) -> None:
    for data in rows.files(*week).values():
        text = data.decode("utf-8")
        assert text.endswith("\r\n")
        assert "\n" not in text.replace("\r\n", "")


def test_dates_from_week_of_or_empty(week: tuple[Instance, Schedule]) -> None:
    instance, witness = week  # week of Monday 2026-03-09, days mon..fri
    sessions = read(rows.files(instance, witness)["sessions.csv"])
    expected = {"mon": "2026-03-09", "wed": "2026-03-11", "fri": "2026-03-13"}
    assert {r["day"]: r["date"] for r in sessions if r["day"] in expected} == expected
    undated = instance.model_copy(update={"week_of": None})
    for name, data in rows.files(undated, witness).items():
        assert {r["date"] for r in read(data)} == {""}, name


def test_weekday_ids_are_dated_by_name() -> None:
    # A Friday as week_of: fri is that day, mon..thu the days after it (across a weekend).
    instance, _ = dated_witness(week_of=dt.date(2026, 3, 6))
    dates = day_dates(instance)
    assert dates["fri"] == dt.date(2026, 3, 6)
    assert dates["mon"] == dt.date(2026, 3, 9)
    assert dates["thu"] == dt.date(2026, 3, 12)
    spelled = day_dates(instance.model_copy(update={"days": ["Monday", "Weds", "FRI"]}))
    assert list(spelled.values()) == [dt.date(2026, 3, d) for d in (9, 11, 6)]


def test_other_ids_are_dated_by_position() -> None:
    instance, _ = dated_witness()
    for days in (["d1", "d2", "d3"], ["mon", "x", "fri"], ["mon", "Monday"]):
        dates = day_dates(instance.model_copy(update={"days": days}))
        assert list(dates.values()) == [
            dt.date(2026, 3, 9) + dt.timedelta(i) for i in range(len(days))
        ]


@pytest.mark.parametrize("value", ["=1+1", "+x", "-x", "@x", "\tx", "\rx", '=HYPERLINK("a")'])
def test_formula_starts_are_escaped(value: str) -> None:
    assert rows.escape_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["P001", "a-b", "x=1", "09:00", "", "'quoted"])
def test_other_values_are_untouched(value: str) -> None:
    assert rows.escape_cell(value) == value


def test_cells_are_escaped_in_the_files(week: tuple[Instance, Schedule]) -> None:
    # Session ids are free text and ids may start with '-': both reach the files escaped.
    instance, witness = week
    first = witness.sessions[0]
    bad = first.model_copy(update={"id": "=1+1", "topic": "-cmd"})
    out = rows.files(instance, witness.model_copy(update={"sessions": [bad]}))
    session = read(out["sessions.csv"])[0]
    assert (session["session_id"], session["topic"]) == ("'=1+1", "'-cmd")
    assert {r["session_id"] for r in read(out["attendance.csv"])} == {"'=1+1"}


def test_no_display_name_or_counselor_name(week: tuple[Instance, Schedule]) -> None:
    instance, witness = week
    counselors = [c.model_copy(update={"name": f"Staffname {c.id}"}) for c in instance.counselors]
    named = with_display_names(instance).model_copy(update={"counselors": counselors})
    everything = b"".join(rows.files(named, witness).values())
    assert b"Zorabel" not in everything
    assert b"Staffname" not in everything
    assert named.patients[0].id.encode() in everything  # ids are there


def test_a_schedule_with_broken_references_is_written_as_it_is(
    week: tuple[Instance, Schedule],
) -> None:
    instance, witness = week
    out = rows.files(instance, with_broken_references(witness))
    sessions = read(out["sessions.csv"])
    assert len(sessions) == len(witness.sessions) + 2
    assert (sessions[-1]["session_id"], sessions[-1]["date"]) == ("X2", "")  # last: no slot
    strange = next(r for r in sessions if r["session_id"] == "X1")
    assert (strange["kind"], strange["site"], strange["room"]) == ("", "", "NOPE")
    assert strange["date"] == "2026-03-09"
