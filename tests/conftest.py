"""Shared test helpers: one way to read instance files, one way to solve and check."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli import main
from models import Instance, load_instance, parse_instance
from scheduler import SolveResult, SolveSettings, check, solve

ROOT = Path(__file__).resolve().parent.parent
INSTANCES = ROOT / "instances"
DATA = Path(__file__).resolve().parent / "data"


def invoke(*args: Any) -> Result:
    """Run the ``iop-scheduler`` command line in-process, stderr kept apart from stdout."""
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        runner = CliRunner()  # click >= 8.2 keeps stderr apart
    return runner.invoke(main, [str(a) for a in args])


def instance_path(name: str) -> Path:
    """``"tiny"`` -> instances/tiny.json; ``"data/x"`` -> tests/data/x.json."""
    if name.startswith("data/"):
        return DATA / f"{name.removeprefix('data/')}.json"
    return INSTANCES / f"{name}.json"


def load(name: str) -> Instance:
    """A bundled or test instance by short name (see :func:`instance_path`)."""
    return load_instance(instance_path(name))


def raw(name: str) -> dict[str, Any]:
    """The JSON dict of an instance, to edit before :func:`parse_instance`."""
    return json.loads(instance_path(name).read_text())


def edited(name: str, **changes: Any) -> Instance:
    """An instance with top-level fields replaced."""
    data = raw(name)
    data.update(changes)
    return parse_instance(data)


def solve_checked(instance: Instance, **settings: Any) -> SolveResult:
    """Solve (2 workers, 10 s unless given) and assert the checker accepts the schedule.

    Every test that solves goes through here: a found schedule must have no
    violation and the checker's objective (and terms) must equal the solver's.
    """
    settings.setdefault("time_limit", 10.0)
    settings.setdefault("workers", 2)
    result = solve(instance, SolveSettings(**settings))
    if result.found:
        report = check(instance, result.schedule)
        assert report.violations == [], report.violations
        assert report.objective == result.objective
        assert {k: v for k, v in report.terms.items() if k in result.terms} == result.terms
        assert sum(result.terms.values()) == result.objective
    return result


@pytest.fixture
def tiny() -> Instance:
    return load("tiny")


@pytest.fixture(autouse=True)
def sigint_restored() -> Iterator[None]:
    """A command run in this process (CliRunner) sets SIGINT's handler and mask for the
    rest of its process (held while it loads, ignored once its output is written: see
    cli.main and scheduler.interrupt); put back what pytest had, so that Ctrl-C still
    stops the test run."""
    before = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, before)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held by solve and explain
