"""Options and settings out of range: exit 2 on the command line (click's usage error,
whose last line names the option), before any work and with nothing written; in the
library ``SettingsError`` (from ``SolveSettings``) and ``GenerateError`` (from
``generate``), ``ValueError``s of one line naming the field. The command line's ranges
are the library's."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from test_bad_input import invoke  # CliRunner with stderr apart, on any click
from test_faults import refused

import cli
from conftest import instance_path
from scheduler import SettingsError, SolveSettings
from scheduler.generate import GenerateError, generate
from scheduler.generate.build import MAX_PATIENTS
from scheduler.generate.build import MAX_SEED as GENERATE_MAX_SEED
from scheduler.settings import MAX_SEED, MAX_WORKERS

TINY = instance_path("tiny")


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["solve", TINY, "--seed", "-5"], "--seed"),
        (["solve", TINY, "--seed", "1" * 31], "--seed"),
        (["solve", TINY, "--seed", str(2**31)], "--seed"),
        (["solve", TINY, "--time-limit", "nan"], "--time-limit"),
        (["solve", TINY, "--time-limit", "inf"], "--time-limit"),
        (["solve", TINY, "--time-limit", "-1"], "--time-limit"),
        (["solve", TINY, "--gap", "1.5"], "--gap"),
        (["solve", TINY, "--gap", "-0.1"], "--gap"),
        (["solve", TINY, "--gap", "nan"], "--gap"),
        (["solve", TINY, "--workers", "257"], "--workers"),
        (["solve", TINY, "--workers", "-1"], "--workers"),
        (["batch", TINY, "--workers", "0"], "--workers"),
        (["batch", TINY, "--workers", "100000"], "--workers"),
        (["batch", TINY, "--seed", "-5"], "--seed"),
        (["batch", TINY, "--time-limit", "nan"], "--time-limit"),
        (["explain", TINY, "--time-limit", "nan"], "--time-limit"),
        (["explain", TINY, "--time-limit", "inf"], "--time-limit"),
        (["explain", TINY, "--time-limit", "0"], "--time-limit"),
        (["generate", "--patients", "1000000000"], "--patients"),
        (["generate", "--patients", str(MAX_PATIENTS + 1)], "--patients"),
        (["generate", "--patients", "20", "--counselors", "0"], "--counselors"),
        (["generate", "--patients", "20", "--counselors", "21"], "--counselors"),
        (["generate", "--patients", "20", "--rooms", "1000000"], "--rooms"),
        (["generate", "--patients", "20", "--sites", "0"], "--sites"),
        (["generate", "--patients", "20", "--sites", "3"], "--sites"),
        (["generate", "--patients", "20", "--seed", str(2**32)], "--seed"),
        (["generate", "--patients", "20", "--seed", "-1"], "--seed"),
    ],
)
def test_out_of_range_options_are_bad_input(tmp_path: Path, args: list[Any], option: str) -> None:
    out = ["-o", tmp_path / ("out" if args[0] == "batch" else "out.json")]
    lines = refused(invoke(*args, *(out if args[0] != "explain" else [])))
    assert lines and option in lines[-1]
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_ranges_are_the_library_s() -> None:
    assert (cli.SEED.min, cli.SEED.max) == (0, MAX_SEED)
    assert (cli.WORKERS.min, cli.WORKERS.max) == (0, MAX_WORKERS)
    options = {p.name: p.type for p in cli.generate.params}
    assert options["patients"].max == MAX_PATIENTS  # type: ignore[attr-defined]
    assert options["seed"].max == GENERATE_MAX_SEED  # type: ignore[attr-defined]
    SolveSettings(seed=MAX_SEED, workers=MAX_WORKERS)  # the largest accepted values
    with pytest.raises(SettingsError):
        SolveSettings(workers=MAX_WORKERS + 1)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"time_limit": -1}, "time_limit: -1 is out of range (a finite number, at least 0)"),
        ({"time_limit": math.nan}, "time_limit: nan is out of range"),
        ({"time_limit": math.inf}, "time_limit: inf is out of range"),
        ({"time_limit": "60"}, "time_limit: '60' is not a number"),
        ({"workers": 10**6}, "workers: 1000000 is out of range (0 to 256)"),
        ({"workers": 2.0}, "workers: 2.0 is not a whole number"),
        ({"seed": -5}, "seed: -5 is out of range (0 to 2147483647)"),
        ({"seed": 10**30}, "seed: 1000000000000000000000000000000 is out of range"),
        ({"seed": True}, "seed: True is not a whole number"),
        ({"relative_gap": 1.5}, "relative_gap: 1.5 is out of range (0 to 1)"),
        ({"formulation": "clever"}, "formulation: 'clever' is not one of aggregated, plain"),
        ({"deterministic": "yes"}, "deterministic: 'yes' is not True or False"),
        ({"parameters": [("num_workers", 2)]}, "parameters: [('num_workers', 2)] is not a dict"),
        (
            {"parameters": {"num_wokers": 2}},
            "parameters['num_wokers']: not a CP-SAT parameter; did you mean 'num_workers'?",
        ),
        (
            {"parameters": {"num_workers": "2"}},
            "parameters['num_workers']: '2' is not a whole number",
        ),
        (
            {"parameters": {"num_workers": 2**40}},
            "parameters['num_workers']: 1099511627776 is out of",
        ),
        ({"parameters": {"num_workers": -3}}, "parameters: parameter 'num_workers' should be in"),
        ({"parameters": {"max_time_in_seconds": math.nan}}, "parameters: parameter 'max_time_in_"),
        (
            {"parameters": {"log_search_progress": 1}},
            "parameters['log_search_progress']: 1 is not True",
        ),
        (
            {"parameters": {"search_branching": 1}},
            "parameters['search_branching']: 1 is not a Search",
        ),
        ({"parameters": {"subsolvers": ["core"]}}, "parameters['subsolvers']: a list parameter"),
    ],
)
def test_bad_settings_raise_settings_error(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        SolveSettings(**settings)
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, ValueError) and "\n" not in str(caught.value)


def test_good_parameters_pass_through() -> None:
    from ortools.sat.python import cp_model

    params = {
        "search_branching": cp_model.FIXED_SEARCH,
        "log_search_progress": False,
        "linearization_level": 2,
        "max_time_in_seconds": 5,
    }
    assert SolveSettings(time_limit=0, parameters=params).parameters == params


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"patients": 10**9}, "patients: 1000000000 is out of range (8 to 5000)"),
        ({"patients": "20"}, "patients: '20' is not a whole number"),
        ({"patients": 20, "counselors": 21}, "counselors: 21 is out of range (1 to 20)"),
        ({"patients": 20, "rooms": 0}, "rooms: 0 is out of range (1 to 20)"),
        ({"patients": 20, "seed": -1}, "seed: -1 is out of range (0 to 4294967295)"),
        (
            {"patients": 20, "sites": 3},
            "sites: 3 sites need 24 patients, at least 8 a site; 20 given",
        ),
        ({"patients": 20, "sites": 10**9}, "sites: 1000000000 is out of range (1 to 625)"),
    ],
)
def test_generate_limits_raise_generate_error(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(GenerateError, match=None) as caught:
        generate(**kwargs)
    assert str(caught.value) == message
