"""What the commands share: exit codes, loading and writing with the right exit, and the
parameter types and options that more than one command takes."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from models import InputError, load_schedule
from models.outputs import OutputError, write_text_atomic
from models.text import printable

if TYPE_CHECKING:  # annotations only: importing scheduler loads OR-Tools (see cli.py)
    from models import Instance, Schedule

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
    return timetable_or_exit(load_or_exit(load_schedule, path), path, "--previous")


def timetable_or_exit(schedule: Schedule, path: str, what: str) -> Schedule:
    """``schedule`` (read from ``path``, given as ``what``) if it holds a timetable; else
    print why and exit 2."""
    if not schedule.found:
        bad_input(f"{path}: {what}: status '{schedule.status}': it holds no timetable")
    return schedule


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


def export_or_exit(
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
