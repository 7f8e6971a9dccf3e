"""A hand-made valid week for the printable views' tests (tables, page, sheets).

instances/tiny.json (mon, wed, fri; block am of 09:00-10:30 and 10:30-12:00; P1, P2 in
stage early, P3, P4 late; C1, C2; rooms R1, R2) plus two offices and an individual
time at 12:10-13:00. Every day: education for all four in R1 with C1, then
relapse prevention by stage (early in R1 with C1, late in R2 with C2). Each patient has
3 days of 3 h (their min_hours 9) and one individual session with their primary
counselor; the objective is the 9 sessions run, 9 x 60 = 540.
"""

from __future__ import annotations

from typing import Any

from models import Instance, Schedule, parse_instance, parse_schedule
from tests.conftest import raw

DAYS = ("mon", "wed", "fri")


def instance(**names: str) -> Instance:
    """The week's instance; ``names`` gives patients display names (``P1="Ana R."``)."""
    data = raw("tiny")
    data["rooms"] += [
        {"id": "O1", "capacity": 2, "type": "office"},
        {"id": "O2", "capacity": 2, "type": "office"},
    ]
    data["individual_slots"] = [{"start": "12:10", "end": "13:00"}]
    for p in data["patients"]:
        if p["id"] in names:
            p["display_name"] = names[p["id"]]
    return parse_instance(data)


def schedule(drop: tuple[str, str] | None = None) -> Schedule:
    """The valid week; ``drop=("P4", "fri")`` takes a patient out of a day (breaks rules)."""
    sessions: list[dict[str, Any]] = []
    for day in DAYS:
        n = len(sessions)
        sessions += [
            _session(f"S{n + 1}", day, 0, "education", None, "R1", "C1", ["P1", "P2", "P3", "P4"]),
            _session(f"S{n + 2}", day, 1, "relapse_prevention", "early", "R1", "C1", ["P1", "P2"]),
            _session(f"S{n + 3}", day, 1, "relapse_prevention", "late", "R2", "C2", ["P3", "P4"]),
        ]
    if drop is not None:
        for s in sessions:
            if s["day"] == drop[1] and drop[0] in s["patients"]:
                s["patients"].remove(drop[0])
    individual = [
        _appointment("P1", "C1", "mon", "O1"),
        _appointment("P3", "C2", "mon", "O2"),
        _appointment("P2", "C1", "wed", "O1"),
        _appointment("P4", "C2", "fri", "O1"),
    ]
    return parse_schedule(
        {
            "instance": "tiny",
            "status": "feasible",
            "objective": 540,
            "sessions": sessions,
            "individual_sessions": individual,
        }
    )


def _session(
    ident: str,
    day: str,
    period: int,
    group_type: str,
    stage: str | None,
    room: str,
    counselor: str,
    patients: list[str],
) -> dict[str, Any]:
    start, end = [("09:00", "10:30"), ("10:30", "12:00")][period]
    return {
        "id": ident,
        "day": day,
        "block": "am",
        "period": period,
        "start": start,
        "end": end,
        "group_type": group_type,
        "stage": stage,
        "room": room,
        "counselors": [counselor],
        "patients": patients,
    }


def _appointment(patient: str, counselor: str, day: str, room: str) -> dict[str, str]:
    return {
        "patient": patient,
        "counselor": counselor,
        "day": day,
        "start": "12:10",
        "end": "13:00",
        "room": room,
    }
