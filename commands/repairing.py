"""Commands for a week already published: ``diff`` (the phone list) and ``repair``
(re-solve it after a same-day change, moving as few people as possible)."""

from __future__ import annotations

import json
import sys

import click

from commands.common import (
    EXIT_OK,
    FILE,
    bad_input,
    echo_lines,
    load_or_exit,
)
from models import Instance, Schedule, load_instance, load_schedule, same_instance


def load_timetable(path: str, inst: Instance, what: str) -> Schedule:
    """A schedule of ``inst`` that holds a timetable; else print why and exit 2."""
    sched = load_or_exit(load_schedule, path)
    load_or_exit(lambda source: same_instance(inst, sched, source), path)
    if sched.status not in ("optimal", "feasible"):
        bad_input(f"{path}: {what}: status '{sched.status}': it holds no timetable")
    return sched


@click.command()
@click.argument("old", type=FILE)
@click.argument("new", type=FILE)
@click.option(
    "--instance",
    "instance_path",
    required=True,
    type=FILE,
    help="The week NEW is for (after a repair: the changed instance, repair --instance-out).",
)
@click.option(
    "--by",
    type=click.Choice(["patient", "counselor"]),
    default=None,
    help="List only the patients or only the counselors (default: both; text only).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (see `schema diff`) instead of text."
)
def diff(old: str, new: str, instance_path: str, by: str | None, as_json: bool) -> None:
    """The phone list: who must be told what, from the OLD schedule to the NEW one.

    For each patient and counselor whose week changed, one line per change (day and
    time, group type, counselor, room, individual or medication appointment; screens
    are unannounced and never listed), then who is unaffected, in counts. A patient of
    OLD that INSTANCE no longer has is discharged; one not in OLD is new. Ids only.
    Exit 0 when printed, 2 for bad input.
    """
    inst = load_or_exit(load_instance, instance_path)
    before = load_timetable(old, inst, "OLD")
    after = load_timetable(new, inst, "NEW")
    from scheduler import diff_schedules
    from scheduler.views.diff import diff_lines

    found = diff_schedules(inst, before, after)
    if as_json:
        click.echo(json.dumps(found.model_dump(mode="json"), indent=2))
    else:
        echo_lines(diff_lines(found, by))
    sys.exit(EXIT_OK)
