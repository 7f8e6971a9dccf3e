"""``iop-scheduler batch``: many instances in parallel processes or on a Dask cluster."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from conftest import instance_path, load
from models import load_schedule
from scheduler import check
from scheduler.batch import (
    BatchJob,
    JobResult,
    cores_available,
    run_local,
    summary_table,
    workers_per_job,
)
from scheduler.settings import SolveSettings


def batch(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["batch", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def rows(outdir: Path) -> dict[str, dict[str, str]]:
    with (outdir / "summary.csv").open() as fh:
        return {r["instance"]: r for r in csv.DictReader(fh)}


def copy_instances(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in names:
        shutil.copy(instance_path(name), folder / f"{name}.json")
    return folder


def test_batch_directory_writes_checked_schedules_and_summary(tmp_path: Path) -> None:
    folder = copy_instances(tmp_path, "tiny", "infeasible")
    out = tmp_path / "out"
    code, stdout, _ = batch(folder, "-o", out, "--time-limit", "10", "--jobs", "2")

    # One instance has no timetable (the bundled infeasible one): exit 1, as solve.
    assert code == 1
    table = rows(out)
    assert set(table) == {"tiny", "infeasible"}
    assert table["tiny"]["status"] == "optimal" and table["tiny"]["objective"] == "480"
    assert table["tiny"]["checked"] == "ok"
    assert table["infeasible"]["status"] == "infeasible"
    assert float(table["tiny"]["peak_mb"]) > 0  # measured in the job's own process
    # The printed table has the same rows.
    assert "instance" in stdout and "tiny" in stdout and "infeasible" in stdout
    sched = load_schedule(out / "tiny.schedule.json")
    report = check(load("tiny"), sched)
    assert report.ok and report.objective == 480
    assert load_schedule(out / "infeasible.schedule.json").status == "infeasible"


def test_batch_files_all_found_exit_0(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, _ = batch(instance_path("tiny"), "-o", out, "--time-limit", "5")
    assert code == 0
    assert rows(out)["tiny"]["status"] == "optimal"


def test_batch_bad_input_runs_nothing(tmp_path: Path) -> None:
    folder = copy_instances(tmp_path, "tiny")
    (folder / "broken.json").write_text('{"format_version": 1, "name": "x"}')
    out = tmp_path / "out"
    code, _, stderr = batch(folder, tmp_path / "missing.json", "-o", out)
    assert code == 2
    lines = stderr.strip().splitlines()
    assert any("broken.json" in line for line in lines)
    assert any("missing.json: no such file or directory" in line for line in lines)
    assert not out.exists(), "nothing is written when any input is bad"


def test_batch_duplicate_names_are_bad_input(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    shutil.copy(instance_path("tiny"), a / "tiny.json")
    shutil.copy(instance_path("tiny"), b / "tiny.json")
    code, _, stderr = batch(a, b, "-o", tmp_path / "out")
    assert code == 2 and "outputs would collide" in stderr


def test_batch_dask_without_scheduler_is_bad_input(tmp_path: Path) -> None:
    code, _, stderr = batch(instance_path("tiny"), "-o", tmp_path / "o", "--executor", "dask")
    assert code == 2 and "--scheduler" in stderr


@pytest.mark.parametrize(
    ("cores", "parallel", "expected"), [(2, 1, 2), (2, 2, 1), (2, 8, 1), (16, 4, 4), (3, 2, 1)]
)
def test_workers_per_job_never_oversubscribes(cores: int, parallel: int, expected: int) -> None:
    per_job = workers_per_job(cores, parallel)
    assert per_job == expected
    assert per_job * parallel <= cores or per_job == 1


def test_run_local_library_api() -> None:
    jobs = [BatchJob("tiny", instance_path("tiny").read_text())]
    seen: list[JobResult] = []
    results = run_local(
        jobs, SolveSettings(time_limit=5, workers=1), parallel=2, on_result=seen.append
    )
    assert seen == results
    (r,) = results
    assert (r.status, r.objective, r.checked, r.workers) == ("optimal", 480, "ok", 1)
    assert r.objective_at(0.0) is None or r.objective_at(0.0) >= 480
    assert r.objective_at(1e9) == 480
    assert "tiny" in summary_table(results)


def test_batch_ctrl_c_keeps_finished_and_best_schedules(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops the running
    solves, which write their best schedule; the summary is written; exit 130."""
    folder = copy_instances(tmp_path, "tiny", "medium")
    out = tmp_path / "out"
    command = [
        sys.executable, "-c", "from cli import main; main()", "batch", str(folder),
        "-o", str(out), "--time-limit", "300", "--jobs", "2",
    ]  # fmt: skip
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while not (out / "tiny.schedule.json").exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr
            time.sleep(0.2)
        time.sleep(3)  # medium's search is under way
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    table = rows(out)
    assert table["tiny"]["status"] == "optimal"
    medium = table["medium"]
    assert medium["status"] in ("feasible", "unknown")
    if medium["status"] == "feasible":
        assert medium["checked"] == "ok" and medium["note"] == "interrupted"
        report = check(load("medium"), load_schedule(out / "medium.schedule.json"))
        assert report.ok


def test_batch_on_a_local_dask_cluster(tmp_path: Path) -> None:
    """--executor dask ships each instance's data to the cluster's workers and solves there,
    each solve with the cores its worker thread is given."""
    distributed = pytest.importorskip("distributed")
    folder = copy_instances(tmp_path, "tiny", "infeasible")
    out = tmp_path / "out"
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        code, _, stderr = batch(
            folder, "-o", out, "--time-limit", "10",
            "--executor", "dask", "--scheduler", cluster.scheduler_address,
        )  # fmt: skip
    assert code == 1, stderr  # the infeasible instance has no timetable
    table = rows(out)
    assert table["tiny"]["status"] == "optimal" and table["tiny"]["checked"] == "ok"
    assert table["infeasible"]["status"] == "infeasible"
    # Two single-threaded workers on this host share its cores.
    expected = workers_per_job(cores_available(), 2)
    assert {table["tiny"]["workers"], table["infeasible"]["workers"]} == {str(expected)}
    report = check(load("tiny"), load_schedule(out / "tiny.schedule.json"))
    assert report.ok and report.objective == 480


def test_batch_dask_unreachable_scheduler_is_reported(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    code, _, stderr = batch(
        instance_path("tiny"), "-o", tmp_path / "o", "--time-limit", "1",
        "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9",
    )  # fmt: skip
    assert code == 2
    assert "cannot reach tcp://127.0.0.1:9" in stderr
