"""The stored best-known schedules (benchmarks/best_known.json) are what the table says.

No solving: each stored schedule is checked against its instance, regenerated the
way the suite makes it (the generator is deterministic per seed), and against its
recorded objective. The checking function is also shown to catch a tampered entry.
"""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path

import pytest

from benchmarks.best_known import (
    NAMES,
    TABLE,
    entry_problems,
    keep,
    load_table,
    read_schedule,
    write_schedule,
)
from benchmarks.best_known import instance_named as generate_instance

STORED = load_table()
instance_named = cache(generate_instance)  # L and XL take seconds to generate


def test_the_table_has_entries_for_known_instances_only() -> None:
    assert STORED, "benchmarks/best_known.json is empty"
    assert set(STORED) <= set(NAMES)


def test_the_table_is_written_sorted() -> None:
    # Sorted keys and a fixed layout: a rerun that improves nothing changes no byte.
    assert TABLE.read_text() == json.dumps(STORED, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("name", sorted(STORED))
def test_a_stored_schedule_checks_with_its_recorded_objective(name: str) -> None:
    assert entry_problems(name, STORED[name], instance_named(name)) == []


@pytest.fixture(scope="module")
def small_copy(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, Path]:
    """A small stored entry (S), its schedule copied to a tmp folder."""
    name = "S" if "S" in STORED else sorted(STORED)[0]
    entry = dict(STORED[name])
    base = tmp_path_factory.mktemp("best")
    (base / "best").mkdir()
    shutil.copy(TABLE.parent / entry["schedule"], base / entry["schedule"])
    return name, entry, base


def test_a_wrong_objective_is_found(small_copy: tuple[str, dict, Path]) -> None:
    name, entry, base = small_copy
    instance = instance_named(name)
    assert entry_problems(name, entry, instance, base) == []
    tampered = {**entry, "objective": entry["objective"] - 1}
    assert any("objective" in p for p in entry_problems(name, tampered, instance, base))


def test_a_tampered_schedule_is_found(small_copy: tuple[str, dict, Path]) -> None:
    name, entry, base = small_copy
    schedule = read_schedule(base / entry["schedule"])
    tampered = {**entry, "schedule": "best/tampered.schedule.json.gz"}
    # One session fewer: its patients miss their hours (a violation or a new shortfall,
    # either way not the recorded objective).
    lacking = schedule.model_copy(update={"sessions": schedule.sessions[1:]})
    write_schedule(lacking, base / tampered["schedule"])
    assert entry_problems(name, tampered, instance_named(name), base)


def test_a_missing_schedule_is_found(small_copy: tuple[str, dict, Path]) -> None:
    name, entry, base = small_copy
    moved = {**entry, "schedule": "best/nowhere.schedule.json.gz"}
    assert entry_problems(name, moved, instance_named(name), base)


def test_a_schedule_is_stored_byte_for_byte_the_same(tmp_path: Path) -> None:
    # gzip with mtime 0 and no name: rewriting a stored schedule gives the same bytes.
    stored = TABLE.parent / STORED[sorted(STORED)[0]]["schedule"]
    write_schedule(read_schedule(stored), tmp_path / "again.gz")
    assert (tmp_path / "again.gz").read_bytes() == stored.read_bytes()


def test_keep_stores_only_a_checked_and_strictly_better_schedule(
    small_copy: tuple[str, dict, Path], tmp_path: Path
) -> None:
    name, entry, base = small_copy
    instance = instance_named(name)
    schedule = read_schedule(base / entry["schedule"])
    table = tmp_path / "best_known.json"
    args = ("a test", "pytest", 1.0, 2)
    lacking = schedule.model_copy(update={"sessions": schedule.sessions[1:], "objective": None})
    assert keep(name, instance, lacking, *args, path=table) is None  # not valid
    assert not table.exists()
    kept = keep(name, instance, schedule, *args, path=table)
    assert kept is not None and kept["objective"] == entry["objective"]
    assert entry_problems(name, load_table(table)[name], instance, tmp_path) == []
    assert keep(name, instance, schedule, *args, path=table) is None  # a tie is not better
