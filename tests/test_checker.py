"""Tests of the pure-Python judge ``scheduler.checker.check``.

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
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from models import Instance, Schedule, Session, load_instance, parse_instance
from scheduler.checker import TERMS, CheckReport, check

TINY = Path(__file__).parent.parent / "instances" / "tiny.json"
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
    }
    assert set(report.terms) == set(TERMS)
    assert sum(p.cost for p in report.penalties) == report.objective == 1050
    assert sum(report.terms.values()) == report.objective
    # Each penalty costs its amount times the weight of its term.
    assert all(p.cost == p.amount * getattr(inst.weights, p.term) for p in report.penalties)
