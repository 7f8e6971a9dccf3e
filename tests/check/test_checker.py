"""Tests of the pure-Python judge ``scheduler.check.check``.

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
from collections.abc import Callable
from typing import Any

import pytest

from conftest import INSTANCES
from models import (
    Appointment,
    Instance,
    Schedule,
    Screen,
    Session,
    load_instance,
    parse_instance,
)
from scheduler.check import TERMS, CheckReport, check

TINY = INSTANCES / "tiny.json"
EVERYONE = ["P1", "P2", "P3", "P4"]
# The two periods of tiny's "am" block, by index.
AM_TIMES = [("09:00", "10:30"), ("10:30", "12:00")]


# -- helpers -----------------------------------------------------------------------------


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


# -- fixtures ----------------------------------------------------------------------------


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


# -- the valid schedule ------------------------------------------------------------------


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
    }
    # One session_run penalty of 60 per session, nothing else.
    assert [(p.term, p.ids, p.cost) for p in report.penalties] == [
        ("session_run", (f"S{i}",), 60) for i in range(1, 9)
    ]


def test_check_does_not_modify_its_inputs(tiny: Instance, optimum: Schedule) -> None:
    before = optimum.model_copy(deep=True)
    check(tiny, optimum)
    assert optimum == before


# -- reference ---------------------------------------------------------------------------

# A session with a bad reference is reported once per problem and then ignored by every
# other check. Breaking S1 (mon.am period 0, all four patients) therefore also leaves each
# patient attending mon.am with nobody at 09:00-10:30 (whole_block x4, in the order the
# patients were first seen: S2 lists P1..P4) and 90 min short of 9 h (min_hours x4).
# Education still counts 3 >= 2, so no requirement breaks.
AFTER_S1_DROPPED = ["whole_block"] * 4 + ["min_hours"] * 4


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"room": "R9"}, "session S1: room R9 does not exist", id="unknown-room"),
        pytest.param(
            {"patients": ["P1", "P2", "P3", "P4", "P9"]},
            "session S1: patient P9 does not exist",
            id="unknown-patient",
        ),
        pytest.param(
            {"patients": ["P1", "P2", "P3", "P4", "P1"]},
            "session S1: a patient is listed twice",
            id="patient-twice",
        ),
        pytest.param(
            {"group_type": "yoga"}, "session S1: group type yoga does not exist", id="unknown-type"
        ),
        pytest.param(
            {"counselors": ["C9"]},
            "session S1: counselor C9 does not exist",
            id="unknown-counselor",
        ),
        pytest.param(
            {"stage": "middle"}, "session S1: stage middle does not exist", id="bad-stage"
        ),
        pytest.param({"day": "sun"}, "session S1: slot sun.am does not exist", id="unknown-day"),
        pytest.param({"block": "pm"}, "session S1: slot mon.pm does not exist", id="unknown-block"),
        pytest.param({"period": 2}, "session S1: block am has no period 2", id="bad-period"),
        pytest.param(
            {"start": "09:00", "end": "10:00"},
            "session S1: times 09:00-10:00 differ from period 0 (09:00-10:30)",
            id="times-differ",
        ),
    ],
)
def test_reference(tiny: Instance, optimum: Schedule, fields: dict[str, Any], message: str) -> None:
    report = check(tiny, changed(optimum, "S1", **fields))

    assert report.rules() == ["reference", *AFTER_S1_DROPPED]
    assert report.violations[0].message == message
    assert report.violations[0].ids == ("S1",)
    # The dropped session is not scored either: 7 sessions run.
    assert report.terms["session_run"] == 7 * 60


def test_reference_reports_every_problem_of_a_session(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, changed(optimum, "S1", room="R9", group_type="yoga"))

    # Group type is checked before room; the session is dropped once (AFTER_S1_DROPPED).
    assert report.rules() == ["reference", "reference", *AFTER_S1_DROPPED]
    assert [v.message for v in report.violations[:2]] == [
        "session S1: group type yoga does not exist",
        "session S1: room R9 does not exist",
    ]


# -- session_id --------------------------------------------------------------------------


def test_session_id_duplicate(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, changed(optimum, "S2", id="S1"))

    # Both sessions are still checked and valid otherwise: only the id is wrong.
    assert report.rules() == ["session_id"]
    assert "S1" in report.violations[0].message
    assert report.violations[0].ids == ("S1",)


# -- rule 1: whole blocks, double booking, availability, one block per day ----------------


def test_whole_block(tiny: Instance, optimum: Schedule) -> None:
    # P1 leaves S2 (mon.am 10:30-12:00) but stays in S1 (mon.am 09:00-10:30).
    report = check(tiny, without(optimum, "P1", "S2"))

    # min_hours: P1 is now at 7.5 h. (S2 keeps 3 patients, P1 keeps 3 education sessions.)
    assert report.rules() == ["whole_block", "min_hours"]
    assert report.violations[0].ids == ("P1", "mon.am")
    assert report.violations[0].message == "P1 attends mon.am but is in no session at 10:30-12:00"
    assert "P1" in report.violations[1].message


def test_double_booked(tiny: Instance, optimum: Schedule) -> None:
    # An extra early relapse_prevention session at mon.am 09:00-10:30, in the free room R2
    # with the free counselor C2, while P1 and P2 are also in education S1.
    extra = session("S9", "mon.am", 0, "relapse_prevention", "R2", "C2", ["P1", "P2"], "early")
    report = check(tiny, added(optimum, extra))

    # 10.5 h is within max_hours 19 and relapse_prevention has no maximum: nothing else.
    assert report.rules() == ["double_booked", "double_booked"]
    assert violation_ids(report) == [("P1", "S1", "S9"), ("P2", "S1", "S9")]
    assert report.violations[0].message == (
        "P1 is in 2 sessions at once (S1, S9) in mon.am 09:00-10:30"
    )


def test_patient_available(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    by_id(tiny_data["patients"], "P4")["available"] = ["mon.am", "wed.am"]
    report = check(parse_instance(tiny_data), optimum)

    assert report.rules() == ["patient_available"]
    assert report.violations[0].ids == ("P4", "fri.am")
    assert report.violations[0].message == "P4 is not available in fri.am"


@pytest.fixture
def two_blocks(tiny_data: dict[str, Any]) -> Instance:
    """tiny with a second block per day, ``pm`` (one period 13:00-14:30).

    P1, P2 and C2 are also available mon.pm; rooms have no availability list (always open).
    """
    tiny_data["blocks"].append({"id": "pm", "periods": [{"start": "13:00", "end": "14:30"}]})
    for ident in ("P1", "P2"):
        by_id(tiny_data["patients"], ident)["available"].append("mon.pm")
    by_id(tiny_data["counselors"], "C2")["available"].append("mon.pm")
    return parse_instance(tiny_data)


def test_one_block_per_day(two_blocks: Instance, optimum: Schedule) -> None:
    assert check(two_blocks, optimum).ok  # the pm block alone changes nothing

    extra = session(
        "S9",
        "mon.pm",
        0,
        "relapse_prevention",
        "R2",
        "C2",
        ["P1", "P2"],
        "early",
        times=("13:00", "14:30"),
    )
    report = check(two_blocks, added(optimum, extra))

    # S9 fills the whole pm block and 10.5 h is within max_hours: nothing else.
    assert report.rules() == ["one_block_per_day", "one_block_per_day"]
    assert violation_ids(report) == [("P1", "mon"), ("P2", "mon")]
    assert report.violations[0].message == "P1 attends 2 blocks on mon (am, pm)"


# -- rule 2: hours and days --------------------------------------------------------------


def test_min_hours(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    by_id(tiny_data["patients"], "P1")["min_hours"] = 10
    report = check(parse_instance(tiny_data), optimum)

    assert report.rules() == ["min_hours"]
    assert report.violations[0].ids == ("P1",)
    assert report.violations[0].message == "P1 has 9.0 h, below min_hours 10"


def test_max_hours(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    p1 = by_id(tiny_data["patients"], "P1")
    p1["min_hours"], p1["max_hours"] = 6, 8
    report = check(parse_instance(tiny_data), optimum)

    assert report.rules() == ["max_hours"]
    assert report.violations[0].ids == ("P1",)
    assert report.violations[0].message == "P1 has 9.0 h, above max_hours 8"


def test_min_days(tiny: Instance, optimum: Schedule) -> None:
    # P1 skips wednesday entirely (S3 and S4), so no whole_block problem.
    report = check(tiny, without(optimum, "P1", "S3", "S4"))

    # min_hours: mon + fri are 6 h < 9 h. (Education still counts 2 >= 2.)
    assert report.rules() == ["min_hours", "min_days"]
    assert report.violations[1].ids == ("P1",)
    assert report.violations[1].message == "P1 attends on 2 days, below min_days 3"


def test_min_days_alone(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    # The same schedule, checked against an instance where 6 h is enough for P1.
    by_id(tiny_data["patients"], "P1")["min_hours"] = 6
    report = check(parse_instance(tiny_data), without(optimum, "P1", "S3", "S4"))

    assert report.rules() == ["min_days"]


# -- rule 3: requirements ----------------------------------------------------------------


def test_requirement_min(tiny: Instance, optimum: Schedule) -> None:
    # S5 (fri.am 09:00, P1 and P2, led by C1) becomes an education session.
    report = check(tiny, changed(optimum, "S5", group_type="education", stage=None))

    # P1 and P2 now have 1 relapse_prevention session each (5 education: no maximum).
    assert report.rules() == ["requirement", "requirement"]
    assert violation_ids(report) == [("P1", "requirements[1]"), ("P2", "requirements[1]")]
    assert report.violations[0].message == (
        "P1 has 1 sessions of relapse_prevention, needs at least 2 (requirements[1])"
    )


def test_requirement_max(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    # At most 3 psychoeducational sessions for stage early (a kind row, with a stage).
    tiny_data["requirements"].append(
        {"stage": "early", "kind": "psychoeducational", "max_sessions": 3}
    )
    report = check(parse_instance(tiny_data), optimum)

    # P1 and P2 have 4; P3, P4 are stage late, so the row does not bind them.
    assert report.rules() == ["requirement", "requirement"]
    assert violation_ids(report) == [("P1", "requirements[2]"), ("P2", "requirements[2]")]
    assert report.violations[0].message == (
        "P1 has 4 sessions of kind psychoeducational, allows at most 3 (requirements[2])"
    )


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


def test_avoid(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    # P3 lists P1; the pair is reported in sorted order, whichever side listed it.
    by_id(tiny_data["patients"], "P3")["avoid"] = ["P1"]
    report = check(parse_instance(tiny_data), optimum)

    # They meet in the four education sessions.
    assert report.rules() == ["avoid"] * 4
    assert violation_ids(report) == [("P1", "P3", f"S{i}") for i in range(1, 5)]
    assert report.violations[0].message == "P1 and P3 must not share a session but are both in S1"


# -- rule 5: rooms -----------------------------------------------------------------------


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


# -- rule 6: counselors ------------------------------------------------------------------


def test_counselor_count_zero(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, changed(optimum, "S1", counselors=[]))

    assert report.rules() == ["counselor_count"]
    assert report.violations[0].ids == ("S1",)
    assert report.violations[0].message == "session S1 has 0 counselors, needs exactly 1"


def test_counselor_count_two(tiny: Instance, optimum: Schedule) -> None:
    # C2 (free at mon.am 09:00) joins C1 in education S1.
    report = check(tiny, changed(optimum, "S1", counselors=["C1", "C2"]))

    # counselor_qualified: C2 may not lead education. (Each listed counselor is checked.)
    assert report.rules() == ["counselor_count", "counselor_qualified"]
    assert report.violations[0].message == "session S1 has 2 counselors, needs exactly 1"
    assert report.violations[1].ids == ("C2", "S1")


def test_counselor_listed_twice_is_not_a_clash(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, changed(optimum, "S1", counselors=["C1", "C1"]))

    assert not report.ok
    assert "counselor_clash" not in report.rules()


def test_counselor_qualified(tiny: Instance, optimum: Schedule) -> None:
    # C2 (free at mon.am 09:00) leads education S1 instead of C1.
    report = check(tiny, changed(optimum, "S1", counselors=["C2"]))

    assert report.rules() == ["counselor_qualified"]
    assert report.violations[0].ids == ("C2", "S1")
    assert report.violations[0].message == "C2 is not qualified for education (session S1)"


def test_counselor_available(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    by_id(tiny_data["counselors"], "C2")["available"] = ["mon.am", "wed.am"]
    report = check(parse_instance(tiny_data), optimum)

    assert report.rules() == ["counselor_available", "counselor_available"]
    assert violation_ids(report) == [("C2", "S6"), ("C2", "S8")]
    assert report.violations[0].message == "C2 is not available in fri.am (session S6)"


def test_counselor_clash(tiny: Instance, optimum: Schedule) -> None:
    # C1 also leads S6 (late, fri.am 09:00) while leading S5. C2 still leads S8, so
    # P3/P4's primary counselor still leads one of their groups.
    report = check(tiny, changed(optimum, "S6", counselors=["C1"]))

    assert report.rules() == ["counselor_clash"]
    assert report.violations[0].ids == ("C1", "S5", "S6")
    assert report.violations[0].message == "C1 leads 2 sessions in fri.am 09:00-10:30 (S5, S6)"


def test_counselor_max_hours(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    by_id(tiny_data["counselors"], "C1")["max_hours"] = 8
    report = check(parse_instance(tiny_data), optimum)

    # C1 leads S1..S5 and S7: 6 * 90 min = 9 h.
    assert report.rules() == ["counselor_max_hours"]
    assert report.violations[0].ids == ("C1",)
    assert report.violations[0].message == "C1 leads 9.0 h of groups, above max_hours 8"


# -- the objective -----------------------------------------------------------------------


def _penalties(report: CheckReport, term: str) -> list[tuple[tuple[str, ...], int, int]]:
    """(ids, amount, cost) of every penalty of one term."""
    return [(p.ids, p.amount, p.cost) for p in report.penalties if p.term == term]


def test_excess_minutes(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    by_id(tiny_data["patients"], "P1")["min_hours"] = 8
    report = check(parse_instance(tiny_data), optimum)

    assert report.ok
    # P1 attends 540 min, 60 above 8 h; weight 1.
    assert _penalties(report, "excess_minutes") == [(("P1",), 60, 60)]
    assert report.terms["excess_minutes"] == 60
    assert report.objective == 480 + 60


def test_preferred_missed(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    by_id(tiny_data["patients"], "P1")["preferred"] = ["mon.am", "wed.am"]
    report = check(parse_instance(tiny_data), optimum)

    assert report.ok
    # P1 attends fri.am, outside their preferred slots: one block, weight 30.
    assert _penalties(report, "preferred_missed") == [(("P1", "fri.am"), 1, 30)]
    assert report.objective == 480 + 30


def _c1_leads_late(schedule: Schedule) -> Schedule:
    """The optimum with C1 and C2 swapped on friday: C2 leads early, C1 leads late."""
    new = schedule
    for sid, cid in (("S5", "C2"), ("S6", "C1"), ("S7", "C2"), ("S8", "C1")):
        new = changed(new, sid, counselors=[cid])
    return new


def test_primary_not_leading(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, _c1_leads_late(optimum))

    # Still valid, but C2 (primary of P3 and P4) now leads none of their groups.
    # P1 and P2 are fine: C1 leads their education sessions.
    assert report.ok
    assert _penalties(report, "primary_not_leading") == [
        (("P3", "C2"), 1, 60),
        (("P4", "C2"), 1, 60),
    ]
    assert report.objective == 480 + 2 * 60


def test_load_imbalance_minutes(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    tiny_data["weights"]["load_imbalance_minutes"] = 1
    report = check(parse_instance(tiny_data), optimum)

    # C1 leads S1..S5, S7: 6 * 90 = 540 min; C2 leads S6, S8: 2 * 90 = 180 min.
    # Imbalance 540 - 180 = 360 min, weight 1.
    assert report.ok
    assert _penalties(report, "load_imbalance_minutes") == [(("C1", "C2"), 360, 360)]
    assert report.objective == 480 + 360


def test_penalties_sum_to_objective(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    # Every term switched on at once.
    p1 = by_id(tiny_data["patients"], "P1")
    p1["min_hours"], p1["preferred"] = 8, ["mon.am", "wed.am"]
    tiny_data["weights"]["load_imbalance_minutes"] = 1
    inst = parse_instance(tiny_data)
    report = check(inst, _c1_leads_late(optimum))

    # session_run 8 * 60; excess P1 60; preferred P1 fri.am 30; primary P3, P4 2 * 60;
    # load C1 (4 education + 2 late) 540 - C2 (2 early) 180 = 360.
    assert report.ok
    assert report.terms == {
        "session_run": 480,
        "excess_minutes": 60,
        "preferred_missed": 30,
        "load_imbalance_minutes": 360,
        "primary_not_leading": 120,
        "individual_extra_trip": 0,
        "topic_repeat": 0,
        "caseload_imbalance": 0,
    }
    # Every term but the shortfall ones, which only a best-effort schedule reports.
    assert set(report.terms) == {t for t in TERMS if not t.startswith("shortfall_")}
    assert sum(p.cost for p in report.penalties) == report.objective == 1050
    assert sum(report.terms.values()) == report.objective
    # Each penalty costs its amount times the weight of its term.
    assert all(p.cost == p.amount * getattr(inst.weights, p.term) for p in report.penalties)


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
        "weights": {"load_imbalance_minutes": 0},
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


def test_appointment_without_individual_slots(tiny: Instance, optimum: Schedule) -> None:
    new = optimum.model_copy(deep=True)
    new.individual_sessions.append(appointment("P1", "C1", "mon", "08", "R2"))
    report = check(tiny, new)

    # The entry is reported once and then ignored (so no room_type for R2 either).
    assert report.rules() == ["appointment_time"]
    assert report.violations[0].ids == ("individual_sessions[0]",)
    assert report.violations[0].message == (
        "individual session of P1 with C1 at mon 08:00-08:50 is not an appointment time "
        "(the instance has none)"
    )


# -- references of the services ----------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"patient": "P9"},
            "individual_sessions[0] (individual session): patient P9 does not exist",
            id="patient",
        ),
        pytest.param(
            {"counselor": "C9"},
            "individual_sessions[0] (individual session): counselor C9 does not exist",
            id="counselor",
        ),
        pytest.param(
            {"room": "O9"},
            "individual_sessions[0] (individual session): room O9 does not exist",
            id="room",
        ),
        pytest.param(
            {"day": "sun"},
            "individual_sessions[0] (individual session): day sun does not exist",
            id="day",
        ),
    ],
)
def test_appointment_reference(
    services: Instance, full: Schedule, fields: dict[str, Any], message: str
) -> None:
    report = check(services, edited_appointment(full, "individual_sessions", 0, **fields))

    # The entry is then ignored: P1 has no individual session left.
    assert report.rules() == ["reference", "individual_count"]
    assert report.violations[0].ids == ("individual_sessions[0]",)
    assert report.violations[0].message == message
    assert report.violations[1].message == "P1 has 0 individual sessions, needs 1"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"patient": "P9"}, "screens[0]: patient P9 does not exist", id="patient"),
        pytest.param({"block": "eve"}, "screens[0]: slot mon.eve does not exist", id="slot"),
    ],
)
def test_screen_reference(
    services: Instance, full: Schedule, fields: dict[str, Any], message: str
) -> None:
    report = check(services, edited_appointment(full, "screens", 0, **fields))

    # The entry is then ignored: P1 has no screen left.
    assert report.rules() == ["reference", "screen_count"]
    assert report.violations[0].ids == ("screens[0]",)
    assert report.violations[0].message == message


def test_primary_counselors_reference(services: Instance, full: Schedule) -> None:
    new = full.model_copy(deep=True)
    new.primary_counselors["P9"] = "C2"
    report = check(services, new)

    assert report.rules() == ["reference"]
    assert report.violations[0].ids == ("P9",)
    assert report.violations[0].message == "primary_counselors: patient P9 does not exist"


def test_appointment_time(services: Instance, full: Schedule) -> None:
    report = check(services, edited_appointment(full, "individual_sessions", 0, end="08:45"))

    # The entry is then ignored: P1 has no individual session left.
    assert report.rules() == ["appointment_time", "individual_count"]
    assert report.violations[0].ids == ("individual_sessions[0]",)
    assert report.violations[0].message == (
        "individual session of P1 with C1 at mon 08:00-08:45 is not an appointment time "
        "(they are at 07:00-07:50, 08:00-08:50, 10:00-10:50, 12:10-13:00, 14:00-14:50 every day)"
    )


# -- rule 4 and 5: rooms -------------------------------------------------------------------


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


def test_room_capacity_family_seats(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["rooms"], "R1")["capacity"] = 7
    report = check(parse_instance(services_data), full)

    # Education fits 4 in 7 seats; family S2 needs 4 * 2 = 8.
    assert report.rules() == ["room_capacity"]
    assert report.violations[0].ids == ("S2", "R1")
    assert report.violations[0].message == (
        "session S2 has 4 patients taking 8 seats (family group: 2 each) in room R1 of capacity 7"
    )


def test_appointment_room_available(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["rooms"], "O1")["available"] = ["wed.am"]
    report = check(parse_instance(services_data), full)

    # P1's and P3's individual sessions are in O1 on monday (in mon.am).
    assert report.rules() == ["room_available", "room_available"]
    assert violation_ids(report) == [
        ("O1", "individual_sessions[0]"),
        ("O1", "individual_sessions[2]"),
    ]
    assert report.violations[0].message == (
        "room O1 is not available in mon.am (individual session of P1 with C1 at mon 08:00-08:50)"
    )


def test_appointment_room_clash(services: Instance, full: Schedule) -> None:
    # P2's medication moves to O1, where P1 sees C1 at the same time.
    report = check(services, edited_appointment(full, "medication_appointments", 0, room="O1"))

    assert report.rules() == ["room_clash"]
    assert report.violations[0].ids == (
        "O1",
        "individual_sessions[0]",
        "medication_appointments[0]",
    )
    assert report.violations[0].message == (
        "room O1 holds 2 appointments at mon 08:00-08:50 (P1 with C1, P2 with C3)"
    )


# -- rule 6: counselors ------------------------------------------------------------------


def test_counselor_count_staff_required(services: Instance, full: Schedule) -> None:
    # The family group keeps only its clinician.
    report = check(services, changed(full, "S2", counselors=["C2"]))

    assert report.rules() == ["counselor_count"]
    assert report.violations[0].ids == ("S2",)
    assert report.violations[0].message == "session S2 has 1 counselors, needs exactly 2"


def test_counselor_count_two_for_one(services: Instance, full: Schedule) -> None:
    report = check(services, changed(full, "S1", counselors=["C1", "C2"]))

    assert report.rules() == ["counselor_count"]
    assert report.violations[0].message == "session S1 has 2 counselors, needs exactly 1"


def test_counselor_role_session(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["counselors"], "C2")["roles"] = ["counselor"]
    report = check(parse_instance(services_data), full)

    assert report.rules() == ["counselor_role"]
    assert report.violations[0].ids == ("S2",)
    assert report.violations[0].message == (
        "session S2 (family) has no counselor with the clinician role"
    )


def test_counselor_role_medication(services: Instance, full: Schedule) -> None:
    # C2 is free at mon 08:00 but is not a prescriber.
    report = check(services, edited_appointment(full, "medication_appointments", 0, counselor="C2"))

    assert report.rules() == ["counselor_role"]
    assert report.violations[0].ids == ("C2", "medication_appointments[0]")
    assert report.violations[0].message == (
        "C2 is not a prescriber (medication appointment of P2 with C2 at mon 08:00-08:50)"
    )


def test_counselor_max_hours_per_day(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["counselors"], "C1")["max_hours_per_day"] = 3.5
    report = check(parse_instance(services_data), full)

    # mon: S1 and S2 (180 min, within 3.5 h) plus P1's individual session (50): 230 min.
    # wed: S4 and P2's individual session: 140 min.
    assert report.rules() == ["counselor_max_hours_per_day"]
    assert report.violations[0].ids == ("C1", "mon")
    assert report.violations[0].message == (
        "C1 works 3.8 h on mon (groups and appointments), above max_hours_per_day 3.5"
    )


def test_appointment_counselor_available(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["counselors"], "C3")["available"] = ["wed.am"]
    report = check(parse_instance(services_data), full)

    assert report.rules() == ["counselor_available"]
    assert report.violations[0].ids == ("C3", "medication_appointments[0]")
    assert report.violations[0].message == (
        "C3 is not available in mon.am (medication appointment of P2 with C3 at mon 08:00-08:50)"
    )


def test_appointment_counselor_leads_a_group(services: Instance, full: Schedule) -> None:
    # P3's individual session (with C2) moves to mon 10:00-10:50, when C2 leads S2.
    start, end = IND["10"]
    report = check(
        services, edited_appointment(full, "individual_sessions", 2, start=start, end=end)
    )

    # appointment_day: 10:00-10:50 also overlaps P3's own block mon.am.
    assert report.rules() == ["counselor_clash", "appointment_day"]
    assert report.violations[0].ids == ("C2", "individual_sessions[2]", "S2")
    assert report.violations[0].message == (
        "C2 leads S2 (mon.am 10:30-12:00) during the individual session of P3 with C2 "
        "at mon 10:00-10:50"
    )


def test_appointment_counselor_two_at_once(services: Instance, full: Schedule) -> None:
    # P4's individual session (with C2) moves to mon 12:10 in O2, when C2 sees P3 in O1.
    report = check(
        services, edited_appointment(full, "individual_sessions", 3, day="mon", room="O2")
    )

    assert report.rules() == ["counselor_clash"]
    assert report.violations[0].ids == ("C2", "individual_sessions[2]", "individual_sessions[3]")
    assert report.violations[0].message == (
        "C2 has 2 appointments at mon 12:10-13:00 (individual session of P3, "
        "individual session of P4)"
    )


# -- rule 7: pairs -----------------------------------------------------------------------


def test_together(services: Instance, full: Schedule) -> None:
    # P2 and P4 leave the family group S2 for an education session S5 at the same time,
    # led by C4 in R2 on a topic new to both: only P1 of the pair P1-P2 is left in S2.
    s5 = session("S5", "mon.am", 1, "education", "R2", "C4", ["P2", "P4"], topic="anger")
    report = check(services, added(changed(full, "S2", patients=["P1", "P3"]), s5))

    assert report.rules() == ["together"]
    assert report.violations[0].ids == ("P1", "P2", "S2")
    assert report.violations[0].message == (
        "P1 and P2 must share every family session, but only P1 is in S2"
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


# -- rule 9: individual counseling and every appointment ---------------------------------


def test_appointment_double_booked(services: Instance, full: Schedule) -> None:
    # P2's medication moves to wed 08:00, when P2 sees C1 (in O1; medication stays in O2).
    report = check(services, edited_appointment(full, "medication_appointments", 0, day="wed"))

    assert report.rules() == ["double_booked"]
    assert report.violations[0].ids == (
        "P2",
        "individual_sessions[1]",
        "medication_appointments[0]",
    )
    assert report.violations[0].message == (
        "P2 has 2 appointments at once at wed 08:00-08:50 "
        "(individual session with C1, medication appointment with C3)"
    )


def test_appointment_day_without_block(services: Instance, full: Schedule) -> None:
    # P1 is available fri.am but attends nothing on friday.
    report = check(services, edited_appointment(full, "individual_sessions", 0, day="fri"))

    assert report.rules() == ["appointment_day"]
    assert report.violations[0].ids == ("P1", "individual_sessions[0]")
    assert report.violations[0].message == (
        "P1 has an individual session on fri but attends no block that day"
    )
    # Not also an extra trip: there is no block to be next to.
    assert report.terms["individual_extra_trip"] == 0


def test_appointment_day_overlaps_block(services: Instance, full: Schedule) -> None:
    # P2's medication (C3 leads no group) moves to mon 10:00-10:50, inside P2's mon.am.
    start, end = IND["10"]
    report = check(
        services, edited_appointment(full, "medication_appointments", 0, start=start, end=end)
    )

    assert report.rules() == ["appointment_day"]
    assert report.violations[0].ids == ("P2", "medication_appointments[0]")
    assert report.violations[0].message == (
        "P2's medication appointment at mon 10:00-10:50 overlaps their block mon.am"
    )


def test_appointment_patient_available(services: Instance, full: Schedule) -> None:
    # 14:00-14:50 belongs to the pm block, in which no patient is available.
    start, end = IND["14"]
    report = check(
        services, edited_appointment(full, "individual_sessions", 0, start=start, end=end)
    )

    assert report.rules() == ["patient_available"]
    assert report.violations[0].ids == ("P1", "individual_sessions[0]")
    assert report.violations[0].message == (
        "P1 is not available in mon.pm (individual session at mon 14:00-14:50)"
    )


def test_individual_count_missing(services: Instance, full: Schedule) -> None:
    new = full.model_copy(deep=True)
    del new.individual_sessions[2]
    report = check(services, new)

    assert report.rules() == ["individual_count"]
    assert report.violations[0].ids == ("P3",)
    assert report.violations[0].message == "P3 has 0 individual sessions, needs 1"


def test_individual_count_by_stage(services_data: dict[str, Any], full: Schedule) -> None:
    services_data["individual"] = {"per_week": 1, "per_week_by_stage": {"early": 2}}
    report = check(parse_instance(services_data), full)

    assert report.rules() == ["individual_count"] * 4
    assert report.violations[0].message == "P1 has 1 individual sessions, needs 2"


def test_individual_count_same_day(services: Instance, full: Schedule) -> None:
    # A second session of P1 with C1 on monday, after the block (C1 is free at 12:10).
    new = full.model_copy(deep=True)
    new.individual_sessions.append(appointment("P1", "C1", "mon", "12", "O2"))
    report = check(services, new)

    assert report.rules() == ["individual_count", "individual_count"]
    assert violation_ids(report) == [("P1",), ("P1", "mon")]
    assert report.violations[0].message == "P1 has 2 individual sessions, needs 1"
    assert report.violations[1].message == (
        "P1 has 2 individual sessions on the same day (mon); they must be on different days"
    )


@pytest.mark.parametrize(
    ("i", "counselor", "patient", "message"),
    [
        pytest.param(
            0,
            "C2",
            "P1",
            "P1's individual session at mon 08:00-08:50 is with C2, not their primary counselor C1",
            id="given",
        ),
        pytest.param(
            2,
            "C1",
            "P3",
            "P3's individual session at mon 12:10-13:00 is with C1, not their primary counselor C2",
            id="assigned",
        ),
    ],
)
def test_individual_counselor(
    services: Instance, full: Schedule, i: int, counselor: str, patient: str, message: str
) -> None:
    # C2 is free at mon 08:00, C1 at mon 12:10.
    report = check(
        services, edited_appointment(full, "individual_sessions", i, counselor=counselor)
    )

    assert report.rules() == ["individual_counselor"]
    assert report.violations[0].ids == (patient, f"individual_sessions[{i}]")
    assert report.violations[0].message == message


def test_max_individual(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["counselors"], "C2")["max_individual"] = 1
    report = check(parse_instance(services_data), full)

    # C2 sees P3 and P4.
    assert report.rules() == ["max_individual"]
    assert report.violations[0].ids == ("C2",)
    assert report.violations[0].message == "C2 has 2 individual sessions, above max_individual 1"


# -- rule 10: primary counselors ---------------------------------------------------------


@pytest.mark.parametrize(
    ("assigned", "rules", "ids", "message"),
    [
        pytest.param(
            {"P3": "C2"},
            ["primary_assignment"],
            ("P4",),
            "P4 has no primary counselor assigned",
            id="missing",
        ),
        pytest.param(
            # individual_counselor (rule 9, checked before rule 10): P4 still sees C2.
            {"P3": "C2", "P4": "C9"},
            ["individual_counselor", "primary_assignment"],
            ("P4", "C9"),
            "P4 is assigned primary counselor C9, who does not exist",
            id="unknown",
        ),
        pytest.param(
            {"P3": "C2", "P4": "C3"},
            ["individual_counselor", "primary_assignment"],
            ("P4", "C3"),
            "P4 is assigned primary counselor C3, who is neither a counselor nor a clinician",
            id="prescriber",
        ),
        pytest.param(
            {"P1": "C1", "P3": "C2", "P4": "C2"},
            ["primary_assignment"],
            ("P1", "C1"),
            "P1 already has primary counselor C1 but is assigned C1",
            id="given",
        ),
    ],
)
def test_primary_assignment(
    services: Instance,
    full: Schedule,
    assigned: dict[str, str],
    rules: list[str],
    ids: tuple[str, ...],
    message: str,
) -> None:
    new = full.model_copy(deep=True)
    new.primary_counselors = assigned
    report = check(services, new)

    assert report.rules() == rules
    assert report.violations[-1].ids == ids
    assert report.violations[-1].message == message


def test_max_caseload(services_data: dict[str, Any], full: Schedule) -> None:
    for cid in ("C1", "C2"):
        by_id(services_data["counselors"], cid)["max_caseload"] = 1
    report = check(parse_instance(services_data), full)

    # C1 has P1, P2 (given); C2 has P3, P4 (assigned): both kinds count.
    assert report.rules() == ["max_caseload", "max_caseload"]
    assert violation_ids(report) == [("C1",), ("C2",)]
    assert report.violations[1].message == "C2 has a caseload of 2 patients, above max_caseload 1"


# -- rule 11: medication -----------------------------------------------------------------


def test_medication_count_missing(services: Instance, full: Schedule) -> None:
    new = full.model_copy(deep=True)
    new.medication_appointments.clear()
    report = check(services, new)

    assert report.rules() == ["medication_count"]
    assert report.violations[0].ids == ("P2",)
    assert report.violations[0].message == "P2 has 0 medication appointments, needs 1"


def test_medication_count_not_needed(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["patients"], "P2")["medication_management"] = False
    report = check(parse_instance(services_data), full)

    assert report.rules() == ["medication_count"]
    assert report.violations[0].message == "P2 has 1 medication appointments, needs 0"


# -- rule 12: screens --------------------------------------------------------------------


def test_screen_count_missing(services: Instance, full: Schedule) -> None:
    new = full.model_copy(deep=True)
    del new.screens[3]
    report = check(services, new)

    assert report.rules() == ["screen_count"]
    assert report.violations[0].ids == ("P4",)
    assert report.violations[0].message == "P4 has 0 screens, needs 1"


def test_screen_count_same_block(services_data: dict[str, Any], full: Schedule) -> None:
    services_data["screening"]["per_week"] = 2
    new = full.model_copy(deep=True)
    new.screens.append(Screen(patient="P1", day="mon", block="am"))
    report = check(parse_instance(services_data), new)

    # P1 has two screens but both in mon.am; P2..P4 have one of two.
    assert report.rules() == ["screen_count"] * 4
    assert violation_ids(report) == [("P1", "mon.am"), ("P2",), ("P3",), ("P4",)]
    assert report.violations[0].message == (
        "P1 has 2 screens in mon.am; they must be in different blocks"
    )


def test_screen_block(services: Instance, full: Schedule) -> None:
    # P1 is available fri.am but attends nothing on friday.
    report = check(services, edited_appointment(full, "screens", 0, day="fri"))

    assert report.rules() == ["screen_block"]
    assert report.violations[0].ids == ("P1", "fri.am")
    assert report.violations[0].message == "P1 has a screen in fri.am but attends no session there"


def test_screen_capacity(services_data: dict[str, Any], full: Schedule) -> None:
    services_data["screening"]["capacity_per_block"] = 1
    report = check(parse_instance(services_data), full)

    assert report.rules() == ["screen_capacity", "screen_capacity"]
    assert violation_ids(report) == [("mon.am",), ("wed.am",)]
    assert report.violations[0].message == "mon.am has 2 screens, above capacity_per_block 1"


def test_screens_without_screening(services_data: dict[str, Any], full: Schedule) -> None:
    del services_data["screening"]
    report = check(parse_instance(services_data), full)

    assert report.rules() == ["screen_count"] * 4
    assert report.violations[0].message == "P1 has 1 screens, needs 0"


# -- the new soft terms ------------------------------------------------------------------


def test_individual_extra_trip(services: Instance, full: Schedule) -> None:
    # P1's individual session moves to mon 07:00-07:50, 70 min before the block (> 30);
    # P2's medication to wed 12:10, 10 min after the block: no trip.
    start, end = IND["07"]
    new = edited_appointment(full, "individual_sessions", 0, start=start, end=end)
    start, end = IND["12"]
    new = edited_appointment(new, "medication_appointments", 0, day="wed", start=start, end=end)
    report = check(services, new)

    assert report.ok
    assert _penalties(report, "individual_extra_trip") == [(("P1", "mon"), 1, 20)]
    assert report.objective == 240 + 20


def test_individual_extra_trip_medication(services: Instance, full: Schedule) -> None:
    start, end = IND["07"]
    report = check(
        services, edited_appointment(full, "medication_appointments", 0, start=start, end=end)
    )

    assert report.ok
    assert _penalties(report, "individual_extra_trip") == [(("P2", "mon"), 1, 20)]
    assert [p.message for p in report.penalties if p.term == "individual_extra_trip"] == [
        "P2's medication appointment at mon 07:00-07:50 is not within 30 min of their block mon.am"
    ]


def test_topic_repeat_in_week(services: Instance, full: Schedule) -> None:
    # Not strict: S4 teaching coping again costs 200 per patient.
    report = check(services, changed(full, "S4", topic="coping"))

    assert report.ok
    assert _penalties(report, "topic_repeat") == [((pid, "S4"), 1, 200) for pid in EVERYONE]
    assert report.objective == 240 + 4 * 200


def test_topic_repeat_completed(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["patients"], "P1")["completed_topics"] = ["coping", "anger"]
    report = check(parse_instance(services_data), full)

    # coping (S1) again; anger is not taught this week.
    assert report.ok
    assert _penalties(report, "topic_repeat") == [(("P1", "S1"), 1, 200)]
    assert [p.message for p in report.penalties if p.term == "topic_repeat"] == [
        "P1 hears topic coping again in S1 (completed in an earlier week)"
    ]


def test_caseload_imbalance(services: Instance, full: Schedule) -> None:
    # P3 and P4 are assigned C1 instead (and see C1, free at 12:10 on mon and wed).
    new = full.model_copy(deep=True)
    new.primary_counselors = {"P3": "C1", "P4": "C1"}
    for i in (2, 3):
        new.individual_sessions[i].counselor = "C1"
    report = check(services, new)

    # Caseloads over counselors and clinicians: C1 4, C2 0 (C3, C4 cannot be primary).
    assert report.ok
    assert _penalties(report, "caseload_imbalance") == [(("C1", "C2"), 4, 40)]
    assert report.objective == 240 + 40


def test_no_caseload_imbalance_without_assignment(
    services_data: dict[str, Any], full: Schedule
) -> None:
    # The same caseloads, all given: the solver assigns nobody, so the term is off.
    for pid in ("P3", "P4"):
        by_id(services_data["patients"], pid)["primary_counselor"] = "C1"
    new = full.model_copy(deep=True)
    new.primary_counselors = {}
    for i in (2, 3):
        new.individual_sessions[i].counselor = "C1"
    report = check(parse_instance(services_data), new)

    assert report.ok
    assert report.terms["caseload_imbalance"] == 0


def test_service_penalties_sum_to_objective(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["patients"], "P1")["completed_topics"] = ["coping"]
    inst = parse_instance(services_data)
    start, end = IND["07"]
    new = edited_appointment(full, "individual_sessions", 0, start=start, end=end)
    new.primary_counselors = {"P3": "C2", "P4": "C1"}
    new.individual_sessions[3].counselor = "C1"
    report = check(inst, new)

    # session_run 4 * 60; trip P1 mon 20; repeat P1 coping 200; caseload C1 3 - C2 1 = 2 * 10.
    assert report.ok
    assert {t: v for t, v in report.terms.items() if v} == {
        "session_run": 240,
        "individual_extra_trip": 20,
        "topic_repeat": 200,
        "caseload_imbalance": 20,
    }
    assert report.objective == sum(p.cost for p in report.penalties) == 480
    assert all(p.cost == p.amount * getattr(inst.weights, p.term) for p in report.penalties)
