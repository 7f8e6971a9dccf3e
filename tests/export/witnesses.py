"""Generated weeks with their witness schedules, dated, for the CSV, iCalendar and FHIR
export tests (no solve: the generator's witness is a valid timetable)."""

from __future__ import annotations

import datetime as dt

from models import Instance, Schedule
from scheduler import check
from scheduler.generate import generate

ZONE = "America/New_York"
SUMMER_WEEK = dt.date(2026, 3, 9)  # a Monday, the day after DST starts: EDT, -04:00
WINTER_WEEK = dt.date(2026, 11, 2)  # a Monday, the day after DST ends: EST, -05:00


def dated_witness(
    week_of: dt.date | None = SUMMER_WEEK, sites: int = 2, seed: int = 3
) -> tuple[Instance, Schedule]:
    """A 40-patient program (two sites by default) and its witness, dated in New York."""
    instance, witness = generate(patients=40, sites=sites, seed=seed)
    assert witness is not None
    assert check(instance, witness).ok
    dated = instance.model_copy(update={"week_of": week_of, "timezone": ZONE})
    return dated, witness


def with_display_names(instance: Instance) -> Instance:
    """The instance with a display name for every patient ("Zorabel Quint 7" style: words
    that appear nowhere else, so finding one in an output can only be a leak)."""
    patients = [
        p.model_copy(update={"display_name": f"Zorabel Quint {i}"})
        for i, p in enumerate(instance.patients)
    ]
    return instance.model_copy(update={"patients": patients})


def with_broken_references(schedule: Schedule) -> Schedule:
    """The schedule plus two sessions the checker refuses (``export`` still writes such a
    schedule): one with a room, group type and counselor the week lacks, one on a day it
    lacks (``sun``: the generated week is mon..fri)."""
    first = schedule.sessions[0]
    strange = first.model_copy(
        update={"id": "X1", "room": "NOPE", "group_type": "nope", "counselors": ["XC"]}
    )
    sunday = first.model_copy(update={"id": "X2", "day": "sun"})
    return schedule.model_copy(update={"sessions": [*schedule.sessions, strange, sunday]})
