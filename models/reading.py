"""Reading an input file strictly: JSON text from a regular file of bounded size, nested to
a bounded depth, with every key of an object given once.

Each refusal is an :class:`InputError` naming the file, with one line per problem. The
limits are far above any real file: a generated 5,000-patient instance is 3.1 MB and its
schedule 3.7 MB, and the formats nest 5 levels deep (``blocks[0].periods[0].start``).
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections import Counter
from itertools import accumulate
from typing import Any

from models.errors import InputError, format_loc

MAX_INPUT_BYTES = 64_000_000
"""The largest input file read, in bytes (64 MB)."""

MAX_DEPTH = 64
"""The deepest nesting of JSON arrays and objects read."""

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_json(path: str | os.PathLike[str]) -> Any:
    """The JSON value in a file; :class:`InputError` when it cannot be used."""
    source = str(path)
    return parse_json(_decode(read_bytes(source), source), source)


def parse_json(text: str, source: str) -> Any:
    """The JSON value of ``text``: malformed JSON, nesting deeper than :data:`MAX_DEPTH`
    and a key given twice in one object are each an :class:`InputError`."""
    deep = _too_deep(text)
    if deep is not None:
        raise InputError(
            source, [f"{_where(text, deep)}: JSON nested deeper than {MAX_DEPTH} levels"]
        )
    repeated: list[_Repeated] = []

    def make_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        marked = _Repeated(obj)
        marked.counts = {k: n for k, n in Counter(k for k, _ in pairs).items() if n > 1}
        repeated.append(marked)
        return marked

    try:
        data = json.loads(text, object_pairs_hook=make_object)
    except json.JSONDecodeError as err:
        raise InputError(
            source, [f"line {err.lineno} column {err.colno}: malformed JSON: {err.msg}"]
        ) from None
    except ValueError:  # an integer of more digits than Python converts (4,300)
        long = _LONG_NUMBER.search(text)
        where = _where(text, long.start()) if long else "(top level)"
        raise InputError(source, [f"{where}: a number too long to read"]) from None
    if repeated:
        raise InputError(source, _repeated_lines(data))
    return data


def read_bytes(source: str) -> bytes:
    """The file's bytes; only a regular file is opened, and at most the limit read
    (:data:`MAX_INPUT_BYTES`); any problem is an :class:`InputError` of one line.

    A FIFO would block the reader and a device like ``/dev/zero`` never ends, so the kind
    is checked before opening; the open does not block (a FIFO put in the file's place
    meanwhile) and the kind is checked again on what was opened.
    """
    try:
        _check_kind(source, os.stat(source))
        fd = os.open(
            source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        )
    except OSError as err:
        raise InputError(source, [f"cannot read file: {err.strerror or err}"]) from None
    with os.fdopen(fd, "rb") as fh:
        try:
            _check_kind(source, os.fstat(fh.fileno()))
            data = fh.read(MAX_INPUT_BYTES + 1)
        except OSError as err:
            raise InputError(source, [f"cannot read file: {err.strerror or err}"]) from None
    if len(data) > MAX_INPUT_BYTES:  # grew since the check, or its size was not known
        raise InputError(source, [too_big(f"more than {size_text(MAX_INPUT_BYTES)}")])
    return data


def _check_kind(source: str, info: os.stat_result) -> None:
    """Refuse anything but a regular file, and one over the size limit."""
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "")
        raise InputError(source, [f"not a regular file ({kind})" if kind else "not a regular file"])
    if info.st_size > MAX_INPUT_BYTES:
        raise InputError(source, [too_big(size_text(info.st_size))])


def size_text(n: int) -> str:
    """``70.2 MB``, ``64 MB``; below a megabyte in bytes."""
    if n < 1_000_000:
        return f"{n:,} bytes"
    return f"{n // 1_000_000} MB" if n % 1_000_000 == 0 else f"{n / 1e6:.1f} MB"


def too_big(size: str) -> str:
    """The line for an input over the limit (``size`` as :func:`size_text` gives it)."""
    return f"{size}, over the {size_text(MAX_INPUT_BYTES)} limit for an input file"


def _decode(data: bytes, source: str) -> str:
    """UTF-8 text with line ends as ``\\n`` (as a text-mode read gives them)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(
            source, [f"byte {err.start}: not UTF-8 text; save the file as UTF-8 JSON"]
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


# A JSON string (brackets inside one do not nest), or one bracket.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_STRINGS = re.compile(_STRING, re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_TOKENS = re.compile(_STRING + r"|[\[\]{}]", re.DOTALL)
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_LONG_NUMBER = re.compile(r"[0-9]{4000,}")


def _too_deep(text: str) -> int | None:
    """The offset of the first bracket nested deeper than :data:`MAX_DEPTH`, if any.

    Found before parsing: the parser recurses once per level and a file nested 100,000
    deep would exhaust Python's stack.
    """
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    if max(accumulate(map(_STEP.__getitem__, brackets)), default=0) <= MAX_DEPTH:
        return None
    depth = 0
    for token in _TOKENS.finditer(text):
        depth += _STEP.get(token.group(), 0)
        if depth > MAX_DEPTH:
            return token.start()
    return None  # not reached: both scans count the same brackets


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return f"line {line} column {column}"


class _Repeated(dict[str, Any]):
    """A JSON object in which some keys were given more than once (the last one kept)."""

    counts: dict[str, int]


def _repeated_lines(data: Any) -> list[str]:
    """One line per repeated key, in file order, e.g. ``patients[3] (P4).stage: key
    appears twice``."""
    lines: list[str] = []

    def visit(node: Any, loc: tuple[str | int, ...]) -> None:
        if isinstance(node, _Repeated):
            for key, n in node.counts.items():
                times = "twice" if n == 2 else f"{n} times"
                lines.append(f"{format_loc((*loc, key), data)}: key appears {times}")
        if isinstance(node, dict):
            for key, value in node.items():
                visit(value, (*loc, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                visit(value, (*loc, i))

    visit(data, ())
    return lines
