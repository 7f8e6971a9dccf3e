"""Commands that solve: ``solve`` one instance, ``batch`` many."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from commands.common import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NO_SCHEDULE,
    EXIT_NOT_WRITTEN,
    EXIT_OK,
    FILE,
    FORMAT_LIST,
    POSITIVE,
    WORKERS,
    bad_input,
    echo_lines,
    export_or_exit,
    formulation_option,
    gap_option,
    interrupted_exit,
    load_or_exit,
    load_previous,
    seed_option,
    time_limit_option,
    warm_start_option,
    write_or_exit,
)
from models import Instance, load_instance, load_schedule, to_json
from models.outputs import output_problems

if TYPE_CHECKING:
    from models import Schedule
    from scheduler import SolveResult, SolveSettings


@click.command()
@click.argument("instance", type=FILE)
@click.option(
    "-o",
    "--output",
    required=True,
    type=FILE,
    help="Where to write the schedule JSON (written atomically).",
)
@time_limit_option
@click.option(
    "--workers", default=8, type=WORKERS, help="CP-SAT search workers; 0 lets CP-SAT choose."
)
@seed_option
@click.option(
    "--deterministic",
    is_flag=True,
    help="Stop on CP-SAT's deterministic time instead of the wall clock. With --workers 1, the same instance and seed give the same schedule byte for byte (wall_seconds is then null in the file).",
)
@gap_option
@formulation_option
@warm_start_option
@click.option(
    "--start-from",
    type=FILE,
    help="Start the search from this schedule (e.g. last week's, or one edited by hand) instead of the greedy one; what the instance no longer has is ignored.",
)
@click.option(
    "--previous",
    type=FILE,
    help="Last week's schedule: keep this week like it (moving a patient's block or seat, a session or an assigned primary counselor is costly; see the stability weights) and start from it (unless --start-from); the summary and the schedule count what moved.",
)
@click.option(
    "--quiet", is_flag=True, help="No live progress (it is shown only on a terminal anyway)."
)
@click.option(
    "--log-json", type=FILE, help="Write progress events as JSON lines to this file, for machines."
)
@click.option(
    "--best-effort",
    is_flag=True,
    help="Never give up on a patient: their hours, days, requirements, appointments and screens become large penalties, and the schedule lists each shortfall with its reason.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Also print the objective term by term and entity by entity (as `score` does).",
)
@click.option(
    "--export",
    "export_formats",
    type=FORMAT_LIST,
    help="Also export the schedule in these formats (as `export` does), e.g. html,ics.",
)
@click.option(
    "--export-dir",
    type=click.Path(file_okay=False),
    help="Where --export writes (created if missing; default: the output's directory).",
)
def solve(
    instance: str,
    output: str,
    start_from: str | None,
    previous: str | None,
    quiet: bool,
    log_json: str | None,
    explain: bool,
    export_formats: list[str] | None,
    export_dir: str | None,
    **search: Any,  # the other options are the fields of SolveSettings, by name
) -> None:
    """Solve INSTANCE and write the schedule to OUTPUT.

    Prints a summary. Exit 0 when a schedule was written; 1 when the instance
    is infeasible or no schedule was found in time (the output file is still
    written, with that status and no sessions); 2 for bad input; 130 Ctrl-C.
    """
    inst = load_or_exit(load_instance, instance)
    start = load_or_exit(load_schedule, start_from) if start_from is not None else None
    last = load_previous(previous)
    if problems := output_problems([output], [instance, start_from, previous], [log_json]):
        bad_input(*problems)  # not writable, or an input: checked before any work
    exports = None
    if export_formats:
        from scheduler.export import export_problems, output_files

        exports = (export_formats, export_dir or str(Path(output).parent), instance)
        if problems := export_problems(inst, None, export_formats) + output_files(exports[1], {}):
            bad_input(*problems)
    from scheduler import SolveSettings
    from scheduler import solve as run_solve
    from scheduler.interrupt import CtrlC
    from scheduler.views import ProgressWriter

    settings = SolveSettings(**search)
    live = not quiet and sys.stderr.isatty()
    with CtrlC(), ProgressWriter(sys.stderr if live else None, log_json) as progress:
        try:
            # Ctrl-C (scheduler.interrupt): a second, or one before any schedule, lands here.
            result = run_solve(inst, settings, progress.on_progress, start, last)
            progress.done(result)
            if result.interrupted and not result.found:
                interrupted_exit()
            _report_and_write(inst, result, output, settings, explain, exports, last)
        except RuntimeError as err:
            click.echo(str(err), err=True)
            sys.exit(EXIT_INTERNAL)
        except KeyboardInterrupt:
            interrupted_exit()


def _report_and_write(
    inst: Instance,
    result: SolveResult,
    output: str,
    settings: SolveSettings,
    explain: bool,
    exports: tuple[list[str], str, str] | None,
    previous: Schedule | None = None,
) -> NoReturn:
    """Print the summary, diagnose or check the schedule, write it (and its exports:
    formats, directory, the instance's path), exit with its code."""
    # Looked up at each call, so a test can swap in its own ``check``.
    from scheduler import check, diagnose
    from scheduler import score as run_score
    from scheduler.budget import time_left
    from scheduler.interrupt import write_schedule
    from scheduler.views import disagreement_lines, shortfall_lines, why_lines

    click.echo(result.summary())
    if result.status == "infeasible":
        echo_lines(why_lines(diagnose(inst, time_limit=time_left(settings, result))))
    if result.found:
        report = (
            check(inst, result.schedule)
            if previous is None
            else check(inst, result.schedule, previous)
        )
        if not report.ok or report.objective != result.objective:
            echo_lines(disagreement_lines(report, result.objective), err=True)
            sys.exit(EXIT_INTERNAL)
        echo_lines(shortfall_lines(result.schedule))
        if explain:
            click.echo("")
            click.echo(run_score(inst, result.schedule, report, previous).text())
    # A second Ctrl-C until the rename: 130, nothing written.
    write_or_exit(output, to_json(result.schedule), f"wrote {output}", write_schedule)
    if exports is not None and result.found:
        formats, directory, source = exports
        export_or_exit(inst, result.schedule, formats, directory, [source, output])
    sys.exit(EXIT_OK if result.found else EXIT_NO_SCHEDULE)


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
    type=click.IntRange(1, 256),
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
    out = Path(output_dir)
    batch_jobs, problems = jobs_from_paths(paths, out)  # and the output directory's
    if problems:
        bad_input(*problems)

    parallel, per_solve = share_cores(len(batch_jobs), jobs, workers)
    settings = SolveSettings(workers=per_solve, **search)

    address = scheduler_address if executor == "dask" else None
    say = None if quiet else lambda r: click.echo(result_line(r))  # as each instance finishes
    try:
        results, interrupted = run_batch(batch_jobs, settings, out, parallel, address, say, workers)
    except (OSError, TimeoutError) as err:  # the Dask scheduler cannot be reached
        bad_input(f"--scheduler: cannot reach {scheduler_address}: {err}")
    click.echo(summary_table(results))
    summary = out / "summary.csv"
    write_or_exit(summary, summary_csv(results), f"wrote {len(results)} rows to {summary}")
    if interrupted:
        sys.exit(EXIT_INTERRUPTED)
    if any(r.checked == "FAIL" or r.status == "error" for r in results):
        sys.exit(EXIT_INTERNAL)
    if any(r.write_error for r in results):
        sys.exit(EXIT_NOT_WRITTEN)
    found = all(r.status in ("optimal", "feasible") for r in results)
    sys.exit(EXIT_OK if found else EXIT_NO_SCHEDULE)
