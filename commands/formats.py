"""Commands for the coordinator's formats: ``export`` a schedule (HTML, XLSX, CSV,
iCalendar, FHIR), ``convert`` an instance between JSON and a workbook, and write an empty
``template`` workbook."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from commands.common import (
    EXIT_NO_SCHEDULE,
    EXIT_OK,
    FILE,
    FORMAT_LIST,
    bad_input,
    echo_lines,
    export_or_exit,
    load_or_exit,
    write_or_exit,
)
from models import load_instance, load_schedule, same_instance, to_json
from models.outputs import output_problems, write_bytes_atomic


@click.command()
@click.argument("schedule", type=FILE)
@click.option(
    "--instance",
    "instance",
    required=True,
    type=FILE,
    help="The schedule's instance (JSON or .xlsx).",
)
@click.option(
    "-o",
    "--output-dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Where to write the files (created if missing); each file is written atomically.",
)
@click.option(
    "--format",
    "formats",
    type=FORMAT_LIST,
    help="Any of html, xlsx, csv, ics, fhir, comma-separated (default: all that the instance allows: ics and fhir need its week_of and timezone).",
)
def export(schedule: str, instance: str, output_dir: str, formats: list[str] | None) -> None:
    """Write SCHEDULE for the people and systems around it: a printable HTML page
    (grids, sign-in sheets, each patient's week, the summary), the same as an XLSX
    workbook, CSV for EHR import, iCalendar feeds per counselor and room, FHIR
    Appointments.

    Only the HTML and XLSX show patients' display names; the CSV, calendars and FHIR
    carry ids. Exit 0 when written, 1 when written but the schedule breaks rules
    (the summary lists them), 2 for bad input, 4 when a file cannot be written.
    """
    inst = load_or_exit(load_instance, instance)
    sched = load_or_exit(load_schedule, schedule)
    load_or_exit(lambda path: same_instance(inst, sched, path), schedule)
    from scheduler import check as run_check
    from scheduler.export import allowed_formats, export_problems

    if formats is None:
        formats = allowed_formats(inst)
    if problems := export_problems(inst, sched, formats):
        bad_input(*problems)
    report = run_check(inst, sched)
    export_or_exit(inst, sched, formats, output_dir, [instance, schedule])
    if not report.ok:
        click.echo(
            f"warning: the schedule breaks {len(report.violations)} rules (`check` lists them)",
            err=True,
        )
    sys.exit(EXIT_OK if report.ok else EXIT_NO_SCHEDULE)


@click.command()
@click.argument("source", type=FILE)
@click.option(
    "-o", "--output", required=True, type=FILE, help="The converted file: .json or .xlsx."
)
def convert(source: str, output: str) -> None:
    """Convert an instance between JSON and an .xlsx workbook (by the files' extensions).

    The workbook has one sheet per kind of object and one column per slot for
    availability; `template` writes an empty one. Exit 0 when written, 2 for bad
    input (every problem of the file, by sheet, row and column), 4 when the output
    cannot be written.
    """
    if problems := _instance_format_problems(output) + output_problems([output], [source]):
        bad_input(*problems)
    inst = load_or_exit(load_instance, source)
    from models.workbook import instance_to_workbook, workbook_losses

    if _is_workbook(output):
        echo_lines((f"warning: {line}" for line in workbook_losses(inst)), err=True)
        write_or_exit(output, instance_to_workbook(inst), f"wrote {output}", write_bytes_atomic)
    else:
        write_or_exit(output, to_json(inst), f"wrote {output}")


@click.command()
@click.argument("output", type=FILE)
@click.option("--days", default="mon,tue,wed,thu,fri", help="The program's days, comma-separated.")
@click.option(
    "--blocks",
    default="am=09:00-12:00/3,pm=18:00-21:00/3",
    help="Blocks as ID=START-END/PERIODS, comma-separated: am=09:00-12:00/3 is a morning of three hour-long groups.",
)
def template(output: str, days: str, blocks: str) -> None:
    """Write an empty roster workbook (.xlsx) to fill in: one example row per sheet,
    drop-downs, and a notes sheet that says what each column means."""
    from models.workbook import parse_blocks, parse_days, template_workbook

    problems = output_problems([output])
    if not _is_workbook(output):
        problems.append(f"{output}: a template is a workbook: name it .xlsx")
    week: dict[str, Any] = {}
    for option, parse, text in (("days", parse_days, days), ("blocks", parse_blocks, blocks)):
        try:
            week[option] = parse(text)
        except ValueError as err:
            problems.append(f"--{option}: {err}")
    if problems:
        bad_input(*problems)
    data = template_workbook(week["days"], week["blocks"])
    write_or_exit(
        output,
        data,
        f"wrote {output}: fill it in, then `solve {output} -o ...`",
        write_bytes_atomic,
    )


def _is_workbook(path: str) -> bool:
    return Path(path).suffix.lower() == ".xlsx"


def _instance_format_problems(path: str) -> list[str]:
    if Path(path).suffix.lower() in (".json", ".xlsx"):
        return []
    return [f"{path}: name the output .json or .xlsx (the format follows the extension)"]
