"""What the CSV, iCalendar and FHIR exports share: week order, calendar dates, stable keys.

**Dates.** ``instance.week_of`` is the first date of the week. When every day id is
an English weekday name (``mon`` .. ``sun``, ``monday`` .. ``sunday``, ``tues``,
``weds``, ``thur``, ``thurs``; any case; each weekday once), a day's date is the
date with that weekday in the seven days that start at ``week_of``: with
``week_of`` a Monday and days ``tue`` .. ``sat``, ``tue`` is the day after
``week_of``, as a coordinator who gives "the Monday of the week" means. Any other
ids (``d1``, ``day2``, ...) are dated by position: ``days[i]`` is ``week_of + i``
days (so days ``mon``, ``wednesday``, ``fri-x`` count as consecutive).

**Keys.** A session is known by its slot and its group, never by its people: day,
block, period, group type, stage, and its rank among the sessions with all of
these in that period (in room order). An appointment is known by its kind, its
counselor, its day and its start. A key hashed with the program (instance name and
``week_of``) gives a UUID (version 5) that is the same on every export of the same
week, whatever else changes: an iCalendar UID and a FHIR identifier that update the
event or Appointment instead of duplicating it, and that carry no names.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from models import Appointment, Instance, Schedule, Session

# Fixed forever: a different namespace would change every UID and identifier ever exported.
_NAMESPACE = uuid.UUID("dcc6fabf-b8b5-4cfa-a296-59e50f31d97f")

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_NUMBER: dict[str, int] = {
    **{name: i for i, name in enumerate(_WEEKDAYS)},
    **{name[:3]: i for i, name in enumerate(_WEEKDAYS)},
    **{"tues": 1, "weds": 2, "thur": 3, "thurs": 3},
}

# (kind, appointment): kind is "individual" or "medication", as in the schedule's fields.
Booking = tuple[str, Appointment]
APPOINTMENT_TITLES = {"individual": "Individual counseling", "medication": "Medication management"}
KIND_LABELS = {
    "psychoeducational": "psychoeducational group",
    "skills": "skills group",
    "interpersonal_process": "interpersonal process group",
}


def day_dates(instance: Instance) -> dict[str, dt.date]:
    """The date of each day of the week (empty without ``week_of``); see the module's doc."""
    start = instance.week_of
    if start is None:
        return {}
    numbers = [WEEKDAY_NUMBER.get(day.lower()) for day in instance.days]
    named = [n for n in numbers if n is not None]
    if len(named) == len(numbers) and len(set(named)) == len(named):
        return {
            day: start + dt.timedelta(days=(n - start.weekday()) % 7)
            for day, n in zip(instance.days, named)
        }
    return {day: start + dt.timedelta(days=i) for i, day in enumerate(instance.days)}


@dataclass(frozen=True)
class Clock:
    """The week's real dates and the program's time zone: clock times to instants."""

    dates: dict[str, dt.date]
    zone: zoneinfo.ZoneInfo

    def times(self, day: str, start: str, end: str) -> tuple[dt.datetime, dt.datetime]:
        """Start and end of a meeting as aware datetimes in the program's zone (a day of
        the week: see :attr:`dates`)."""
        date = self.dates[day]
        return (
            dt.datetime.combine(date, dt.time.fromisoformat(start), tzinfo=self.zone),
            dt.datetime.combine(date, dt.time.fromisoformat(end), tzinfo=self.zone),
        )


def program_clock(instance: Instance) -> Clock:
    """The week's :class:`Clock`; a ``ValueError`` without ``week_of`` or ``timezone``."""
    if instance.timezone is None or instance.week_of is None:
        raise ValueError(
            "the instance needs week_of and timezone for real dates and times "
            "(see scheduler.export.export_problems)"
        )
    return Clock(day_dates(instance), zoneinfo.ZoneInfo(instance.timezone))


def sessions_in_order(instance: Instance, schedule: Schedule) -> list[Session]:
    """The schedule's sessions in week order: slot, period, group type, stage, room, id."""
    rank = {slot: i for i, slot in enumerate(instance.slots)}
    last = len(rank)  # a slot the week does not have (a schedule the checker refuses)
    return sorted(
        schedule.sessions,
        key=lambda s: (rank.get(s.slot, last), s.period, s.group_type, s.stage or "", s.room, s.id),
    )


def bookings_in_order(instance: Instance, schedule: Schedule) -> list[Booking]:
    """Individual and medication appointments in week order: day, start, kind, counselor."""
    day_rank = {day: i for i, day in enumerate(instance.days)}
    last = len(day_rank)
    bookings = [("individual", a) for a in schedule.individual_sessions] + [
        ("medication", a) for a in schedule.medication_appointments
    ]
    return sorted(
        bookings,
        key=lambda b: (day_rank.get(b[1].day, last), b[1].start, b[0], b[1].counselor, b[1].room),
    )


def session_keys(sessions: Sequence[Session]) -> list[tuple[str, ...]]:
    """Each session's key (see the module's doc), in the order of ``sessions``."""
    slot_key = [(s.day, s.block, str(s.period), s.group_type, s.stage or "") for s in sessions]
    alike: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, key in enumerate(slot_key):
        alike[key].append(i)
    rank: dict[int, int] = {}
    for members in alike.values():
        for r, i in enumerate(sorted(members, key=lambda i: (sessions[i].room, sessions[i].id))):
            rank[i] = r
    return [("session", *key, str(rank[i])) for i, key in enumerate(slot_key)]


def booking_key(booking: Booking) -> tuple[str, ...]:
    """An appointment's key: kind, counselor, day, start (a counselor meets one at a time)."""
    kind, appt = booking
    return (kind, appt.counselor, appt.day, appt.start)


def stable_uuid(instance: Instance, key: tuple[str, ...]) -> uuid.UUID:
    """The UUID of a key in this program's week: the same on every export of the week."""
    week = instance.week_of.isoformat() if instance.week_of else ""
    # JSON keeps the parts apart whatever the instance name holds.
    return uuid.uuid5(_NAMESPACE, json.dumps([instance.name, week, *key]))


def group_label(group_type: str) -> str:
    """A group type id as words: ``early_recovery_skills`` -> ``early recovery skills``."""
    return group_type.replace("_", " ")
