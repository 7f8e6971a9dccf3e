"""The time limit is the budget of the whole solve (scheduler.budget): the greedy, the
model and the diagnosis stop at their checkpoints when it is spent, the read-back's
helper solves fall back, and nothing found in time is status ``unknown`` (exit 1).

Not benchmarks: the wall-clock bounds are generous (a loaded CI machine), the
structure of what comes back is what is asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import ROOT, instance_path, load
from models import ProgramIndex, load_schedule
from scheduler import SolveSettings, check, diagnose, solve
from scheduler.budget import Budget, Stopped
from scheduler.cpsat.model import TimetableModel
from scheduler.cpsat.topics import assign_topics, count_repeats
from scheduler.generate import generate
from scheduler.greedy import greedy_schedule

SPENT = 1e-6  # a budget used up before the first checkpoint


def test_greedy_stops_when_the_budget_is_spent() -> None:
    result = greedy_schedule(load("medium"), budget=Budget(SPENT))
    assert result.schedule is None
    assert result.reason == "stopped: out of time"


def test_model_build_stops_when_the_budget_is_spent() -> None:
    with pytest.raises(Stopped, match="out of time"):
        TimetableModel(load("medium"), aggregate=True, budget=Budget(SPENT))


def test_nothing_found_in_time_is_unknown() -> None:
    started = time.perf_counter()
    result = solve(load("medium"), SolveSettings(time_limit=SPENT, workers=2))
    assert time.perf_counter() - started < 10
    assert result.status == "unknown" and not result.found and not result.interrupted
    assert result.schedule.sessions == [] and result.objective is None


def test_a_multi_site_solve_keeps_to_the_budget() -> None:
    organization, _ = generate(patients=60, sites=2, seed=5)
    started = time.perf_counter()
    result = solve(organization, SolveSettings(time_limit=SPENT, workers=2))
    assert time.perf_counter() - started < 10
    assert result.status == "unknown"
    assert set(result.site_statuses.values()) == {"unknown"}


def test_the_search_gets_what_is_left() -> None:
    """Greedy, model and read-back come out of the limit; the schedule is still checked."""
    started = time.perf_counter()
    result = solve(load("medium"), SolveSettings(time_limit=2.0, workers=2))
    assert time.perf_counter() - started < 15
    assert result.found
    report = check(load("medium"), result.schedule)
    assert report.ok and report.objective == result.objective


def test_deterministic_time_is_the_search_alone() -> None:
    """With --deterministic the wall clock cuts nothing (the result must not depend on
    the machine): a limit smaller than the greedy's time still gives its timetable."""
    settings = SolveSettings(time_limit=SPENT, workers=1, deterministic=True)
    result = solve(load("medium"), settings)
    assert result.status in ("optimal", "feasible")


def test_topics_fall_back_to_fewest_repeats_first_when_out_of_time() -> None:
    """A topic solve cut by the wall clock still gives every session a topic of its type."""
    instance = load("medium")
    sessions = greedy_schedule(instance).schedule.sessions  # type: ignore[union-attr]
    with_topics = [s for s in sessions if s.topic is not None]
    assert with_topics
    for s in with_topics:
        s.topic = None
    index = ProgramIndex(instance)
    assign_topics(index, sessions, wall_limit=SPENT)
    for s in with_topics:
        assert s.topic in index.group_type[s.group_type].topics
    # Chosen session by session for the fewest repeats, not the curriculum's order alone.
    rotation = [s.model_copy() for s in sessions]
    nth: dict[str, int] = defaultdict(int)
    for s in rotation:
        if s.topic is not None:
            topics = index.group_type[s.group_type].topics
            s.topic = topics[nth[s.group_type] % len(topics)]
            nth[s.group_type] += 1
    assert count_repeats(index, sessions) < count_repeats(index, rotation)


def test_diagnosis_keeps_to_its_time_limit() -> None:
    found = diagnose(load("medium"), time_limit=SPENT)
    assert found.verdict == "unknown"
    assert found.seconds < 5


def _cli(*args: str) -> tuple[int, str, str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def test_solve_command_keeps_to_a_small_time_limit(tmp_path: Path) -> None:
    """A 1 s limit on the medium program: back within a few seconds (imports included),
    with a checked schedule (exit 0) or none (status unknown, exit 1); no crash."""
    out = tmp_path / "out.json"
    code, stdout, stderr, seconds = _cli(
        "solve", str(instance_path("medium")), "-o", str(out), "--time-limit", "1"
    )
    assert seconds < 15
    assert "Traceback" not in stderr
    written = json.loads(out.read_text())
    if code == 0:
        assert written["status"] in ("optimal", "feasible")
        report = check(load("medium"), load_schedule(out))
        assert report.ok and report.objective == written["objective"]
    else:
        assert code == 1 and written["status"] == "unknown" and not written["sessions"]


def test_solve_command_out_of_time_is_unknown(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    code, stdout, stderr, _ = _cli(
        "solve", str(instance_path("medium")), "-o", str(out), "--time-limit", str(SPENT)
    )
    assert code == 1, stderr
    assert "Traceback" not in stderr
    assert json.loads(out.read_text())["status"] == "unknown"
    assert f"wrote {out}" in stdout


def test_explain_command_keeps_to_its_time_limit() -> None:
    code, stdout, stderr, seconds = _cli(
        "explain", str(instance_path("medium")), "--time-limit", str(SPENT)
    )
    assert seconds < 15
    assert code == 1, stderr
    assert "no reason found within the time limit" in stdout
