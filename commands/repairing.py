"""Commands for a week already published: ``diff`` (the phone list) and ``repair``
(re-solve it after a same-day change, moving as few people as possible)."""

from __future__ import annotations

import json
import re
import sys
from typing import TYPE_CHECKING, Any

import click

from commands.common import (
    EXIT_INTERNAL,
    EXIT_NO_SCHEDULE,
    EXIT_OK,
    FILE,
    WORKERS,
    bad_input,
    echo_lines,
    interrupted_exit,
    load_or_exit,
    seed_option,
    time_limit_option,
    timetable_or_exit,
    write_or_exit,
)
from models import (
    CounselorAway,
    Disruption,
    InputError,
    Instance,
    Patient,
    RoomClosed,
    Schedule,
    load_instance,
    load_schedule,
    same_instance,
    to_json,
)
from models.disruption import load_admitted
from models.outputs import output_problems

if TYPE_CHECKING:
    from scheduler import RepairResult, SolveSettings


def load_timetable(path: str, inst: Instance, what: str) -> Schedule:
    """A schedule of ``inst`` that holds a timetable; else print why and exit 2."""
    sched = load_or_exit(load_schedule, path)
    load_or_exit(lambda source: same_instance(inst, sched, source), path)
    return timetable_or_exit(sched, path, what)


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


_OPTION = {
    "unavailable": "--unavailable",
    "rooms_closed": "--room-closed",
    "discharge": "--discharge",
    "admit": "--admit",
    "from_day": "--from",
}


def _at_pairs(
    values: tuple[str, ...], option: str, what: str
) -> tuple[list[tuple[str, dict[str, str]]], list[str]]:
    """``C03@tue.am`` values: the well-formed ones (the value, as an (id, slot) dict) and a
    line for each malformed one."""
    pairs, problems = [], []
    for value in values:
        ident, at, slot = value.partition("@")
        if at and _ID.match(ident) and _SLOT.match(slot):
            pairs.append((value, {what.lower(): ident, "slot": slot}))
        else:
            problems.append(f"{option} {value}: give {what}@DAY.BLOCK, e.g. {_EXAMPLE[what]}")
    return pairs, problems


_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_SLOT = re.compile(r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$")
_EXAMPLE = {"COUNSELOR": "C03@tue.am", "ROOM": "R2@wed.pm"}


def _disruption_or_exit(
    inst: Instance,
    published: Schedule,
    unavailable: tuple[str, ...],
    room_closed: tuple[str, ...],
    discharge: tuple[str, ...],
    admit: str | None,
    from_day: str | None,
) -> Disruption:
    """The options as a Disruption the week can take; else one line per problem (naming
    the option and its value), all in one pass, and exit 2."""
    from scheduler.disrupt import disrupted_instance, disruption_problems

    away, problems = _at_pairs(unavailable, "--unavailable", "COUNSELOR")
    closed, more = _at_pairs(room_closed, "--room-closed", "ROOM")
    problems += more
    discharged = [pid for pid in discharge if _ID.match(pid)]
    problems += [
        f"--discharge {pid}: not a patient id" for pid in discharge if pid not in discharged
    ]
    if from_day is not None and not _ID.match(from_day):
        problems.append(f"--from {from_day}: '{from_day}' is not a day ({', '.join(inst.days)})")
        from_day = None
    admitted: list[Patient] = []
    if admit is not None:
        try:
            admitted = load_admitted(admit)
        except InputError as err:
            problems += [f"--admit {err.source}: {line}" for line in err.lines]
    found = Disruption(
        unavailable=[CounselorAway(**a) for _, a in away],
        rooms_closed=[RoomClosed(**c) for _, c in closed],
        discharge=discharged,
        admit=admitted,
        from_day=from_day,
    )
    given: dict[str, list[str]] = {
        "unavailable": [value for value, _ in away],
        "rooms_closed": [value for value, _ in closed],
        "discharge": discharged,
        "admit": [f"{admit}: patients[{i}]" for i in range(len(admitted))],
        "from_day": [str(from_day)],
    }
    for p in disruption_problems(inst, found):
        problems.append(f"{_OPTION[p.field]} {given[p.field][p.index or 0]}: {p.message}")
    if problems:
        bad_input(*problems)
    try:
        disrupted_instance(inst, published, found)  # made again by repair: here for its problems
    except InputError as err:
        bad_input(*(_changed_week_line(line, admit) for line in err.lines))
    return found


def _changed_week_line(line: str, admit: str | None) -> str:
    """A problem of the changed week: an admitted patient's at its place in the file."""
    if line.startswith("admit[") and admit is not None:
        return f"--admit {admit}: patients[{line.removeprefix('admit[')}"
    return f"the changed week: {line}"


@click.command()
@click.argument("instance", type=FILE)
@click.argument("schedule", type=FILE)
@click.option(
    "-o",
    "--output",
    required=True,
    type=FILE,
    help="Where to write the repaired schedule JSON (written atomically).",
)
@click.option(
    "--unavailable",
    multiple=True,
    metavar="COUNSELOR@SLOT",
    help="A counselor who cannot come to a block, e.g. C03@tue.am (repeatable).",
)
@click.option(
    "--room-closed",
    multiple=True,
    metavar="ROOM@SLOT",
    help="A room that cannot be used in a block, e.g. R2@wed.pm (repeatable).",
)
@click.option(
    "--discharge", multiple=True, metavar="PATIENT", help="A patient who left (repeatable)."
)
@click.option(
    "--admit",
    type=FILE,
    help='New patients: a JSON list of patients in the instance\'s format, or {"patients": [...]}.',
)
@click.option(
    "--from",
    "from_day",
    metavar="DAY",
    help="The first day that may change: the days before it are over and kept as published.",
)
@time_limit_option
@click.option(
    "--workers", default=8, type=WORKERS, help="CP-SAT search workers; 0 lets CP-SAT choose."
)
@seed_option
@click.option(
    "--quiet", is_flag=True, help="No live progress (it is shown only on a terminal anyway)."
)
@click.option("--phone-list", type=FILE, help="Also write the phone list (as `diff` prints it).")
@click.option(
    "--instance-out",
    type=FILE,
    help="Also write the changed week's instance: the repaired schedule is checked against it.",
)
def repair(
    instance: str,
    schedule: str,
    output: str,
    unavailable: tuple[str, ...],
    room_closed: tuple[str, ...],
    discharge: tuple[str, ...],
    admit: str | None,
    from_day: str | None,
    quiet: bool,
    phone_list: str | None,
    instance_out: str | None,
    **search: Any,  # time_limit, workers, seed: fields of SolveSettings
) -> None:
    """Repair the published SCHEDULE of INSTANCE after a same-day change, moving as few
    people as possible, and write it to OUTPUT.

    The days before --from are kept exactly; the rest is solved against the published
    schedule (as solve --previous), and the result is checked against the changed week.
    Prints the solve summary and how many people to call. Exit 0 when a schedule was
    written; 1 when none exists or was found in time (why is printed; the output is
    still written, with that status); 2 for bad input (nothing written); 3 when the
    checker disagrees; 130 Ctrl-C.
    """
    inst = load_or_exit(load_instance, instance)
    published = load_timetable(schedule, inst, "SCHEDULE")
    disruption = _disruption_or_exit(
        inst, published, unavailable, room_closed, discharge, admit, from_day
    )
    outputs = [output, phone_list, instance_out]
    if problems := output_problems([o for o in outputs if o], [instance, schedule, admit]):
        bad_input(*problems)
    from scheduler import SolveSettings
    from scheduler import repair as run_repair
    from scheduler.interrupt import CtrlC
    from scheduler.views import ProgressWriter
    from scheduler.views.diff import diff_lines

    settings = SolveSettings(**search)
    live = not quiet and sys.stderr.isatty()
    with CtrlC(), ProgressWriter(sys.stderr if live else None, None) as progress:
        try:
            repaired = run_repair(inst, published, disruption, settings, progress.on_progress)
            progress.done(repaired.result)
            if repaired.result.interrupted and not repaired.found:
                interrupted_exit()
            _report_and_write(repaired, published, settings, output)
            if repaired.diff is not None and phone_list is not None:
                text = "\n".join(diff_lines(repaired.diff)) + "\n"
                write_or_exit(phone_list, text, f"wrote {phone_list}")
            if instance_out is not None:
                write_or_exit(instance_out, to_json(repaired.instance), f"wrote {instance_out}")
        except RuntimeError as err:
            click.echo(str(err), err=True)
            sys.exit(EXIT_INTERNAL)
        except KeyboardInterrupt:
            interrupted_exit()
    sys.exit(EXIT_OK if repaired.found else EXIT_NO_SCHEDULE)


def _report_and_write(
    repaired: RepairResult, published: Schedule, settings: SolveSettings, output: str
) -> None:
    """Print the summary, say why there is no schedule or check the one found against the
    changed week (exit 3 when the checker disagrees or a frozen day changed), say whom to
    call, and write the schedule."""
    from scheduler import check, diagnose
    from scheduler.budget import time_left
    from scheduler.interrupt import write_schedule
    from scheduler.views import disagreement_lines, why_lines
    from scheduler.views.diff import call_line

    result = repaired.result
    click.echo(result.summary())
    if result.status == "infeasible":
        echo_lines(why_lines(diagnose(repaired.instance, time_limit=time_left(settings, result))))
        echo_lines([f"why: {line}" for line in repaired.stuck])
    if result.found and repaired.diff is not None:
        report = check(repaired.instance, result.schedule, published)
        if not report.ok or report.objective != result.objective:
            echo_lines(disagreement_lines(report, result.objective), err=True)
            sys.exit(EXIT_INTERNAL)
        if past := repaired.past_changes():
            # Nothing in an instance forbids a new appointment on a day that is over: the
            # changes the repair needs would be there. Nothing is written.
            lines = ["no repair found that keeps the days before --from as they were:"]
            lines += past[:10] + ([f"and {len(past) - 10} more"] if len(past) > 10 else [])
            lines += [f"why: {line}" for line in repaired.stuck]
            echo_lines(lines, err=True)
            sys.exit(EXIT_NO_SCHEDULE)
        echo_lines([call_line(repaired.diff)])
    # A second Ctrl-C until the rename: 130, nothing written.
    write_or_exit(output, to_json(result.schedule), f"wrote {output}", write_schedule)
