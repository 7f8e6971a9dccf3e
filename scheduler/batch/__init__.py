"""Solve many instances at once (sites, weeks, what-if scenarios): in parallel local
processes, or on an existing Dask distributed cluster.

Each job ships the instance's JSON text, not a model: a CP-SAT model does not
pickle, and building it where it is solved costs less than moving it. CP-SAT
ignores OMP_NUM_THREADS and CPU affinity, so each solve's ``workers`` is set to
the cores its job is given; that is how a batch avoids oversubscribing a machine.

``jobs`` finds and solves jobs, ``run`` runs them here or on Dask, ``summary`` reports them.
"""

from scheduler.batch.jobs import (
    BatchJob,
    JobResult,
    cores_available,
    jobs_from_paths,
    run_job,
    share_cores,
    workers_per_job,
)
from scheduler.batch.run import (
    BatchInterrupted,
    run_batch,
    run_dask,
    run_local,
    workers_by_dask_worker,
)
from scheduler.batch.summary import (
    SUMMARY_COLUMNS,
    result_line,
    summary_csv,
    summary_rows,
    summary_table,
)

__all__ = [
    "SUMMARY_COLUMNS",
    "BatchInterrupted",
    "BatchJob",
    "JobResult",
    "cores_available",
    "jobs_from_paths",
    "result_line",
    "run_batch",
    "run_dask",
    "run_job",
    "run_local",
    "share_cores",
    "summary_csv",
    "summary_rows",
    "summary_table",
    "workers_by_dask_worker",
    "workers_per_job",
]
