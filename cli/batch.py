"""``iop-scheduler batch``: many instances at once, locally or on a Dask cluster."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from cli.common import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NO_SCHEDULE,
    EXIT_OK,
    bad_input,
)
from cli.options import (
    POSITIVE,
    formulation_option,
    gap_option,
    seed_option,
    time_limit_option,
    warm_start_option,
)
from models import write_text_atomic


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=False))
@click.option(
    "-o",
    "--output-dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Where to write NAME.schedule.json per instance and summary.csv (created if missing).",
)
@click.option(
    "--jobs", type=POSITIVE, help="Instances solved at once (default: the number of cores)."
)
@click.option(
    "--workers",
    type=POSITIVE,
    help="CP-SAT workers per solve (default: the cores divided among the jobs, at least 1).",
)
@time_limit_option
@seed_option
@gap_option
@formulation_option
@warm_start_option
@click.option("--best-effort", is_flag=True, help="As for solve: shortfalls instead of failure.")
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    help="local: parallel processes here; dask: an existing Dask cluster (the 'dask' extra).",
)
@click.option(
    "--scheduler",
    "scheduler_address",
    help="Address of the Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask).",
)
@click.option("--quiet", is_flag=True, help="No line per finished instance; only the table.")
def batch(
    paths: tuple[str, ...],
    output_dir: str,
    jobs: int | None,
    workers: int | None,
    executor: str,
    scheduler_address: str | None,
    quiet: bool,
    **search: Any,  # the other options are fields of SolveSettings, by name
) -> None:
    """Solve many instances (files, or every *.json in a directory) and write a summary.

    Each schedule is checked and written to OUTPUT_DIR/NAME.schedule.json as it
    finishes; summary.csv and the printed table list every instance. All inputs are
    validated first: any bad file is reported (one line per problem) and nothing
    runs (exit 2). Exit 0 when every instance got a schedule, 1 when some did not,
    3 on an internal error, 130 after Ctrl-C (running solves stop and write their
    best schedule; instances not yet started are skipped).
    """
    # Before the input is checked, unlike the other commands: scheduler.batch checks it.
    from scheduler.batch import (
        jobs_from_paths,
        result_line,
        run_batch,
        share_cores,
        summary_csv,
        summary_table,
    )
    from scheduler.settings import SolveSettings

    if executor == "dask" and not scheduler_address:
        bad_input("--scheduler: the dask executor needs the scheduler's address")
    batch_jobs, problems = jobs_from_paths(paths)
    if problems:
        bad_input(*problems)
    out = Path(output_dir)
    if out.exists() and not out.is_dir():
        bad_input(f"{output_dir}: not a directory")
    out.mkdir(parents=True, exist_ok=True)

    parallel, per_solve = share_cores(len(batch_jobs), jobs, workers)
    settings = SolveSettings(workers=per_solve, **search)

    address = scheduler_address if executor == "dask" else None
    say = None if quiet else lambda r: click.echo(result_line(r))  # as each instance finishes
    try:
        results, interrupted = run_batch(batch_jobs, settings, out, parallel, address, say, workers)
    except (OSError, TimeoutError) as err:  # the Dask scheduler cannot be reached
        bad_input(f"--scheduler: cannot reach {scheduler_address}: {err}")
    write_text_atomic(out / "summary.csv", summary_csv(results))
    click.echo(summary_table(results))
    click.echo(f"wrote {len(results)} rows to {out / 'summary.csv'}")
    if interrupted:
        sys.exit(EXIT_INTERRUPTED)
    if any(r.checked == "FAIL" or r.status == "error" for r in results):
        sys.exit(EXIT_INTERNAL)
    found = all(r.status in ("optimal", "feasible") for r in results)
    sys.exit(EXIT_OK if found else EXIT_NO_SCHEDULE)
