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

One module per command or family of commands: ``solve``, ``batch``, ``generate``, and
``review`` (``check``, ``score``, ``explain``, ``show``, ``schema``); ``common`` holds the
exit codes and the loading of input, ``options`` the options ``solve`` and ``batch`` share.
"""

import click

from cli.batch import batch
from cli.generate import generate
from cli.review import check, explain, schema, score, show
from cli.solve import solve


@click.group(context_settings={"show_default": True})  # in every command's --help
@click.version_option(package_name="iop-scheduler")
def main() -> None:
    """Weekly group timetables for Intensive Outpatient Programs.

    \b
    Exit codes: 0 success; 1 no schedule found (infeasible or out of time) or
    a checked schedule has violations; 2 bad input (nothing written);
    3 internal error (the solver's schedule failed the checker).
    """


for command in (solve, batch, check, explain, score, show, generate, schema):
    main.add_command(command)
