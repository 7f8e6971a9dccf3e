"""Exports of a solved week for the people and systems around it.

Each format is one module with ``files(instance, schedule) -> {name: bytes}``, the
files it writes relative to the export directory:

- ``page``: ``timetable.html``, one printable page (grids, sign-in sheets, each
  patient's week, the summary);
- ``sheets``: ``timetable.xlsx``, the same views as printable sheets;
- ``rows``: ``sessions.csv``, ``attendance.csv``, ``appointments.csv``,
  ``screens.csv`` for EHR import (ids only);
- ``ics``: one iCalendar feed per counselor and per room (no patient in them);
- ``fhir``: ``appointments.fhir.json``, a FHIR R4B Bundle of Appointments.

A patient's ``display_name`` appears only in the HTML and XLSX (sign-in sheets, the
patient's own page, the summary's table of patients: the clinic's staff read them);
the CSV, iCalendar and FHIR outputs carry ids.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from models import Instance, Schedule
from models.outputs import PathLike, output_problems, write_bytes_atomic

Files = dict[str, bytes]

FORMATS: tuple[str, ...] = ("html", "xlsx", "csv", "ics", "fhir")


def _maker(fmt: str) -> Callable[[Instance, Schedule], Files]:
    """The ``files`` function of a format (imported when used: each has its library)."""
    if fmt == "html":
        from scheduler.export.page import files
    elif fmt == "xlsx":
        from scheduler.export.sheets import files
    elif fmt == "csv":
        from scheduler.export.rows import files
    elif fmt == "ics":
        from scheduler.export.ics import files
    elif fmt == "fhir":
        from scheduler.export.fhir import files
    else:
        raise ValueError(f"unknown export format '{fmt}' (one of {', '.join(FORMATS)})")
    return files


def allowed_formats(instance: Instance) -> list[str]:
    """Every format this instance can be exported in: all of them, but the calendar
    and FHIR exports only with ``week_of`` and ``timezone`` (real dates and times)."""
    dated = instance.week_of is not None and instance.timezone is not None
    return [fmt for fmt in FORMATS if dated or fmt not in ("ics", "fhir")]


def export_problems(
    instance: Instance, schedule: Schedule | None, formats: Iterable[str]
) -> list[str]:
    """Why these exports cannot be made, one line each (empty when they can).

    Checked before any work (``solve --export`` checks before it solves, with
    ``schedule`` None): an unknown format, a calendar or FHIR export without
    ``week_of`` or ``timezone``, a ``SOURCE_DATE_EPOCH`` that is not a time (it stamps
    the calendars), a schedule without a timetable.
    """
    problems = []
    for fmt in formats:
        if fmt not in FORMATS:
            problems.append(f"--format: unknown format '{fmt}' (one of {', '.join(FORMATS)})")
    dated = [fmt for fmt in ("ics", "fhir") if fmt in formats]  # real dates and times
    for field in ("week_of", "timezone") if dated else ():
        if getattr(instance, field) is None:
            problems.append(
                f"instance: {field} is not set; the {' and '.join(dated)} export needs it "
                'for real dates and times (e.g. "week_of": "2026-12-07", '
                '"timezone": "America/New_York")'
            )
    if "ics" in formats:
        from scheduler.export.ics import export_stamp

        try:
            export_stamp()
        except ValueError as err:  # the environment's SOURCE_DATE_EPOCH
            problems.append(str(err))
    if schedule is not None and not schedule.found:
        problems.append(f"schedule: status is '{schedule.status}': there is no timetable to export")
    return problems


def export(instance: Instance, schedule: Schedule, formats: Iterable[str]) -> Files:
    """Every file of the given formats, by name relative to the export directory.

    Raises ``ValueError`` listing :func:`export_problems` when there are any.
    """
    formats = list(dict.fromkeys(formats))
    if problems := export_problems(instance, schedule, formats):
        raise ValueError("; ".join(problems))
    out: Files = {}
    for fmt in formats:
        out.update(_maker(fmt)(instance, schedule))
    return out


def output_files(
    directory: str | os.PathLike[str], files: Files, inputs: Iterable[PathLike | None] = ()
) -> list[str]:
    """Why the files cannot be written under ``directory``, one line each, found before
    any is written: the directory (created if missing) and each file, as
    :func:`models.outputs.output_problems` checks them (never over an input)."""
    root = Path(directory)
    if root.exists() and not root.is_dir():
        return [f"{root}: not a directory"]
    try:
        for name in files:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        return [f"{root}: cannot create the directory: {err.strerror}"]
    return output_problems([root / name for name in files], inputs)


def write_files(files: Files, directory: str | os.PathLike[str]) -> list[Path]:
    """Write each file under ``directory`` (made if missing), each one atomically."""
    root = Path(directory)
    written = []
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, data)
        written.append(path)
    return written
