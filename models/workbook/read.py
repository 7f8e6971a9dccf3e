"""Reading a workbook: its sheets as instance data, validated as JSON is, every problem
placed at its sheet, row and column."""

from __future__ import annotations

import os

from models import reading
from models.errors import MISSING, InputError, Problem
from models.instance import Instance
from models.io import validate_instance
from models.workbook.decode import Decoded, decode
from models.workbook.grid import read_grids
from models.workbook.places import Cell, fallback_line, with_near_miss


def read_workbook(path: str | os.PathLike[str]) -> Instance:
    """Read and validate an instance workbook (.xlsx) file.

    Parameters
    ----------
    path
        The file. Only a regular file is read, of at most
        :data:`models.reading.MAX_INPUT_BYTES`.

    Returns
    -------
    Instance
        The instance, equal to the one its JSON form gives.

    Raises
    ------
    InputError
        With one line per problem of the file, all found in one pass.
    """
    source = str(path)
    return parse_workbook(reading.read_bytes(source), source)


def parse_workbook(data: bytes, source: str) -> Instance:
    """Read and validate the bytes of an instance workbook.

    Parameters
    ----------
    data
        The .xlsx file's bytes.
    source
        What the lines of an :class:`InputError` name (the file's path).

    Returns
    -------
    Instance
        The instance.

    Raises
    ------
    InputError
        Every problem of the workbook, one line each, placed by sheet, Excel row and
        column (``patients row 14, column mon.am: 'y' is not one of blank, x, p``); a
        file that is not a workbook is one line saying so.
    """
    if len(data) > reading.MAX_INPUT_BYTES:  # as read_workbook refuses a file
        raise InputError(source, [reading.too_big(reading.size_text(len(data)))])
    decoded = decode(read_grids(data, source))
    instance, problems = validate_instance(decoded.data)
    lines = problem_lines(decoded, problems)
    if lines or instance is None:
        raise InputError(source, lines or ["(top level): not a valid instance"])
    return instance


def problem_lines(decoded: Decoded, problems: list[Problem]) -> list[str]:
    """The reading problems and the model's, in the order of the file, each said once.

    A model problem at a cell that did not convert, in a column that is missing, or in
    a sheet that is missing repeats a reading problem, and is left out.
    """
    places, data = decoded.places, decoded.data
    placed = list(decoded.problems)
    said = {cell for cell, _ in decoded.problems}
    sheets_said = {cell.sheet for cell in said if cell.row is None and cell.column is None}
    unplaced: list[str] = []
    for problem in problems:
        message = with_near_miss(problem.loc, problem.message, data)
        cell = places.cell(problem.loc)
        if cell is None:
            unplaced.append(fallback_line(problem.loc, message, data))
            continue
        if set(problem.refers_to) & decoded.unread:  # the names may be in a misnamed sheet
            continue
        if (
            cell in said
            or cell.sheet in sheets_said
            or (cell.sheet, cell.column) in decoded.missing_columns
        ):
            continue
        placed.append((cell, _missing(cell) if message == MISSING else message))
    placed.sort(key=lambda pair: places.order(pair[0]))
    lines = [cell.line(message) for cell, message in placed] + unplaced
    return list(dict.fromkeys(lines))


def _missing(cell: Cell) -> str:
    """What a required field left out means where it is in a workbook."""
    if cell.key is not None:
        return "required (the value is blank)" if cell.row else "required: add this key"
    if cell.row is None:
        return "the sheet is missing"
    return "required (the cell is blank)"
