"""Input files and values, strictly: only regular files of bounded size are read, JSON of
bounded depth with each key once, and every value of the JSON type the schema gives it.

Each refusal is an :class:`InputError` in the library and, on the command line, exit 2
with one line per problem and nothing written (the helpers of test_bad_input.py check
that). Bad instances are ``instances/tiny.json`` with one edit (see test_bad_input.py for
its content: patients P1..P4, group types education and relapse_prevention, rooms R1, R2).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from test_bad_input import assert_bad_input, invoke, solve_bad, write_instance

import models.reading
from conftest import ROOT, instance_path, raw
from models import (
    InputError,
    json_schema,
    load_instance,
    load_schedule,
    parse_instance,
    parse_schedule,
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


# -- values of the JSON type the schema gives --------------------------------------------


Where = tuple[str | int, ...]


def _set(data: dict[str, Any], where: Where, value: Any) -> dict[str, Any]:
    node: Any = data
    for key in where[:-1]:
        node = node.setdefault(key, {}) if isinstance(key, str) else node[key]
    node[where[-1]] = value
    return data


# (where, value, the line; {} is "Input should be a valid"). Each was a value before, in lax
# mode: "2" was 2, "yes" and 1 were true, true was 1 (hour), 1700000000 a date.
LAX_VALUES: list[tuple[Where, Any, str]] = [
    (("group_types", 0, "min_size"), "2", "group_types[0] (education).min_size: {} integer, not the string '2'"),
    (("group_types", 0, "max_size"), "12", "group_types[0] (education).max_size: {} integer, not the string '12'"),
    (("rooms", 0, "capacity"), "6", "rooms[0] (R1).capacity: {} integer, not the string '6'"),
    (("rooms", 0, "capacity"), 6.5, "rooms[0] (R1).capacity: {} integer, not the number 6.5"),
    (("group_types", 0, "stage_matched"), "yes", "group_types[0] (education).stage_matched: {} boolean, not the string 'yes'"),
    (("group_types", 0, "stage_matched"), 1, "group_types[0] (education).stage_matched: {} boolean, not the number 1"),
    (("format_version",), True, "format_version: Input should be 1, not true"),
    (("format_version",), "1", "format_version: Input should be 1"),
    (("patients", 0, "min_hours"), True, "patients[0] (P1).min_hours: {} number, not true"),
    (("patients", 0, "min_hours"), "9", "patients[0] (P1).min_hours: {} number, not the string '9'"),
    (("patients", 0, "max_hours"), None, "patients[0] (P1).max_hours: {} number, not null"),
    (("patients", 0, "min_days"), "3", "patients[0] (P1).min_days: {} integer, not the string '3'"),
    (("patients", 0, "min_days"), False, "patients[0] (P1).min_days: {} integer, not false"),
    (("patients", 0, "available"), "mon.am", "patients[0] (P1).available: {} list, not the string 'mon.am'"),
    (("patients", 0, "available"), {"mon": "am"}, "patients[0] (P1).available: {} list, not an object"),
    (("patients", 0, "id"), 1, "patients[0].id: {} string, not the number 1"),
    (("patients", 0, "avoid"), [2], "patients[0] (P1).avoid[0]: {} string, not the number 2"),
    (("patients", 0, "medication_management"), "true", "patients[0] (P1).medication_management: {} boolean, not the string 'true'"),
    (("group_types", 0, "tracks"), ["a", 5], "group_types[0] (education).tracks[1]: {} string, not the number 5"),
    (("name",), 7, "name: {} string, not the number 7"),
    (("week_of",), 1_700_000_000, "week_of: {} date, not the number 1700000000"),
    (("blocks", 0, "periods", 0, "start"), 900, "blocks[0] (am).periods[0].start: {} string, not the number 900"),
    (("group_types", 0, "kind"), 2, "group_types[0] (education).kind: Input should be 'psychoeducational', 'skills' or 'interpersonal_process', not the number 2"),
    (("requirements", 0, "min_sessions"), "2", "requirements[0].min_sessions: {} integer, not the string '2'"),
    (("requirements", 1, "max_sessions"), "4", "requirements[1].max_sessions: {} integer, not the string '4'"),
    (("weights", "session_run"), "60", "weights.session_run: {} integer, not the string '60'"),
    (("individual", "per_week_by_stage"), {"early": "2"}, "individual.per_week_by_stage.early: {} integer, not the string '2'"),
    (("screening", "capacity_per_block"), True, "screening.capacity_per_block: {} integer, not true"),
    (("group_types", 1, "family_seats"), 2.5, "group_types[1] (relapse_prevention).family_seats: {} integer, not the number 2.5"),
]  # fmt: skip


@pytest.mark.parametrize(("where", "value", "line"), LAX_VALUES, ids=[c[2] for c in LAX_VALUES])
def test_value_of_the_wrong_type_is_refused(
    tmp_path: Path, where: Where, value: Any, line: str
) -> None:
    expected = line.format("Input should be a valid")

    def edit(data: dict[str, Any]) -> None:
        _set(data, where, value)

    path = write_instance(tmp_path, edit)
    assert solve_bad(tmp_path, path) == [f"{path}: {expected}"]
    assert refused(lambda: parse_instance(_set(raw("tiny"), where, value))) == [expected]


def test_values_of_the_right_json_type_still_load() -> None:
    data = raw("tiny")
    data["week_of"] = "2024-01-08"  # a date is an ISO string
    data["patients"][0]["min_hours"] = 9  # a JSON integer is a number
    data["patients"][1]["min_hours"] = 9.5
    data["rooms"][0]["capacity"] = 6.0  # JSON Schema: a number without fraction is an integer
    data["format_version"] = 1.0
    data["group_types"][0]["kind"] = "skills"  # enums are strings
    data["weights"] = {"session_run": 60.0}
    inst = parse_instance(data)
    assert str(inst.week_of) == "2024-01-08"
    assert inst.patients[0].min_hours == 9.0 and isinstance(inst.patients[0].min_hours, float)
    assert inst.patients[1].min_hours == 9.5
    assert inst.rooms[0].capacity == 6 and isinstance(inst.rooms[0].capacity, int)
    assert inst.weights.session_run == 60 and isinstance(inst.weights.session_run, int)
    assert inst.group_types[0].kind == "skills"


def test_bad_date_text_says_why() -> None:
    data = raw("tiny")
    data["week_of"] = "2024-13-01"
    [line] = refused(lambda: parse_instance(data))
    assert line.startswith("week_of: Input should be a valid date")
    assert "month" in line


def test_several_wrong_types_one_line_each(tmp_path: Path) -> None:
    # The examples of the issue, all in one file: each was a value before.
    def edit(d: dict[str, Any]) -> None:
        d["format_version"] = True
        d["group_types"][0].update(min_size="2", stage_matched="yes")
        d["rooms"][0]["capacity"] = "6"
        d["patients"][0]["min_hours"] = True

    path = write_instance(tmp_path, edit)
    assert solve_bad(tmp_path, path) == [
        f"{path}: {line}"
        for line in [
            "format_version: Input should be 1, not true",
            "group_types[0] (education).min_size: Input should be a valid integer, "
            "not the string '2'",
            "group_types[0] (education).stage_matched: Input should be a valid boolean, "
            "not the string 'yes'",
            "patients[0] (P1).min_hours: Input should be a valid number, not true",
            "rooms[0] (R1).capacity: Input should be a valid integer, not the string '6'",
        ]
    ]


NOT_JSON: list[tuple[Where, Any, str]] = [
    (("patients", 0, "flags"), {"a", "b"}, "patients[0] (P1).flags: {} list, not a Python set"),
    (("name",), b"tiny", "name: {} string, not a Python bytes"),
    (("patients", 0, "available"), ("mon.am",), "patients[0] (P1).available: {} list, not a Python tuple"),
    (("rooms", 0, "capacity"), Decimal("6"), "rooms[0] (R1).capacity: {} integer, not a Python Decimal"),
]  # fmt: skip


@pytest.mark.parametrize(("where", "value", "line"), NOT_JSON, ids=[c[2] for c in NOT_JSON])
def test_library_refuses_values_json_does_not_have(where: Where, value: Any, line: str) -> None:
    expected = line.format("Input should be a valid") + ", which is not a JSON value"
    assert refused(lambda: parse_instance(_set(raw("tiny"), where, value))) == [expected]


def test_library_still_takes_a_dumped_instance() -> None:
    inst = parse_instance({**raw("tiny"), "week_of": "2024-01-08"})
    assert parse_instance(inst.model_dump()) == inst  # week_of a date object there


def tiny_schedule() -> dict[str, Any]:
    session = {
        "id": "S001", "day": "mon", "block": "am", "period": 0, "start": "09:00",
        "end": "10:30", "group_type": "education", "room": "R1", "counselors": ["C1"],
        "patients": ["P1", "P2"],
    }  # fmt: skip
    return {"instance": "tiny", "status": "feasible", "sessions": [session]}


SCHEDULE_VALUES: list[tuple[Where, Any, str]] = [
    (("sessions", 0, "period"), "0", "sessions[0] (S001).period: {} integer, not the string '0'"),
    (("objective",), "480", "objective: {} integer, not the string '480'"),
    (("best_effort",), "false", "best_effort: {} boolean, not the string 'false'"),
    (("sessions", 0, "patients"), "P1", "sessions[0] (S001).patients: {} list, not the string 'P1'"),
    (("objective_terms",), {"session_run": "60"}, "objective_terms.session_run: {} integer, not the string '60'"),
    (("format_version",), True, "format_version: Input should be 1, not true"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("where", "value", "line"), SCHEDULE_VALUES, ids=[c[2] for c in SCHEDULE_VALUES]
)
def test_schedule_values_of_the_wrong_type(
    tmp_path: Path, where: Where, value: Any, line: str
) -> None:
    expected = line.format("Input should be a valid")
    parse_schedule(tiny_schedule())  # valid as it is
    data = _set(tiny_schedule(), where, value)
    assert refused(lambda: parse_schedule(data)) == [expected]
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(data))
    assert assert_bad_input(invoke("check", TINY, path)) == [f"{path}: {expected}"]


def test_schema_keeps_json_schema_bounds() -> None:
    # The integer fields accept 6.0 through a validator: their bounds must still be
    # exported as minimum/maximum (pydantic writes its own "ge"/"le" for some forms).
    text = json.dumps([json_schema("instance"), json_schema("schedule")])
    assert '"ge"' not in text and '"le"' not in text
    people = json_schema("instance")["$defs"]["Counselor"]["properties"]
    assert people["max_caseload"]["anyOf"][0] == {"maximum": 1000, "minimum": 0, "type": "integer"}
