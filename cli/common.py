"""What the commands share: exit codes, and loading input or exiting 2 with one line
per problem."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from models import InputError, Instance, Schedule

T = TypeVar("T")

EXIT_OK, EXIT_NO_SCHEDULE, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
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


def same_instance_or_exit(path: str, sched: Schedule, inst: Instance) -> None:
    """A schedule made for another instance is bad input (exit 2)."""
    if sched.instance != inst.name:
        bad_input(f"{path}: instance: the schedule is for '{sched.instance}', not '{inst.name}'")


def check_writable(path: str) -> None:
    """An output path in a directory that does not exist is bad input (exit 2)."""
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        bad_input(f"{path}: directory {parent} does not exist")


def echo_lines(lines: Iterable[str], err: bool = False) -> None:
    """Print each line (to stderr with ``err``)."""
    for line in lines:
        click.echo(line, err=err)


def interrupted_exit() -> NoReturn:
    """A second Ctrl-C: say that nothing was written, exit 130."""
    click.echo("interrupted: nothing written", err=True)
    sys.exit(EXIT_INTERRUPTED)
