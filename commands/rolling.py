"""The ``roll`` command: next week's instance from this week's and its schedule."""

from __future__ import annotations

import datetime as dt

import click

from commands.common import FILE, bad_input, echo_lines, load_or_exit, write_or_exit
from models import load_instance, load_schedule, to_json
from models.disruption import load_admitted
from models.outputs import output_problems


@click.command()
@click.argument("instance", type=FILE)
@click.argument("schedule", type=FILE)
@click.option(
    "--to",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The new week's first day, YYYY-MM-DD, after the instance's week_of (default: a week later).",
)
@click.option(
    "--admit",
    type=FILE,
    help='New patients: a JSON list of patients, or {"patients": [...]} (usually with admitted dates).',
)
@click.option(
    "--discharge",
    multiple=True,
    help="A patient who leaves (repeat it, or give ids comma-separated); patients whose planned discharge is before the new week leave too.",
)
@click.option("-o", "--output", required=True, type=FILE, help="The new week's instance (JSON).")
def roll(
    instance: str,
    schedule: str,
    to: dt.datetime | None,
    admit: str | None,
    discharge: tuple[str, ...],
    output: str,
) -> None:
    """Write next week's instance: INSTANCE a week on, from its SCHEDULE.

    Stages and hours follow the phases, discharged patients are gone, the admitted are
    in, each patient's completed_topics gets what they heard, last week's pins are
    dropped, and SCHEDULE is recorded as previous (solve keeps the new week like it).
    Exit 0 when written, 2 for bad input, 4 when it could not be written.
    """
    if output.lower().endswith(".xlsx"):
        bad_input(f"{output}: roll writes JSON (a workbook cannot hold last week's schedule)")
    if problems := output_problems([output], [instance, schedule, admit]):
        bad_input(*problems)
    inst = load_or_exit(load_instance, instance)
    sched = load_or_exit(load_schedule, schedule)
    new = load_or_exit(load_admitted, admit) if admit is not None else []
    leaving = [pid.strip() for given in discharge for pid in given.split(",") if pid.strip()]
    from models import InputError
    from scheduler.rolling import roll as run_roll
    from scheduler.rolling import roll_summary

    try:
        nxt = run_roll(inst, sched, to.date() if to else None, new, leaving)
    except InputError as err:
        bad_input(*(f"{err.source}: {line}" for line in err.lines))
    summary = roll_summary(inst, nxt)
    done = f"wrote {output}: the week of {nxt.week_of}, {len(nxt.patients)} patients"
    write_or_exit(output, to_json(nxt), done)
    echo_lines(summary.lines())
