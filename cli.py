"""The ``iop-scheduler`` command line.

Exit codes (scripts can rely on them) are the ``EXIT_*`` constants below, listed in
``main``'s help and the README: 0 success, 1 no schedule, 2 bad input, 3 internal
error, 4 an output not written, 130 Ctrl-C (``scheduler.interrupt``).

The commands themselves live in the ``commands`` package, a module per kind of work
(``solving``, ``reading``, ``formats``, ``generating``; what they share in ``common``);
this module is the group that holds them. The commands only parse options, load files, call the library and choose the exit
code; what they print is made in the library (``scheduler.views``, ``scheduler.batch``).
They import ``scheduler`` inside the command, after loading its input where they can:
importing it loads OR-Tools (about a second), which ``--help``, ``schema`` and
bad-input exits should not wait for.
"""

from __future__ import annotations

import signal
import threading

import click

from commands.common import (  # noqa: F401  (the exit codes, importable from here too)
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NO_SCHEDULE,
    EXIT_NOT_WRITTEN,
    EXIT_OK,
    SEED,
    WORKERS,
    interrupted_exit,
)
from commands.fitting import fit
from commands.formats import convert, export, template
from commands.generating import generate
from commands.reading import check, explain, schema, score, show
from commands.repairing import diff, repair
from commands.rolling import roll
from commands.solving import batch, solve


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
    if here and click.get_current_context().invoked_subcommand in ("solve", "explain", "repair"):
        signal.signal(signal.SIGINT, interrupted_exit)  # Ctrl-C: 130, not click's "Aborted!"
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # held until it is safe


for command in (
    solve,
    batch,
    check,
    score,
    explain,
    show,
    export,
    convert,
    template,
    schema,
    generate,
    fit,
    diff,
    repair,
    roll,
):
    main.add_command(command)


if __name__ == "__main__":  # python -m cli
    main()
