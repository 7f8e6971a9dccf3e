"""The patient-by-patient lower bound (scheduler/bound.py): exact where derived by hand,
never above a valid timetable's objective, and given to the search."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest

from models import GroupType, Requirement, parse_instance
from scheduler import SolveSettings, solve
from scheduler.check import check
from scheduler.explain.bound import cheapest_seats, objective_floor
from scheduler.generate import generate
from scheduler.greedy import greedy_schedule
from tests.conftest import load, raw, solve_checked


def test_tiny_by_hand() -> None:
    # Each of tiny's 4 patients attends all 3 blocks of 2 periods: 6 seats, at least 2 in
    # relapse_prevention (at most 4 a session: 60/4 = 15 a seat) and 2 in education (at
    # most 6: 10 a seat). Cheapest: 2 * 15 + 4 * 10 = 70 a patient, 280 in all.
    assert objective_floor(load("tiny")) == 280


def test_room_capacity_caps_a_seat_s_share() -> None:
    # With no room above 3 seats, sessions of either type hold 3: 20 a seat, 6 * 20 = 120
    # a patient. (The minimum size of 2 still fits.)
    data = raw("tiny")
    data["rooms"] = [{"id": "R1", "capacity": 3}, {"id": "R2", "capacity": 3}]
    assert objective_floor(parse_instance(data)) == 4 * 120


def test_preferred_and_excess_minutes_that_no_week_avoids() -> None:
    # P1 needs 7 hours: 3 blocks of 3 h, so 120 minutes above; it prefers only mon.am, so
    # two of its blocks are outside its preferred slots (30 each).
    data = raw("tiny")
    data["patients"][0]["min_hours"] = 7
    data["patients"][0]["preferred"] = ["mon.am"]
    assert objective_floor(parse_instance(data)) == 280 + 120 + 2 * 30


def test_a_patient_without_a_valid_week_gives_no_bound() -> None:
    data = raw("tiny")
    data["patients"][0]["available"] = ["mon.am", "wed.am"]  # 6 h available, 9 needed
    assert objective_floor(parse_instance(data)) is None


def test_a_type_nobody_can_lead_is_never_cheapest() -> None:
    # Nobody is qualified for education any more: every seat is relapse_prevention.
    data = raw("tiny")
    for c in data["counselors"]:
        c["qualified"] = ["relapse_prevention"]
    data["requirements"] = [{"group_type": "relapse_prevention", "min_sessions": 2}]
    assert objective_floor(parse_instance(data)) == 4 * 6 * 15


def _brute_force(periods: int, types: list[GroupType], rows: list[Requirement], cost):  # type: ignore[no-untyped-def]
    best = None
    for counts in itertools.product(range(periods + 1), repeat=len(types)):
        if sum(counts) != periods:
            continue
        ok = True
        for req in rows:
            n = sum(
                c
                for g, c in zip(types, counts, strict=True)
                if (g.id == req.group_type if req.group_type else g.kind == req.kind)
            )
            ok &= n >= req.min_sessions and (req.max_sessions is None or n <= req.max_sessions)
        if ok:
            total = sum(cost[g.id] * c for g, c in zip(types, counts, strict=True))
            best = total if best is None else min(best, total)
    return best


@pytest.mark.parametrize("seed", range(60))
def test_greedy_fill_matches_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    kinds = ["psychoeducational", "skills", "interpersonal_process"]
    types = [
        GroupType(id=f"g{i}", kind=rng.choice(kinds), min_size=2, max_size=rng.randint(2, 16))
        for i in range(rng.randint(1, 4))
    ]
    cost = {g.id: Fraction(60, g.max_size) for g in types}
    rows = []
    for _ in range(rng.randint(0, 4)):
        low = rng.randint(0, 3)
        high = rng.choice([None, low + rng.randint(0, 3)])
        target = (
            {"kind": rng.choice(kinds)}
            if rng.random() < 0.5
            else {"group_type": rng.choice(types).id}
        )
        rows.append(Requirement(min_sessions=low, max_sessions=high, **target))
    periods = rng.randint(0, 7)
    assert cheapest_seats(periods, types, rows, cost) == _brute_force(periods, types, rows, cost)


@pytest.mark.parametrize("seed", range(8))
def test_never_above_a_valid_timetable(seed: int) -> None:
    instance, _ = generate(20 + 5 * seed, seed=seed)
    floor = objective_floor(instance)
    assert floor is not None
    greedy = greedy_schedule(instance, seed).schedule
    if greedy is not None:
        report = check(instance, greedy)
        assert report.ok
        assert floor <= report.objective
    result = solve_checked(instance, time_limit=3.0)
    assert result.found
    assert floor <= result.objective
    assert result.best_bound is not None and result.best_bound >= floor


@pytest.mark.parametrize("formulation", ["aggregated", "plain"])
def test_never_above_the_optimum(formulation: str) -> None:
    result = solve_checked(load("tiny"), formulation=formulation, warm_start="none")
    assert result.status == "optimal"
    assert objective_floor(load("tiny")) <= result.objective == 480


def test_solve_reports_at_least_the_bound_from_the_first_second() -> None:
    instance = load("medium")
    floor = objective_floor(instance)
    assert floor is not None
    result = solve(instance, SolveSettings(time_limit=1.0, workers=2))
    assert result.found and result.best_bound is not None
    assert result.best_bound >= floor
    report = check(instance, result.schedule)
    assert report.ok and report.objective == result.objective


def _greedy_gap(instance_name: str) -> tuple[int, float]:
    instance = load(instance_name)
    greedy = greedy_schedule(instance, 0).schedule
    floor = objective_floor(instance)
    assert greedy is not None and greedy.objective is not None and floor is not None
    return greedy.objective, (greedy.objective - floor) / greedy.objective


def test_a_start_within_the_gap_limit_of_the_bound_skips_the_search() -> None:
    objective, gap = _greedy_gap("medium")
    result = solve_checked(load("medium"), relative_gap=gap + 0.01, time_limit=60.0)
    # The greedy timetable, its rooms and seats chosen for the cohort terms (never worse).
    assert result.objective is not None and result.objective <= objective
    assert result.gap is not None and result.gap <= gap + 0.01
    assert not result.interrupted
    assert result.wall_seconds < 30


def test_the_gap_limit_stops_the_search_against_the_bound() -> None:
    # CP-SAT's own gap limit knows only its bound; the search stops as soon as a schedule
    # is within the limit of the patient-by-patient one.
    objective, gap = _greedy_gap("medium")
    result = solve_checked(load("medium"), relative_gap=gap - 0.02, time_limit=120.0)
    assert result.objective is not None and result.objective < objective
    assert result.gap is not None and result.gap < gap  # (the written objective may be a bit
    # above the model's, on which the search stopped)
    assert not result.interrupted
    assert result.wall_seconds < 100
