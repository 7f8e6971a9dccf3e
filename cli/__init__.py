"""The ``iop-scheduler`` command line.

Exit codes (scripts can rely on them):

* 0: success (a schedule was written; a checked schedule is valid)
* 1: no schedule (infeasible, or none found in time); a checked schedule has violations
* 2: bad input (unreadable or invalid files, bad options); nothing is written
* 3: internal error: the solver returned a schedule that the checker rejects
* 130: interrupted (a second Ctrl-C, after the search had already been stopped);
  nothing is written. The first Ctrl-C during ``solve`` only ends the search: the
  best schedule found so far is checked and written as usual.

The commands only parse options, load files, call the library and choose the exit
code; what they print is made in ``scheduler.views``. They import ``scheduler`` inside
the command, after loading its input where they can: importing it loads OR-Tools
(about a second), which ``--help``, ``schema`` and bad-input exits should not wait for.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import click

from models import (
    InputError,
    Instance,
    Schedule,
    json_schema,
    load_instance,
    load_schedule,
    to_json,
    write_text_atomic,
)

if TYPE_CHECKING:  # annotations only: the import itself waits for a command (see above)
    from scheduler import ProgressEvent, SolveResult

T = TypeVar("T")

EXIT_OK, EXIT_NO_SCHEDULE, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # the shell's convention for SIGINT


def _fail_input(err: InputError) -> NoReturn:
    for line in err.lines:
        click.echo(f"{err.source}: {line}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def _load_or_exit(loader: Callable[[str], T], path: str) -> T:
    """Load a file; on bad input print one line per problem and exit 2."""
    try:
        return loader(path)
    except InputError as err:
        _fail_input(err)


def _same_instance_or_exit(path: str, sched: Schedule, inst: Instance) -> None:
    """A schedule made for another instance is bad input (exit 2)."""
    if sched.instance != inst.name:
        click.echo(
            f"{path}: instance: the schedule is for '{sched.instance}', not '{inst.name}'",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)


def _check_writable(path: str) -> None:
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        click.echo(f"{path}: directory {parent} does not exist", err=True)
        sys.exit(EXIT_BAD_INPUT)


# Options shared by `solve` and `batch`.
_time_option = click.option(
    "--time-limit",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds of search per instance (deterministic time units with --deterministic).",
)
_seed_option = click.option(
    "--seed",
    default=0,
    show_default=True,
    type=int,
    help="Random seed of the search and of the drug-screen draw (same seed, same screens).",
)
_gap_option = click.option(
    "--gap",
    "relative_gap",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Stop once the relative gap is at most this.",
)
_warm_option = click.option(
    "--warm-start",
    type=click.Choice(["greedy", "none"]),
    default="greedy",
    show_default=True,
    help="greedy: build a timetable as a coordinator would (in about a second) and start "
    "the search from it; none: search from scratch.",
)
_form_option = click.option(
    "--formulation",
    type=click.Choice(["aggregated", "plain"]),
    default="aggregated",
    show_default=True,
    help="Model formulation (plain is slower; for comparison).",
)


@click.group()
@click.version_option(package_name="iop-scheduler")
def main() -> None:
    """Weekly group timetables for Intensive Outpatient Programs.

    \b
    Exit codes: 0 success; 1 no schedule found (infeasible or out of time) or
    a checked schedule has violations; 2 bad input (nothing written);
    3 internal error (the solver's schedule failed the checker).
    """


@main.command()
@click.argument("instance", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Where to write the schedule JSON (written atomically).",
)
@_time_option
@click.option(
    "--workers",
    default=8,
    show_default=True,
    type=click.IntRange(min=0),
    help="CP-SAT search workers; 0 lets CP-SAT choose.",
)
@_seed_option
@click.option(
    "--deterministic",
    is_flag=True,
    help="Stop on CP-SAT's deterministic time instead of the wall clock. With "
    "--workers 1, the same instance and seed give the same schedule byte for byte "
    "(wall_seconds is then null in the file).",
)
@_gap_option
@_form_option
@_warm_option
@click.option(
    "--start-from",
    type=click.Path(dir_okay=False),
    default=None,
    help="Start the search from this schedule (e.g. last week's, or one edited by hand) "
    "instead of the greedy one; what the instance no longer has is ignored.",
)
@click.option(
    "--quiet", is_flag=True, help="No live progress (it is shown only on a terminal anyway)."
)
@click.option(
    "--log-json",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write progress events as JSON lines to this file, for machines.",
)
@click.option(
    "--best-effort",
    is_flag=True,
    help=(
        "Never give up on a patient: their hours, days, requirements, appointments and "
        "screens become large penalties, and the schedule lists each shortfall with its reason."
    ),
)
@click.option(
    "--explain",
    is_flag=True,
    help="Also print the objective term by term and entity by entity (as `score` does).",
)
def solve(
    instance: str,
    output: str,
    time_limit: float,
    workers: int,
    seed: int,
    deterministic: bool,
    relative_gap: float,
    formulation: str,
    warm_start: str,
    start_from: str | None,
    quiet: bool,
    log_json: str | None,
    best_effort: bool,
    explain: bool,
) -> None:
    """Solve INSTANCE and write the schedule to OUTPUT.

    Prints a summary. Exit 0 when a schedule was written; 1 when the instance
    is infeasible or no schedule was found in time (the output file is still
    written, with that status and no sessions); 2 for bad input.
    """
    inst = _load_or_exit(load_instance, instance)
    start = _load_or_exit(load_schedule, start_from) if start_from is not None else None
    _check_writable(output)
    # Here, not at the top: loads OR-Tools (see the module docstring).
    from scheduler import SolveSettings
    from scheduler import solve as run_solve
    from scheduler.views import done_record, progress_line, progress_record

    settings = SolveSettings(
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic,
        relative_gap=relative_gap,
        formulation=formulation,  # type: ignore[arg-type]
        warm_start=warm_start,  # type: ignore[arg-type]
        best_effort=best_effort,
    )
    if log_json is not None:
        _check_writable(log_json)
    live = not quiet and sys.stderr.isatty()
    log = open(log_json, "w", encoding="utf-8") if log_json is not None else None  # noqa: SIM115

    def on_progress(event: ProgressEvent) -> None:
        if live:
            # Padded: a shorter line must cover the previous one.
            click.echo("\r" + progress_line(event).ljust(72), nl=False, err=True)
        if log is not None:
            log.write(json.dumps(progress_record(event)) + "\n")
            log.flush()

    try:
        # Ctrl-C during the search ends it (CP-SAT catches SIGINT) and the best schedule
        # so far comes back; a second Ctrl-C lands here as KeyboardInterrupt.
        result = run_solve(inst, settings, on_progress if live or log else None, start)
        if log is not None:
            log.write(json.dumps(done_record(result)) + "\n")
    except RuntimeError as err:
        click.echo(str(err), err=True)
        sys.exit(EXIT_INTERNAL)
    except KeyboardInterrupt:
        _interrupted_exit()
    finally:
        if live:
            click.echo("", err=True)
        if log is not None:
            log.close()
    try:
        _report_and_write(inst, result, output, time_limit, explain)
    except KeyboardInterrupt:
        _interrupted_exit()


def _echo_lines(lines: list[str], err: bool = False) -> None:
    """Print each line (to stderr with ``err``)."""
    for line in lines:
        click.echo(line, err=err)


def _interrupted_exit() -> NoReturn:
    click.echo("interrupted: nothing written", err=True)
    sys.exit(EXIT_INTERRUPTED)


def _report_and_write(
    inst: Instance, result: SolveResult, output: str, time_limit: float, explain: bool
) -> NoReturn:
    """Print the summary, diagnose or check the schedule, write it, exit with its code."""
    # Here, not at the top: loads OR-Tools (see the module docstring); and looked up at
    # each call, so a test can swap in its own ``check``.
    from scheduler import check, diagnose
    from scheduler import score as run_score
    from scheduler.views import disagreement_lines, shortfall_lines, why_lines

    click.echo(result.summary())
    if result.status == "infeasible":
        _echo_lines(why_lines(diagnose(inst, time_limit=min(time_limit, 30.0))))
    if result.found:
        report = check(inst, result.schedule)
        if not report.ok or report.objective != result.objective:
            _echo_lines(disagreement_lines(report, result.objective), err=True)
            sys.exit(EXIT_INTERNAL)
        _echo_lines(shortfall_lines(result.schedule))
        if explain:
            click.echo("")
            click.echo(run_score(inst, result.schedule, report).text())
    write_text_atomic(output, to_json(result.schedule))
    click.echo(f"wrote {output}")
    sys.exit(EXIT_OK if result.found else EXIT_NO_SCHEDULE)


@main.command()
@click.argument("instance", type=click.Path(dir_okay=False))
@click.argument("schedule", type=click.Path(dir_okay=False))
def check(instance: str, schedule: str) -> None:
    """Check SCHEDULE against every rule of INSTANCE and recompute its objective.

    Exit 0 when valid, 1 with the list of violations, 2 for bad input.
    """
    inst = _load_or_exit(load_instance, instance)
    sched = _load_or_exit(load_schedule, schedule)
    _same_instance_or_exit(schedule, sched, inst)
    # Here, not at the top: loads OR-Tools (see the module docstring).
    from scheduler import check as run_check
    from scheduler.views import check_lines

    report = run_check(inst, sched)
    _echo_lines(check_lines(sched, report))
    sys.exit(EXIT_OK if report.ok else EXIT_NO_SCHEDULE)


@main.command()
@click.argument("instance", type=click.Path(dir_okay=False))
@click.option(
    "--time-limit",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds for the whole diagnosis.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the diagnosis as JSON.")
def explain(instance: str, time_limit: float, as_json: bool) -> None:
    """Say why INSTANCE has no timetable: pre-checks, else a small conflict of rules.

    Exit 0 when a timetable exists, 1 when there is none (the reason is printed) or
    none was decided in time, 2 for bad input.
    """
    inst = _load_or_exit(load_instance, instance)
    # Here, not at the top: loads OR-Tools (see the module docstring).
    from scheduler import diagnose
    from scheduler.views import diagnosis_lines

    found = diagnose(inst, time_limit=time_limit)
    if as_json:
        click.echo(json.dumps(found.to_dict(), indent=2))
    else:
        _echo_lines(diagnosis_lines(inst.name, found))
    sys.exit(EXIT_OK if found.verdict == "feasible" else EXIT_NO_SCHEDULE)


@main.command()
@click.argument("instance", type=click.Path(dir_okay=False))
@click.argument("schedule", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (every entry) instead of text.")
@click.option(
    "--all", "show_all", is_flag=True, help="List every entry of every term, not the top 10."
)
def score(instance: str, schedule: str, as_json: bool, show_all: bool) -> None:
    """Break the objective of SCHEDULE down term by term and entity by entity.

    Recomputed by the checker, so it works on hand-edited timetables. Exit 0
    when the schedule is valid, 1 when it breaks rules (the score is still
    printed), 2 for bad input.
    """
    inst = _load_or_exit(load_instance, instance)
    sched = _load_or_exit(load_schedule, schedule)
    _same_instance_or_exit(schedule, sched, inst)
    # Here, not at the top: loads OR-Tools (see the module docstring).
    from scheduler import score as run_score

    breakdown = run_score(inst, sched)
    if as_json:
        click.echo(json.dumps(breakdown.to_dict(), indent=2))
    else:
        click.echo(breakdown.text(limit=None if show_all else 10))
    sys.exit(EXIT_OK if breakdown.valid else EXIT_NO_SCHEDULE)


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
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Instances solved at once (default: the number of cores).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="CP-SAT workers per solve (default: the cores divided among the jobs, at least 1).",
)
@_time_option
@_seed_option
@_gap_option
@_form_option
@_warm_option
@click.option("--best-effort", is_flag=True, help="As for solve: shortfalls instead of failure.")
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: parallel processes here; dask: an existing Dask cluster (the 'dask' extra).",
)
@click.option(
    "--scheduler",
    "scheduler_address",
    default=None,
    help="Address of the Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask).",
)
@click.option("--quiet", is_flag=True, help="No line per finished instance; only the table.")
def batch(
    paths: tuple[str, ...],
    output_dir: str,
    jobs: int | None,
    workers: int | None,
    time_limit: float,
    seed: int,
    relative_gap: float,
    formulation: str,
    warm_start: str,
    best_effort: bool,
    executor: str,
    scheduler_address: str | None,
    quiet: bool,
) -> None:
    """Solve many instances (files, or every *.json in a directory) and write a summary.

    Each schedule is checked and written to OUTPUT_DIR/NAME.schedule.json as it
    finishes; summary.csv and the printed table list every instance. All inputs are
    validated first: any bad file is reported (one line per problem) and nothing
    runs (exit 2). Exit 0 when every instance got a schedule, 1 when some did not,
    3 on an internal error, 130 after Ctrl-C (running solves stop and write their
    best schedule; instances not yet started are skipped).
    """
    # Here, not at the top: loads OR-Tools (see the module docstring). Before the input
    # is checked: the checking makes BatchJobs.
    from scheduler.batch import (
        BatchInterrupted,
        BatchJob,
        JobResult,
        cores_available,
        run_dask,
        run_local,
        summary_csv,
        summary_table,
        workers_per_job,
    )
    from scheduler.settings import SolveSettings

    if executor == "dask" and not scheduler_address:
        click.echo("--scheduler: the dask executor needs the scheduler's address", err=True)
        sys.exit(EXIT_BAD_INPUT)
    batch_jobs = _batch_jobs_or_exit(paths, BatchJob)
    out = Path(output_dir)
    if out.exists() and not out.is_dir():
        click.echo(f"{output_dir}: not a directory", err=True)
        sys.exit(EXIT_BAD_INPUT)
    out.mkdir(parents=True, exist_ok=True)

    parallel = jobs or cores_available()
    per_solve = workers or workers_per_job(cores_available(), min(parallel, len(batch_jobs)))
    settings = SolveSettings(
        time_limit=time_limit,
        workers=per_solve,
        seed=seed,
        relative_gap=relative_gap,
        formulation=formulation,  # type: ignore[arg-type]
        warm_start=warm_start,  # type: ignore[arg-type]
        best_effort=best_effort,
    )

    def write(r: JobResult) -> None:
        if r.schedule_json is not None:
            write_text_atomic(out / f"{r.name}.schedule.json", r.schedule_json)
        if not quiet:
            figures = (
                f"objective {r.objective}, gap {100 * r.gap:.1f} %" if r.gap is not None else ""
            )
            click.echo(
                f"{r.name}: {r.status} {figures}".rstrip() + (f" ({r.error})" if r.error else "")
            )

    interrupted = False
    try:
        if executor == "dask":
            assert scheduler_address is not None
            results = run_dask(batch_jobs, settings, scheduler_address, write, workers)
        else:
            results = run_local(batch_jobs, settings, parallel, write)
    except BatchInterrupted as stop:
        results, interrupted = stop.results, True
    except (OSError, TimeoutError) as err:  # the Dask scheduler cannot be reached
        click.echo(f"--scheduler: cannot reach {scheduler_address}: {err}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    write_text_atomic(out / "summary.csv", summary_csv(results))
    click.echo(summary_table(results))
    click.echo(f"wrote {len(results)} rows to {out / 'summary.csv'}")
    if interrupted:
        sys.exit(EXIT_INTERRUPTED)
    if any(r.checked == "FAIL" or r.status == "error" for r in results):
        sys.exit(EXIT_INTERNAL)
    found = all(r.status in ("optimal", "feasible") for r in results)
    sys.exit(EXIT_OK if found else EXIT_NO_SCHEDULE)


def _batch_jobs_or_exit(paths: tuple[str, ...], make: Callable[[str, str], T]) -> list[T]:
    """Instance files named or found in directories, validated; exit 2 on any bad one."""
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
    names: dict[str, Path] = {}
    jobs: list[T] = []
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
        jobs.append(make(name, f.read_text(encoding="utf-8")))
    if problems:
        for line in problems:
            click.echo(line, err=True)
        sys.exit(EXIT_BAD_INPUT)
    return jobs


@main.command()
@click.option("--patients", required=True, type=click.IntRange(min=8), help="Number of patients.")
@click.option(
    "--counselors",
    type=click.IntRange(min=1),
    default=None,
    help="Counselors (default: enough for the patients, with slack).",
)
@click.option(
    "--rooms",
    type=click.IntRange(min=1),
    default=None,
    help="Group rooms (default: enough for the patients, plus one).",
)
@click.option("--seed", default=0, show_default=True, type=int)
@click.option(
    "--sites",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Sites of a multi-site organization (patients, rooms and staff per site; some "
    "staff float between two).",
)
@click.option("--name", default=None, help="Instance name (default generated-<N>p-seed<S>).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@click.option(
    "--witness",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the schedule that proves the instance feasible.",
)
def generate(
    patients: int,
    counselors: int | None,
    rooms: int | None,
    seed: int,
    sites: int,
    name: str | None,
    output: str,
    witness: str | None,
) -> None:
    """Write a realistic synthetic program (feasible by construction at the default ratios)."""
    _check_writable(output)
    if witness:
        _check_writable(witness)
    # Here, not at the top: loads OR-Tools (see the module docstring).
    from scheduler.generate import GenerateError
    from scheduler.generate import generate as run_generate

    try:
        inst, proof = run_generate(patients, counselors, rooms, seed, name, sites=sites)
    except GenerateError as err:
        click.echo(f"--sites: {err}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    write_text_atomic(output, to_json(inst))
    click.echo(
        f"wrote {output}: {len(inst.patients)} patients, {len(inst.counselors)} counselors, "
        f"{len(inst.rooms)} rooms"
    )
    if proof is None:
        click.echo(
            "warning: with these counselors and rooms the instance may be infeasible", err=True
        )
    elif witness:
        write_text_atomic(witness, to_json(proof))
        click.echo(f"wrote {witness}: a valid schedule ({len(proof.sessions)} sessions)")


@main.command()
@click.argument("schedule", type=click.Path(dir_okay=False))
@click.option(
    "--by",
    "view",
    type=click.Choice(["slot", "room", "counselor", "patient"]),
    default="slot",
    show_default=True,
    help="How to group the timetable.",
)
def show(schedule: str, view: str) -> None:
    """Print SCHEDULE as a readable timetable."""
    sched = _load_or_exit(load_schedule, schedule)
    # Here, not at the top: loads OR-Tools (see the module docstring).
    from scheduler.views import render_timetable

    click.echo(render_timetable(sched, view), nl=False)


@main.command()
@click.argument("which", type=click.Choice(["instance", "schedule"]))
def schema(which: str) -> None:
    """Print the JSON Schema of instance or schedule files."""
    click.echo(json.dumps(json_schema(which), indent=2))


if __name__ == "__main__":
    main()
