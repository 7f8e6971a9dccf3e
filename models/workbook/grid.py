"""A workbook file's sheets as grids of values, or one clear line saying why there are none.

Excel keeps a formula's last value next to the formula; the values are read
(``data_only``). A formula whose value was never saved (a file written by a program
rather than Excel) reads as blank there, so when a sheet has formulas at all the
workbook is read a second time for them, and such cells become :class:`Unsaved`.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook

from models.errors import InputError
from models.reading import MAX_INPUT_BYTES, size_text
from models.workbook.cells import Unsaved

MAX_UNPACKED_BYTES = 4 * MAX_INPUT_BYTES
"""The most a workbook may unpack to (its sheets are zipped XML)."""

_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


@dataclass
class Grid:
    """One sheet's cells: ``rows[r][c]`` is row ``r + 1``, column ``c + 1`` (padded)."""

    name: str
    rows: list[list[Any]]


def read_grids(data: bytes, source: str) -> list[Grid]:
    """Every sheet of the workbook in ``data``, in the file's order."""
    archive = _archive(data, source)
    formulas = any(
        _FORMULA.search(archive.read(info))
        for info in archive.infolist()
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
    )
    values = _grids(data, source, data_only=True)
    if formulas:
        for grid, written in zip(values, _grids(data, source, data_only=False)):
            _mark_unsaved(grid, written)
    return values


def _archive(data: bytes, source: str) -> zipfile.ZipFile:
    """The zip archive an .xlsx file is; a file that is none is refused with a hint."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputError(source, [_not_a_zip(data)])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise InputError(source, [f"a damaged workbook (its zip cannot be read: {err})"]) from None
    if "xl/workbook.xml" not in names:
        line = "a zip archive, but not an Excel workbook (.xlsx): it has no xl/workbook.xml"
        raise InputError(source, [line])
    if unpacked > MAX_UNPACKED_BYTES:
        line = f"unpacks to {size_text(unpacked)}, over the {size_text(MAX_UNPACKED_BYTES)} limit"
        raise InputError(source, [line + " for a workbook"])
    bad = _first_bad_member(archive)
    if bad is not None:
        raise InputError(source, [f"a damaged workbook: its part {bad} is corrupt"])
    return archive


def _first_bad_member(archive: zipfile.ZipFile) -> str | None:
    """The first part whose data does not unpack (or fails its checksum), if any."""
    for info in archive.infolist():
        try:
            with archive.open(info) as part:
                while part.read(1 << 20):
                    pass
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
            return info.filename
        except (RuntimeError, NotImplementedError):  # encrypted, or packed in an odd way
            return info.filename
    return None


def _not_a_zip(data: bytes) -> str:
    """The line for a file that is not a zip archive, with a guess at what it is."""
    head = data[:512].lstrip()
    if head.startswith(b"PK"):
        return "a damaged workbook: its zip archive is cut short or corrupt"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        what = "an old .xls workbook or a password-protected one; save it as .xlsx, unprotected"
    elif head.startswith((b"{", b"[")):
        what = "it looks like JSON; name it .json"
    elif not data:
        what = "the file is empty"
    else:
        try:
            head.decode("utf-8")
            what = "it is text (a CSV file?); open it in Excel and save it as .xlsx"
        except UnicodeDecodeError:
            what = "it is not a zip archive, as an .xlsx file is"
    return f"not an Excel workbook (.xlsx): {what}"


def _grids(data: bytes, source: str, data_only: bool) -> list[Grid]:
    try:
        with warnings.catch_warnings():  # openpyxl warns of extensions it ignores
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
            grids = []
            for sheet in book.worksheets:
                sheet.reset_dimensions()  # a file's own dimensions may be wrong
                rows = [list(row) for row in sheet.iter_rows(values_only=True)]
                width = max((len(r) for r in rows), default=0)
                grids.append(Grid(sheet.title, [r + [None] * (width - len(r)) for r in rows]))
            book.close()
    except Exception as err:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
        raise InputError(source, [f"a damaged workbook: {_short(err)}"]) from None
    return grids


def _short(err: Exception) -> str:
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _mark_unsaved(values: Grid, written: Grid) -> None:
    """Blank cells that hold a formula: their value was never saved."""
    for r, row in enumerate(written.rows):
        for c, cell in enumerate(row):
            if isinstance(cell, str) and cell.startswith("=") and values.rows[r][c] is None:
                values.rows[r][c] = Unsaved()
