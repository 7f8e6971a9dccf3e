"""``iop-scheduler solve``: one instance, with live progress, checked, then written."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from cli.common import (
    EXIT_INTERNAL,
    EXIT_NO_SCHEDULE,
    EXIT_OK,
    check_writable,
    echo_lines,
    interrupted_exit,
    load_or_exit,
)
from cli.options import (
    FILE,
    formulation_option,
    gap_option,
    seed_option,
    time_limit_option,
    warm_start_option,
)
from models import Instance, load_instance, load_schedule, to_json, write_text_atomic

if TYPE_CHECKING:  # annotations only: the import itself waits for a command (see cli)
    from scheduler import SolveResult


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
    "--workers",
    default=8,
    type=click.IntRange(min=0),
    help="CP-SAT search workers; 0 lets CP-SAT choose.",
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
def solve(
    instance: str,
    output: str,
    start_from: str | None,
    quiet: bool,
    log_json: str | None,
    explain: bool,
    **search: Any,  # the other options are the fields of SolveSettings, by name
) -> None:
    """Solve INSTANCE and write the schedule to OUTPUT.

    Prints a summary. Exit 0 when a schedule was written; 1 when the instance
    is infeasible or no schedule was found in time (the output file is still
    written, with that status and no sessions); 2 for bad input.
    """
    inst = load_or_exit(load_instance, instance)
    start = load_or_exit(load_schedule, start_from) if start_from is not None else None
    check_writable(output)
    from scheduler import SolveSettings
    from scheduler import solve as run_solve
    from scheduler.views import ProgressWriter

    settings = SolveSettings(**search)
    if log_json is not None:
        check_writable(log_json)
    live = not quiet and sys.stderr.isatty()
    with ProgressWriter(sys.stderr if live else None, log_json) as progress:
        try:
            # Ctrl-C during the search ends it (CP-SAT catches SIGINT) and the best schedule
            # so far comes back; a second Ctrl-C lands here as KeyboardInterrupt.
            result = run_solve(inst, settings, progress.on_progress, start)
            progress.done(result)
        except RuntimeError as err:
            click.echo(str(err), err=True)
            sys.exit(EXIT_INTERNAL)
        except KeyboardInterrupt:
            interrupted_exit()
    try:
        _report_and_write(inst, result, output, settings.time_limit, explain)
    except KeyboardInterrupt:
        interrupted_exit()


def _report_and_write(
    inst: Instance, result: SolveResult, output: str, time_limit: float, explain: bool
) -> NoReturn:
    """Print the summary, diagnose or check the schedule, write it, exit with its code."""
    # Looked up at each call, so a test can swap in its own ``check``.
    from scheduler import check, diagnose
    from scheduler import score as run_score
    from scheduler.views import disagreement_lines, shortfall_lines, why_lines

    click.echo(result.summary())
    if result.status == "infeasible":
        echo_lines(why_lines(diagnose(inst, time_limit=min(time_limit, 30.0))))
    if result.found:
        report = check(inst, result.schedule)
        if not report.ok or report.objective != result.objective:
            echo_lines(disagreement_lines(report, result.objective), err=True)
            sys.exit(EXIT_INTERNAL)
        echo_lines(shortfall_lines(result.schedule))
        if explain:
            click.echo("")
            click.echo(run_score(inst, result.schedule, report).text())
    write_text_atomic(output, to_json(result.schedule))
    click.echo(f"wrote {output}")
    sys.exit(EXIT_OK if result.found else EXIT_NO_SCHEDULE)
