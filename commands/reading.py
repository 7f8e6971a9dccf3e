"""Commands that read a schedule or an instance: ``check``, ``score``, ``explain``,
``show`` and ``schema``."""

from __future__ import annotations

import json
import signal
import sys

import click

from commands.common import (
    EXIT_NO_SCHEDULE,
    EXIT_OK,
    FILE,
    Finite,
    echo_lines,
    load_or_exit,
    load_previous,
    previous_option,
)
from models import json_schema, load_instance, load_schedule, same_instance


@click.command()
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


@click.command()
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


@click.command()
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


@click.command()
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


@click.command()
@click.argument("which", type=click.Choice(["instance", "schedule", "fit", "diff"]))
def schema(which: str) -> None:
    """Print the JSON Schema of instance or schedule files (or of fit --json, diff --json)."""
    click.echo(json.dumps(json_schema(which), indent=2))
