"""A patient's week (``scheduler/check/patients.py``): whole blocks, availability, one
block a day, hours and days, requirements, and the pairs.

Each test breaks the valid ``optimum`` (tiny) or ``full`` (services) schedule of
``conftest.py`` in one way and asserts the exact list of broken rules (or penalties).
"""

from __future__ import annotations

from typing import Any

import pytest

from models import Instance, Schedule, parse_instance
from scheduler.check import check

from .builders import added, by_id, changed, session, violation_ids, without

# -- rule 1: whole blocks, double booking, availability, one block per day ---------------


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


# -- rule 7: pairs -----------------------------------------------------------------------


def test_avoid(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    # P3 lists P1; the pair is reported in sorted order, whichever side listed it.
    by_id(tiny_data["patients"], "P3")["avoid"] = ["P1"]
    report = check(parse_instance(tiny_data), optimum)

    # They meet in the four education sessions.
    assert report.rules() == ["avoid"] * 4
    assert violation_ids(report) == [("P1", "P3", f"S{i}") for i in range(1, 5)]
    assert report.violations[0].message == "P1 and P3 must not share a session but are both in S1"


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
