"""Editing workbooks in tests: write an instance, change cells by sheet, Excel row and
column name (as a coordinator would), and read the result back."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from models import InputError, Instance
from models.workbook import instance_to_workbook, parse_workbook


def book_of(instance: Instance | bytes) -> Workbook:
    """The instance's workbook (or a workbook file's), open for editing."""
    data = instance if isinstance(instance, bytes) else instance_to_workbook(instance)
    return load_workbook(io.BytesIO(data))


def column_of(book: Workbook, sheet: str, name: str) -> int:
    """The 1-based position of a column, by its header."""
    headers = [c.value for c in book[sheet][1]]
    return headers.index(name) + 1


def put(book: Workbook, sheet: str, row: int, column: str, value: Any) -> None:
    """Type ``value`` into the cell of ``column`` (by header) in Excel row ``row``."""
    book[sheet].cell(row=row, column=column_of(book, sheet, column)).value = value


def key_row(book: Workbook, key: str) -> int:
    """The row of a key of the program sheet."""
    return next(c.row for c in book["program"]["A"] if c.value == key)


def saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(book: Workbook) -> Instance:
    return parse_workbook(saved(book), "roster.xlsx")


def problems(data: bytes | Workbook) -> list[str]:
    """The lines of the InputError the workbook raises (there must be one)."""
    data = saved(data) if isinstance(data, Workbook) else data
    with pytest.raises(InputError) as err:
        parse_workbook(data, "roster.xlsx")
    assert err.value.source == "roster.xlsx"
    return err.value.lines
