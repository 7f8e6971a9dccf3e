"""The week as CSV files for EHR import: sessions, attendance, appointments, screens.

Ids only: no patient's ``display_name`` and no counselor's name (an EHR matches ids).
Each file has a header row and is UTF-8 (no byte order mark: the values are ids,
times and dates) in RFC 4180 form (``\\r\\n`` line ends, quotes only where needed).
Rows come in week order, so two exports of one schedule are byte-identical. The
``uid`` columns hold each session's and appointment's stable id (the calendar UID and
FHIR identifier), for updating what an EHR imported last time.

Dates come from ``week_of`` (see :mod:`scheduler.export.keys`); without it the
``date`` columns are there but empty. ``period`` is 0-based, as in the schedule file.
A schedule the checker refuses (``export`` still writes it) is written as it is: a
room or day the week does not have gets no site or date. Every text cell goes
through :func:`escape_cell`, so no spreadsheet that opens a file runs a cell as a
formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from models import Instance, Schedule, Session
from scheduler.export.keys import (
    booking_key,
    bookings_in_order,
    day_dates,
    session_keys,
    sessions_in_order,
    stable_uuid,
)

# OWASP "CSV Injection": a cell starting with one of these is a formula (or becomes one
# once a spreadsheet strips the tab or carriage return).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int


def escape_cell(value: str) -> str:
    """``value`` with a leading ``'`` if a spreadsheet would read it as a formula.

    >>> escape_cell("=1+1"), escape_cell("P001")
    ("'=1+1", 'P001')
    """
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def files(instance: Instance, schedule: Schedule) -> dict[str, bytes]:
    """``sessions.csv``, ``attendance.csv``, ``appointments.csv`` and ``screens.csv``.

    Parameters
    ----------
    instance
        The week (for dates, kinds of group types, sites and the order of days).
    schedule
        Its timetable.

    Returns
    -------
    dict[str, bytes]
        The four files by name.
    """
    return {
        "sessions.csv": _csv(*_sessions(instance, schedule)),
        "attendance.csv": _csv(*_attendance(instance, schedule)),
        "appointments.csv": _csv(*_appointments(instance, schedule)),
        "screens.csv": _csv(*_screens(instance, schedule)),
    }


Table = tuple[Sequence[str], Iterable[Sequence[Cell]]]


def _sessions(instance: Instance, schedule: Schedule) -> Table:
    """One row per session: when, what, where, who leads it and how many attend."""
    dates = _date_texts(instance)
    kind = {g.id: g.kind for g in instance.group_types}
    site = {r.id: r.site or "" for r in instance.rooms}
    sited = bool(instance.sites)
    header = ["session_id", "day", "date", "block", "period", "start", "end"]
    header += ["group_type", "kind", "stage", "topic", "room"]
    header += ["site"] if sited else []
    header += ["counselors", "patient_count", "uid"]
    rows = []
    sessions = sessions_in_order(instance, schedule)
    for s, uid in zip(sessions, _session_uids(instance, sessions)):
        row: list[Cell] = [s.id, s.day, dates.get(s.day, ""), s.block, s.period, s.start, s.end]
        row += [s.group_type, kind.get(s.group_type, ""), s.stage or "", s.topic or "", s.room]
        row += [site.get(s.room, "")] if sited else []
        row += [";".join(s.counselors), len(s.patients), uid]
        rows.append(row)
    return header, rows


def _attendance(instance: Instance, schedule: Schedule) -> Table:
    """One row per seat: a patient in a session, with its minutes (what billing counts)."""
    dates = _date_texts(instance)
    header = ["session_id", "day", "date", "start", "end", "minutes", "group_type"]
    header += ["patient", "room", "session_uid"]
    sessions = sessions_in_order(instance, schedule)
    rows: list[list[Cell]] = [
        [s.id, s.day, dates.get(s.day, ""), s.start, s.end, s.minutes, s.group_type, p, s.room, uid]
        for s, uid in zip(sessions, _session_uids(instance, sessions))
        for p in sorted(s.patients)
    ]
    return header, rows


def _appointments(instance: Instance, schedule: Schedule) -> Table:
    """One row per individual counseling or medication management appointment."""
    dates = _date_texts(instance)
    header = ["kind", "patient", "counselor", "day", "date", "start", "end", "minutes", "room"]
    header += ["uid"]
    rows: list[list[Cell]] = []
    for kind, a in bookings_in_order(instance, schedule):
        date = dates.get(a.day, "")
        uid = str(stable_uuid(instance, booking_key((kind, a))))
        row: list[Cell] = [kind, a.patient, a.counselor, a.day, date, a.start, a.end, a.minutes]
        rows.append([*row, a.room, uid])
    return header, rows


def _screens(instance: Instance, schedule: Schedule) -> Table:
    """One row per drug screen: the patient and the block it is collected in."""
    dates = _date_texts(instance)
    slot_rank = {slot: i for i, slot in enumerate(instance.slots)}
    last = len(slot_rank)
    screens = sorted(schedule.screens, key=lambda s: (slot_rank.get(s.slot, last), s.patient))
    rows = [[s.patient, s.day, dates.get(s.day, ""), s.block] for s in screens]
    return ["patient", "day", "date", "block"], rows


def _session_uids(instance: Instance, sessions: list[Session]) -> list[str]:
    """Each session's stable id, the calendars' UID and the FHIR identifier: unlike the
    schedule's session id it stays the same when the week is solved again (same slot,
    type and stage), so an EHR can update the rows it imported instead of adding more."""
    return [str(stable_uuid(instance, key)) for key in session_keys(sessions)]


def _date_texts(instance: Instance) -> dict[str, str]:
    """Each day's ISO date (none without ``week_of``)."""
    return {day: date.isoformat() for day, date in day_dates(instance).items()}


def _csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A header and rows as RFC 4180 CSV in UTF-8, every text cell escaped."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape_cell(c) if isinstance(c, str) else c for c in row])
    return out.getvalue().encode("utf-8")
