"""Commands that read an instance or a schedule and say what they find: ``check``,
``score``, ``explain``, ``show``; and ``schema``, the format of those files."""

from __future__ import annotations

import json
import sys

import click

from cli.common import (
    EXIT_NO_SCHEDULE,
    EXIT_OK,
    echo_lines,
    load_or_exit,
    same_instance_or_exit,
)
from cli.options import FILE
from models import json_schema, load_instance, load_schedule


@click.command()
@click.argument("instance", type=FILE)
@click.argument("schedule", type=FILE)
def check(instance: str, schedule: str) -> None:
    """Check SCHEDULE against every rule of INSTANCE and recompute its objective.

    Exit 0 when valid, 1 with the list of violations, 2 for bad input.
    """
    inst = load_or_exit(load_instance, instance)
    sched = load_or_exit(load_schedule, schedule)
    same_instance_or_exit(schedule, sched, inst)
    from scheduler import check as run_check
    from scheduler.views import check_lines

    report = run_check(inst, sched)
    echo_lines(check_lines(sched, report))
    sys.exit(EXIT_OK if report.ok else EXIT_NO_SCHEDULE)


@click.command()
@click.argument("instance", type=FILE)
@click.argument("schedule", type=FILE)
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
    inst = load_or_exit(load_instance, instance)
    sched = load_or_exit(load_schedule, schedule)
    same_instance_or_exit(schedule, sched, inst)
    from scheduler import score as run_score

    breakdown = run_score(inst, sched)
    if as_json:
        click.echo(json.dumps(breakdown.to_dict(), indent=2))
    else:
        click.echo(breakdown.text(limit=None if show_all else 10))
    sys.exit(EXIT_OK if breakdown.valid else EXIT_NO_SCHEDULE)


@click.command()
@click.argument("instance", type=FILE)
@click.option(
    "--time-limit",
    default=30.0,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds for the whole diagnosis.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the diagnosis as JSON.")
def explain(instance: str, time_limit: float, as_json: bool) -> None:
    """Say why INSTANCE has no timetable: pre-checks, else a small conflict of rules.

    Exit 0 when a timetable exists, 1 when there is none (the reason is printed) or
    none was decided in time, 2 for bad input.
    """
    inst = load_or_exit(load_instance, instance)
    from scheduler import diagnose
    from scheduler.views import diagnosis_lines

    found = diagnose(inst, time_limit=time_limit)
    if as_json:
        click.echo(json.dumps(found.to_dict(), indent=2))
    else:
        echo_lines(diagnosis_lines(inst.name, found))
    sys.exit(EXIT_OK if found.verdict == "feasible" else EXIT_NO_SCHEDULE)


@click.command()
@click.argument("schedule", type=FILE)
@click.option(
    "--by",
    "view",
    type=click.Choice(["slot", "room", "counselor", "patient"]),
    default="slot",
    help="How to group the timetable.",
)
def show(schedule: str, view: str) -> None:
    """Print SCHEDULE as a readable timetable."""
    sched = load_or_exit(load_schedule, schedule)
    from scheduler.views import render_timetable

    click.echo(render_timetable(sched, view), nl=False)


@click.command()
@click.argument("which", type=click.Choice(["instance", "schedule"]))
def schema(which: str) -> None:
    """Print the JSON Schema of instance or schedule files."""
    click.echo(json.dumps(json_schema(which), indent=2))
