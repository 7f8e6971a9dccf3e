"""Running a batch's jobs: in fresh local processes or on a Dask cluster, each schedule
written as it finishes; Ctrl-C keeps what finished."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path
from typing import Any

from models import (
    OutputError,
    write_text_atomic,
)
from scheduler.api import SolveSettings
from scheduler.batch.jobs import BatchJob, JobResult, cores_available, run_job, workers_per_job
from scheduler.interrupt import Interrupted


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
