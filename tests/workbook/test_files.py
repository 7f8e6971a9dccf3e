"""A file that is not a usable workbook is one clear line, never a traceback."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

import models.reading
from conftest import load
from models import InputError
from models.workbook import grid, instance_to_workbook, parse_workbook, read_workbook

WORKBOOK = instance_to_workbook(load("tiny"))


def _lines(path: Path) -> list[str]:
    with pytest.raises(InputError) as err:
        read_workbook(path)
    assert err.value.source == str(path)
    return err.value.lines


def _file(tmp_path: Path, data: bytes, name: str = "roster.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _rezipped(change: dict[str, bytes | None]) -> bytes:
    """The workbook with some parts replaced (None: left out)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(WORKBOOK)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = change.get(info.filename, src.read(info))
            if body is not None:
                dst.writestr(info, body)
    return out.getvalue()


NOT_A_WORKBOOK = [
    (b"id,stage\nP1,early\n", "it is text (a CSV file?); open it in Excel and save it as .xlsx"),
    (b'{"name": "x"}', "it looks like JSON; name it .json"),
    (b"", "the file is empty"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
        "an old .xls workbook or a password-protected one; save it as .xlsx, unprotected",
    ),
    (bytes(range(256)), "it is not a zip archive, as an .xlsx file is"),
]


@pytest.mark.parametrize(("data", "what"), NOT_A_WORKBOOK)
def test_not_a_workbook(tmp_path: Path, data: bytes, what: str) -> None:
    assert _lines(_file(tmp_path, data)) == [f"not an Excel workbook (.xlsx): {what}"]


def test_a_workbook_cut_short(tmp_path: Path) -> None:
    path = _file(tmp_path, WORKBOOK[: len(WORKBOOK) // 2])
    assert _lines(path) == ["a damaged workbook: its zip archive is cut short or corrupt"]


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("content.xml", "<office/>")  # e.g. an OpenDocument file renamed
    expected = "a zip archive, but not an Excel workbook (.xlsx): it has no xl/workbook.xml"
    assert _lines(_file(tmp_path, out.getvalue())) == [expected]


def test_a_corrupt_part(tmp_path: Path) -> None:
    data = bytearray(WORKBOOK)
    with zipfile.ZipFile(io.BytesIO(WORKBOOK)) as archive:
        info = archive.getinfo("xl/worksheets/sheet5.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 10 : start + 20] = bytes(10)  # inside the deflated patients sheet
    assert _lines(_file(tmp_path, bytes(data))) == [
        "a damaged workbook: its part xl/worksheets/sheet5.xml is corrupt"
    ]


def test_a_part_that_is_not_xml(tmp_path: Path) -> None:
    path = _file(tmp_path, _rezipped({"xl/workbook.xml": b"not xml"}))
    [line] = _lines(path)
    assert line.startswith("a damaged workbook: ")


def test_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models.reading, "MAX_INPUT_BYTES", 1000)
    size = f"{len(WORKBOOK):,} bytes"
    assert _lines(_file(tmp_path, WORKBOOK)) == [
        f"{size}, over the 1,000 bytes limit for an input file"
    ]


def test_bytes_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models.reading, "MAX_INPUT_BYTES", 1000)
    with pytest.raises(InputError) as err:
        parse_workbook(WORKBOOK, "upload")
    assert err.value.lines == [
        f"{len(WORKBOOK):,} bytes, over the 1,000 bytes limit for an input file"
    ]


def test_unpacks_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grid, "MAX_UNPACKED_BYTES", 1000)
    [line] = _lines(_file(tmp_path, WORKBOOK))
    assert line.startswith("unpacks to ")
    assert line.endswith(" bytes, over the 1,000 bytes limit for a workbook")


def test_regular_files_only(tmp_path: Path) -> None:
    folder = tmp_path / "week.xlsx"
    folder.mkdir()
    assert _lines(folder) == ["not a regular file (a directory)"]
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.xlsx"
        os.mkfifo(fifo)
        assert _lines(fifo) == ["not a regular file (a FIFO)"]
    assert _lines(tmp_path / "absent.xlsx") == ["cannot read file: No such file or directory"]
