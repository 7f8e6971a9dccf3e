"""JSON -> workbook -> JSON gives back an equal instance (availability in week order)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import INSTANCES, instance_path, load, raw
from models import load_instance, parse_instance
from models.workbook import in_week_order, instance_to_workbook, parse_workbook, read_workbook
from models.workbook.layout import object_sheets, program_keys
from scheduler.generate import generate

from .sheets import book_of, saved

EVERY_FEATURE = "data/workbook_every_feature"


def round_trip(instance):
    return parse_workbook(instance_to_workbook(instance), "roster.xlsx")


@pytest.mark.parametrize("path", sorted(INSTANCES.glob("*.json")), ids=lambda p: p.stem)
def test_bundled_instances_come_back_equal(path: Path) -> None:
    instance = load_instance(path)
    assert round_trip(instance) == instance


@pytest.mark.parametrize("kwargs", [dict(patients=60, sites=2, seed=5), dict(patients=25, seed=2)])
def test_generated_instances_come_back_equal(kwargs: dict[str, int]) -> None:
    instance, _ = generate(**kwargs)
    assert round_trip(instance) == instance


@settings(max_examples=8, deadline=None)
@given(
    patients=st.integers(16, 40),
    sites=st.integers(1, 2),
    seed=st.integers(0, 10_000),
    week_of=st.none() | st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)),
)
def test_any_generated_instance_comes_back_equal(
    patients: int, sites: int, seed: int, week_of: dt.date | None
) -> None:
    instance, _ = generate(patients=patients, sites=sites, seed=seed, week_of=week_of)
    assert round_trip(instance) == instance


def test_every_feature_comes_back_equal() -> None:
    """Tracks, genders, flags, topics, strict curriculum, family groups, pairs, offices,
    roles, caseloads, per-stage counts, no screening, rooms with and without (and with an
    empty) availability, display names, time zone, week, sites, and text that needs
    quoting (commas, spaces, quotes, a leading '=', empty strings, numeric ids)."""
    instance = load(EVERY_FEATURE)
    back = round_trip(instance)
    assert back == in_week_order(instance)
    assert back.screening is None
    assert [r.available for r in back.rooms][:3] == [None, ["mon.am", "tue.pm"], []]


def test_every_feature_instance_uses_every_feature() -> None:
    """The fixture stays what its name says (a feature dropped from it fails here)."""
    data = raw(EVERY_FEATURE)
    for field in ("week_of", "timezone", "individual_slots", "together", "sites", "pins"):
        assert data[field]
    assert "screening" not in data
    assert any(p.get("display_name") for p in data["patients"])
    assert {r.get("available") is None for r in data["rooms"]} == {True, False}
    assert any(r.get("available") == [] for r in data["rooms"])
    assert any(c.get("max_caseload") for c in data["counselors"])
    assert data["individual"]["per_week_by_stage"]


def test_screening_given_comes_back_given() -> None:
    data = raw(EVERY_FEATURE)
    data["screening"] = {}  # every setting at its default: still screening, not absent
    instance = parse_instance(data)
    assert round_trip(instance).screening == instance.screening is not None


def test_slot_lists_come_back_in_week_order() -> None:
    """Availability is a set: given out of order, it comes back in week order."""
    data = raw("tiny")
    data["patients"][0]["available"] = list(reversed(data["patients"][0]["available"]))
    data["patients"][0]["preferred"] = data["patients"][0]["available"][:2]
    instance = parse_instance(data)
    back = round_trip(instance)
    assert back != instance
    assert back == in_week_order(instance)
    week = instance.slots
    assert back.patients[0].available == sorted(instance.patients[0].available, key=week.index)


def test_load_instance_reads_a_workbook_as_its_json(tmp_path: Path) -> None:
    instance = load_instance(instance_path("medium"))
    path = tmp_path / "Medium.XLSX"
    path.write_bytes(instance_to_workbook(instance))
    assert load_instance(path) == instance
    assert load_instance(str(path)) == read_workbook(path) == instance


def test_every_model_field_has_a_column() -> None:
    """A field added to the JSON format shows up in the workbook with no code."""
    book = book_of(load(EVERY_FEATURE))
    for sheet in object_sheets():
        headers = {c.value for c in book[sheet.name][1]}
        fields = set(sheet.model.model_fields) - set(sheet.slot_fields)
        assert fields <= headers, sheet.name
    keys = {c.value for c in book["program"]["A"]}
    assert {k.name for k in program_keys()} <= keys
    assert {"name", "week_of", "timezone", "individual.per_week_by_stage"} <= keys
    assert "mon.am" in {c.value for c in book["patients"][1]}


def test_the_json_of_a_workbook_is_the_json_of_the_instance() -> None:
    instance = load_instance(instance_path("small"))
    text = round_trip(instance).model_dump_json()
    assert json.loads(text) == json.loads(instance.model_dump_json())


def test_a_workbook_saved_again_by_a_spreadsheet_reads_the_same() -> None:
    """Loaded and saved by openpyxl (as a spreadsheet program would), nothing changes."""
    instance = load(EVERY_FEATURE)
    assert parse_workbook(saved(book_of(instance)), "x.xlsx") == in_week_order(instance)
