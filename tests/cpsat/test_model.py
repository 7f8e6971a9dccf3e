"""The CP-SAT model as a whole: the base instance, infeasible and empty instances, a known
optimum, a time limit too small to finish; and the candidates ``scheduler/cpsat/variables.py``
enumerates: a patient's available slots, eligibility and stage matching. Instances and
helpers: ``builders``."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import load, raw
from models import parse_instance

from .builders import (
    assert_infeasible,
    assert_optimal,
    attended,
    base,
    both,
    counselor,
    group,
    patient,
    room,
    solved,
    weights,
)

# -- general -------------------------------------------------------------------------------


@both
def test_base_instance(formulation: str) -> None:
    # P1 and P2 need one hour: one G session with both, led by C1 in R1 -> 60.
    result = solved(base(), formulation)
    assert_optimal(result, 60, session_run=60)
    [s] = result.schedule.sessions
    assert (s.slot, s.group_type, s.room, s.counselors, s.patients) == (
        "mon.am",
        "G",
        "R1",
        ["C1"],
        ["P1", "P2"],
    )


@both
def test_infeasible_instance_has_status_infeasible_and_no_sessions(formulation: str) -> None:
    # instances/infeasible.json is infeasible by design.
    assert_infeasible(solved(load("infeasible"), formulation))
    # And a hand-made one: P1 needs 2 h but the week has a single one-hour block.
    assert_infeasible(
        solved(base(patients=[patient("P1", min_hours=2), patient("P2")]), formulation)
    )


@both
def test_zero_patients_is_an_empty_optimal_schedule(formulation: str) -> None:
    # Nobody to seat: nothing runs; every term is 0 (two idle leaders -> imbalance 0).
    data = base(
        patients=[],
        counselors=[counselor("C1"), counselor("C2")],
        weights=weights(session_run=60, excess_minutes=1, load_imbalance_minutes=1),
    )
    result = solved(data, formulation)
    assert_optimal(result, 0)
    assert result.schedule.sessions == []
    assert result.schedule.status == "optimal"

    tiny = raw("tiny")
    tiny["patients"] = []
    result = solved(parse_instance(tiny), formulation)
    assert_optimal(result, 0)
    assert result.schedule.sessions == []


@both
def test_tiny_known_optimum(formulation: str) -> None:
    # tests/test_checker.py derives tiny's optimum by hand: 8 sessions * 60 = 480.
    assert_optimal(solved(load("tiny"), formulation), 480, session_run=480)


@both
def test_time_limit_too_small_on_medium_never_returns_an_invalid_schedule(formulation: str) -> None:
    # 120 patients cannot be scheduled in 10 ms; whatever comes back, solve_checked has
    # already verified any schedule with the checker.
    result = solved(load("medium"), formulation, time_limit=0.01)
    assert result.status in ("unknown", "feasible")
    if result.status == "unknown":
        assert result.schedule.sessions == []
        assert result.objective is None
    else:
        assert result.schedule.sessions


# -- patient availability (attend variables exist for available slots only) ----------------


@both
@pytest.mark.parametrize(
    ("p1_available", "expected"),
    [
        # P1 free both days: both meet on mon, P2's preferred day -> one session, 60.
        (["mon.am", "tue.am"], 60),
        # P1 free only tue: the group (min 2) must meet tue; P2 misses mon -> 60 + 30 = 90.
        (["tue.am"], 90),
        # P1 free only mon: mon, which P2 prefers anyway -> 60.
        (["mon.am"], 60),
    ],
)
def test_patient_availability(formulation: str, p1_available: list[str], expected: int) -> None:
    data = base(
        days=["mon", "tue"],
        patients=[
            patient("P1", available=p1_available),
            patient("P2", available=["mon.am", "tue.am"], preferred=["mon.am"]),
        ],
        weights=weights(session_run=60, preferred_missed=30),
    )
    result = solved(data, formulation)
    assert_optimal(result, expected)
    assert attended(result)["P1"] == attended(result)["P2"]
    assert set(attended(result)["P1"]) <= set(p1_available)


@both
def test_disjoint_availability_is_infeasible(formulation: str) -> None:
    # G needs 2 patients; P1 can only come mon, P2 only tue: no session can ever run.
    data = base(
        days=["mon", "tue"],
        patients=[patient("P1", available=["mon.am"]), patient("P2", available=["tue.am"])],
    )
    assert_infeasible(solved(data, formulation))


# -- eligibility and stage matching --------------------------------------------------------

# (restriction on R, fields of P1/P2 (eligible), fields of P3 and P4 (ineligible), fields
# that make P3 and P4 eligible after all)
Traits = dict[str, Any]
ELIGIBILITY: dict[str, tuple[Traits, Traits, list[Traits], Traits]] = {
    "genders": (
        {"genders": ["female"]},
        {"gender": "female"},
        [{"gender": "male"}, {}],  # no gender given: not eligible for a gendered group
        {"gender": "female"},
    ),
    "tracks": (
        {"tracks": ["dual"]},
        {"track": "dual"},
        [{"track": "substance"}, {}],
        {"track": "dual"},
    ),
    "requires_flags": (
        {"requires_flags": ["trauma", "adult"]},
        {"flags": ["trauma", "adult"]},
        [{"flags": ["trauma"]}, {}],  # every flag is needed
        {"flags": ["adult", "trauma", "other"]},
    ),
    "stages": (
        {"stages": ["s1"]},
        {},
        [{"stage": "s2"}, {"stage": "s3"}],
        {"stage": "s1"},
    ),
}


@both
@pytest.mark.parametrize("condition", list(ELIGIBILITY))
@pytest.mark.parametrize("p34_eligible", [True, False])
def test_eligibility(formulation: str, condition: str, p34_eligible: bool) -> None:
    # One period; types R (restricted by `condition`) and O (open), both 2..4; P1, P2 (stage
    # s1) must attend one R session (stage-s1 row); P3, P4 (no row) may sit in either.
    # P3, P4 eligible for R: all four in one R session -> 60. Not eligible: R {P1, P2} and
    # O {P3, P4} in parallel -> 120.
    restriction, eligible, ineligible, fix = ELIGIBILITY[condition]
    p3, p4 = ({**f, **fix} for f in ineligible) if p34_eligible else ineligible
    data = base(
        group_types=[group("R", **restriction), group("O", kind="skills")],
        requirements=[{"stage": "s1", "group_type": "R", "min_sessions": 1}],
        patients=[
            patient("P1", **eligible),
            patient("P2", **eligible),
            patient("P3", **{"stage": "s2", **p3}),
            patient("P4", **{"stage": "s2", **p4}),
        ],
        counselors=[counselor("C1", ["R", "O"]), counselor("C2", ["R", "O"])],
        rooms=[room("R1"), room("R2")],
    )
    result = solved(data, formulation)
    if p34_eligible:
        assert_optimal(result, 60)
        assert [s.group_type for s in result.schedule.sessions] == ["R"]
    else:
        assert_optimal(result, 120)
        groups = {s.group_type: s.patients for s in result.schedule.sessions}
        assert groups == {"R": ["P1", "P2"], "O": ["P3", "P4"]}


@both
@pytest.mark.parametrize("condition", list(ELIGIBILITY))
def test_ineligible_for_the_only_type_is_infeasible(formulation: str, condition: str) -> None:
    restriction, eligible, ineligible, _ = ELIGIBILITY[condition]
    data = base(
        group_types=[group(**restriction)],
        patients=[patient("P1", **eligible), patient("P2", **ineligible[0])],
    )
    assert_infeasible(solved(data, formulation))


@both
@pytest.mark.parametrize("stage_matched", [False, True])
def test_stage_matching(formulation: str, stage_matched: bool) -> None:
    # One period, P1, P2 in s1 and P3, P4 in s2, two rooms and counselors. Not stage-matched:
    # all four in one session (60, stage null). Stage-matched: one session per stage (120).
    data = base(
        group_types=[group(stage_matched=stage_matched)],
        patients=[patient("P1"), patient("P2"), patient("P3", "s2"), patient("P4", "s2")],
        counselors=[counselor("C1"), counselor("C2")],
        rooms=[room("R1"), room("R2")],
    )
    result = solved(data, formulation)
    got = sorted((s.stage or "", s.patients) for s in result.schedule.sessions)
    if stage_matched:
        assert_optimal(result, 120)
        assert got == [("s1", ["P1", "P2"]), ("s2", ["P3", "P4"])]
    else:
        assert_optimal(result, 60)
        assert got == [("", ["P1", "P2", "P3", "P4"])]


@both
def test_stage_matched_pair_of_different_stages_is_infeasible(formulation: str) -> None:
    # P1 (s1) and P2 (s2) can never form a stage-matched group of 2.
    data = base(
        group_types=[group(stage_matched=True)],
        patients=[patient("P1"), patient("P2", "s2")],
    )
    assert_infeasible(solved(data, formulation))
