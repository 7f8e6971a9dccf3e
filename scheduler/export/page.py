"""``timetable.html``: the week as one self-contained printable page.

The views of :mod:`scheduler.export.tables`, laid out by one Jinja2 template
(``templates/timetable.html.j2``) with autoescaping on, since ids and names are user
data. The page needs no network and no JavaScript: its CSS is inline, and printing it
puts each view on a page of its own.
"""

from __future__ import annotations

from itertools import groupby

import jinja2

from models import Instance, Schedule
from scheduler.export.summary import ASAM_FLAG, ASAM_FLOOR_HOURS
from scheduler.export.tables import Grid, GridRow, timetable
from scheduler.export.week import APPOINTMENTS

NAME = "timetable.html"

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("scheduler.export", "templates"),
    autoescape=True,  # ids and names are user data: `<b>x</b>` is shown as text
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def bands(grid: Grid) -> list[tuple[str, list[GridRow]]]:
    """A grid's rows in runs of one band (a block, or the appointment times between)."""
    return [(band, list(rows)) for band, rows in groupby(grid.rows, key=lambda r: r.band)]


def render(instance: Instance, schedule: Schedule) -> str:
    """The page as text: contents, grids, sign-in sheets, patient weeks, summary.

    Parameters
    ----------
    instance
        The validated instance the schedule is for.
    schedule
        A schedule with a timetable; if the checker finds violations, the page says so
        at the top and the summary lists them.

    Returns
    -------
    str
        A complete HTML document.
    """
    template = _ENV.get_template("timetable.html.j2")
    return template.render(
        t=timetable(instance, schedule),
        week_of=instance.week_of.isoformat() if instance.week_of else None,
        bands=bands,
        APPOINTMENTS=APPOINTMENTS,
        ASAM_FLAG=ASAM_FLAG,
        ASAM_FLOOR_HOURS=ASAM_FLOOR_HOURS,
    )


def files(instance: Instance, schedule: Schedule) -> dict[str, bytes]:
    """``{"timetable.html": the page}`` (UTF-8)."""
    return {NAME: render(instance, schedule).encode("utf-8")}
