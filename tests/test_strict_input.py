"""Input files, strictly: only regular files of bounded size are read, JSON of bounded
depth with each key once.

Each refusal is an :class:`InputError` in the library and, on the command line, exit 2
with one line per problem and nothing written (the helpers of test_bad_input.py check
that). Bad instances are ``instances/tiny.json`` with one edit (see test_bad_input.py for
its content: patients P1..P4, group types education and relapse_prevention, rooms R1, R2).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from test_bad_input import assert_bad_input, invoke, solve_bad

import models.reading
from conftest import ROOT, instance_path, raw
from models import (
    InputError,
    load_instance,
    load_schedule,
)
from models.reading import MAX_DEPTH, MAX_INPUT_BYTES

TINY = instance_path("tiny")


def refused(load: Callable[[], Any]) -> list[str]:
    """The lines of the InputError that ``load`` raises."""
    with pytest.raises(InputError) as err:
        load()
    return err.value.lines


def within(seconds: float, call: Callable[[], Any], unblock: Callable[[], None]) -> Any:
    """``call()``'s result, failing (instead of hanging the suite) if it takes longer.

    On a timeout ``unblock`` is called, so that the thread left behind can end.
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = call()
        except BaseException as err:  # noqa: BLE001 - handed to the test below
            box["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        unblock()
        pytest.fail(f"still reading after {seconds} s")
    if "error" in box:
        raise box["error"]
    return box["result"]


# -- only regular files ------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    path = tmp_path / "fifo.json"
    os.mkfifo(path)
    return path


def open_writer(path: Path) -> Callable[[], None]:
    """Unblocks a reader stuck opening the FIFO ``path`` (a writer appears and leaves)."""

    def unblock() -> None:
        with contextlib.suppress(OSError):  # no reader waiting: nothing to unblock
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))

    return unblock


def test_fifo_is_refused_at_once(fifo: Path) -> None:
    # Before: open() waited for a writer forever.
    lines = within(10, lambda: refused(lambda: load_instance(fifo)), open_writer(fifo))
    assert lines == ["not a regular file (a FIFO)"]


def test_fifo_on_the_command_line(fifo: Path, tmp_path: Path) -> None:
    for args in (["solve", fifo, "-o", tmp_path / "out.json"], ["check", TINY, fifo]):
        result = within(10, partial(invoke, *args), open_writer(fifo))
        assert assert_bad_input(result) == [f"{fifo}: not a regular file (a FIFO)"]
    assert not (tmp_path / "out.json").exists()


def test_character_device_is_refused() -> None:
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null here")
    assert refused(lambda: load_schedule("/dev/null")) == [
        "not a regular file (a character device)"
    ]


def test_endless_device_is_refused_without_reading() -> None:
    # Before: /dev/zero was read until memory ran out. Run apart, with memory capped at
    # 1 GB, so that a regression fails here instead of filling the machine's memory.
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    pytest.importorskip("resource")
    code = (
        "import resource\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from models import InputError, load_instance\n"
        "try:\n    load_instance('/dev/zero')\n"
        "except InputError as err:\n    print(err.lines)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "['not a regular file (a character device)']\n",
        "",
    )


def test_directory_is_refused(tmp_path: Path) -> None:
    # The command line refuses a directory before loading (click); the library itself too.
    assert refused(lambda: load_instance(tmp_path)) == ["not a regular file (a directory)"]


def test_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    if not hasattr(socket, "AF_UNIX") or len(str(path)) > 100:
        pytest.skip("no Unix socket can be made here")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        assert refused(lambda: load_instance(path)) == ["not a regular file (a socket)"]


def test_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(TINY)
    assert load_instance(link).name == "tiny"


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as fh:
        fh.truncate(MAX_INPUT_BYTES + 200_000)  # sparse: no disk space used
    assert MAX_INPUT_BYTES == 64_000_000  # the README states it
    assert refused(lambda: load_instance(big)) == [
        "64.2 MB, over the 64 MB limit for an input file"
    ]
    assert solve_bad(tmp_path, big) == [f"{big}: 64.2 MB, over the 64 MB limit for an input file"]


def test_file_at_the_size_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = TINY.read_text()
    monkeypatch.setattr(models.reading, "MAX_INPUT_BYTES", len(text.encode()))
    path = tmp_path / "exact.json"
    path.write_text(text)
    assert load_instance(path).name == "tiny"
    path.write_text(text + " ")
    size = len(text.encode()) + 1
    assert refused(lambda: load_instance(path)) == [
        f"{size:,} bytes, over the {size - 1:,} bytes limit for an input file"
    ]


def test_read_stops_at_the_limit_when_the_size_is_not_known(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Files under /proc are regular but say size 0: the read itself is bounded.
    maps = Path("/proc/self/maps")
    if not maps.exists() or maps.stat().st_size != 0:
        pytest.skip("no /proc here")
    monkeypatch.setattr(models.reading, "MAX_INPUT_BYTES", 50)
    assert refused(lambda: load_instance(maps)) == [
        "more than 50 bytes, over the 50 bytes limit for an input file"
    ]


# -- JSON: nesting and duplicate keys ----------------------------------------------------


def test_deep_nesting_is_one_line(tmp_path: Path) -> None:
    # Before: RecursionError (a traceback).
    path = tmp_path / "deep.json"
    path.write_text('{"days": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert solve_bad(tmp_path, path) == [
        # '{"days": ' is 9 characters; the 65th level is the 64th bracket after them
        f"{path}: line 1 column {9 + MAX_DEPTH}: JSON nested deeper than 64 levels"
    ]


def test_nesting_limit_is_exact_and_ignores_brackets_in_strings(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    deepest = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)  # 64 levels with the object
    path.write_text(f'{{"name": "{"[{" * 100}", "days": {deepest}}}\n')
    lines = refused(lambda: load_instance(path))
    assert not any("nested" in line for line in lines)
    path.write_text(f'{{"days": [\n{deepest}]}}\n')  # one level more: the 63rd bracket
    assert refused(lambda: load_instance(path)) == [
        f"line 2 column {MAX_DEPTH - 1}: JSON nested deeper than 64 levels"
    ]


def test_the_formats_nest_far_less_than_the_limit() -> None:
    def depth(node: Any) -> int:
        children = node.values() if isinstance(node, dict) else node
        if not isinstance(node, (dict, list)):
            return 0
        return 1 + max((depth(c) for c in children), default=0)

    assert depth(raw("small")) == 5  # blocks[0].periods[0].start
    assert depth(raw("small")) * 10 < MAX_DEPTH


def test_duplicate_top_level_key(tmp_path: Path) -> None:
    # Before: the last "days" silently won.
    path = tmp_path / "dup.json"
    path.write_text(TINY.read_text().replace('"days":', '"days": ["sun"], "days":', 1))
    assert solve_bad(tmp_path, path) == [f"{path}: days: key appears twice"]


def test_every_duplicate_key_in_one_pass(tmp_path: Path) -> None:
    text = TINY.read_text()
    text = text.replace('"name": "tiny"', '"name": "a", "name": "b", "name": "tiny"', 1)
    patients = text.index('"patients"')
    stage = text.index('"stage": "early"', patients)  # P1's
    text = text[:stage] + '"stage": "late", ' + text[stage:]
    rooms = text.index('"capacity"', text.index('"rooms"'))  # R1's
    text = text[:rooms] + '"capacity": 3, ' + text[rooms:]
    path = tmp_path / "dups.json"
    path.write_text(text)
    assert solve_bad(tmp_path, path) == [
        f"{path}: name: key appears 3 times",
        f"{path}: patients[0] (P1).stage: key appears twice",
        f"{path}: rooms[0] (R1).capacity: key appears twice",
    ]


def test_duplicate_key_in_a_schedule(tmp_path: Path) -> None:
    path = tmp_path / "schedule.json"
    path.write_text('{"instance": "tiny", "status": "optimal", "status": "infeasible"}')
    assert assert_bad_input(invoke("check", TINY, path)) == [f"{path}: status: key appears twice"]


def test_number_too_long_for_python(tmp_path: Path) -> None:
    path = tmp_path / "long.json"
    path.write_text('{"name": "x",\n "min": ' + "9" * 5000 + "}")
    assert refused(lambda: load_instance(path)) == ["line 2 column 9: a number too long to read"]
