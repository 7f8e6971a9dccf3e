"""The ``iop-scheduler`` command line.

Exit codes (scripts can rely on them) are the ``EXIT_*`` constants below, listed in
``main``'s help and the README: 0 success, 1 no schedule, 2 bad input, 3 internal
error, 4 an output not written, 130 Ctrl-C (``scheduler.interrupt``).

The commands only parse options, load files, call the library and choose the exit
code; what they print is made in the library (``scheduler.views``, ``scheduler.batch``).
They import ``scheduler`` inside the command, after loading its input where they can:
importing it loads OR-Tools (about a second), which ``--help``, ``schema`` and
bad-input exits should not wait for.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from models import (
    InputError,
    Instance,
    json_schema,
    load_instance,
    load_schedule,
    same_instance,
    to_json,
)
from models.outputs import OutputError, output_problems, write_bytes_atomic, write_text_atomic
from models.text import printable

if TYPE_CHECKING:  # annotations only: the import itself waits for a command (see above)
    from models import Schedule
    from scheduler import SolveResult, SolveSettings

T = TypeVar("T")

EXIT_OK, EXIT_NO_SCHEDULE, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_NOT_WRITTEN = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130  # the shell's convention for SIGINT


def bad_input(*lines: str) -> NoReturn:
    """Print each problem of the input on its own line (stderr), then exit 2."""
    echo_lines(lines, err=True)
    sys.exit(EXIT_BAD_INPUT)


def load_or_exit(loader: Callable[[str], T], path: str) -> T:
    """Load a file; on bad input print one line per problem and exit 2."""
    try:
        return loader(path)
    except InputError as err:
        bad_input(*(f"{err.source}: {line}" for line in err.lines))


def load_previous(path: str | None) -> Schedule | None:
    """``--previous``: last week's schedule (any instance's: last week's), which must hold a
    timetable; on bad input print why and exit 2."""
    if path is None:
        return None
    previous = load_or_exit(load_schedule, path)
    if previous.status not in ("optimal", "feasible"):
        bad_input(f"{path}: --previous: status '{previous.status}': it holds no timetable")
    return previous


def write_or_exit(
    path: str | Path, text: Any, done: str, write: Callable[[Any, Any], None] = write_text_atomic
) -> None:
    """Write a file atomically (with ``write``), then print ``done``; if the write fails
    after all (a full disk), print why instead and exit 4."""
    try:
        write(path, text)
    except OutputError as err:
        echo_lines([str(err)], err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    click.echo(done)


def echo_lines(lines: Iterable[str], err: bool = False) -> None:
    """Print each line (to stderr with ``err``), control characters escaped: one line each."""
    for line in lines:
        click.echo(printable(line), err=err)


def interrupted_exit(*_: object) -> NoReturn:
    """Ctrl-C (also as SIGINT's handler): say that nothing was written, exit 130."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # exiting: a later press changes nothing
    click.echo("interrupted: nothing written", err=True)
    sys.exit(EXIT_INTERRUPTED)


class Finite(click.FloatRange):
    def convert(self, value: Any, param: Any, ctx: Any) -> Any:  # nan, inf pass any range
        t = super().convert(value, param, ctx)
        return t if abs(t) < float("inf") else self.fail(f"{value} is not finite.", param, ctx)


class FormatList(click.ParamType):
    """Comma-separated export formats (``html,ics``): each one known, none twice."""

    name = "formats"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, list):
            return value
        known = ("html", "xlsx", "csv", "ics", "fhir")  # scheduler.export.FORMATS
        formats = [f.strip().lower() for f in str(value).split(",") if f.strip()]
        unknown = [f for f in formats if f not in known]
        if unknown or not formats:
            self.fail(f"{value!r}: give some of {', '.join(known)}, comma-separated", param, ctx)
        return list(dict.fromkeys(formats))


FORMAT_LIST = FormatList()

# Parameter types and shared options; ranges as SolveSettings and scheduler.generate check.
FILE = click.Path(dir_okay=False)  # a file's path; a directory there is a usage error
POSITIVE = click.IntRange(min=1)
SEED, WORKERS = click.IntRange(0, 2**31 - 1), click.IntRange(0, 256)

time_limit_option = click.option(
    "--time-limit",
    default=60.0,
    type=Finite(min=0),
    help="Seconds for each instance's whole solve: greedy, model, search, read-back (a greedy step or model rule under way ends first: about 2 s over for 2,000 patients); with --deterministic, deterministic time of the search alone.",
)
seed_option = click.option(
    "--seed",
    default=0,
    type=SEED,
    help="Random seed of the search and of the drug-screen draw (same seed, same screens).",
)
gap_option = click.option(
    "--gap",
    "relative_gap",
    default=0.0,
    type=Finite(0, 1),
    help="Stop once the relative gap is at most this.",
)
warm_start_option = click.option(
    "--warm-start",
    type=click.Choice(["greedy", "none"]),
    default="greedy",
    help="greedy: build a timetable as a coordinator would (in about a second) and start the search from it; none: search from scratch.",
)
previous_option = click.option(
    "--previous",
    type=FILE,
    help="Last week's schedule: also score the stability terms (what changed) against it.",
)
formulation_option = click.option(
    "--formulation",
    type=click.Choice(["aggregated", "plain"]),
    default="aggregated",
    help="Model formulation (plain is slower; for comparison).",
)


@click.group(context_settings={"show_default": True})  # in every command's --help
@click.version_option(package_name="iop-scheduler")
def main() -> None:
    """Weekly group timetables for Intensive Outpatient Programs.

    \b
    Exit codes: 0 success; 1 no schedule found (infeasible or out of time) or a checked
    schedule has violations; 2 bad input (nothing written); 3 internal error (the
    solver's schedule failed the checker); 4 an output could not be written (disk full);
    130 Ctrl-C.
    """
    here = threading.current_thread() is threading.main_thread()  # handlers: main thread only
    if here and click.get_current_context().invoked_subcommand in ("solve", "explain"):
        signal.signal(signal.SIGINT, interrupted_exit)  # Ctrl-C: 130, not click's "Aborted!"
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # held until it is safe


@main.command()
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
        _export_or_exit(inst, result.schedule, formats, directory, [source, output])
    sys.exit(EXIT_OK if result.found else EXIT_NO_SCHEDULE)


def _export_or_exit(
    inst: Instance, sched: Schedule, formats: list[str], directory: str, inputs: list[str]
) -> None:
    """Write the exports into ``directory``, each file atomically, and say what was written;
    exit 2 when a file cannot go there (checked before any is written), 4 when a
    write fails after all."""
    from scheduler.export import export, output_files, write_files
    from scheduler.views import written_lines

    files = export(inst, sched, formats)
    if problems := output_files(directory, files, inputs):
        bad_input(*problems)
    try:
        written = write_files(files, directory)
    except OutputError as err:
        echo_lines([str(err)], err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    echo_lines(written_lines(written, directory))


@main.command()
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


@main.command()
@click.argument("instance", type=FILE)
@click.argument("schedule", type=FILE)
@previous_option
def check(instance: str, schedule: str, previous: str | None) -> None:
    """Check SCHEDULE against every rule of INSTANCE and recompute its objective.

    Exit 0 when valid, 1 with the list of violations, 2 for bad input.
    """
    inst = load_or_exit(load_instance, instance)
    sched = load_or_exit(load_schedule, schedule)
    load_or_exit(lambda path: same_instance(inst, sched, path), schedule)
    last = load_previous(previous)
    from scheduler import check as run_check
    from scheduler.views import check_lines

    report = run_check(inst, sched, last)
    echo_lines(check_lines(sched, report))
    sys.exit(EXIT_OK if report.ok else EXIT_NO_SCHEDULE)


@main.command()
@click.argument("instance", type=FILE)
@click.argument("schedule", type=FILE)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (every entry) instead of text.")
@click.option(
    "--all", "show_all", is_flag=True, help="List every entry of every term, not the top 10."
)
@previous_option
def score(
    instance: str, schedule: str, as_json: bool, show_all: bool, previous: str | None
) -> None:
    """Break the objective of SCHEDULE down term by term and entity by entity.

    Recomputed by the checker, so it works on hand-edited timetables. Exit 0
    when the schedule is valid, 1 when it breaks rules (the score is still
    printed), 2 for bad input.
    """
    inst = load_or_exit(load_instance, instance)
    sched = load_or_exit(load_schedule, schedule)
    load_or_exit(lambda path: same_instance(inst, sched, path), schedule)
    last = load_previous(previous)
    from scheduler import score as run_score

    breakdown = run_score(inst, sched, previous=last)
    if as_json:
        click.echo(json.dumps(breakdown.to_dict(), indent=2))
    else:
        click.echo(breakdown.text(limit=None if show_all else 10))
    sys.exit(EXIT_OK if breakdown.valid else EXIT_NO_SCHEDULE)


@main.command()
@click.argument("instance", type=FILE)
@click.option(
    "--time-limit",
    default=30.0,
    type=Finite(min=0, min_open=True),
    help="Seconds for the whole diagnosis (a model rule under way ends first).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the diagnosis as JSON.")
def explain(instance: str, time_limit: float, as_json: bool) -> None:
    """Say why INSTANCE has no timetable: pre-checks, else a small conflict of rules.

    Exit 0 when a timetable exists, 1 when there is none (the reason is printed) or
    none was decided in time, 2 for bad input, 130 for Ctrl-C.
    """
    inst = load_or_exit(load_instance, instance)
    from scheduler import diagnose
    from scheduler.views import diagnosis_lines

    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # see main
    found = diagnose(inst, time_limit=time_limit)
    if as_json:
        click.echo(json.dumps(found.to_dict(), indent=2))
    else:
        echo_lines(diagnosis_lines(inst.name, found))
    sys.exit(EXIT_OK if found.verdict == "feasible" else EXIT_NO_SCHEDULE)


@main.command()
@click.argument("schedule", type=FILE)
@click.option(
    "--by",
    "view",
    type=click.Choice(["slot", "room", "counselor", "patient"]),
    default="slot",
    help="How to group the timetable.",
)
@click.option(
    "--instance",
    "instance_path",
    type=FILE,
    default=None,
    help="The instance, to add the cohort figures (room changes, type repeats, process peers).",
)
def show(schedule: str, view: str, instance_path: str | None) -> None:
    """Print SCHEDULE as a readable timetable."""
    sched = load_or_exit(load_schedule, schedule)
    inst = load_or_exit(load_instance, instance_path) if instance_path else None
    from scheduler.views import render_timetable

    click.echo(render_timetable(sched, view, inst), nl=False)


@main.command()
@click.argument("schedule", type=FILE)
@click.option(
    "--instance",
    "instance",
    required=True,
    type=FILE,
    help="The schedule's instance (JSON or .xlsx).",
)
@click.option(
    "-o",
    "--output-dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Where to write the files (created if missing); each file is written atomically.",
)
@click.option(
    "--format",
    "formats",
    type=FORMAT_LIST,
    help="Any of html, xlsx, csv, ics, fhir, comma-separated (default: all that the instance allows: ics and fhir need its week_of and timezone).",
)
def export(schedule: str, instance: str, output_dir: str, formats: list[str] | None) -> None:
    """Write SCHEDULE for the people and systems around it: a printable HTML page
    (grids, sign-in sheets, each patient's week, the summary), the same as an XLSX
    workbook, CSV for EHR import, iCalendar feeds per counselor and room, FHIR
    Appointments.

    Only the HTML and XLSX show patients' display names; the CSV, calendars and FHIR
    carry ids. Exit 0 when written, 1 when written but the schedule breaks rules
    (the summary lists them), 2 for bad input, 4 when a file cannot be written.
    """
    inst = load_or_exit(load_instance, instance)
    sched = load_or_exit(load_schedule, schedule)
    load_or_exit(lambda path: same_instance(inst, sched, path), schedule)
    from scheduler import check as run_check
    from scheduler.export import allowed_formats, export_problems

    if formats is None:
        formats = allowed_formats(inst)
    if problems := export_problems(inst, sched, formats):
        bad_input(*problems)
    report = run_check(inst, sched)
    _export_or_exit(inst, sched, formats, output_dir, [instance, schedule])
    if not report.ok:
        click.echo(
            f"warning: the schedule breaks {len(report.violations)} rules (`check` lists them)",
            err=True,
        )
    sys.exit(EXIT_OK if report.ok else EXIT_NO_SCHEDULE)


@main.command()
@click.argument("source", type=FILE)
@click.option(
    "-o", "--output", required=True, type=FILE, help="The converted file: .json or .xlsx."
)
def convert(source: str, output: str) -> None:
    """Convert an instance between JSON and an .xlsx workbook (by the files' extensions).

    The workbook has one sheet per kind of object and one column per slot for
    availability; `template` writes an empty one. Exit 0 when written, 2 for bad
    input (every problem of the file, by sheet, row and column), 4 when the output
    cannot be written.
    """
    if problems := _instance_format_problems(output) + output_problems([output], [source]):
        bad_input(*problems)
    inst = load_or_exit(load_instance, source)
    from models.workbook import instance_to_workbook, workbook_losses

    if _is_workbook(output):
        echo_lines((f"warning: {line}" for line in workbook_losses(inst)), err=True)
        write_or_exit(output, instance_to_workbook(inst), f"wrote {output}", write_bytes_atomic)
    else:
        write_or_exit(output, to_json(inst), f"wrote {output}")


@main.command()
@click.argument("output", type=FILE)
@click.option("--days", default="mon,tue,wed,thu,fri", help="The program's days, comma-separated.")
@click.option(
    "--blocks",
    default="am=09:00-12:00/3,pm=18:00-21:00/3",
    help="Blocks as ID=START-END/PERIODS, comma-separated: am=09:00-12:00/3 is a morning of three hour-long groups.",
)
def template(output: str, days: str, blocks: str) -> None:
    """Write an empty roster workbook (.xlsx) to fill in: one example row per sheet,
    drop-downs, and a notes sheet that says what each column means."""
    from models.workbook import parse_blocks, parse_days, template_workbook

    problems = output_problems([output])
    if not _is_workbook(output):
        problems.append(f"{output}: a template is a workbook: name it .xlsx")
    week: dict[str, Any] = {}
    for option, parse, text in (("days", parse_days, days), ("blocks", parse_blocks, blocks)):
        try:
            week[option] = parse(text)
        except ValueError as err:
            problems.append(f"--{option}: {err}")
    if problems:
        bad_input(*problems)
    data = template_workbook(week["days"], week["blocks"])
    write_or_exit(
        output,
        data,
        f"wrote {output}: fill it in, then `solve {output} -o ...`",
        write_bytes_atomic,
    )


def _is_workbook(path: str) -> bool:
    return Path(path).suffix.lower() == ".xlsx"


def _instance_format_problems(path: str) -> list[str]:
    if Path(path).suffix.lower() in (".json", ".xlsx"):
        return []
    return [f"{path}: name the output .json or .xlsx (the format follows the extension)"]


@main.command()
@click.argument("which", type=click.Choice(["instance", "schedule"]))
def schema(which: str) -> None:
    """Print the JSON Schema of instance or schedule files."""
    click.echo(json.dumps(json_schema(which), indent=2))


@main.command()
@click.option("--patients", required=True, type=click.IntRange(8, 5000), help="Number of patients.")
@click.option(
    "--counselors", type=POSITIVE, help="Counselors (default: enough for the patients, with slack)."
)
@click.option(
    "--rooms", type=POSITIVE, help="Group rooms (default: enough for the patients, plus one)."
)
@click.option("--seed", default=0, type=click.IntRange(0, 2**32 - 1))
@click.option(
    "--sites",
    default=1,
    type=POSITIVE,
    help="Sites of a multi-site organization (patients, rooms and staff per site; some staff float between two).",
)
@click.option("--name", help="Instance name (default generated-<N>p-seed<S>).")
@click.option(
    "--week-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The week's first day, YYYY-MM-DD (for calendar and FHIR exports).",
)
@click.option("--timezone", help="The program's IANA time zone, e.g. America/New_York.")
@click.option("-o", "--output", required=True, type=FILE)
@click.option(
    "--witness", type=FILE, help="Also write the schedule that proves the instance feasible."
)
def generate(output: str, witness: str | None, **program: Any) -> None:
    """Write a realistic synthetic program (feasible by construction at the default ratios)."""
    # ``program``: the other options, which are scheduler.generate's parameters by name.
    if problems := output_problems([output, witness]):
        bad_input(*problems)
    from scheduler.generate import GenerateError
    from scheduler.generate import generate as run_generate

    if program["week_of"] is not None:
        program["week_of"] = program["week_of"].date()
    try:
        inst, proof = run_generate(**program)
    except GenerateError as err:  # its message starts with the parameter's name: the option's
        bad_input(f"--{err}")
    sizes = f"{len(inst.patients)} patients, {len(inst.counselors)} counselors"
    write_or_exit(output, to_json(inst), f"wrote {output}: {sizes}, {len(inst.rooms)} rooms")
    if proof is None:
        click.echo(
            "warning: with these counselors and rooms the instance may be infeasible", err=True
        )
    elif witness:
        done = f"wrote {witness}: a valid schedule ({len(proof.sessions)} sessions)"
        write_or_exit(witness, to_json(proof), done)


if __name__ == "__main__":  # python -m cli
    main()
