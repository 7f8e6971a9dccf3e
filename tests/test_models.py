"""Tests of the data models (models/): round trips, JSON Schema, defaults, no solver imports."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from conftest import INSTANCES, ROOT, load, raw
from models import (
    GroupType,
    InputError,
    Instance,
    Patient,
    Schedule,
    json_schema,
    load_instance,
    parse_instance,
    parse_schedule,
    to_json,
)
from scheduler.generate import generate

BUNDLED = sorted(p.stem for p in INSTANCES.glob("*.json"))


@pytest.fixture(scope="module")
def generated() -> tuple[Instance, Schedule]:
    """A generated 40-patient program and its witness schedule (no solver involved)."""
    inst, witness = generate(40, seed=5)
    assert witness is not None
    return inst, witness


# -- round trips -------------------------------------------------------------------------


def test_bundled_instances_present() -> None:
    assert {"tiny", "infeasible", "small", "medium"} <= set(BUNDLED)


@pytest.mark.parametrize("name", BUNDLED)
def test_instance_round_trip(name: str) -> None:
    inst = load(name)
    text = to_json(inst)
    again = parse_instance(json.loads(text))
    assert again == inst
    assert to_json(again) == text  # stable text: a second round trip changes nothing


def test_tiny_round_trip_keeps_the_content() -> None:
    inst = load("tiny")
    assert inst.name == "tiny"
    assert [p.id for p in inst.patients] == ["P1", "P2", "P3", "P4"]
    assert inst.slots == ["mon.am", "wed.am", "fri.am"]
    dumped = json.loads(to_json(inst))
    # every field given in the file comes back with the same value
    source = raw("tiny")
    for key, value in source.items():
        if key != "weights":
            assert _subset(value, dumped[key]), key
    assert dumped["weights"]["load_imbalance_minutes"] == 0


def _subset(given: Any, full: Any) -> bool:
    """Whether ``given`` (from the file) is contained in ``full`` (the dump with defaults)."""
    if isinstance(given, dict):
        return isinstance(full, dict) and all(
            k in full and _subset(v, full[k]) for k, v in given.items()
        )
    if isinstance(given, list):
        return (
            isinstance(full, list)
            and len(given) == len(full)
            and all(_subset(a, b) for a, b in zip(given, full))
        )
    return bool(given == full)


def test_schedule_round_trip(generated: tuple[Instance, Schedule]) -> None:
    _, witness = generated
    text = to_json(witness)
    again = parse_schedule(json.loads(text))
    assert again == witness
    assert to_json(again) == text


def test_load_instance_reports_its_source(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{}")
    with pytest.raises(InputError) as info:
        load_instance(path)
    assert info.value.source == str(path)
    assert "name: required field is missing" in info.value.lines


# -- JSON Schema -------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUNDLED)
def test_instance_schema_validates_bundled_instances(name: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema("instance")
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(raw(name), schema, cls=jsonschema.Draft202012Validator)
    # and the normalized dump (all defaults written out) as well
    jsonschema.validate(
        json.loads(to_json(load(name))), schema, cls=jsonschema.Draft202012Validator
    )


def test_instance_schema_rejects_a_typo() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = raw("tiny")
    data["patients"][0]["min_hour"] = 9
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema("instance"), cls=jsonschema.Draft202012Validator)


def test_schedule_schema_validates_schedules(generated: tuple[Instance, Schedule]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema("schedule")
    jsonschema.Draft202012Validator.check_schema(schema)
    _, witness = generated
    empty = Schedule(instance="infeasible", status="infeasible")
    for sched in (witness, empty):
        jsonschema.validate(json.loads(to_json(sched)), schema, cls=jsonschema.Draft202012Validator)


def test_schema_properties() -> None:
    inst, sched = json_schema("instance"), json_schema("schedule")
    assert {"patients", "counselors", "rooms", "group_types"} <= set(inst["properties"])
    assert {"sessions", "status", "objective"} <= set(sched["properties"])
    assert inst["additionalProperties"] is False  # unknown fields are rejected
    json.dumps(inst), json.dumps(sched)  # serializable


# -- defaults ----------------------------------------------------------------------------


def test_patient_defaults() -> None:
    p = Patient(id="P1", stage="early", available=["mon.am"])
    assert (p.min_hours, p.max_hours, p.min_days) == (9, 19, 3)
    assert (p.min_minutes, p.max_minutes) == (540, 1140)
    assert p.flags == [] and p.preferred == [] and p.avoid == []
    assert p.primary_counselor is None


def test_patient_defaults_in_a_file() -> None:
    data = raw("tiny")
    for p in data["patients"]:
        for key in ("min_hours", "max_hours", "min_days"):
            p.pop(key, None)
    inst = parse_instance(data)
    assert {(p.min_hours, p.max_hours, p.min_days) for p in inst.patients} == {(9, 19, 3)}


KIND_SIZES = {
    "psychoeducational": (4, 16),
    "skills": (4, 12),
    "interpersonal_process": (4, 10),
}


@pytest.mark.parametrize("kind", list(KIND_SIZES))
@pytest.mark.parametrize("given", [{}, {"min_size": 0, "max_size": 0}])
def test_group_size_defaults_by_kind(kind: str, given: dict[str, int]) -> None:
    g = GroupType(id="g", kind=kind, **given)
    assert (g.min_size, g.max_size) == KIND_SIZES[kind]


@pytest.mark.parametrize("kind", list(KIND_SIZES))
def test_group_size_defaults_fill_only_the_missing_bound(kind: str) -> None:
    low, high = KIND_SIZES[kind]
    assert (
        GroupType(id="g", kind=kind, min_size=2).min_size,
        GroupType(id="g", kind=kind, min_size=2).max_size,
    ) == (2, high)
    only_max = GroupType(id="g", kind=kind, max_size=6)
    assert (only_max.min_size, only_max.max_size) == (low, 6)


def test_group_size_defaults_in_a_file() -> None:
    data = raw("tiny")
    for g in data["group_types"]:
        g.pop("min_size")
        g["max_size"] = 0
    inst = parse_instance(data)
    assert [(g.min_size, g.max_size) for g in inst.group_types] == [(4, 16), (4, 12)]
    # the dump writes the filled-in sizes, so the file no longer depends on the defaults
    dumped = json.loads(to_json(inst))
    assert [(g["min_size"], g["max_size"]) for g in dumped["group_types"]] == [(4, 16), (4, 12)]


def test_models_are_frozen() -> None:
    inst = load("tiny")
    with pytest.raises(ValidationError):
        inst.patients[0].min_hours = 1  # type: ignore[misc]


# -- no solver in models, checker, split, generate ---------------------------------------


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_models_do_not_import_ortools() -> None:
    done = run_python(
        """
        import models, sys
        assert 'ortools' not in sys.modules
        inst = models.load_instance('instances/tiny.json')
        models.json_schema('instance'); models.json_schema('schedule')
        models.parse_schedule({'instance': 'tiny', 'status': 'unknown'})
        assert not [m for m in sys.modules if m.split('.')[0] == 'ortools'], 'ortools imported'
        print('ok')
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


# The judge, the split and the generator run without a solver (a package: every file in it).
PURE = ["scheduler.check", "scheduler.cpsat.split", "scheduler.generate"]


def _files(module: str) -> list[Path]:
    """The source files of a module, or of every module in a package."""
    path = ROOT.joinpath(*module.split("."))
    return sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]


def _imports(path: Path) -> list[str]:
    """Absolute names of every module a file of the scheduler package imports."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            # relative imports: "." is the file's own package
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(filter(None, [base, node.module]))
            names.append(module)
            # ``from scheduler import check`` may import a submodule
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


@pytest.mark.parametrize("module", PURE)
def test_pure_scheduler_modules_import_no_solver(module: str) -> None:
    files = _files(module)
    assert files and all(f.exists() for f in files), files
    for path in files:
        names = _imports(path)
        assert not [n for n in names if n.split(".")[0] == "ortools"], (path, names)
        # scheduler/__init__.py, program.py and cpsat/model.py import ortools: none of them
        # may be imported (a name inside a pure module, or a submodule of one, is fine)
        inside = [n for n in names if n.split(".")[0] == "scheduler"]
        outside = [n for n in inside if not any(n == m or n.startswith(f"{m}.") for m in PURE)]
        assert not outside, (path, outside)


def test_pure_scheduler_modules_run_without_ortools() -> None:
    """Import checker, split and generate without the package __init__ (which imports solve)."""
    done = run_python(
        """
        import sys, types
        pkg = types.ModuleType('scheduler')
        pkg.__path__ = ['scheduler']
        sys.modules['scheduler'] = pkg
        import scheduler.check, scheduler.cpsat.split, scheduler.generate
        inst, witness = scheduler.generate.generate(20, seed=1)
        assert scheduler.check.check(inst, witness).ok
        assert not [m for m in sys.modules if m.split('.')[0] == 'ortools'], 'ortools imported'
        print('ok')
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
