"""The checker's report of the two valid schedules, and what it leaves unchanged.

``optimum`` (tiny) and ``full`` (services) are the valid schedules of ``conftest.py`` that
every other test here breaks in one way.
"""

from __future__ import annotations

from typing import Any

from models import Instance, Schedule, parse_instance
from scheduler.check import check

from .builders import by_id

# -- the valid schedules -----------------------------------------------------------------


def test_optimum_is_valid_with_objective_480(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, optimum)

    assert report.violations == []
    assert report.ok
    assert report.rules() == []
    assert report.objective == 480
    assert report.terms == {
        "session_run": 480,
        "excess_minutes": 0,
        "preferred_missed": 0,
        "load_imbalance_minutes": 0,
        "primary_not_leading": 0,
        "individual_extra_trip": 0,
        "topic_repeat": 0,
        "caseload_imbalance": 0,
        "room_change": 0,  # tiny switches the cohort terms off
        "type_repeat_in_block": 0,
        "process_peers_changed": 0,
    }
    # One session_run penalty of 60 per session, nothing else.
    assert [(p.term, p.ids, p.cost) for p in report.penalties] == [
        ("session_run", (f"S{i}",), 60) for i in range(1, 9)
    ]


def test_check_does_not_modify_its_inputs(tiny: Instance, optimum: Schedule) -> None:
    before = optimum.model_copy(deep=True)
    check(tiny, optimum)
    assert optimum == before


def test_full_services_schedule_is_valid(services: Instance, full: Schedule) -> None:
    report = check(services, full)

    assert report.violations == []
    assert report.objective == 240
    assert report.terms == {
        "session_run": 240,
        "excess_minutes": 0,
        "preferred_missed": 0,
        "load_imbalance_minutes": 0,
        "primary_not_leading": 0,
        "individual_extra_trip": 0,
        "topic_repeat": 0,
        "caseload_imbalance": 0,
        "room_change": 0,
        "type_repeat_in_block": 0,
        "process_peers_changed": 0,
    }
    assert [p.term for p in report.penalties] == ["session_run"] * 4


def test_check_does_not_modify_a_services_schedule(services: Instance, full: Schedule) -> None:
    before = full.model_copy(deep=True)
    check(services, full)
    assert full == before


def test_old_instance_needs_no_services(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    # Without individual_slots nobody gets individual sessions or medication (even when
    # asking for it), and without screening nobody is screened: old schedules still pass.
    by_id(tiny_data["patients"], "P1")["medication_management"] = True
    report = check(parse_instance(tiny_data), optimum)

    assert report.ok
    assert report.objective == 480
