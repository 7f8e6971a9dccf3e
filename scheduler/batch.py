"""Solve many instances at once (sites, weeks, what-if scenarios): in parallel local
processes, or on an existing Dask distributed cluster.

Each job ships the instance's JSON text, not a model: a CP-SAT model does not
pickle, and building it where it is solved costs less than moving it. CP-SAT
ignores OMP_NUM_THREADS and CPU affinity, so each solve's ``workers`` is set to
the cores its job is given; that is how a batch avoids oversubscribing a machine.
"""

from __future__ import annotations

import csv
import io
import os
import resource
import signal
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from models import (
    InputError,
    OutputError,
    load_instance,
    output_problems,
    parse_instance,
    to_json,
    write_text_atomic,
)
from models.reading import parse_json
from models.text import printable
from scheduler.api import ProgressEvent, SolveSettings, solve
from scheduler.check import check
from scheduler.interrupt import Interrupted
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
        Instance files, and directories whose ``*.json`` files (not ``*.schedule.json``)
        are instances.
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
        name = f.name.removesuffix(".json")
        if name in names:
            problems.append(f"{f}: same name as {names[name]}; outputs would collide")
            continue
        names[name] = f
        try:
            load_instance(f)
        except InputError as err:
            problems += [f"{err.source}: {line}" for line in err.lines]
            continue
        jobs.append(BatchJob(name, f.read_text(encoding="utf-8")))
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


def _instance_files(paths: Iterable[str]) -> tuple[list[Path], list[str]]:
    """The files named, and each directory's ``*.json`` but ``*.schedule.json``, sorted."""
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(f for f in path.glob("*.json") if not f.name.endswith(".schedule.json"))
            if not found:
                problems.append(f"{raw}: no instance files (*.json) in this directory")
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


def _ignore_sigint() -> None:
    """Worker processes ignore Ctrl-C between jobs instead of dying with a traceback; during
    a solve, its owner of SIGINT (``scheduler.interrupt``) ends the search and returns the
    best schedule.

    They start with SIGINT blocked (see ``run_local``), so a Ctrl-C during their
    start-up stays pending until it is ignored here.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _run_in_fresh_process(job: BatchJob, settings: SolveSettings) -> JobResult:
    return run_job(job, settings, fresh_process=True)


def run_local(
    jobs: Sequence[BatchJob],
    settings: SolveSettings,
    parallel: int,
    on_result: Callable[[JobResult], None] | None = None,
) -> list[JobResult]:
    """Run ``jobs`` in ``parallel`` processes, one fresh process per job, in completion order.

    On Ctrl-C the running solves stop and return their best schedule; jobs not yet
    started are skipped and come back with status ``skipped``.
    """
    # Ctrl-C stops the batch (KeyboardInterrupt below) even where this process was started
    # with SIGINT ignored, as a script's background job is, which Python then keeps: the
    # workers stopped their searches but the batch went on and exited 0.
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return _run_pool(jobs, settings, parallel, on_result)
    finally:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, previous)


def _run_pool(
    jobs: Sequence[BatchJob],
    settings: SolveSettings,
    parallel: int,
    on_result: Callable[[JobResult], None] | None,
) -> list[JobResult]:
    """``run_local``'s pool, its Ctrl-C and its results."""
    results: list[JobResult] = []
    # The pool's processes (started by this thread and by the pool's manager thread, which
    # inherits this thread's signal mask) start with SIGINT blocked; see _ignore_sigint.
    unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pool = ProcessPoolExecutor(
            max_workers=max(1, min(parallel, len(jobs))),
            max_tasks_per_child=1,  # a fresh process: peak memory per job, memory returned
            initializer=_ignore_sigint,
        )
        futures: dict[Future[JobResult], BatchJob] = {
            pool.submit(_run_in_fresh_process, job, settings): job for job in jobs
        }
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
    try:
        _collect(futures, results, on_result)
    except KeyboardInterrupt:
        for fut in futures:
            fut.cancel()  # only the ones not started
        _collect(
            {f: j for f, j in futures.items() if not f.cancelled()},
            results,
            on_result,
            done={r.name for r in results},
        )
        results += [JobResult(j.name, "skipped") for f, j in futures.items() if f.cancelled()]
        raise BatchInterrupted(results) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results


class BatchInterrupted(Exception):
    """Ctrl-C during a batch; ``results`` holds what finished (and what was skipped)."""

    def __init__(self, results: list[JobResult]) -> None:
        super().__init__("interrupted")
        self.results = results


def _collect(
    futures: Mapping[Future[JobResult], BatchJob],
    results: list[JobResult],
    on_result: Callable[[JobResult], None] | None,
    done: set[str] | None = None,
) -> None:
    for fut in as_completed(futures):
        job = futures[fut]
        if done is not None and job.name in done:
            continue
        try:
            res = fut.result()
        except Interrupted:  # a second Ctrl-C in the worker: its solve gave up
            res = JobResult(job.name, "unknown", interrupted=True)
        except Exception as err:  # a crashed worker process: report it, keep the batch going
            res = JobResult(job.name, "error", error=f"{type(err).__name__}: {err}")
        results.append(res)
        if on_result is not None:
            on_result(res)


def run_dask(
    jobs: Sequence[BatchJob],
    settings: SolveSettings,
    address: str,
    on_result: Callable[[JobResult], None] | None = None,
    workers: int | None = None,
) -> list[JobResult]:
    """Run ``jobs`` on the Dask distributed cluster at ``address`` (the ``dask`` extra).

    Each Dask worker runs as many jobs at once as it has threads; a job's CP-SAT
    workers are that worker's host cores divided among all worker threads on the
    host, unless ``workers`` is given.
    """
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as err:  # pragma: no cover - depends on the installed extras
        raise RuntimeError(
            "the dask executor needs the 'dask' extra: pip install 'iop-scheduler[dask]'"
        ) from err

    results: list[JobResult] = []
    with Client(address, timeout="10s") as client:
        cores = workers_by_dask_worker(client) if workers is None else None
        futures = {
            client.submit(
                _run_on_dask_worker,
                job,
                settings,
                cores,
                workers,
                pure=False,
                key=f"solve-{job.name}",
            ): job
            for job in jobs
        }
        for fut in dask_completed(futures):
            job = futures[fut]
            try:
                res = fut.result()
            except Exception as err:
                res = JobResult(job.name, "error", error=f"{type(err).__name__}: {err}")
            results.append(res)
            if on_result is not None:
                on_result(res)
    return results


def run_batch(
    jobs: Sequence[BatchJob],
    settings: SolveSettings,
    output_dir: Path,
    parallel: int,
    address: str | None = None,
    on_result: Callable[[JobResult], None] | None = None,
    workers: int | None = None,
) -> tuple[list[JobResult], bool]:
    """Run ``jobs`` and write each schedule to ``output_dir/NAME.schedule.json`` as it finishes.

    Parameters
    ----------
    jobs, settings
        As for :func:`run_local`.
    output_dir
        An existing directory.
    parallel
        Jobs at once in local processes (without ``address``).
    address
        A Dask scheduler's address: run the jobs on that cluster (:func:`run_dask`).
    on_result
        Called with each result once its schedule is written.
    workers
        CP-SAT workers per solve on Dask (see :func:`run_dask`).

    Returns
    -------
    tuple[list[JobResult], bool]
        The results in completion order; and whether Ctrl-C stopped the batch (running
        solves then wrote their best schedule, jobs not yet started are ``skipped``).
    """

    def write(r: JobResult) -> None:
        if r.schedule_json is not None:
            try:
                write_text_atomic(output_dir / f"{r.name}.schedule.json", r.schedule_json)
            except OutputError as err:  # the others may still fit: go on, report it
                r.write_error, r.schedule_json = str(err), None
        if on_result is not None:
            on_result(r)

    try:
        if address is not None:
            return run_dask(jobs, settings, address, write, workers), False
        return run_local(jobs, settings, parallel, write), False
    except BatchInterrupted as stop:
        return stop.results, True


def workers_by_dask_worker(client: Any) -> dict[str, int]:
    """Dask worker address -> CP-SAT workers per job: its host's cores shared by every
    thread of every Dask worker on that host."""
    info = client.scheduler_info()["workers"]
    host_cores: dict[str, int] = client.run(cores_available)
    threads_on_host: dict[str, int] = {}
    for w in info.values():
        threads_on_host[w["host"]] = threads_on_host.get(w["host"], 0) + w["nthreads"]
    return {
        addr: workers_per_job(host_cores.get(addr, 1), threads_on_host[w["host"]])
        for addr, w in info.items()
    }


def _run_on_dask_worker(
    job: BatchJob, settings: SolveSettings, cores: dict[str, int] | None, workers: int | None
) -> JobResult:
    from distributed import get_worker  # the optional dask extra, as in run_dask

    count = workers if workers is not None else (cores or {}).get(get_worker().address, 1)
    # A Dask worker's thread is not the main thread and must keep its own SIGINT handling.
    params = {**settings.parameters, "catch_sigint_signal": False}
    return run_job(job, replace(settings, workers=count, parameters=params))


SUMMARY_COLUMNS = [
    "instance",
    "status",
    "objective",
    "best_bound",
    "gap_pct",
    "first_s",
    "wall_s",
    "workers",
    "peak_mb",
    "checked",
    "note",
]


def summary_rows(results: Iterable[JobResult]) -> list[dict[str, str]]:
    """One row of text per job, for the table and the CSV."""
    rows = []
    for r in sorted(results, key=lambda r: r.name):
        note = r.error or r.write_error or ("interrupted" if r.interrupted else "")
        rows.append(
            {
                "instance": r.name,
                "status": r.status,
                "objective": _fmt(r.objective),
                "best_bound": _fmt(r.best_bound),
                "gap_pct": _fmt(None if r.gap is None else round(100 * r.gap, 2)),
                "first_s": _fmt(r.first_seconds),
                "wall_s": _fmt(r.wall_seconds),
                "workers": str(r.workers),
                "peak_mb": _fmt(r.peak_memory_mb),
                "checked": r.checked,
                "note": note,
            }
        )
    return rows


def result_line(r: JobResult) -> str:
    """One line as a job finishes: name, status, objective and gap, and any error."""
    figures = f"objective {r.objective}, gap {100 * r.gap:.1f} %" if r.gap is not None else ""
    problem = r.error or r.write_error
    return printable(
        f"{r.name}: {r.status} {figures}".rstrip() + (f" ({problem})" if problem else "")
    )


def summary_table(results: Iterable[JobResult]) -> str:
    """An aligned text table, one line per job (names and notes :func:`printable`)."""
    rows = [{c: printable(text) for c, text in r.items()} for r in summary_rows(results)]
    widths = {c: max([len(c)] + [len(r[c]) for r in rows]) for c in SUMMARY_COLUMNS}
    lines = ["  ".join(c.ljust(widths[c]) for c in SUMMARY_COLUMNS).rstrip()]
    lines += ["  ".join(r[c].ljust(widths[c]) for c in SUMMARY_COLUMNS).rstrip() for r in rows]
    return "\n".join(lines)


def summary_csv(results: Iterable[JobResult]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(summary_rows(results))
    return buf.getvalue()


def _fmt(x: float | int | None) -> str:
    if x is None:
        return "-"
    return f"{x:g}" if isinstance(x, float) else str(x)
