"""The command that places a new admission: ``fit``."""

from __future__ import annotations

import sys

import click

from commands.common import (
    EXIT_INTERNAL,
    EXIT_NO_SCHEDULE,
    EXIT_NOT_WRITTEN,
    EXIT_OK,
    FILE,
    WORKERS,
    Finite,
    bad_input,
    echo_lines,
    interrupted_exit,
    load_or_exit,
)
from models import InputError, load_instance, load_schedule, same_instance, to_json
from models.admission import load_admission
from models.outputs import OutputError, output_problems, write_text_atomic


@click.command()
@click.argument("instance", type=FILE)
@click.argument("schedule", type=FILE)
@click.option(
    "--patient",
    "patient_path",
    required=True,
    type=FILE,
    help="The new admission: one patient in the instance's patient format (its id new).",
)
@click.option("--top", default=5, type=click.IntRange(1, 100), help="Placements to list at most.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (schema fit).")
@click.option(
    "--time-limit",
    default=30.0,
    type=Finite(min=0, min_open=True),
    help="Seconds for the search, and the re-solve when the patient fits nowhere as it stands.",
)
@click.option(
    "--workers",
    default=1,
    type=WORKERS,
    help="CP-SAT workers (1: the same placements every run; more speed up a re-solve).",
)
@click.option(
    "-o",
    "--output",
    type=FILE,
    help="Write the best placement's week (or the re-solved week with moves) here.",
)
@click.option(
    "--instance-output",
    type=FILE,
    help="Also write the instance with the patient added (what the written week is for).",
)
def fit(
    instance: str,
    schedule: str,
    patient_path: str,
    top: int,
    as_json: bool,
    time_limit: float,
    workers: int,
    output: str | None,
    instance_output: str | None,
) -> None:
    """Where a new admission fits in SCHEDULE (the published week of INSTANCE) without
    moving anyone, best first; if nowhere, the fewest moves that make room.

    Exit 0 when placements (or moves) were found, 1 when the patient cannot be admitted
    this week (why is printed), 2 for bad input, 3 internal error, 4 output not written.
    """
    inst = load_or_exit(load_instance, instance)
    sched = load_or_exit(load_schedule, schedule)
    load_or_exit(lambda path: same_instance(inst, sched, path), schedule)
    admitted = load_or_exit(lambda path: load_admission(path, inst), patient_path)
    patient = admitted.patients[-1]
    outputs = [path for path in (output, instance_output) if path]
    if outputs and (problems := output_problems(outputs, [instance, schedule, patient_path])):
        bad_input(*problems)
    from scheduler import fit as run_fit
    from scheduler.fit.moves import MovesError
    from scheduler.fit.placement import PlacementError
    from scheduler.fit.text import fit_lines

    try:
        result = run_fit(inst, sched, patient, top=top, time_limit=time_limit, workers=workers)
    except InputError as err:  # the published week is not a valid timetable
        bad_input(*(f"{schedule}: {line}" for line in err.lines))
    except (PlacementError, MovesError) as err:
        click.echo(str(err), err=True)
        sys.exit(EXIT_INTERNAL)
    except KeyboardInterrupt:
        interrupted_exit()
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        echo_lines(fit_lines(result))
    week = result.schedule
    if week is None:
        sys.exit(EXIT_NO_SCHEDULE)
    for path, written in ((output, week), (instance_output, admitted)):
        if path:
            try:
                write_text_atomic(path, to_json(written))
            except OutputError as err:
                echo_lines([str(err)], err=True)
                sys.exit(EXIT_NOT_WRITTEN)
            click.echo(f"wrote {path}", err=as_json)  # stdout holds only the JSON
    sys.exit(EXIT_OK)
