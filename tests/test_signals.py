"""Ctrl-C does what the README says, with real SIGINTs to a real ``solve`` process.

The promise (scheduler.interrupt, README "Ctrl-C"): the first press ends the solve
early and the best checked schedule so far is written (exit 0), or, when there is none
yet, nothing is written (exit 130); a second press before the written file is in place
gives exit 130 with the old file untouched; never a traceback or an abort. Each
scenario runs ``solve`` on the medium instance with a long time limit and presses at
a moment found from the process itself (its signal mask, its --log-json), not by
sleeping a guessed time; the outcomes that depend on timing are each checked whole.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, instance_path, load
from models import load_schedule
from scheduler import check
from scheduler.interrupt import CtrlC, Interrupted, quiet_solver, run_search

OLD = b'{"old": "schedule"}\n'
OLD_MTIME = 1_000_000_000  # 2001: any write changes it
linux_only = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="reads the process's signal mask in /proc"
)


def _default_sigint() -> None:
    # The child starts as a foreground command would, even if this test run ignores SIGINT.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Solve:
    """``solve`` on the medium instance in a subprocess, over an existing output file."""

    def __init__(self, tmp_path: Path) -> None:
        self.out, self.log = tmp_path / "out.json", tmp_path / "log.jsonl"
        self.out.write_bytes(OLD)
        os.utime(self.out, (OLD_MTIME, OLD_MTIME))
        command = [
            sys.executable, "-c", "from cli import main; main()",
            "solve", str(instance_path("medium")), "-o", str(self.out),
            "--time-limit", "120", "--workers", "2", "--log-json", str(self.log),
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=_default_sigint,
        )
        self.deadline = time.monotonic() + 60

    def wait_until(self, ready: object) -> None:
        while not ready():  # type: ignore[operator]
            assert self.proc.poll() is None, self.proc.communicate()
            assert time.monotonic() < self.deadline, "the moment never came"
            time.sleep(0.002)

    def _sigint_in(self, *fields: str) -> bool:
        """Whether SIGINT is in any of these signal masks of /proc/PID/status."""
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return False
        masks = [line.split()[1] for line in status.splitlines() if line.split(":")[0] in fields]
        return any(int(mask, 16) & (1 << (signal.SIGINT - 1)) for mask in masks)

    def holding_sigint(self) -> bool:
        """Whether the command holds SIGINT (blocked while it loads: see cli.main)."""
        return self._sigint_in("SigBlk")

    def press(self, again_after: float | None = None) -> None:
        """Ctrl-C; with ``again_after``, a second one that long after the first reached the
        process (two signals sent before the first is taken are one for any program)."""
        self.proc.send_signal(signal.SIGINT)
        if again_after is None:
            return
        if Path("/proc/self/status").exists():
            self.wait_until(lambda: not self._sigint_in("SigPnd", "ShdPnd"))
        time.sleep(again_after)
        self.proc.send_signal(signal.SIGINT)

    def first_event(self) -> dict[str, object] | None:
        """The first progress record (the greedy's timetable), once written."""
        if not self.log.exists():
            return None
        lines = self.log.read_text().splitlines()
        return json.loads(lines[0]) if lines and lines[0].endswith("}") else None

    def outcome(self) -> tuple[int, str]:
        """Wait for the end; check what every outcome must satisfy; return (code, stdout)."""
        try:
            stdout, stderr = self.proc.communicate(timeout=60)
        finally:
            self.proc.kill()
        for word in ("Traceback", "terminate called", "Aborted"):
            assert word not in stderr, stderr
        code = self.proc.returncode
        assert code in (0, 130), (code, stderr)
        leftovers = [f.name for f in self.out.parent.iterdir() if f.name.startswith(".out.json")]
        assert leftovers == [], "a temporary file was left behind"
        if code == 130:  # nothing written: the old file, byte for byte and untouched
            assert "interrupted: nothing written" in stderr
            assert self.out.read_bytes() == OLD
            assert self.out.stat().st_mtime == OLD_MTIME
        else:  # a complete schedule, which the checker accepts
            assert f"wrote {self.out}" in stdout
            sched = json.loads(self.out.read_text())
            assert sched["status"] in ("optimal", "feasible") and sched["sessions"]
            report = check(load("medium"), load_schedule(self.out))
            assert report.ok and report.objective == sched["objective"]
        return code, stdout


@linux_only
@pytest.mark.parametrize("run", range(2))
def test_ctrl_c_while_loading_writes_nothing(tmp_path: Path, run: int) -> None:
    """Held while the command loads, the press counts once Ctrl-C has its owner: the solve
    ends before any schedule exists, so nothing is written (exit 130)."""
    solve = Solve(tmp_path)
    solve.wait_until(solve.holding_sigint)
    solve.press()
    code, _ = solve.outcome()
    assert code == 130


@linux_only
def test_ctrl_c_during_the_greedy_keeps_it_or_writes_nothing(tmp_path: Path) -> None:
    """The moment the owner takes SIGINT the greedy starts: a press then stops it (nothing
    to keep: exit 130) or, if it had just finished, keeps its timetable (exit 0)."""
    solve = Solve(tmp_path)
    solve.wait_until(solve.holding_sigint)
    solve.wait_until(lambda: not solve.holding_sigint())
    solve.press()
    solve.outcome()


def test_ctrl_c_while_the_model_is_built_writes_the_greedy_timetable(tmp_path: Path) -> None:
    """Right after the greedy's timetable is reported the model is being built: a press
    ends the solve there, and that timetable is checked and written (exit 0)."""
    solve = Solve(tmp_path)
    solve.wait_until(solve.first_event)
    solve.press()
    code, stdout = solve.outcome()
    assert code == 0
    assert "interrupted (Ctrl-C)" in stdout


@pytest.mark.parametrize("gap_ms", [0, 0, 20, 20, 50, 50, 100, 100, 200, 200])
def test_second_ctrl_c_during_the_search_writes_nothing(tmp_path: Path, gap_ms: int) -> None:
    """Two presses during the search, ``gap_ms`` apart: 130 and the old file untouched,
    unless the written file was already in place (then it stands, exit 0)."""
    solve = Solve(tmp_path)
    solve.wait_until(solve.first_event)
    time.sleep(1.0)  # the medium model takes about 0.3 s: the search is under way
    solve.press(again_after=gap_ms / 1000)
    code, _ = solve.outcome()
    if gap_ms <= 20:  # stopping the search, the read-back and the check take longer
        assert code == 130


def test_owner_counts_presses_and_gives_up_once() -> None:
    """In-process: the first press is only counted, the second raises Interrupted once,
    later ones are counted; after the owner, the previous handler is back."""
    before = signal.getsignal(signal.SIGINT)
    with CtrlC() as ctrl_c:
        signal.raise_signal(signal.SIGINT)
        assert ctrl_c.presses == 1
        with pytest.raises(Interrupted):
            signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)
        assert ctrl_c.presses == 3
    assert signal.getsignal(signal.SIGINT) is before


def test_owner_writes_nothing_after_a_second_press(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_bytes(OLD)
    with CtrlC() as ctrl_c:
        signal.raise_signal(signal.SIGINT)
        with pytest.raises(Interrupted):
            signal.raise_signal(signal.SIGINT)
        with pytest.raises(Interrupted):  # the press was seen: the write is refused
            ctrl_c.write(out, "{}")
    assert out.read_bytes() == OLD


def test_a_written_file_stands_and_later_presses_are_ignored(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    with CtrlC() as ctrl_c:
        ctrl_c.write(out, "{}\n")
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)  # no Interrupted: the write is done
    assert out.read_text() == "{}\n"
    # The command only prints and exits now: presses stay ignored (also at shutdown).
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_a_press_just_after_the_temporary_file_is_made_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second press can land between the temporary file's creation and the code that
    would remove it: the write knew its name before making it and removes it; the old
    file is untouched."""
    out = tmp_path / "out.json"
    out.write_bytes(OLD)
    real = os.open

    def made_then_pressed(file: Any, flags: int, mode: int = 0o777) -> int:
        fd = real(file, flags, mode)
        if str(file).endswith(".tmp"):
            os.close(fd)
            raise Interrupted  # as the handler would, before the descriptor is returned
        return fd

    monkeypatch.setattr(os, "open", made_then_pressed)
    with CtrlC() as ctrl_c, pytest.raises(Interrupted):
        ctrl_c.write(out, "{}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
    assert out.read_bytes() == OLD


def test_a_press_just_after_the_rename_lets_the_write_stand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.json"
    out.write_bytes(OLD)
    real = os.replace

    def renamed_then_pressed(src: str, dst: str) -> None:
        real(src, dst)
        raise Interrupted

    monkeypatch.setattr(os, "replace", renamed_then_pressed)
    with CtrlC() as ctrl_c:
        ctrl_c.write(out, "{}\n")  # no Interrupted: the file was already in place
        assert ctrl_c.written
    assert out.read_text() == "{}\n"


def test_solves_leave_sigint_to_python(tmp_path: Path) -> None:
    """Every CP-SAT solve here leaves SIGINT alone: with CP-SAT's own handler, a solve
    reset it to the default action (death) once done, and a press that reached one of its
    worker threads aborted the process (std::bad_function_call)."""
    code = (
        "import os, signal\n"
        "from conftest import load\n"
        "from scheduler import diagnose, solve, SolveSettings\n"
        "seen = []\n"
        "signal.signal(signal.SIGINT, lambda *_: seen.append(1))\n"
        "solve(load('small'), SolveSettings(time_limit=2, workers=2))\n"
        "diagnose(load('small'), time_limit=5)\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "print('alive', len(seen))\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "alive 1"


def test_run_search_stops_when_asked() -> None:
    """A search with a minute to run stops soon after ``stop()`` turns true."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    xs = [model.new_int_var(0, 50, f"x{i}") for i in range(60)]
    for i in range(59):
        model.add(xs[i] != xs[i + 1])
    model.add_all_different(xs[:40])
    model.maximize(sum((i % 7 + 1) * x for i, x in enumerate(xs)) - 3 * sum(xs[::3]))
    solver = quiet_solver()
    solver.parameters.max_time_in_seconds = 60
    solver.parameters.num_workers = 2
    started = time.monotonic()
    run_search(solver, model, stop=lambda: time.monotonic() - started > 0.3)
    assert time.monotonic() - started < 10
