"""The whole-block LP bound (scheduler/explain/block_bound.py): exact where derived by
hand, above the patient-by-patient floor there, and never above the objective of a
timetable the checker accepts (the best known ones, the generator's witnesses, the
greedy's, an optimal one)."""

from __future__ import annotations

from functools import cache

import pytest

from benchmarks.best_known import TABLE, load_table, read_schedule
from benchmarks.best_known import instance_named as generate_instance
from models import Instance, parse_instance
from scheduler import program
from scheduler.check import check
from scheduler.explain.block_bound import block_bound
from scheduler.explain.bound import objective_floor
from scheduler.generate import generate
from scheduler.greedy import greedy_schedule
from tests.conftest import load, raw, solve_checked

STORED = load_table()
instance_named = cache(generate_instance)


def test_tiny_by_hand_is_the_optimum() -> None:
    # tiny: 4 patients (P1, P2 early; P3, P4 late), each needing all 3 blocks of 2 periods
    # (9 h), so every one of the 6 periods holds all four: at least one session each (6).
    # Each patient sits relapse_prevention (stage-matched) in at least 2 periods; a
    # period where the early pair sits it also needs a session for the late pair, so at
    # least 2 periods hold 2 sessions: 8 sessions, 480 (weights: session_run 60 and
    # nothing else the optimum pays). The floor prices seats alone: 280.
    instance = load("tiny")
    assert block_bound(instance) == 480
    assert objective_floor(instance) == 280


def test_never_above_the_optimum() -> None:
    instance = load("tiny")
    result = solve_checked(instance, warm_start="none")
    assert result.status == "optimal"
    bound = block_bound(instance)
    assert bound is not None and bound <= result.objective


def test_small_rooms_between_the_floor_and_the_optimum() -> None:
    # With rooms of 3 seats, each period of 4 patients needs 2 sessions (3 + 3 >= 4, one
    # room a session): 12 sessions, 720, where the floor, a seat at a third of a session,
    # gives 4 patients * 6 seats * 20 = 480. The LP sees part of it (a period needs 4/3
    # rooms' worth of sessions, not 2: the rounding the LP leaves out).
    data = raw("tiny")
    data["rooms"] = [{"id": "R1", "capacity": 3}, {"id": "R2", "capacity": 3}]
    instance = parse_instance(data)
    assert objective_floor(instance) == 480
    bound = block_bound(instance)
    assert bound is not None and 480 < bound <= 720


def test_topic_repeats_by_hand_is_the_optimum() -> None:
    # Everyone has heard both topics of education: each education seat is a repeat (200),
    # at least 2 a patient. Cheapest: exactly 2 education and 4 relapse_prevention seats
    # each, the two stages' relapse_prevention in the same 4 periods (2 sessions each)
    # and education for all four in the other 2 (1 each): 10 sessions, 600, and
    # 8 repeats, 1600. The solver proves the same optimum.
    data = raw("tiny")
    data["group_types"][0]["topics"] = ["t1", "t2"]
    for p in data["patients"]:
        p["completed_topics"] = ["t1", "t2"]
    assert block_bound(parse_instance(data)) == 2200
    # C2, P3's and P4's primary counselor, qualified for nothing: never leads them (60
    # each). (C1 alone cannot lead both stages' relapse_prevention at once: staff is
    # what the LP leaves out.)
    data["counselors"][1]["qualified"] = []
    assert block_bound(parse_instance(data)) == 2200 + 2 * 60


def test_no_week_gives_no_bound() -> None:
    data = raw("tiny")
    data["patients"][0]["available"] = ["mon.am", "wed.am"]  # 6 h available, 9 needed
    assert block_bound(parse_instance(data)) is None


def test_an_unfinished_lp_gives_no_bound() -> None:
    instance, _ = generate(60, seed=3)
    assert block_bound(instance, deterministic_time=1e-9) is None


@pytest.mark.parametrize("name", [n for n in ("S", "M", "medium") if n in STORED])
def test_never_above_a_best_known(name: str) -> None:
    instance = instance_named(name)
    report = check(instance, read_schedule(TABLE.parent / STORED[name]["schedule"]))
    assert report.ok
    bound = block_bound(instance)
    floor = objective_floor(instance)
    assert bound is not None and floor is not None
    assert floor < bound <= report.objective


def _valid(instance: Instance, schedule: object) -> int:
    report = check(instance, schedule)  # type: ignore[arg-type]
    assert report.ok
    return report.objective


@pytest.mark.parametrize(
    ("patients", "sites", "seed"), [(16, 1, 0), (24, 1, 1), (32, 2, 2), (40, 1, 3)]
)
def test_never_above_a_witness_or_the_greedy(patients: int, sites: int, seed: int) -> None:
    instance, witness = generate(patients, sites=sites, seed=seed)
    bound = block_bound(instance)
    assert bound is not None
    assert bound <= _valid(instance, witness)
    greedy = greedy_schedule(instance, seed).schedule
    if greedy is not None:
        assert bound <= _valid(instance, greedy)


def test_a_solve_reports_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # The solve computes it from a 20-s limit on; here from any limit, to keep the test short.
    monkeypatch.setattr(program, "BLOCK_BOUND_FROM", 0.0)
    instance, _ = generate(16, seed=0)
    bound = block_bound(instance)
    floor = objective_floor(instance)
    assert bound is not None and floor is not None and floor < bound
    result = solve_checked(instance, time_limit=3.0)
    assert result.found and result.best_bound is not None
    assert bound <= result.best_bound <= result.objective
