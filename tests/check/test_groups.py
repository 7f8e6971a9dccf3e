"""Group sessions (``scheduler/check/groups.py``): size, eligibility, stage matching,
rooms, topics and the curriculum.

Each test breaks the valid ``optimum`` (tiny) or ``full`` (services) schedule of
``conftest.py`` in one way and asserts the exact list of broken rules (or penalties).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from models import Instance, Schedule, parse_instance
from scheduler.check import check

from .builders import EVERYONE, by_id, changed, edited_appointment, violation_ids, without

# -- rule 4: group composition -----------------------------------------------------------


def test_group_size_min(tiny: Instance, optimum: Schedule) -> None:
    # P2 skips friday (S5 and S7): the early relapse_prevention groups keep only P1.
    report = check(tiny, without(optimum, "P2", "S5", "S7"))

    # Extras, all about P2 (no whole_block: P2 attends no period of fri.am):
    #   min_hours   - 6 h < 9 h
    #   min_days    - 2 days < 3
    #   requirement - 0 relapse_prevention sessions < 2
    assert report.rules() == [
        "min_hours",
        "min_days",
        "requirement",
        "group_size",
        "group_size",
    ]
    assert violation_ids(report)[3:] == [("S5",), ("S7",)]
    assert report.violations[3].message == (
        "session S5 (relapse_prevention) has 1 patients, below min_size 2"
    )


def test_group_size_max(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    by_id(tiny_data["group_types"], "education")["max_size"] = 3
    report = check(parse_instance(tiny_data), optimum)

    # S1..S4 hold 4 patients each.
    assert report.rules() == ["group_size"] * 4
    assert violation_ids(report) == [("S1",), ("S2",), ("S3",), ("S4",)]
    assert report.violations[0].message == (
        "session S1 (education) has 4 patients, above max_size 3"
    )


def test_room_capacity(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    by_id(tiny_data["rooms"], "R2")["capacity"] = 1
    report = check(parse_instance(tiny_data), optimum)

    # S6 and S8 (P3, P4) are in R2.
    assert report.rules() == ["room_capacity", "room_capacity"]
    assert violation_ids(report) == [("S6", "R2"), ("S8", "R2")]
    assert report.violations[0].message == "session S6 has 2 patients in room R2 of capacity 1"


def test_room_capacity_family_seats(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["rooms"], "R1")["capacity"] = 7
    report = check(parse_instance(services_data), full)

    # Education fits 4 in 7 seats; family S2 needs 4 * 2 = 8.
    assert report.rules() == ["room_capacity"]
    assert report.violations[0].ids == ("S2", "R1")
    assert report.violations[0].message == (
        "session S2 has 4 patients taking 8 seats (family group: 2 each) in room R1 of capacity 7"
    )


def _genders(data: dict[str, Any]) -> None:
    by_id(data["group_types"], "relapse_prevention")["genders"] = ["F", "M"]
    for ident, gender in (("P1", "F"), ("P2", "M"), ("P3", "F"), ("P4", "X")):
        by_id(data["patients"], ident)["gender"] = gender


def _tracks(data: dict[str, Any]) -> None:
    # P4 has no track at all: a given ``tracks`` list then excludes them.
    by_id(data["group_types"], "relapse_prevention")["tracks"] = ["standard"]
    for ident in ("P1", "P2", "P3"):
        by_id(data["patients"], ident)["track"] = "standard"


def _flags(data: dict[str, Any]) -> None:
    by_id(data["group_types"], "relapse_prevention")["requires_flags"] = ["consent", "sober"]
    for ident in ("P1", "P2", "P3"):
        by_id(data["patients"], ident)["flags"] = ["sober", "consent"]
    by_id(data["patients"], "P4")["flags"] = ["consent"]  # one of the two is not enough


@pytest.mark.parametrize("edit", [_genders, _tracks, _flags], ids=["genders", "tracks", "flags"])
def test_eligibility(
    tiny_data: dict[str, Any], optimum: Schedule, edit: Callable[[dict[str, Any]], None]
) -> None:
    # Each edit makes relapse_prevention closed to P4 only.
    edit(tiny_data)
    report = check(parse_instance(tiny_data), optimum)

    # P4 is in S6 and S8.
    assert report.rules() == ["eligibility", "eligibility"]
    assert violation_ids(report) == [("P4", "S6"), ("P4", "S8")]
    assert report.violations[0].message == "P4 is not eligible for relapse_prevention (session S6)"


def test_eligibility_stages(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    # A group type open to some stages only (not the same as stage_matched).
    by_id(tiny_data["group_types"], "education")["stages"] = ["late"]
    report = check(parse_instance(tiny_data), optimum)

    # P1 and P2 (stage early) in each of S1..S4.
    assert report.rules() == ["eligibility"] * 8
    assert violation_ids(report)[:2] == [("P1", "S1"), ("P2", "S1")]


def test_stage_matched_mixed_stages(tiny: Instance, optimum: Schedule) -> None:
    # P2 and P3 swap groups at fri.am 09:00: S5 (early) gets P3, S6 (late) gets P2.
    broken = changed(optimum, "S5", patients=["P1", "P3"])
    broken = changed(broken, "S6", patients=["P2", "P4"])
    report = check(tiny, broken)

    assert report.rules() == ["stage_matched", "stage_matched"]
    assert violation_ids(report) == [("P3", "S5"), ("P2", "S6")]
    assert report.violations[0].message == (
        "P3 (stage late) is in stage-matched session S5 of stage early"
    )


def test_stage_matched_stage_on_unmatched_type(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, changed(optimum, "S1", stage="early"))

    assert report.rules() == ["stage_matched"]
    assert report.violations[0].ids == ("S1",)
    assert report.violations[0].message == (
        "session S1 has stage early but education is not stage-matched"
    )


def test_stage_matched_missing_stage(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, changed(optimum, "S5", stage=None))

    assert report.rules() == ["stage_matched"]
    assert report.violations[0].ids == ("S5",)
    assert report.violations[0].message == (
        "session S5 of stage-matched relapse_prevention has no stage"
    )


# -- rule 5: rooms -----------------------------------------------------------------------


def test_room_type_session_in_office(services: Instance, full: Schedule) -> None:
    # O2 seats 4: only the type is wrong.
    report = check(services, changed(full, "S1", room="O2"))

    assert report.rules() == ["room_type"]
    assert report.violations[0].ids == ("O2", "S1")
    assert report.violations[0].message == (
        "session S1 (education) is in office O2; groups meet in group rooms"
    )


def test_room_type_appointment_in_group_room(services: Instance, full: Schedule) -> None:
    report = check(services, edited_appointment(full, "individual_sessions", 0, room="R2"))

    assert report.rules() == ["room_type"]
    assert report.violations[0].ids == ("R2", "individual_sessions[0]")
    assert report.violations[0].message == (
        "individual session of P1 with C1 at mon 08:00-08:50 is in group room R2; "
        "appointments are in offices"
    )


def test_room_available(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    by_id(tiny_data["rooms"], "R2")["available"] = ["mon.am", "wed.am"]
    report = check(parse_instance(tiny_data), optimum)

    assert report.rules() == ["room_available", "room_available"]
    assert violation_ids(report) == [("R2", "S6"), ("R2", "S8")]
    assert report.violations[0].message == "room R2 is not available in fri.am (session S6)"


def test_room_clash(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, changed(optimum, "S6", room="R1"))

    # R1 (capacity 6) fits both groups; only the clash is wrong.
    assert report.rules() == ["room_clash"]
    assert report.violations[0].ids == ("R1", "S5", "S6")
    assert report.violations[0].message == (
        "room R1 holds 2 sessions in fri.am 09:00-10:30 (S5, S6)"
    )


# -- rule 8: curriculum ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sid", "topic", "message"),
    [
        pytest.param(
            "S1",
            None,
            "session S1 (education) has no topic; it must teach one of coping, triggers, sleep, anger",
            id="missing",
        ),
        pytest.param(
            "S1",
            "yoga",
            "session S1 (education) teaches yoga, not one of coping, triggers, sleep, anger",
            id="unknown",
        ),
        pytest.param(
            "S2",
            "coping",
            "session S2 (family) has topic coping but family has no topics",
            id="no-curriculum",
        ),
    ],
)
def test_topic(
    services: Instance, full: Schedule, sid: str, topic: str | None, message: str
) -> None:
    report = check(services, changed(full, sid, topic=topic))

    assert report.rules() == ["topic"]
    assert report.violations[0].ids == (sid,)
    assert report.violations[0].message == message


def test_curriculum_repeat_in_week(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["group_types"], "education")["strict_curriculum"] = True
    # S4 (wed) teaches coping again, which everyone heard in S1 (mon).
    report = check(parse_instance(services_data), changed(full, "S4", topic="coping"))

    assert report.rules() == ["curriculum"] * 4
    assert violation_ids(report) == [(pid, "S4") for pid in EVERYONE]
    assert report.violations[0].message == (
        "P1 hears topic coping again in S4 (already heard in S1); coping is in a strict curriculum"
    )
    assert report.terms["topic_repeat"] == 0  # strict: a violation, not a penalty


def test_curriculum_completed_topic(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["group_types"], "education")["strict_curriculum"] = True
    by_id(services_data["patients"], "P3")["completed_topics"] = ["sleep"]
    report = check(parse_instance(services_data), full)

    assert report.rules() == ["curriculum"]
    assert report.violations[0].ids == ("P3", "S4")
    assert report.violations[0].message == (
        "P3 hears topic sleep again in S4 (completed in an earlier week); "
        "sleep is in a strict curriculum"
    )
