"""Hostile input at the JSON level: random mutations of valid instances and schedules
(types, values, keys, nesting) either work or are refused as bad input, never a crash.

A mutation picks one place in the document (an object's key or a list's item, at any
depth) and replaces its value by another JSON value (of another type, a boundary number,
a nested structure), deletes it, or adds an unknown key next to it. The library must then
return a valid instance or raise ``InputError`` whose lines each name a place; the CLI
must exit 0 or 1 with a checked schedule, or 2 with one line per problem, and never
show a traceback. A solved instance's schedule is mutated the same way for ``check``.
"""

from __future__ import annotations

import copy
import functools
import json
import tempfile
from pathlib import Path
from typing import Any

from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bad_input import invoke  # the CLI with stderr apart

from conftest import raw, solve_checked
from models import InputError, Schedule, parse_instance, parse_schedule, to_json

JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 2**31, 2**63, 10**30]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from(["", "mon", "mon.am", "09:00", "25:99", "P1", "C1", "x" * 200]),
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def places(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key of every object and index of every list, as paths from the root."""
    found = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            found.append((*path, key))
            found += places(value, (*path, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            found.append((*path, i))
            found += places(value, (*path, i))
    return found


@st.composite
def mutated(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with one to three random mutations."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 3))):
        spots = places(doc)
        if not spots:
            break
        *parent_path, last = draw(st.sampled_from(spots))
        parent = doc
        for step in parent_path:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "replace":
            parent[last] = draw(JSON_VALUE)
        elif action == "delete":
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=6))] = draw(JSON_VALUE)
        else:
            parent.append(draw(JSON_VALUE))
    return doc


TINY = raw("tiny")
FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def assert_named_problems(err: InputError) -> None:
    """Bad input: at least one problem, each one line that names a place."""
    assert err.lines, "an InputError without a problem"
    for line in err.lines:
        assert "\n" not in line and ": " in line, line


@FUZZ
@given(mutated(TINY))
def test_a_mutated_instance_is_valid_or_refused_with_named_problems(data: dict[str, Any]) -> None:
    try:
        parse_instance(data)
    except InputError as err:
        assert_named_problems(err)


def assert_done_or_refused(result: Result) -> None:
    """Exit 0 or 1 (done), or 2 with one placed problem a line: never an exception."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stderr
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr)
    if result.exit_code == 2:
        assert result.stderr and all(": " in line for line in result.stderr.splitlines())


@settings(max_examples=25, deadline=None, database=None)
@given(mutated(TINY))
def test_the_cli_solves_or_refuses_a_mutated_instance(data: dict[str, Any]) -> None:
    # A valid mutation is solved and checked (exit 0 or 1); anything else is exit 2.
    with tempfile.TemporaryDirectory() as tmp:  # hypothesis runs many examples a call
        path, out = Path(tmp) / "x.json", Path(tmp) / "out.json"
        path.write_text(json.dumps(data))
        result = invoke("solve", path, "-o", out, "--time-limit", "2", "--workers", "1", "--quiet")
        assert_done_or_refused(result)
        assert out.exists() == (result.exit_code != 2)


@functools.cache
def solved_tiny() -> dict[str, Any]:
    """Tiny's schedule as JSON, solved once when a test first needs it."""
    return json.loads(to_json(solve_checked(parse_instance(TINY), time_limit=5).schedule))


@FUZZ
@given(st.deferred(lambda: mutated(solved_tiny())))
def test_a_mutated_schedule_is_valid_or_refused_with_named_problems(data: dict[str, Any]) -> None:
    try:
        schedule = parse_schedule(data)
    except InputError as err:
        assert_named_problems(err)
        return
    assert isinstance(schedule, Schedule)


@settings(max_examples=25, deadline=None, database=None)
@given(st.deferred(lambda: mutated(solved_tiny())))
def test_check_judges_or_refuses_a_mutated_schedule(data: dict[str, Any]) -> None:
    # The checker never crashes on a schedule that passed the format: 0 valid, 1 broken.
    with tempfile.TemporaryDirectory() as tmp:
        instance, schedule = Path(tmp) / "tiny.json", Path(tmp) / "s.json"
        instance.write_text(json.dumps(TINY))
        schedule.write_text(json.dumps(data))
        assert_done_or_refused(invoke("check", instance, schedule))
