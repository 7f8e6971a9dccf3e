"""Writing an instance as a workbook: one sheet per kind of object, drop-downs, frozen
headers, and a ``notes`` sheet that says what each column means."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import BaseModel

from models.instance import Instance
from models.workbook.cells import write_cell
from models.workbook.layout import (
    ALL_SLOTS,
    AVAILABLE,
    BLOCK_COLUMNS,
    BLOCKS,
    KEY_COLUMNS,
    NOTES,
    PROGRAM,
    Column,
    ObjectSheet,
    object_sheets,
    program_keys,
)
from models.workbook.notes import note_rows

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_LAST_ROW = 1_048_576  # Excel's last row: drop-downs cover rows added later
_INLINE_LIMIT = 255  # the longest list Excel takes in a drop-down's formula


def instance_to_workbook(instance: Instance) -> bytes:
    """The workbook (.xlsx) file of an instance.

    Parameters
    ----------
    instance
        A validated instance.

    Returns
    -------
    bytes
        The file's bytes: the sheets ``program``, ``blocks``, one per list of objects
        (``group_types``, ``requirements``, ``patients``, ``counselors``, ``rooms``,
        ``together``, and ``sites`` when the instance has sites), and ``notes``.
        :func:`models.workbook.read_workbook` reads it back as an equal instance (with
        availability in week order, see :func:`models.workbook.in_week_order`).
    """
    book = Workbook(write_only=True)
    _program(book.create_sheet(PROGRAM), instance)
    _blocks(book.create_sheet(BLOCKS), instance)
    for sheet in object_sheets():
        items = getattr(instance, sheet.name)
        if sheet.name == "sites" and not items:  # only an organization of sites has one
            continue
        _objects(book.create_sheet(sheet.name), sheet, items, instance)
    _notes(book.create_sheet(NOTES), instance)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _value(instance: Instance, key: str) -> Any:
    """The value of a ``program`` key: ``individual.per_week`` -> instance.individual.per_week."""
    node: Any = instance
    for part in key.split("."):
        node = getattr(node, part, None) if node is not None else None
    return node


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """A value as a cell: dates get a date format; text is never taken for a formula."""
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def _header(sheet: WriteOnlyWorksheet, names: list[str], widths: list[float], freeze: str) -> None:
    sheet.freeze_panes = freeze
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, name)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cells.append(cell)
    sheet.append(cells)


def _width(name: str, values: Iterable[Any]) -> float:
    longest = max((len(str(v)) for v in values if v is not None), default=0)
    return float(min(max(len(name), longest, 4) + 2, 42))


def _program(sheet: WriteOnlyWorksheet, instance: Instance) -> None:
    keys = program_keys()
    rows = [(k.name, write_cell(_value(instance, k.name), k)) for k in keys]
    widths = [_width("key", [r[0] for r in rows]), _width("value", [r[1] for r in rows])]
    _header(sheet, [c.name for c in KEY_COLUMNS], widths, "A2")
    for r, (key, value) in enumerate(rows, start=2):
        sheet.append([key, _cell(sheet, value)])
        _validate(sheet, keys[r - 2], f"B{r}", instance)


def _blocks(sheet: WriteOnlyWorksheet, instance: Instance) -> None:
    rows = [
        [block.id, n, period.start, period.end]
        for block in instance.blocks
        for n, period in enumerate(block.periods, start=1)
    ]
    widths = [_width(c.name, [row[i] for row in rows]) for i, c in enumerate(BLOCK_COLUMNS)]
    _header(sheet, [c.name for c in BLOCK_COLUMNS], widths, "A2")
    for row in rows:
        sheet.append(row)


def _objects(
    sheet: WriteOnlyWorksheet, spec: ObjectSheet, items: list[BaseModel], instance: Instance
) -> None:
    week = instance.slots if spec.slot_fields else []
    names = [c.name for c in spec.columns] + ([ALL_SLOTS] if spec.all_slots else []) + week
    rows = [_object_row(spec, item, week) for item in items]
    widths = [
        7.0 if i >= len(spec.columns) else _width(name, [row[i] for row in rows[:500]])
        for i, name in enumerate(names)
    ]
    _header(sheet, names, widths, "B2")
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    for i, column in enumerate(spec.columns):
        letter = get_column_letter(i + 1)
        _validate(sheet, column, f"{letter}2:{letter}{_LAST_ROW}", instance)
    first = len(spec.columns) + 1
    if spec.all_slots:
        letter = get_column_letter(first)
        _add_list(sheet, '"x"', f"{letter}2:{letter}{_LAST_ROW}", strict=True)
        first += 1
    if week:
        cells = f"{get_column_letter(first)}2:{get_column_letter(len(names))}{_LAST_ROW}"
        _add_list(sheet, f'"{",".join(spec.marks)}"', cells, strict=True)


def _object_row(spec: ObjectSheet, item: BaseModel, week: list[str]) -> list[Any]:
    # A value derived from elsewhere (a patient's stage from a phase) is left blank.
    derived = getattr(item, "derived", ())
    row = [
        write_cell(None if c.name in derived else getattr(item, c.name), c) for c in spec.columns
    ]
    if not spec.slot_fields:
        return row
    available = getattr(item, AVAILABLE)
    if spec.all_slots:
        row.append("x" if available is None else None)
    chosen = {name: set(getattr(item, name) or ()) for name in spec.slot_fields}
    every = available is None
    for slot in week:
        mark = None
        for letter, fields in spec.marks.items():
            if all(every and f == AVAILABLE or slot in chosen[f] for f in fields):
                mark = letter
        row.append(mark)
    return row


# Columns whose values are the ids of another sheet: their drop-down lists that sheet's
# ids (and stays current as rows are added there).
_ID_LISTS = {
    "primary_counselor": "counselors",
    "group_type": "group_types",
    "qualified": "group_types",
    "avoid": "patients",
    "patients": "patients",
    "site": "sites",
    "sites": "sites",
}


def _validate(sheet: WriteOnlyWorksheet, column: Column, cells: str, instance: Instance) -> None:
    """The column's drop-down, if it has one; free values are allowed in lists and where
    the choices are ids the coordinator may add."""
    name = column.name.rpartition(".")[2]
    if column.kind == "choice":
        _add_list(sheet, _inline(column.choices), cells, strict=not column.listed)
    elif column.kind == "boolean":
        _add_list(sheet, '"TRUE,FALSE"', cells, strict=True)
    elif name in ("stage", "stages") and sheet.title != PROGRAM:
        _add_list(sheet, _inline(instance.stages), cells, strict=False)
    elif name in _ID_LISTS and (_ID_LISTS[name] != "sites" or instance.sites):
        _add_list(sheet, f"{_ID_LISTS[name]}!$A$2:$A${_LAST_ROW}", cells, strict=False)


def _inline(choices: Iterable[str]) -> str | None:
    text = ",".join(choices)
    return f'"{text}"' if len(text) <= _INLINE_LIMIT and '"' not in text else None


def _add_list(sheet: WriteOnlyWorksheet, formula: str | None, cells: str, strict: bool) -> None:
    if formula is None:
        return
    rule = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=strict)
    if strict:
        rule.error = "Pick a value from the list (see the notes sheet)."
    rule.add(cells)
    sheet.data_validations.append(rule)


def _notes(sheet: WriteOnlyWorksheet, instance: Instance) -> None:
    rows = note_rows(instance)
    names = ["sheet", "column", "type", "default", "meaning"]
    widths = [14.0, 30.0, 28.0, 16.0, 100.0]
    _header(sheet, names, widths, "A2")
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
