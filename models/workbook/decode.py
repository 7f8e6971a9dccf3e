"""A workbook's grids as instance data (the dict a JSON file gives), with the cell each
value came from, and every problem found on the way (unknown sheets and columns,
cells that do not convert).

A cell that does not convert leaves :data:`UNREADABLE` in the data: the model refuses
it at that cell (the line for it is the one said here), and the cross-object check
leaves out what depends on it, as it does for a bad value in JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from models.workbook.cells import CellError, is_blank, read_cell, shown
from models.workbook.grid import Grid
from models.workbook.layout import (
    ALL_SLOTS,
    AVAILABLE,
    BLOCK_COLUMNS,
    BLOCKS,
    KEY_COLUMNS,
    PROGRAM,
    REQUIRED_UNLESS,
    Column,
    ObjectSheet,
    object_sheets,
    optional_objects,
    program_keys,
    sheet_order,
    slots,
)
from models.workbook.places import Cell, Places, unknown


class _Unreadable:
    def __repr__(self) -> str:
        return "an unreadable cell"


UNREADABLE: Any = _Unreadable()
REQUIRED_SHEETS = (PROGRAM, BLOCKS)


@dataclass
class Decoded:
    """The instance data read from a workbook, where each value came from, and the problems."""

    data: dict[str, Any] = field(default_factory=dict)
    places: Places = field(default_factory=Places)
    problems: list[tuple[Cell, str]] = field(default_factory=list)
    missing_columns: set[tuple[str, str]] = field(default_factory=set)
    unread: set[str] = field(default_factory=set)  # sheets that may be there, misnamed

    def add(self, cell: Cell, message: str) -> None:
        self.problems.append((cell, message))


def decode(grids: list[Grid]) -> Decoded:
    """Instance data from a workbook's sheets (``notes`` is ignored)."""
    out = Decoded()
    by_name: dict[str, Grid] = {}
    for named in grids:
        if named.name in by_name:  # pragma: no cover - Excel refuses a repeated sheet name
            continue
        by_name[named.name] = named
        if named.name not in sheet_order():
            known = [s for s in sheet_order() if s not in {g.name for g in grids}]
            out.add(Cell(named.name), unknown("sheet", named.name, known))
    for name in REQUIRED_SHEETS:
        if name not in by_name:
            out.add(Cell(name), "the sheet is missing")
            out.unread.add(name)
    if PROGRAM not in by_name:
        out.unread |= {key.name.partition(".")[0] for key in program_keys()}
    if set(by_name) - set(sheet_order()):  # a misnamed sheet may be any absent one
        out.unread |= {s.name for s in object_sheets() if s.name not in by_name}
    _program(by_name.get(PROGRAM), out)
    block_ids = _blocks(by_name.get(BLOCKS), out)
    days = out.data.get("days")
    week = None
    if isinstance(days, list) and block_ids is not None:
        week = slots([d for d in days if isinstance(d, str)], block_ids)
    for sheet in object_sheets():
        grid = by_name.get(sheet.name)
        if grid is not None:
            out.data[sheet.name] = _objects(sheet, grid, week, out)
    return out


def _header(
    grid: Grid, columns: Iterable[Column], out: Decoded, extra: Iterable[str] = ()
) -> dict[int, str]:
    """Column position -> name, from the first row; unknown, repeated, nameless and
    missing required columns are problems."""
    known = {c.name: c for c in columns}
    allowed = [*known, *extra]
    first = grid.rows[0] if grid.rows else []
    if all(is_blank(v) for v in first) and any(True for _ in _body(grid)):
        out.add(Cell(grid.name, 1), "the first row is blank: it names the columns")
        out.missing_columns |= {(grid.name, c.name) for c in known.values() if c.required}
        out.places.headers[grid.name] = []
        return {}
    found: dict[int, str] = {}
    seen: dict[str, int] = {}
    for c, raw in enumerate(first):
        letter = get_column_letter(c + 1)
        name = raw.strip() if isinstance(raw, str) else None if raw is None else shown(raw)
        if not name:
            if any(not is_blank(row[c]) for row in grid.rows[1:]):
                out.add(Cell(grid.name, 1, letter), "values in a column without a name")
            continue
        if name in seen:
            where = f"columns {get_column_letter(seen[name] + 1)} and {letter}"
            out.add(Cell(grid.name, 1, name), f"the column appears twice ({where})")
            continue
        seen[name] = c
        if name not in allowed:
            hint = unknown("column", name, [a for a in allowed if a not in seen])
            out.add(Cell(grid.name, 1, name), hint)
            continue
        found[c] = name
    for column in known.values():
        instead = REQUIRED_UNLESS.get(column.name)
        if instead in seen and any(not is_blank(row[seen[instead]]) for row in grid.rows[1:]):
            continue  # a rolling program's patients: each row says what it misses
        if column.required and column.name not in seen and grid.rows:
            out.add(Cell(grid.name, 1, column.name), "required column is missing")
            out.missing_columns.add((grid.name, column.name))
    out.places.headers[grid.name] = [found[c] for c in sorted(found)]
    return found


def _body(grid: Grid) -> Iterable[tuple[int, list[Any]]]:
    """Excel row number and cells of each row below the header that is not blank."""
    for r, row in enumerate(grid.rows[1:], start=2):
        if not all(is_blank(v) for v in row):
            yield r, row


def _convert(value: Any, column: Column, cell: Cell, out: Decoded) -> Any:
    try:
        return read_cell(value, column)
    except CellError as err:
        out.add(cell, str(err))
        return UNREADABLE


def _program(grid: Grid | None, out: Decoded) -> None:
    """The ``program`` sheet: one row per key, nested objects as dotted keys."""
    if grid is None:
        return
    header = _header(grid, KEY_COLUMNS, out)
    columns = {name: c for c, name in header.items()}
    keys = {k.name: k for k in program_keys()}
    for r, row in _body(grid):
        key = row[columns["key"]] if "key" in columns else None
        value = row[columns["value"]] if "value" in columns else None
        key = key.strip() if isinstance(key, str) else key
        if not isinstance(key, str) or key not in keys:
            if key is None:
                out.add(Cell(PROGRAM, r, "value"), "a value without a key")
            else:
                hint = unknown("key", str(key), [k for k in keys if k not in out.places.keys])
                out.add(Cell(PROGRAM, r, key=str(key)), hint)
            continue
        if key in out.places.keys:
            out.add(
                Cell(PROGRAM, r, key=key), f"key given twice (first on row {out.places.keys[key]})"
            )
            continue
        out.places.keys[key] = r
        if is_blank(value):
            continue
        converted = _convert(value, keys[key], Cell(PROGRAM, r, key=key), out)
        target, _, name = key.rpartition(".")
        (out.data.setdefault(target, {}) if target else out.data)[name] = converted
    for name in optional_objects():  # all its keys blank: absent
        if not out.data.get(name):
            out.data.pop(name, None)


def _blocks(grid: Grid | None, out: Decoded) -> list[str] | None:
    """The ``blocks`` sheet: one row per period; the block ids, or None if unknown."""
    if grid is None:
        return None
    header = _header(grid, BLOCK_COLUMNS, out)
    spec = {c.name: c for c in BLOCK_COLUMNS}
    periods: dict[str, list[tuple[Any, int, dict[str, Any]]]] = {}
    known = True
    for r, row in _body(grid):
        values = {}
        for c, name in header.items():
            if not is_blank(row[c]):
                values[name] = _convert(row[c], spec[name], Cell(BLOCKS, r, name), out)
            elif spec[name].required and (BLOCKS, name) not in out.missing_columns:
                out.add(Cell(BLOCKS, r, name), "required (the cell is blank)")
        block = values.get("block")
        if not isinstance(block, str):
            known = False
            continue
        period: dict[str, Any] = {k: values[k] for k in ("start", "end") if k in values}
        periods.setdefault(block, []).append((values.get("period"), r, period))
    blocks = []
    for block, rows in periods.items():
        numbers = [n for n, _, _ in rows if isinstance(n, int)]
        for n, r, _ in rows:
            if isinstance(n, int) and numbers.count(n) > 1:
                out.add(Cell(BLOCKS, r, "period"), f"period {n} of block '{block}' is given twice")
        rows.sort(key=lambda p: (p[0] if isinstance(p[0], int) else 0, p[1]))
        blocks.append({"id": block, "periods": [p for _, _, p in rows]})
        out.places.block_rows.append([r for _, r, _ in rows])
    out.data[BLOCKS] = blocks
    return list(periods) if known else None


def _objects(
    sheet: ObjectSheet, grid: Grid, week: list[str] | None, out: Decoded
) -> list[dict[str, Any]]:
    """An object sheet: one object per row that is not blank."""
    extra = [ALL_SLOTS] if sheet.all_slots else []
    if sheet.slot_fields:
        # Days or blocks unreadable: any day.block column is taken for a slot.
        header_row = grid.rows[0] if grid.rows else []
        extra += week if week is not None else [str(v) for v in header_row if "." in str(v)]
    header = _header(grid, sheet.columns, out, extra)
    by_name = {name: c for c, name in header.items()}
    if sheet.slot_fields and week is not None:
        missing = [s for s in week if s not in by_name]
        if missing and header:  # (a blank first row is said already)
            out.add(Cell(sheet.name, 1), f"slot columns missing: {', '.join(missing)}")
    week_columns = [s for s in (week or extra) if s in by_name and s != ALL_SLOTS]
    items: list[dict[str, Any]] = []
    rows = out.places.rows.setdefault(sheet.name, [])
    for r, row in _body(grid):
        item: dict[str, Any] = {}
        for column in sheet.columns:
            c = by_name.get(column.name)
            if c is not None and not is_blank(row[c]):
                cell = Cell(sheet.name, r, column.name)
                item[column.name] = _convert(row[c], column, cell, out)
        if sheet.slot_fields:
            _marks(sheet, r, row, by_name, week_columns, item, len(items), out)
        rows.append(r)
        items.append(item)
    return items


def _marks(
    sheet: ObjectSheet,
    r: int,
    row: list[Any],
    by_name: dict[str, int],
    week: list[str],
    item: dict[str, Any],
    index: int,
    out: Decoded,
) -> None:
    """Availability from the slot columns: blank, x, or p (available and preferred)."""
    marks = sheet.marks
    listed: dict[str, list[str]] = {name: [] for name in sheet.slot_fields}
    everywhere = False
    if ALL_SLOTS in by_name:
        value = row[by_name[ALL_SLOTS]]
        everywhere = _mark(value, {"x": ()}, Cell(sheet.name, r, ALL_SLOTS), out) == "x"
    for slot in week:
        value = row[by_name[slot]]
        mark = _mark(value, marks, Cell(sheet.name, r, slot), out)
        if mark is None and everywhere and is_blank(value):
            line = "blank, but all_slots is x (open at every slot): mark it x or clear all_slots"
            out.add(Cell(sheet.name, r, slot), line)
        for name in marks.get(mark or "", ()):
            listed[name].append(slot)
    if everywhere:
        del listed[AVAILABLE]
    for name, found in listed.items():
        item[name] = found
        out.places.slot_cells[(sheet.name, index, name)] = found


def _mark(value: Any, marks: dict[str, tuple[str, ...]], cell: Cell, out: Decoded) -> str | None:
    if is_blank(value):
        return None
    mark = value.strip().lower() if isinstance(value, str) else None
    if mark in marks:
        return mark
    choices = ", ".join(["blank", *marks])
    out.add(cell, f"{shown(value)} is not one of {choices}")
    return None
