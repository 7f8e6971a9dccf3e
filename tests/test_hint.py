"""Hints: every model variable set from a timetable, so the search starts from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from ortools.sat.python import cp_model

from cli import main
from conftest import instance_path, load, solve_checked
from models import load_schedule, to_json
from scheduler import SolveSettings, check, solve
from scheduler.cpsat.hint import add_hint
from scheduler.cpsat.model import TimetableModel
from scheduler.generate import generate
from scheduler.greedy import greedy_schedule


def solve_fixed_to_hint(tm: TimetableModel) -> int:
    """Solve with every hinted variable fixed to its hint: feasible iff the hint is valid."""
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30
    return solver.solve(tm.model)


@pytest.mark.parametrize("aggregate", [True, False], ids=["aggregated", "plain"])
def test_witness_hint_is_a_solution_of_the_model(aggregate: bool) -> None:
    """The generator's witness (every service: appointments, screens, primaries, topics)
    fixed as a hint is feasible in either formulation: the mapping misses nothing."""
    instance, witness = generate(30, seed=5)
    assert witness is not None
    tm = TimetableModel(instance, aggregate=aggregate)
    hinted = add_hint(tm, witness)
    assert hinted > len(tm.attend)
    assert solve_fixed_to_hint(tm) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def test_hint_of_an_optimal_schedule_gives_its_objective() -> None:
    instance = load("tiny")
    best = solve(instance, SolveSettings(time_limit=10, workers=2))
    assert best.status == "optimal"
    tm = TimetableModel(instance, aggregate=True)
    add_hint(tm, best.schedule)
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.num_workers = 1
    assert solver.solve(tm.model) == cp_model.OPTIMAL
    assert solver.objective_value == best.objective


def test_a_broken_hint_is_not_a_solution() -> None:
    """The check above can fail: a hint that seats nobody breaks the hour minimums."""
    instance, witness = generate(30, seed=5)
    assert witness is not None
    broken = witness.model_copy(update={"sessions": []})
    assert not check(instance, broken).ok
    tm = TimetableModel(instance, aggregate=True)
    add_hint(tm, broken)
    assert solve_fixed_to_hint(tm) == cp_model.INFEASIBLE


def test_solve_never_returns_worse_than_a_valid_start(tmp_path: Path) -> None:
    """A valid start is the first incumbent: scored afresh (its file's objective may be
    stale), and returned if the search finds nothing better in the time."""
    instance = load("small")
    start = greedy_schedule(instance, seed=3).schedule
    assert start is not None
    stale = start.model_copy(update={"objective": 1, "instance": "last-week"})
    result = solve_checked(instance, time_limit=0.5, workers=1, warm_start="none")
    started = solve(instance, SolveSettings(time_limit=0.5, workers=1), start_from=stale)
    assert started.found and started.objective is not None
    assert started.objective <= (start.objective or 0)
    report = check(instance, started.schedule)
    assert report.ok and report.objective == started.objective
    assert result.status in ("feasible", "optimal", "unknown")


def test_cli_warm_start_options(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    runner = CliRunner()
    small = str(instance_path("small"))
    res = runner.invoke(main, ["solve", small, "-o", str(first), "--time-limit", "2",
                               "--workers", "1", "--warm-start", "none"])  # fmt: skip
    assert res.exit_code in (0, 1), res.output
    greedy = greedy_schedule(load("small")).schedule
    assert greedy is not None
    (tmp_path / "start.json").write_text(to_json(greedy))
    res = runner.invoke(main, ["solve", small, "-o", str(second), "--time-limit", "1",
                               "--workers", "1", "--start-from", str(tmp_path / "start.json")])  # fmt: skip
    assert res.exit_code == 0, res.output
    written = load_schedule(second)
    assert written.objective is not None and written.objective <= (greedy.objective or 0)
    res = runner.invoke(main, ["solve", small, "-o", str(second), "--start-from", str(tmp_path / "nope.json")])  # fmt: skip
    assert res.exit_code == 2 and "nope.json" in res.output
