"""Where a problem is in a workbook: sheet, Excel row and column, from its location in the
instance data (``('patients', 12, 'min_hours')`` -> ``patients row 15, column min_hours``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from models.errors import format_loc
from models.workbook.layout import BLOCKS, PROGRAM, nested_models, object_sheet, sheet_order


@dataclass(frozen=True)
class Cell:
    """A place in a workbook: a sheet, maybe a row, maybe a column (or a ``program`` key)."""

    sheet: str
    row: int | None = None
    column: str | None = None
    key: str | None = None

    def line(self, message: str) -> str:
        """``patients row 14, column mon.am: <message>``."""
        where = self.sheet
        if self.row is not None:
            where += f" row {self.row}"
        if self.key is not None:
            where += f" ({self.key})"
        elif self.column is not None:
            where += f", column {self.column}" if self.row is not None else f" column {self.column}"
        return f"{where}: {message}"


@dataclass
class Places:
    """The Excel rows and columns the instance data was read from."""

    keys: dict[str, int] = field(default_factory=dict)  # program key -> row
    rows: dict[str, list[int]] = field(default_factory=dict)  # sheet -> row of each item
    block_rows: list[list[int]] = field(default_factory=list)  # block -> row of each period
    slot_cells: dict[tuple[str, int, str], list[str]] = field(default_factory=dict)
    headers: dict[str, list[str]] = field(default_factory=dict)  # sheet -> its columns

    def cell(self, loc: tuple[str | int, ...]) -> Cell | None:
        """The cell a location in the instance data was read from, if known."""
        if not loc or not isinstance(loc[0], str):
            return None
        head = loc[0]
        if head == BLOCKS:
            return self._block_cell(loc)
        if object_sheet(head) is not None:
            return self._object_cell(head, loc)
        key = head
        if head in nested_models() and len(loc) > 1 and f"{head}.{loc[1]}" in self.keys:
            key = f"{head}.{loc[1]}"
        return Cell(PROGRAM, self.keys.get(key), key=key)

    def _object_cell(self, sheet: str, loc: tuple[str | int, ...]) -> Cell:
        rows = self.rows.get(sheet, [])
        if len(loc) < 2 or not isinstance(loc[1], int) or loc[1] >= len(rows):
            return Cell(sheet)
        i, row = loc[1], rows[loc[1]]
        name = loc[2] if len(loc) > 2 else None
        slots = self.slot_cells.get((sheet, i, str(name)))
        if slots is not None and len(loc) > 3 and isinstance(loc[3], int) and loc[3] < len(slots):
            return Cell(sheet, row, slots[loc[3]])
        spec = object_sheet(sheet)
        if isinstance(name, str) and spec is not None and spec.column(name) is not None:
            return Cell(sheet, row, name)
        return Cell(sheet, row)

    def _block_cell(self, loc: tuple[str | int, ...]) -> Cell:
        if len(loc) < 2 or not isinstance(loc[1], int) or loc[1] >= len(self.block_rows):
            return Cell(BLOCKS)
        rows = self.block_rows[loc[1]]
        if loc[2:3] == ("periods",) and len(loc) > 3 and isinstance(loc[3], int):
            row = rows[loc[3]] if loc[3] < len(rows) else rows[0]
            column = loc[4] if len(loc) > 4 and isinstance(loc[4], str) else None
            return Cell(BLOCKS, row, column)
        return Cell(BLOCKS, rows[0], "block" if loc[2:3] == ("id",) else None)

    def order(self, cell: Cell) -> tuple[int, int, int]:
        """Sheet, row and column order, to list problems as the file reads."""
        sheets = sheet_order()
        sheet = sheets.index(cell.sheet) if cell.sheet in sheets else len(sheets)
        headers = self.headers.get(cell.sheet, [])
        column = headers.index(cell.column) if cell.column in headers else -1
        if cell.row is None:  # a whole sheet first; a program key that has no row last
            return sheet, 1 << 30 if cell.key is not None else 0, column
        return sheet, cell.row, column


def closest(word: str, known: list[str]) -> str | None:
    """The near miss of ``word`` among ``known`` (the same but for case first), if any."""
    folded = {k.casefold(): k for k in known if k != word}
    match = folded.get(word.casefold())
    if match is None:
        close = difflib.get_close_matches(word, [k for k in known if k != word], n=1)
        match = close[0] if close else None
    return match


def near_miss(word: str, known: list[str]) -> str:
    """`` (did you mean 'C08'?)`` for the closest of ``known``, or nothing."""
    match = closest(word, known)
    return f" (did you mean {match!r}?)" if match is not None else ""


def unknown(what: str, word: str, known: list[str]) -> str:
    """``unknown column (check the spelling: did you mean 'min_hours'?)``."""
    match = closest(word, known)
    hint = f": did you mean {match!r}?" if match is not None else ""
    return f"unknown {what} (check the spelling{hint})"


def _ids(data: dict[str, Any], name: str) -> list[str]:
    items = data.get(name)
    if not isinstance(items, list):
        return []
    return [x["id"] for x in items if isinstance(x, dict) and isinstance(x.get("id"), str)]


def _strings(value: Any) -> list[str]:
    return [x for x in value if isinstance(x, str)] if isinstance(value, list) else []


def _topics(data: dict[str, Any]) -> list[str]:
    types = data.get("group_types")
    types = types if isinstance(types, list) else []
    return [t for g in types if isinstance(g, dict) for t in _strings(g.get("topics"))]


# What a field names, for the near miss of a name that is not known: ``primary_counselor``
# names a counselor, ``completed_topics`` topics.
_REFERS = {
    "stage": lambda d: _strings(d.get("stages")),
    "stages": lambda d: _strings(d.get("stages")),
    "per_week_by_stage": lambda d: _strings(d.get("stages")),
    "primary_counselor": lambda d: _ids(d, "counselors"),
    "avoid": lambda d: _ids(d, "patients"),
    "patients": lambda d: _ids(d, "patients"),
    "group_type": lambda d: _ids(d, "group_types"),
    "qualified": lambda d: _ids(d, "group_types"),
    "completed_topics": _topics,
    "site": lambda d: _ids(d, "sites"),
    "sites": lambda d: _ids(d, "sites"),
}


def with_near_miss(loc: tuple[str | int, ...], message: str, data: dict[str, Any]) -> str:
    """A reference problem's message with the near miss of the unknown name, if any."""
    names = [part for part in loc if isinstance(part, str)]
    name = names[1] if len(names) > 1 else names[0] if names else ""
    refers = _REFERS.get(name)
    if refers is None:
        return message
    word = loc[-1] if name == "per_week_by_stage" else _value_at(data, loc)
    if not isinstance(word, str) or not message.startswith(f"'{word}' is not a"):
        return message
    return message + near_miss(word, [k for k in refers(data) if k != word])


def _value_at(data: Any, loc: tuple[str | int, ...]) -> Any:
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


def fallback_line(loc: tuple[str | int, ...], message: str, data: Any) -> str:
    """A problem the workbook cannot place, in the JSON format's words."""
    return f"{format_loc(loc, data)}: {message}"
