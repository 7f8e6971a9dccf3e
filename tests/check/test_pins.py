"""Pins (``scheduler/check/pins.py``): every pin of the instance holds in the schedule.

The valid ``full`` schedule of ``services`` (see ``conftest.py``) is checked against the
instance with pins added: pins that ``full`` keeps give no violation, each pin it breaks
gives one ``pin`` violation naming the pin by its 1-based number and what it says.
"""

from __future__ import annotations

from typing import Any

from models import InputError, Schedule, parse_instance
from scheduler.check import check

KEPT = [
    # S1: education mon.am period 0 in R1, led by C1, everyone, topic coping.
    {"kind": "session", "group_type": "education", "slot": "mon.am", "period": 0, "room": "R1"},
    {
        "kind": "session",
        "group_type": "family",
        "slot": "mon.am",
        "counselors": ["C2"],
        "patients": ["P1", "P3"],
    },
    {"kind": "session", "group_type": "education", "slot": "wed.am", "topic": "sleep"},
    {"kind": "attend", "patient": "P4", "slot": "wed.am"},
    {"kind": "individual", "patient": "P1", "counselor": "C1", "day": "mon", "start": "08:00"},
    {"kind": "individual", "patient": "P3", "day": "mon", "start": "12:10"},
    {"kind": "medication", "patient": "P2", "day": "mon", "start": "08:00"},
]


def _checked(services_data: dict[str, Any], full: Schedule, pins: list[dict[str, Any]]) -> Any:
    services_data["pins"] = pins
    return check(parse_instance(services_data), full)


def test_pins_kept(services_data: dict[str, Any], full: Schedule) -> None:
    report = _checked(services_data, full, KEPT)
    assert report.ok, report.violations
    assert report.objective == 240  # pins cost nothing


def test_pins_broken(services_data: dict[str, Any], full: Schedule) -> None:
    broken = [
        # S1 is in R1, and C1 leads it, not C2.
        {"kind": "session", "group_type": "education", "slot": "mon.am", "room": "R2"},
        {
            "kind": "session",
            "group_type": "education",
            "slot": "mon.am",
            "period": 0,
            "counselors": ["C2"],
        },
        # S3 and S4 (wed) teach triggers and sleep; nobody teaches anger.
        {"kind": "session", "group_type": "education", "slot": "wed.am", "topic": "anger"},
        # The family group runs in period 1, not 0.
        {"kind": "session", "group_type": "family", "slot": "mon.am", "period": 0},
        {"kind": "attend", "patient": "P1", "slot": "fri.am"},
        {"kind": "individual", "patient": "P1", "day": "wed", "start": "08:00"},
        {"kind": "individual", "patient": "P3", "counselor": "C1", "day": "mon", "start": "12:10"},
        {"kind": "medication", "patient": "P2", "day": "mon", "start": "12:10"},
    ]
    report = _checked(services_data, full, KEPT + broken)
    assert report.rules() == ["pin"] * len(broken)
    first = len(KEPT) + 1
    assert [v.ids[0] for v in report.violations] == [str(first + k) for k in range(len(broken))]
    assert [v.message for v in report.violations] == [
        "pin 8 (session education mon.am, room R2): no such session",
        "pin 9 (session education mon.am period 0, counselors C2): no such session",
        "pin 10 (session education wed.am, topic anger): no such session",
        "pin 11 (session family mon.am period 0): no such session",
        "pin 12 (attend P1 fri.am): P1 does not attend fri.am",
        "pin 13 (individual P1 wed 08:00): no such appointment",
        "pin 14 (individual P3 with C1 mon 12:10): no such appointment",
        "pin 15 (medication P2 mon 12:10): no such appointment",
    ]


def test_pin_references(services_data: dict[str, Any]) -> None:
    """Every id, slot, period, topic, stage, eligibility and qualification is checked at
    load, one problem per field, located at ``pins[i].field``."""
    services_data["pins"] = [
        {"kind": "session", "group_type": "education", "slot": "mon.eve", "period": 2},
        {
            "kind": "session",
            "group_type": "education",
            "slot": "mon.am",
            "period": 2,
            "stage": "early",
            "room": "O1",
            "counselors": ["C3", "C9"],
            "topic": "fishing",
        },
        {"kind": "session", "group_type": "family", "slot": "mon.am", "counselors": ["C1", "C4"]},
        {"kind": "attend", "patient": "P9", "slot": "mon.am", "day": "mon"},
        {"kind": "individual", "patient": "P1", "counselor": "C2", "day": "sun", "start": "09:00"},
        {"kind": "medication", "patient": "P1", "counselor": "C1", "day": "mon", "start": "08:00"},
        {"kind": "session", "slot": "mon.am"},
    ]
    try:
        parse_instance(services_data)
    except InputError as err:
        lines = err.lines
    else:
        raise AssertionError("pins with bad references were accepted")
    assert lines == [
        "pins[0].slot: 'mon.eve' is not a slot (day.block)",
        "pins[1].stage: education is not stage-matched: leave the stage out",
        "pins[1].period: block am has periods 0 to 1",
        "pins[1].room: O1 is an office; groups meet in group rooms",
        "pins[1].counselors: more than staff_required 1 of education",
        "pins[1].counselors[0]: C3 is not qualified for education",
        "pins[1].counselors[1]: 'C9' is not a counselor id",
        "pins[1].topic: 'fishing' is not a topic of education",
        "pins[2].counselors[1]: C4 is not qualified for family",
        "pins[2].counselors: family needs a clinician among them (requires_role)",
        "pins[3].day: not a field of an attend pin",
        "pins[4].day: 'sun' is not a day",
        "pins[4].start: 09:00 is not the start of an individual slot",
        "pins[4].counselor: individual counseling is with the primary counselor C1",
        "pins[5].patient: P1 has no medication_management",
        "pins[5].counselor: C1 is not a prescriber",
        "pins[6].group_type: required for a session pin",
    ]
