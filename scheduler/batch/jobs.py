"""A batch's jobs: finding and validating the instance files, sharing the cores, and
solving one job (in whatever process runs it)."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from models import (
    InputError,
    load_instance,
    output_problems,
    parse_instance,
    to_json,
)
from models.reading import parse_json
from scheduler.api import ProgressEvent, SolveSettings, solve
from scheduler.check import check
from scheduler.settings import MAX_WORKERS


@dataclass(frozen=True)
class BatchJob:
    """One instance to solve: ``name`` names its outputs (``NAME.schedule.json``)."""

    name: str
    instance_json: str


@dataclass
class JobResult:
    """What one job produced; ``schedule_json`` is None when there is nothing to write."""

    name: str
    status: str
    objective: int | None = None
    best_bound: float | None = None
    gap: float | None = None
    first_seconds: float | None = None
    wall_seconds: float | None = None
    workers: int = 1
    peak_memory_mb: float | None = None  # of the process that ran only this job
    checked: str = "-"  # "ok", "FAIL" (an internal error: not written) or "-" (no schedule)
    interrupted: bool = False
    error: str | None = None
    write_error: str | None = None  # the schedule could not be written (a full disk)
    schedule_json: str | None = field(default=None, repr=False)
    # (elapsed, objective, bound) at each better schedule, for objective-over-time reports.
    trace: list[tuple[float, float, float]] = field(default_factory=list, repr=False)

    def objective_at(self, seconds: float) -> float | None:
        """The best objective the search had found after ``seconds`` (None: none yet)."""
        best = None
        for elapsed, objective, _ in self.trace:
            if elapsed <= seconds:
                best = objective
        return best


def jobs_from_paths(
    paths: Iterable[str], output_dir: Path | None = None
) -> tuple[list[BatchJob], list[str]]:
    """The instance files named, or found in the directories named, validated: a job each.

    Parameters
    ----------
    paths
        Instance files (JSON or ``.xlsx`` workbooks), and directories whose ``*.json``
        files (not ``*.schedule.json``) and ``*.xlsx`` workbooks (not Excel's ``~$``
        lock files) are instances.
    output_dir
        Where the outputs will go: once the inputs are valid, it is created if missing
        and checked (a file can be made there; no output would replace an input).

    Returns
    -------
    tuple[list[BatchJob], list[str]]
        A job per valid file, named after the file; and one line per problem (a missing
        path, a directory without instances, two files of one name, each error of an
        invalid file, each output that cannot be written). Run the jobs only when there
        are no problems.
    """
    files, problems = _instance_files(paths)
    names: dict[str, Path] = {}
    jobs: list[BatchJob] = []
    for f in files:
        name = _job_name(f)
        if name in names:
            problems.append(f"{f}: same name as {names[name]}; outputs would collide")
            continue
        names[name] = f
        try:
            instance = load_instance(f)
        except InputError as err:
            problems += [f"{err.source}: {line}" for line in err.lines]
            continue
        # A workbook travels to the workers as the JSON it converts to (the same instance).
        text = to_json(instance) if _is_workbook(f) else f.read_text(encoding="utf-8")
        jobs.append(BatchJob(name, text))
    if output_dir is not None and not problems:
        problems = _output_dir_problems(output_dir, jobs, files)
    return jobs, problems


def _output_dir_problems(out: Path, jobs: list[BatchJob], inputs: list[Path]) -> list[str]:
    if out.exists() and not out.is_dir():
        return [f"{out}: not a directory"]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        return [f"{out}: cannot create the directory: {err.strerror}"]
    outputs = [out / "summary.csv", *(out / f"{job.name}.schedule.json" for job in jobs)]
    return output_problems(outputs, inputs)


def _is_workbook(path: Path) -> bool:
    return path.suffix.lower() == ".xlsx"


def _job_name(path: Path) -> str:
    """``week.json`` and ``week.xlsx`` -> ``week``; another suffix stays in the name."""
    return path.stem if path.suffix.lower() in (".json", ".xlsx") else path.name


def _instances_in(directory: Path) -> list[Path]:
    """A directory's instance files: ``*.json`` but ``*.schedule.json``, and ``*.xlsx``
    but the ``~$`` files Excel leaves beside an open workbook; sorted."""
    return sorted(
        f
        for f in directory.iterdir()
        if f.is_file()
        and (
            (f.suffix.lower() == ".json" and not f.name.endswith(".schedule.json"))
            or (_is_workbook(f) and not f.name.startswith("~$"))
        )
    )


def _instance_files(paths: Iterable[str]) -> tuple[list[Path], list[str]]:
    """The files named, and each directory's instance files (:func:`_instances_in`)."""
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = _instances_in(path)
            if not found:
                problems.append(f"{raw}: no instance files (*.json, *.xlsx) in this directory")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{raw}: no such file or directory")
    return files, problems


def cores_available() -> int:
    """Cores this process may run on (respects affinity and container CPU sets)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def workers_per_job(cores: int, parallel: int) -> int:
    """CP-SAT workers for each of ``parallel`` simultaneous solves on ``cores`` cores
    (at most ``MAX_WORKERS``)."""
    return min(MAX_WORKERS, max(1, cores // max(1, parallel)))


def share_cores(
    jobs: int, parallel: int | None = None, workers: int | None = None
) -> tuple[int, int]:
    """Jobs run at once (default: one per core) and CP-SAT workers per solve (default: the
    cores divided among the jobs that run at once, at least 1), for ``jobs`` jobs here."""
    parallel = parallel or cores_available()
    return parallel, workers or workers_per_job(cores_available(), min(parallel, jobs))


def run_job(job: BatchJob, settings: SolveSettings, fresh_process: bool = False) -> JobResult:
    """Build, solve and check one instance. Runs in a worker process or on a Dask worker.

    Never raises for a solver outcome: an internal error comes back as ``error``.
    ``fresh_process``: the process ran nothing before, so its peak memory is this job's.
    """
    trace: list[tuple[float, float, float]] = []

    def record(event: ProgressEvent) -> None:
        trace.append((round(event.elapsed, 3), event.objective, event.best_bound))

    instance = parse_instance(parse_json(job.instance_json, job.name), source=job.name)
    try:
        result = solve(instance, settings, on_progress=record)
    except RuntimeError as err:
        return JobResult(job.name, "error", workers=settings.workers, error=str(err))
    out = JobResult(
        name=job.name,
        status=result.status,
        objective=result.objective,
        best_bound=result.best_bound,
        gap=result.gap,
        first_seconds=None
        if result.first_solution_seconds is None
        else round(result.first_solution_seconds, 3),
        wall_seconds=round(result.wall_seconds, 3),
        workers=settings.workers,
        interrupted=result.interrupted,
        trace=trace,
        peak_memory_mb=_peak_memory_mb() if fresh_process else None,
    )
    if result.found:
        report = check(instance, result.schedule)
        if report.ok and report.objective == result.objective:
            out.checked = "ok"
        else:
            out.checked = "FAIL"
            out.error = "; ".join(f"{v.rule}: {v.message}" for v in report.violations[:5]) or (
                f"objective {result.objective} but the checker computes {report.objective}"
            )
            return out  # a schedule the checker rejects is never written
    out.schedule_json = to_json(result.schedule)
    return out


def _peak_memory_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
