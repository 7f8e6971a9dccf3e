"""The instances and valid schedules every checker test starts from.

Everything starts from one hand-made, valid, optimal schedule for ``instances/tiny.json``
(the ``optimum`` fixture). Each hard-rule test breaks it in one way, either by editing the
schedule or by editing the instance it is checked against, and asserts the exact list of
broken rules. Breaking one rule often breaks others as well; a comment then says why each
extra entry appears.

tiny.json in short: days mon/wed/fri, one block ``am`` of two 90-minute periods
(09:00-10:30, 10:30-12:00). P1..P4 are available mon/wed/fri am and need 9 h (= all six
periods), >= 2 education and >= 2 relapse_prevention sessions. education (2..6 patients)
is open to all; relapse_prevention (2..4) is stage-matched: P1, P2 are stage early, P3, P4
late. C1 may lead both types, C2 only relapse_prevention. Primary counselors: P1, P2 -> C1;
P3, P4 -> C2. Rooms: R1 (capacity 6), R2 (capacity 4). load_imbalance_minutes weight is 0.

The clinical services (individual counseling, medication, screens, curriculum, co-facilitated
family groups, pairs, assigned primary counselors) are tested the same way from a second
hand-made instance, ``services`` (see ``services_data``), and its valid schedule ``full``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from models import Instance, Schedule, Screen, load_instance, parse_instance

from .builders import EVERYONE, IND, TINY, appointment, session


@pytest.fixture(scope="module")
def tiny() -> Instance:
    """instances/tiny.json, validated (models are frozen, so sharing it is safe)."""
    return load_instance(TINY)


@pytest.fixture
def tiny_data() -> dict[str, Any]:
    """tiny.json as a fresh plain dict, to edit and re-validate with ``parse_instance``."""
    return json.loads(TINY.read_text(encoding="utf-8"))


@pytest.fixture
def optimum() -> Schedule:
    """The known optimum of tiny: 8 sessions, objective 8 * 60 = 480.

    mon and wed: all four patients in one education session per period, led by C1 in R1.
    fri: in each period, early (P1, P2) and late (P3, P4) each have a relapse_prevention
    session, early led by C1 in R1 and late by C2 (P3/P4's primary counselor) in R2.
    Every patient attends every period: 6 * 90 min = 9 h = min_hours, 4 education and
    2 relapse_prevention sessions; C1 leads 6 periods, C2 2, never two at once.
    """
    return Schedule(
        instance="tiny",
        status="optimal",
        objective=480,
        sessions=[
            session("S1", "mon.am", 0, "education", "R1", "C1", EVERYONE),
            session("S2", "mon.am", 1, "education", "R1", "C1", EVERYONE),
            session("S3", "wed.am", 0, "education", "R1", "C1", EVERYONE),
            session("S4", "wed.am", 1, "education", "R1", "C1", EVERYONE),
            session("S5", "fri.am", 0, "relapse_prevention", "R1", "C1", ["P1", "P2"], "early"),
            session("S6", "fri.am", 0, "relapse_prevention", "R2", "C2", ["P3", "P4"], "late"),
            session("S7", "fri.am", 1, "relapse_prevention", "R1", "C1", ["P1", "P2"], "early"),
            session("S8", "fri.am", 1, "relapse_prevention", "R2", "C2", ["P3", "P4"], "late"),
        ],
    )


# == clinical services ====================================================================
#
# ``services_data``: days mon/wed/fri; block am as in tiny (09:00-10:30, 10:30-12:00) and
# block pm (13:30-15:00) that nobody attends. P1..P4 (stage early) are available in every
# am slot and need 6 h on 2 days; P2 has medication_management. P1, P2 have primary C1;
# P3, P4 have none (the schedule assigns C2). Counselors, available in every slot:
#   C1 counselor, C2 clinician (both lead education and family), C3 prescriber (no groups),
#   C4 case manager (education only; neither C3 nor C4 can be primary).
# education: topics coping/triggers/sleep/anger, not strict. family: family seats (2 each),
# 2 staff, one a clinician; P1 and P2 must be together in it. Rooms: R1, R2 group rooms of
# capacity 8; offices O1 (capacity 2) and O2 (capacity 4). Individual times, every day:
# 07:00, 08:00, 10:00, 12:10 (all in am; 10:00 overlaps it, 07:00 is 70 min before it)
# and 14:00 (in pm); 50 minutes each, one a week. One screen a week, 8 per block.
# load_imbalance_minutes weight is 0.


@pytest.fixture
def services_data() -> dict[str, Any]:
    slots = [f"{d}.am" for d in ("mon", "wed", "fri")]
    every = [f"{d}.{b}" for d in ("mon", "wed", "fri") for b in ("am", "pm")]
    return {
        "name": "services",
        "days": ["mon", "wed", "fri"],
        "blocks": [
            {
                "id": "am",
                "periods": [
                    {"start": "09:00", "end": "10:30"},
                    {"start": "10:30", "end": "12:00"},
                ],
            },
            {"id": "pm", "periods": [{"start": "13:30", "end": "15:00"}]},
        ],
        "stages": ["early"],
        "group_types": [
            {
                "id": "education",
                "kind": "psychoeducational",
                "min_size": 2,
                "max_size": 6,
                "topics": ["coping", "triggers", "sleep", "anger"],
            },
            {
                "id": "family",
                "kind": "interpersonal_process",
                "min_size": 2,
                "max_size": 4,
                "family": True,
                "staff_required": 2,
                "requires_role": "clinician",
            },
        ],
        "patients": [
            {
                "id": pid,
                "stage": "early",
                "available": slots,
                "min_hours": 6,
                "min_days": 2,
                **({"primary_counselor": "C1"} if pid in ("P1", "P2") else {}),
                **({"medication_management": True} if pid == "P2" else {}),
            }
            for pid in EVERYONE
        ],
        "counselors": [
            {
                "id": "C1",
                "qualified": ["education", "family"],
                "available": every,
                "roles": ["counselor"],
            },
            {
                "id": "C2",
                "qualified": ["education", "family"],
                "available": every,
                "roles": ["clinician"],
            },
            {"id": "C3", "qualified": [], "available": every, "roles": ["prescriber"]},
            {
                "id": "C4",
                "qualified": ["education"],
                "available": every,
                "roles": ["case_manager"],
            },
        ],
        "rooms": [
            {"id": "R1", "capacity": 8},
            {"id": "R2", "capacity": 8},
            {"id": "O1", "capacity": 2, "type": "office"},
            {"id": "O2", "capacity": 4, "type": "office"},
        ],
        "individual_slots": [{"start": start, "end": end} for start, end in IND.values()],
        "screening": {"per_week": 1, "capacity_per_block": 8},
        "together": [{"patients": ["P1", "P2"], "group_type": "family"}],
        "weights": {
            "load_imbalance_minutes": 0,
            # The cohort terms are tested on their own (test_cohorts.py).
            "room_change": 0,
            "type_repeat_in_block": 0,
            "process_peers_changed": 0,
        },
    }


@pytest.fixture
def services(services_data: dict[str, Any]) -> Instance:
    return parse_instance(services_data)


@pytest.fixture
def full() -> Schedule:
    """A valid schedule of ``services`` with every service: objective 4 * 60 = 240.

    Everyone attends mon.am and wed.am (4 * 90 min = 6 h): education S1 (coping, C1),
    family S2 (C1 and C2, 4 patients = 8 seats in R1), education S3 (triggers, C2) and
    S4 (sleep, C1). Individual sessions, each 10 min before or after the patient's block:
      [0] P1-C1 mon 08:00 O1   [1] P2-C1 wed 08:00 O1
      [2] P3-C2 mon 12:10 O1   [3] P4-C2 wed 12:10 O1
    Medication: [0] P2-C3 mon 08:00 O2. Screens: P1, P2 in mon.am; P3, P4 in wed.am.
    Assigned primaries: P3, P4 -> C2, so C1 and C2 both have a caseload of 2.
    """
    return Schedule(
        instance="services",
        status="feasible",
        sessions=[
            session("S1", "mon.am", 0, "education", "R1", "C1", EVERYONE, topic="coping"),
            session("S2", "mon.am", 1, "family", "R1", ["C1", "C2"], EVERYONE),
            session("S3", "wed.am", 0, "education", "R1", "C2", EVERYONE, topic="triggers"),
            session("S4", "wed.am", 1, "education", "R1", "C1", EVERYONE, topic="sleep"),
        ],
        individual_sessions=[
            appointment("P1", "C1", "mon", "08", "O1"),
            appointment("P2", "C1", "wed", "08", "O1"),
            appointment("P3", "C2", "mon", "12", "O1"),
            appointment("P4", "C2", "wed", "12", "O1"),
        ],
        medication_appointments=[appointment("P2", "C3", "mon", "08", "O2")],
        screens=[
            Screen(patient="P1", day="mon", block="am"),
            Screen(patient="P2", day="mon", block="am"),
            Screen(patient="P3", day="wed", block="am"),
            Screen(patient="P4", day="wed", block="am"),
        ],
        primary_counselors={"P3": "C2", "P4": "C2"},
    )
