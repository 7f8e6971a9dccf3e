"""Patient rules of the CP-SAT model (``scheduler/cpsat/patients.py``): whole blocks,
one block a day, hours and days, requirement rows, avoid and together pairs.
Instances and helpers: ``builders``."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import load, raw
from models import parse_instance

from .builders import (
    ONE_HOUR,
    PREFER_MON,
    TWO_HOURS,
    TWO_TYPES,
    assert_infeasible,
    assert_optimal,
    assert_outcome,
    attended,
    base,
    both,
    counselor,
    group,
    patient,
    periods_of,
    room,
    session_slots,
    solved,
    weights,
)

# -- whole blocks, one block a day ---------------------------------------------------------


@both
def test_whole_blocks(formulation: str) -> None:
    # The block has two 60-minute periods. P1 and P2 need 1 h, but a block is attended whole:
    # each sits in one session in each period -> 2 sessions (120) and 2 h each, 60 min above
    # min_hours for both (excess 2 * 60 = 120). Total 240 (it would be 60 if one period did).
    data = base(
        blocks=[{"id": "am", "periods": TWO_HOURS}],
        weights=weights(session_run=60, excess_minutes=1),
    )
    result = solved(data, formulation)
    assert_optimal(result, 240, session_run=120, excess_minutes=120)
    for pid in ("P1", "P2"):
        assert periods_of(result, pid) == [("mon.am", 0), ("mon.am", 1)]


@both
@pytest.mark.parametrize("days", [["mon"], ["mon", "tue"]])
def test_one_block_per_day(formulation: str, days: list[str]) -> None:
    # Blocks am and pm of one hour each; P1 and P2 need 2 h. On one day that would take both
    # blocks, which one-block-a-day forbids -> infeasible. Over two days: one block a day,
    # together -> 2 sessions = 120, on two different days.
    data = base(
        days=days,
        blocks=[
            {"id": "am", "periods": ONE_HOUR},
            {"id": "pm", "periods": [{"start": "18:00", "end": "19:00"}]},
        ],
        patients=[patient("P1", min_hours=2), patient("P2", min_hours=2)],
    )
    result = solved(data, formulation)
    if len(days) == 1:
        assert_infeasible(result)
        return
    assert_optimal(result, 120)
    for slots in attended(result).values():
        assert sorted(s.split(".")[0] for s in slots) == ["mon", "tue"]


# -- hours and days ------------------------------------------------------------------------


@both
@pytest.mark.parametrize(
    ("min_hours", "expected"),
    [(0, 0), (1, 60), (2, 120), (3, 180), (4, None)],
)
def test_min_hours(formulation: str, min_hours: float, expected: int | None) -> None:
    # Three days of one one-hour block; P1 and P2 attend together, one session per hour
    # needed: min_hours h -> min_hours sessions (60 each). 0 h (and min_days 0): nothing runs.
    # 4 h > the 3 h of the week -> infeasible.
    data = base(
        days=["mon", "tue", "wed"],
        patients=[patient(p, min_hours=min_hours, min_days=0) for p in ("P1", "P2")],
    )
    result = solved(data, formulation)
    if expected is None:
        assert_infeasible(result)
    else:
        assert_optimal(result, expected)
        assert len(result.schedule.sessions) == min_hours


@both
def test_min_hours_not_a_multiple_of_the_block(formulation: str) -> None:
    # 1.5 h needs two one-hour blocks: 2 sessions (120) + 30 min excess each (60) = 180.
    data = base(
        days=["mon", "tue", "wed"],
        patients=[patient(p, min_hours=1.5) for p in ("P1", "P2")],
        weights=weights(session_run=60, excess_minutes=1),
    )
    assert_optimal(solved(data, formulation), 180, session_run=120, excess_minutes=60)


@both
@pytest.mark.parametrize(("max_hours", "expected"), [(1.5, None), (2, 240)])
def test_max_hours_against_whole_block(
    formulation: str, max_hours: float, expected: int | None
) -> None:
    # The only block has two one-hour periods: attending means 2 h. P1 needs 1 h (must come)
    # so max_hours 1.5 is infeasible; max_hours 2 allows it: 2 sessions (120) + excess
    # 60 min each (120) = 240.
    data = base(
        blocks=[{"id": "am", "periods": TWO_HOURS}],
        patients=[patient("P1", max_hours=max_hours), patient("P2")],
        weights=weights(session_run=60, excess_minutes=1),
    )
    result = solved(data, formulation)
    if expected is None:
        assert_infeasible(result)
    else:
        assert_optimal(result, expected)


@both
@pytest.mark.parametrize(("max_hours", "expected"), [(2, None), (3, 180)])
def test_max_hours_against_requirement(
    formulation: str, max_hours: float, expected: int | None
) -> None:
    # Three one-hour days; every patient needs 3 G sessions (requirement), i.e. 3 h. With
    # max_hours 2 for P2 that cannot be; with 3: all three days together -> 180.
    data = base(
        days=["mon", "tue", "wed"],
        requirements=[{"group_type": "G", "min_sessions": 3}],
        patients=[patient("P1"), patient("P2", max_hours=max_hours)],
    )
    result = solved(data, formulation)
    if expected is None:
        assert_infeasible(result)
    else:
        assert_optimal(result, expected)


@both
@pytest.mark.parametrize(("min_days", "expected"), [(0, 60), (1, 60), (2, 120), (3, 180)])
def test_min_days(formulation: str, min_days: int, expected: int) -> None:
    # Three one-hour days; 1 h would be one day (60), but min_days forces min_days separate
    # days, each a session with both patients (60 each).
    data = base(
        days=["mon", "tue", "wed"],
        patients=[patient(p, min_days=min_days) for p in ("P1", "P2")],
    )
    result = solved(data, formulation)
    assert_optimal(result, expected)
    assert len(attended(result)["P1"]) == max(min_days, 1)


# -- requirements --------------------------------------------------------------------------


@both
@pytest.mark.parametrize(
    ("requirements", "expected"),
    [
        ([], 60),
        # Two H sessions each: two days of H -> 120.
        ([{"group_type": "H", "min_sessions": 2}], 120),
        # Same by kind: H is the only skills type.
        ([{"kind": "skills", "min_sessions": 2}], 120),
        # One of each type: two sessions (one G, one H) on two days -> 120.
        ([{"group_type": "G", "min_sessions": 1}, {"group_type": "H", "min_sessions": 1}], 120),
        # Three psychoeducational sessions: all three days -> 180.
        ([{"kind": "psychoeducational", "min_sessions": 3}], 180),
        # No type of kind interpersonal_process exists -> infeasible.
        ([{"kind": "interpersonal_process", "min_sessions": 1}], None),
    ],
)
def test_requirement_min(
    formulation: str, requirements: list[dict[str, Any]], expected: int | None
) -> None:
    # Three one-hour days, types G (psychoeducational) and H (skills), C1 qualified for both.
    # 1 h each would need a single session; minimum rows force more.
    data = base(
        days=["mon", "tue", "wed"],
        group_types=TWO_TYPES,
        requirements=requirements,
        counselors=[counselor("C1", ["G", "H"])],
    )
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    kind = {"G": "psychoeducational", "H": "skills"}
    for req in requirements:
        for pid in ("P1", "P2"):
            got = [
                s
                for s in result.schedule.sessions
                if pid in s.patients
                and req.get("group_type", s.group_type) == s.group_type
                and req.get("kind", kind[s.group_type]) == kind[s.group_type]
            ]
            assert len(got) >= req["min_sessions"]


@both
@pytest.mark.parametrize(
    ("requirement", "expected"),
    [
        ({"group_type": "G", "max_sessions": 1}, None),
        ({"group_type": "G", "max_sessions": 2}, 120),
        ({"kind": "psychoeducational", "max_sessions": 1}, None),
        ({"kind": "psychoeducational", "max_sessions": 2}, 120),
        ({"kind": "skills", "max_sessions": 0}, 120),  # counts no G session
    ],
)
def test_requirement_max_feasibility(
    formulation: str, requirement: dict[str, Any], expected: int | None
) -> None:
    # G is the only type; P1 and P2 need 2 h = two one-hour G sessions. At most one G
    # session (by type or by kind) is then infeasible; at most two: 120.
    data = base(
        days=["mon", "tue"],
        requirements=[requirement],
        patients=[patient(p, min_hours=2) for p in ("P1", "P2")],
    )
    result = solved(data, formulation)
    if expected is None:
        assert_infeasible(result)
    else:
        assert_optimal(result, expected)


@both
@pytest.mark.parametrize(
    ("requirements", "expected", "load"),
    [
        # No row: one A and one B session, C1 and C2 lead 60 min each -> 120 + 0.
        ([], 120, 0),
        # No skills: both sessions are A, only C1 may lead A -> 120 + imbalance 120 = 240.
        ([{"kind": "skills", "max_sessions": 0}], 240, 120),
        ([{"group_type": "B", "max_sessions": 0}], 240, 120),
        ([{"kind": "psychoeducational", "min_sessions": 2}], 240, 120),
        # At most one A: one of each again.
        ([{"group_type": "A", "max_sessions": 1}], 120, 0),
    ],
)
def test_requirement_max_changes_optimum(
    formulation: str, requirements: list[dict[str, Any]], expected: int, load: int
) -> None:
    # Two one-hour days, P1 and P2 need 2 h (two sessions). A is psychoeducational (only C1
    # leads it), B skills (only C2). Load imbalance costs 1 per minute.
    data = base(
        days=["mon", "tue"],
        group_types=[group("A"), group("B", kind="skills")],
        requirements=requirements,
        patients=[patient(p, min_hours=2) for p in ("P1", "P2")],
        counselors=[counselor("C1", ["A"]), counselor("C2", ["B"])],
        weights=weights(session_run=60, load_imbalance_minutes=1),
    )
    assert_optimal(
        solved(data, formulation), expected, session_run=120, load_imbalance_minutes=load
    )


@both
@pytest.mark.parametrize(
    ("stage", "expected", "excess"),
    [
        # No row: all four together once -> 60, no excess.
        (None, 60, 0),
        # Row for everyone: all four on two days -> 2 sessions (120) + 4 * 60 excess = 360.
        ("all", 360, 240),
        # Row for s2 only: P3, P4 twice (excess 2 * 60), P1, P2 join one of the two days -> 240.
        ("s2", 240, 120),
        # Row for s3, a stage nobody is in: as if there were no row -> 60.
        ("s3", 60, 0),
    ],
)
def test_stage_specific_requirement(
    formulation: str, stage: str | None, expected: int, excess: int
) -> None:
    # Two one-hour days; P1, P2 in stage s1, P3, P4 in s2; G is open to everyone (2..4).
    row = {"group_type": "G", "min_sessions": 2}
    if stage not in (None, "all"):
        row["stage"] = stage
    data = base(
        days=["mon", "tue"],
        requirements=[] if stage is None else [row],
        patients=[patient("P1"), patient("P2"), patient("P3", "s2"), patient("P4", "s2")],
        weights=weights(session_run=60, excess_minutes=1),
    )
    result = solved(data, formulation)
    assert_optimal(result, expected, excess_minutes=excess)
    if stage == "s2":
        days = attended(result)
        assert (len(days["P1"]), len(days["P2"]), len(days["P3"]), len(days["P4"])) == (1, 1, 2, 2)


@both
@pytest.mark.parametrize(("stage", "expected"), [("s1", None), ("s3", 60)])
def test_stage_specific_max_row(formulation: str, stage: str, expected: int | None) -> None:
    # "At most 0 G sessions" for stage s1 forbids P1 and P2 the only type -> infeasible;
    # the same row for stage s3 binds nobody -> 60.
    data = base(requirements=[{"stage": stage, "group_type": "G", "max_sessions": 0}])
    result = solved(data, formulation)
    if expected is None:
        assert_infeasible(result)
    else:
        assert_optimal(result, expected)


# -- avoid pairs ---------------------------------------------------------------------------


@both
@pytest.mark.parametrize(
    ("avoid", "expected"),
    [
        ({}, 60),
        # P1 and P2 must be apart: G {P1, x} and H {P2, y} in parallel -> 120.
        ({"P1": ["P2"]}, 120),
        ({"P2": ["P1"]}, 120),  # whichever side lists it
        ({"P1": ["P2"], "P2": ["P1"]}, 120),
        # P1 avoids everyone else: P1 has no possible partner -> infeasible.
        ({"P1": ["P2", "P3", "P4"]}, None),
    ],
)
def test_avoid_pairs(formulation: str, avoid: dict[str, list[str]], expected: int | None) -> None:
    # One period, four patients; types G and H (2..4), two rooms, two counselors for both.
    # The two sessions are of different types, i.e. different families, so the aggregated
    # model's stricter avoid rule does not matter: both formulations agree.
    data = base(
        group_types=TWO_TYPES,
        patients=[patient(p, avoid=avoid.get(p, [])) for p in ("P1", "P2", "P3", "P4")],
        counselors=[counselor("C1", ["G", "H"]), counselor("C2", ["G", "H"])],
        rooms=[room("R1"), room("R2")],
    )
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    if avoid:
        for s in result.schedule.sessions:
            assert not {"P1", "P2"} <= set(s.patients)


def test_avoid_pair_in_one_family_plain() -> None:
    # tests/data/rule_avoid_family.json: two one-hour days, one type G of exactly 2 patients,
    # P1..P4 free both days and all preferring mon (30 per missed preference), P1 avoids
    # P2, two rooms and counselors. Four patients need at least two sessions of 2; on mon
    # the plain model runs G {P1, P3} and G {P2, P4} in parallel -> 120, nobody misses mon.
    result = solved(load("data/rule_avoid_family"), "plain")
    assert_optimal(result, 120, session_run=120, preferred_missed=0)
    assert session_slots(result) == ["mon.am"]


def test_avoid_pair_in_one_family_aggregated_is_worse() -> None:
    # Documented difference: the aggregated model keeps P1 and P2 out of the same family
    # (G in mon.am), i.e. out of mon.am together even in two different sessions. So P2 goes
    # tue, and needs a partner there (G needs 2): two sessions (120) and two patients miss
    # mon (2 * 30) -> 180, which is optimal for the aggregated model and worse than plain.
    result = solved(load("data/rule_avoid_family"), "aggregated")
    assert_optimal(result, 180, session_run=120, preferred_missed=60)
    days = attended(result)
    assert days["P1"] != days["P2"]


@both
def test_avoid_pair_in_one_family_single_day(formulation: str) -> None:
    # The same instance on mon only: plain still runs {P1, P3} and {P2, P4} -> 120; the
    # aggregated model has nowhere to put P1 and P2 apart -> infeasible.
    data = raw("data/rule_avoid_family")
    data["days"] = ["mon"]
    for person in data["patients"] + data["counselors"]:
        person["available"] = ["mon.am"]
    result = solved(parse_instance(data), formulation)
    if formulation == "plain":
        assert_optimal(result, 120)
    else:
        assert_infeasible(result)


# -- rule 7: together pairs ----------------------------------------------------------------


@both
@pytest.mark.parametrize(
    ("pair", "expected", "missed"),
    [
        # No pair: mon {P1, P2}, tue {P3}; nobody misses a preference -> 120.
        (None, 120, 0),
        # P1 and P3 share their G sessions; the room holds 2, so P2 is alone on the other
        # day and one of P1 / P3 misses their preferred day -> 120 + 30 = 150.
        (["P1", "P3"], 150, 30),
        # P1 and P2 are a pair: same as no pair -> 120.
        (["P1", "P2"], 120, 0),
    ],
)
def test_together_pair(
    formulation: str, pair: list[str] | None, expected: int, missed: int
) -> None:
    # Two one-hour days, one room of 2, one counselor, G of 1..2. P1, P2 prefer mon, P3 tue.
    data = base(
        **PREFER_MON,
        group_types=[group(min_size=1, max_size=2)],
        patients=[
            patient("P1", preferred=["mon.am"]),
            patient("P2", preferred=["mon.am"]),
            patient("P3", preferred=["tue.am"]),
        ],
        rooms=[room("R1", 2)],
        together=[] if pair is None else [{"patients": pair, "group_type": "G"}],
    )
    result = solved(data, formulation)
    assert_optimal(result, expected, session_run=120, preferred_missed=missed)
    if pair is not None:
        a, b = pair
        for s in result.schedule.sessions:
            assert (a in s.patients) == (b in s.patients)


@both
@pytest.mark.parametrize(
    ("types", "expected"),
    [
        # G is the only type: P1 (mon only) and P3 (tue only) must share its sessions and
        # can never meet -> infeasible.
        (["G"], None),
        # With H too, each may attend H instead: the pair binds only G sessions.
        # mon: H {P1, P2}; tue: H {P3, P4} -> 120.
        (["G", "H"], 120),
    ],
)
def test_together_pair_binds_its_type_only(
    formulation: str, types: list[str], expected: int | None
) -> None:
    data = base(
        days=["mon", "tue"],
        group_types=[g for g in TWO_TYPES if g["id"] in types],
        patients=[
            patient("P1", available=["mon.am"]),
            patient("P2", available=["mon.am"]),
            patient("P3", available=["tue.am"]),
            patient("P4", available=["tue.am"]),
        ],
        counselors=[counselor("C1", types)],
        together=[{"patients": ["P1", "P3"], "group_type": "G"}],
    )
    result = solved(data, formulation)
    if assert_outcome(result, expected):
        assert {s.group_type for s in result.schedule.sessions} == {"H"}


@pytest.mark.parametrize(("formulation", "expected"), [("plain", 120), ("aggregated", None)])
def test_together_pair_parallel_sessions(formulation: str, expected: int | None) -> None:
    # One period, G (couples) of exactly 2, two rooms and counselors; P1 and P2 are a pair.
    # Plain: G {P1, P2} and G {P3, P4} run in parallel -> 120. Documented difference: the
    # aggregated model runs one session per period of a type that couples share (so a split
    # never parts a pair), and two patients cannot fit anywhere -> infeasible.
    data = base(
        group_types=[group(min_size=2, max_size=2)],
        patients=[patient(p) for p in ("P1", "P2", "P3", "P4")],
        counselors=[counselor("C1"), counselor("C2")],
        rooms=[room("R1"), room("R2")],
        together=[{"patients": ["P1", "P2"], "group_type": "G"}],
    )
    result = solved(data, formulation)
    if assert_outcome(result, expected):
        sessions = sorted(s.patients for s in result.schedule.sessions)
        assert sessions == [["P1", "P2"], ["P3", "P4"]]
