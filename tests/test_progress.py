"""Live progress: ``solve(on_progress=...)``, ``solve --log-json``, quiet off a terminal."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from cli import main
from conftest import instance_path, load
from models import load_schedule
from scheduler import ProgressEvent, SolveSettings, check, solve
from scheduler.generate import generate
from scheduler.views import progress_line


def test_library_reports_each_better_schedule() -> None:
    events: list[ProgressEvent] = []
    result = solve(load("small"), SolveSettings(time_limit=3, workers=2), on_progress=events.append)

    assert events, "a schedule was found, so at least one event"
    # Counted among all schedules found; only better ones are reported.
    assert all(a.solutions < b.solutions for a, b in zip(events, events[1:]))
    assert events[0].solutions == 1
    assert all(a.elapsed <= b.elapsed for a, b in zip(events, events[1:]))
    # Minimizing: each schedule is better than the last, by the objective it is written
    # with (the search's weeks read back while it runs: scheduler.progress), so the last
    # event is the schedule written.
    assert all(a.objective > b.objective for a, b in zip(events, events[1:]))
    assert events[-1].objective == result.objective
    assert result.first_solution_seconds == events[0].elapsed
    assert all(e.best_bound <= e.objective for e in events)


def test_progress_reports_objectives_of_checked_weeks() -> None:
    # On a program with cohorts the search's own objective is far below the written one
    # (no peers term, bounds of the room and primary terms); the events must not be.
    inst, _ = generate(40, seed=3)
    events: list[ProgressEvent] = []
    result = solve(inst, SolveSettings(time_limit=15, workers=2), on_progress=events.append)
    report = check(inst, result.schedule)
    assert report.ok and report.objective == result.objective
    assert len(events) >= 2  # the greedy's week, then the search's
    assert min(e.objective for e in events) == events[-1].objective == result.objective


def test_log_json_writes_events_then_done(tmp_path: Path) -> None:
    out, log = tmp_path / "out.json", tmp_path / "log.jsonl"
    result = CliRunner().invoke(
        main,
        [
            "solve", str(instance_path("small")), "-o", str(out),
            "--time-limit", "3", "--workers", "2", "--log-json", str(log),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in log.read_text().splitlines()]
    *events, done = records
    assert events and {r["event"] for r in events} == {"solution"}
    assert set(events[0]) == {"event", "elapsed", "objective", "best_bound", "gap", "solutions"}
    written = json.loads(out.read_text())
    assert done == {
        "event": "done",
        "status": written["status"],
        "objective": written["objective"],
        "best_bound": written["best_bound"],
        "interrupted": False,
    }


def test_no_progress_off_a_terminal(tmp_path: Path) -> None:
    # CliRunner's streams are not terminals: no carriage-return progress lines.
    result = CliRunner().invoke(
        main, ["solve", str(instance_path("tiny")), "-o", str(tmp_path / "o.json")]
    )
    assert result.exit_code == 0
    assert "\r" not in result.output


def test_progress_line() -> None:
    event = ProgressEvent(elapsed=12.34, objective=9770, best_bound=3979, solutions=5)
    assert progress_line(event) == "   12.3 s  objective 9770  bound 3979  gap 59.3 %"


def test_ctrl_c_writes_the_best_schedule_so_far_checked(tmp_path: Path) -> None:
    """SIGINT during the search ends it; the best schedule is checked and written, exit 0."""
    out, log = tmp_path / "out.json", tmp_path / "log.jsonl"
    command = [
        sys.executable, "-c", "from cli import main; main()",
        "solve", str(instance_path("medium")), "-o", str(out),
        "--time-limit", "120", "--workers", "2", "--log-json", str(log),
    ]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while not (log.exists() and log.read_text().strip()):  # the first schedule
            assert proc.poll() is None and time.monotonic() < deadline, "no schedule in time"
            time.sleep(0.2)
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert time.monotonic() - started < 30, "the search kept going after Ctrl-C"
    assert proc.returncode == 0, stderr
    assert "interrupted" in stdout
    sched = json.loads(out.read_text())
    assert sched["status"] == "feasible" and sched["sessions"]
    done = json.loads(log.read_text().splitlines()[-1])
    assert done["event"] == "done" and done["interrupted"] is True
    # The CLI already checks before writing; check again, independently.
    report = check(load("medium"), load_schedule(out))
    assert report.ok and report.objective == sched["objective"]
