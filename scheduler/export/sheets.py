"""``timetable.xlsx``: the views of the HTML page as printable sheets.

The content comes from :mod:`scheduler.export.tables`, as for the page; here it is only
laid out: a ``Summary`` sheet, one sheet per room grid and per counselor grid, a
``Sign-in`` sheet (a page break between sessions) and a ``Patients`` sheet (a page break
between patients). Every sheet has column widths, a page setup that fits the width
(grids: landscape, one page each) and print titles where a header repeats.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from models import Instance, Schedule
from scheduler.export.summary import ASAM_FLAG, Summary
from scheduler.export.tables import Grid, PatientWeek, Roster, Timetable, timetable

NAME = "timetable.xlsx"
MAX_TITLE = 31  # Excel's limit on a sheet name
_REFUSED = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))

_THIN = Side(style="thin", color="C9D1DB")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = PatternFill("solid", fgColor="EEF2F6")
_BAND = PatternFill("solid", fgColor="DDE5EE")
_FLAG = PatternFill("solid", fgColor="FBEAE9")
_FILL = {
    "session": PatternFill("solid", fgColor="EAF1F8"),
    "individual": PatternFill("solid", fgColor="E8F4ED"),
    "medication": PatternFill("solid", fgColor="F1EBF7"),
}
_WRAP = Alignment(wrap_text=True, vertical="top")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_MUTED = Font(color="5B6878")
_WARN = Font(bold=True, color="B3261E")


def sheet_title(base: str, used: set[str]) -> str:
    """A sheet name within Excel's 31 characters, unique (Excel ignores case) in ``used``.

    ``used`` holds the lower-cased names taken so far; the new one is added to it. The
    characters Excel refuses in a name (``[]:*?/\\``) become ``_``.
    """
    base = base.translate(_REFUSED).strip("'") or "Sheet"
    title = base[:MAX_TITLE]
    n = 1
    while title.lower() in used:
        n += 1
        suffix = f"~{n}"
        title = base[: MAX_TITLE - len(suffix)] + suffix
    used.add(title.lower())
    return title


def _setup(ws: Worksheet, widths: Sequence[float], landscape: bool, one_page: bool) -> None:
    """Column widths and a page setup that fits the width (and the height: one page)."""
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def _header(ws: Worksheet, row: int, names: Iterable[str]) -> None:
    for col, name in enumerate(names, start=1):
        cell = ws.cell(row, col, name)
        cell.font, cell.fill, cell.border = _BOLD, _HEAD, _BOX


def _line(ws: Worksheet, row: int, values: Iterable[object], flagged: bool = False) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row, col, value)
        cell.border, cell.alignment = _BOX, _WRAP
        if flagged:
            cell.fill = _FLAG


def grid_sheet(ws: Worksheet, grid: Grid) -> None:
    """One grid: a title, then the times down column A and a column per day from row 3."""
    ws["A1"] = grid.label
    ws["A1"].font = _TITLE
    ws["A2"] = f"{grid.site} · {grid.note}" if grid.site else grid.note
    ws["A2"].font = _MUTED
    _header(ws, 3, ["Time", *grid.day_labels])
    width = len(grid.days) + 1
    row = 4
    band = None
    for r in grid.rows:
        if r.band != band:
            band = r.band
            ws.cell(row, 1, band.upper()).font = _BOLD
            for col in range(1, width + 1):
                ws.cell(row, col).fill = _BAND
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            row += 1
        ws.cell(row, 1, r.time).border = _BOX
        ws.cell(row, 1).alignment = _WRAP
        lines = 1
        for col, cell_entries in enumerate(r.cells, start=2):
            text = "\n\n".join(
                "\n".join([e.title, *e.details, *([e.ref] if e.ref else [])]) for e in cell_entries
            )
            cell = ws.cell(row, col, text or None)
            cell.border, cell.alignment = _BOX, _WRAP
            if cell_entries:
                cell.fill = _FILL[cell_entries[0].kind]
            lines = max(lines, text.count("\n") + 1)
        ws.row_dimensions[row].height = 14 * lines + 2
        row += 1
    ws.freeze_panes = "B4"
    ws.print_title_rows = "1:3"
    ws.print_title_cols = "A:A"
    _setup(ws, [13] + [26] * len(grid.days), landscape=True, one_page=True)


def _facts(ws: Worksheet, row: int, facts: Sequence[tuple[str, str]]) -> int:
    """Label-value pairs two to a row from ``row``; returns the next free row."""
    for i, (label, value) in enumerate(facts):
        r, col = row + i // 2, 1 + 3 * (i % 2)
        ws.cell(r, col, label).font = _MUTED
        ws.cell(r, col + 1, value)
    return row + (len(facts) + 1) // 2


def signin_sheet(ws: Worksheet, rosters: Sequence[Roster]) -> None:
    """Every session's sign-in sheet, one printed page each."""
    row = 1
    for r in rosters:
        title = f"Sign-in: {r.group_type}" + (f": {r.topic}" if r.topic else "")
        ws.cell(row, 1, title).font = _TITLE
        room = r.room + (f", {r.site}" if r.site else "")
        row = _facts(
            ws,
            row + 1,
            [
                ("Day", f"{r.day} ({r.block})"),
                ("Time", r.time),
                ("Room", room),
                ("Counselors", ", ".join(r.counselors)),
                ("Session", r.session),
                ("Stage", r.stage or "all stages"),
            ],
        )
        row += 1
        _header(ws, row, ["#", "Name", "ID", "Time in", "Signature"])
        for n, line in enumerate(r.lines, start=1):
            _line(ws, row + n, [n, line.name, line.patient, None, None])
            ws.row_dimensions[row + n].height = 26
        row += len(r.lines) + 1
        ws.row_breaks.append(Break(id=row - 1))
        row += 1
    _setup(ws, [5, 30, 12, 12, 40], landscape=False, one_page=False)


def patients_sheet(ws: Worksheet, weeks: Sequence[PatientWeek]) -> None:
    """Every patient's own week, one printed page each (no screens: they are unannounced)."""
    row = 1
    for p in weeks:
        ws.cell(row, 1, p.name or p.patient).font = _TITLE
        if p.name:
            ws.cell(row, 3, p.patient).font = _MUTED
        facts = [
            ("Group hours", f"{p.hours:.1f} h (at least {p.min_hours:g}, at most {p.max_hours:g})"),
            ("Days", f"{p.days} (at least {p.min_days})"),
            ("Stage", p.stage),
            ("Primary counselor", p.primary or "none"),
        ]
        row = _facts(ws, row + 1, facts + ([("Site", p.site)] if p.site else [])) + 1
        _header(ws, row, ["Day", "Time", "What", "Where", "With"])
        for n, item in enumerate(p.items, start=1):
            _line(ws, row + n, [item.day, item.time, item.what, item.room, item.counselors])
        row += len(p.items) + 1
        ws.row_breaks.append(Break(id=row - 1))
        row += 1
    _setup(ws, [16, 26, 36, 22, 22], landscape=False, one_page=False)


def _table(
    ws: Worksheet,
    row: int,
    heading: str,
    names: Sequence[str],
    rows: Iterable[tuple[Sequence[object], bool]],
) -> int:
    """A heading, a header row and (values, flagged) rows; returns the next free row."""
    ws.cell(row, 1, heading).font = Font(bold=True, size=12, color="1F5F99")
    _header(ws, row + 1, names)
    row += 2
    for values, flagged in rows:
        _line(ws, row, values, flagged)
        row += 1
    return row + 1


def summary_sheet(ws: Worksheet, s: Summary, sites: bool) -> None:
    """Validity first, then the objective by term, patients, groups, counselors, rooms and
    unmet preferences."""
    ws["A1"] = f"Summary of {s.instance}"
    ws["A1"].font = _TITLE
    ws["A2"] = f"status {s.status}, objective {s.objective} (recomputed by the checker)"
    row = 3
    if s.violations:
        ws.cell(row, 1, f"The checker finds {len(s.violations)} broken rules:").font = _WARN
        for v in s.violations:
            row += 1
            ws.cell(row, 1, v)
    else:
        ws.cell(row, 1, "The checker finds no broken rule.")
    if s.stated_objective is not None and s.stated_objective != s.objective:
        row += 1
        ws.cell(row, 1, f"The schedule states objective {s.stated_objective}.").font = _WARN
    row += 2
    terms: list[tuple[Sequence[object], bool]] = [
        ((t.term, t.weight, t.units, t.cost), False) for t in s.terms
    ]
    terms.append((("objective", None, None, s.objective), False))
    row = _table(ws, row, "Objective by term", ["Term", "Weight", "Units", "Cost"], terms)
    site = ["Site"] if sites else []
    flagged = s.flagged
    heading = f"Patients: hours and days ({len(flagged)} flagged; {ASAM_FLAG} is flagged)"
    row = _table(
        ws,
        row,
        heading,
        ["ID", "Name", *site, "Stage", "Hours", "min_hours", "Days", "min_days", "Flags"],
        (
            (
                [p.patient, p.name, *([p.site] if sites else []), p.stage, round(p.hours, 2)]
                + [p.min_hours, p.days, p.min_days, "; ".join(p.flags)],
                bool(p.flags),
            )
            for p in s.patients
        ),
    )
    row = _table(
        ws,
        row,
        "Group sizes",
        ["Session", "Day", "Time", "Group type", *site, "Room", "Size", "Min", "Max", "Flag"],
        (
            (
                [g.session, g.day, g.time, g.group_type, *([g.site] if sites else []), g.room]
                + [g.size, g.min_size, g.max_size, g.flag],
                bool(g.flag),
            )
            for g in s.groups
        ),
    )
    row = _table(
        ws,
        row,
        "Counselor loads",
        ["Counselor", "Sessions", "Group hours", "max_hours", "Individual", "Medication", "Flag"],
        (
            (
                [c.counselor, c.sessions, round(c.hours, 2), c.max_hours, c.individual]
                + [c.medication, c.flag],
                bool(c.flag),
            )
            for c in s.counselors
        ),
    )
    row = _table(
        ws,
        row,
        "Room use",
        ["Room", *site, "Type", "Capacity", "Uses", "Seats used", "Seats offered"],
        (
            (
                [r.room, *([r.site] if sites else []), r.type, r.capacity, r.uses]
                + [r.seats_used, r.seats_offered],
                False,
            )
            for r in s.rooms
        ),
    )
    _table(
        ws,
        row,
        "Unmet preferences",
        ["Patient", "Attends, not preferred", "Preferred"],
        (((m.patient, ", ".join(m.slots), ", ".join(m.preferred)), False) for m in s.preferences),
    )
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    _setup(ws, [22, 18, 16, 22, 14, 12, 12, 12, 12, 40], landscape=True, one_page=False)


def workbook(t: Timetable) -> Workbook:
    """The workbook of every view: Summary, the grids, Sign-in, Patients."""
    wb = Workbook()
    used: set[str] = set()
    summary_sheet(wb.active, t.summary, bool(t.sites))
    wb.active.title = sheet_title("Summary", used)
    for grid in (*t.room_grids, *t.counselor_grids):
        # by id: a counselor's name is free text, too long for a sheet name
        base = grid.label if grid.kind == "room" else f"Counselor {grid.id}"
        grid_sheet(wb.create_sheet(sheet_title(base, used)), grid)
    signin_sheet(wb.create_sheet(sheet_title("Sign-in", used)), t.rosters)
    patients_sheet(wb.create_sheet(sheet_title("Patients", used)), t.patients)
    return wb


def files(instance: Instance, schedule: Schedule) -> dict[str, bytes]:
    """``{"timetable.xlsx": the workbook}``."""
    out = BytesIO()
    workbook(timetable(instance, schedule)).save(out)
    return {NAME: out.getvalue()}
