"""Builders shared by the checker's tests: a session or an appointment in one line, and
copies of a schedule with one thing changed (the instances are in ``conftest.py``).
"""

from __future__ import annotations

from typing import Any

from conftest import INSTANCES
from models import Appointment, Schedule, Session
from scheduler.check import CheckReport

TINY = INSTANCES / "tiny.json"
EVERYONE = ["P1", "P2", "P3", "P4"]
# The two periods of tiny's "am" block, by index.
AM_TIMES = [("09:00", "10:30"), ("10:30", "12:00")]


def session(
    sid: str,
    slot: str,
    period: int,
    group_type: str,
    room: str,
    counselors: str | list[str],
    patients: list[str],
    stage: str | None = None,
    times: tuple[str, str] | None = None,
    topic: str | None = None,
) -> Session:
    """One session in one line: ``session("S1", "mon.am", 0, "education", "R1", "C1", [...])``.

    ``times`` defaults to the times of period ``period`` of tiny's am block.
    """
    day, block = slot.split(".")
    start, end = times or AM_TIMES[period]
    return Session(
        id=sid,
        day=day,
        block=block,
        period=period,
        start=start,
        end=end,
        group_type=group_type,
        stage=stage,
        room=room,
        counselors=[counselors] if isinstance(counselors, str) else counselors,
        patients=patients,
        topic=topic,
    )


def changed(schedule: Schedule, sid: str, **fields: Any) -> Schedule:
    """A deep copy of ``schedule`` in which session ``sid`` has the given fields replaced."""
    new = schedule.model_copy(deep=True)
    target = next(s for s in new.sessions if s.id == sid)
    for name, value in fields.items():
        setattr(target, name, value)
    return new


def added(schedule: Schedule, *sessions: Session) -> Schedule:
    """A deep copy of ``schedule`` with extra sessions at the end."""
    new = schedule.model_copy(deep=True)
    new.sessions.extend(sessions)
    return new


def without(schedule: Schedule, pid: str, *sids: str) -> Schedule:
    """A deep copy of ``schedule`` with patient ``pid`` taken out of sessions ``sids``."""
    new = schedule.model_copy(deep=True)
    for s in new.sessions:
        if s.id in sids:
            s.patients = [p for p in s.patients if p != pid]
    return new


def by_id(items: list[dict[str, Any]], ident: str) -> dict[str, Any]:
    """The object with id ``ident`` in a list of the instance JSON (patients, rooms, ...)."""
    return next(item for item in items if item["id"] == ident)


def violation_ids(report: CheckReport) -> list[tuple[str, ...]]:
    return [v.ids for v in report.violations]


# -- appointments (the services instance) ----------------------------------------------


IND = {
    "07": ("07:00", "07:50"),
    "08": ("08:00", "08:50"),
    "10": ("10:00", "10:50"),
    "12": ("12:10", "13:00"),
    "14": ("14:00", "14:50"),
}


def appointment(patient: str, counselor: str, day: str, time: str, room: str) -> Appointment:
    """``appointment("P1", "C1", "mon", "08", "O1")``: ``time`` is a key of ``IND``."""
    start, end = IND[time]
    return Appointment(
        patient=patient, counselor=counselor, day=day, start=start, end=end, room=room
    )


def edited_appointment(schedule: Schedule, field: str, i: int, **fields: Any) -> Schedule:
    """A deep copy with entry ``i`` of ``individual_sessions`` / ``medication_appointments``
    / ``screens`` (``field``) changed."""
    new = schedule.model_copy(deep=True)
    target = getattr(new, field)[i]
    for name, value in fields.items():
        setattr(target, name, value)
    return new
