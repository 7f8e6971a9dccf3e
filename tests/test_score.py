"""The score breakdown (``scheduler.check.score``, ``iop-scheduler score``, ``solve --explain``).

The breakdown is the checker's penalties grouped by term: its terms must sum to
the objective, on the solver's schedules and on hand-edited ones, in text and JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import instance_path, invoke, load, solve_checked
from models import Schedule, load_schedule, to_json
from scheduler import check, score
from scheduler.check.report import STABILITY_TERMS

TINY = instance_path("tiny")
SMALL = instance_path("small")


@pytest.fixture(scope="module")
def small_schedule(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """small.json (every clinical service) solved for 5 s, written once for the module."""
    result = solve_checked(load("small"), time_limit=5.0)
    assert result.found
    path = tmp_path_factory.mktemp("score") / "small.json"
    path.write_text(to_json(result.schedule))
    return path


def test_terms_sum_to_the_objective(small_schedule: Path) -> None:
    instance, schedule = load("small"), load_schedule(small_schedule)
    breakdown = score(instance, schedule)

    assert breakdown.valid
    assert breakdown.objective == schedule.objective
    assert sum(t.cost for t in breakdown.terms) == breakdown.objective
    for t in breakdown.terms:
        assert sum(p.cost for p in t.entries) == t.cost
        assert all(p.cost == t.weight * p.amount for p in t.entries)
    # One entry per session run; every term with a weight is listed, even at 0.
    by_term = {t.term: t for t in breakdown.terms}
    assert by_term["session_run"].units == len(schedule.sessions)
    # (The shortfall terms only for best-effort schedules, the stability terms only
    # against a previous schedule.)
    weighted = {k for k, w in instance.weights.model_dump().items() if w}
    assert set(by_term) == {
        k for k in weighted if not k.startswith("shortfall_") and k not in STABILITY_TERMS
    }


def test_weight_zero_terms_are_left_out() -> None:
    # tiny switches load balance off.
    result = solve_checked(load("tiny"))
    breakdown = score(load("tiny"), result.schedule)
    assert "load_imbalance_minutes" not in [t.term for t in breakdown.terms]
    assert breakdown.objective == 480


def test_hand_edited_schedule_is_scored_with_its_violations() -> None:
    # Drop P1 from tiny's first session: P1 misses a period (whole_block) and the
    # session still runs (60).
    instance = load("tiny")
    schedule = solve_checked(instance).schedule
    first = schedule.sessions[0]
    edited = schedule.model_copy(deep=True)
    dropped = first.patients[0]
    edited.sessions[0].patients = [p for p in first.patients if p != dropped]

    breakdown = score(instance, edited)

    assert not breakdown.valid
    assert breakdown.violations == check(instance, edited).violations
    assert sum(t.cost for t in breakdown.terms) == breakdown.objective
    assert "invalid: " in breakdown.text()


def test_text_lists_the_costliest_entries_first(small_schedule: Path) -> None:
    breakdown = score(load("small"), load_schedule(small_schedule))
    lines = breakdown.text(limit=3).splitlines()

    assert lines[0] == f"small-clinic: objective {breakdown.objective}"
    for t in breakdown.terms:
        [head] = [ln for ln in lines if ln.startswith(f"{t.term} ")]
        assert f"(weight {t.weight}, {t.units} units)" in head
        assert str(t.cost) in head.split()
    session_lines = lines[lines.index(next(ln for ln in lines if ln.startswith("session_run"))) :]
    # Three sessions then the rest, summed.
    hidden = len(load_schedule(small_schedule).sessions) - 3
    assert session_lines[4].strip() == f"{60 * hidden}  ... and {hidden} more"


def test_cli_score_text_and_json(small_schedule: Path) -> None:
    text = invoke("score", SMALL, small_schedule)
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("small-clinic: objective ")

    as_json = invoke("score", SMALL, small_schedule, "--json")
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert data["valid"] is True and data["violations"] == []
    assert sum(t["cost"] for t in data["terms"]) == data["objective"]
    sessions = next(t for t in data["terms"] if t["term"] == "session_run")
    # JSON keeps every entry, the text only the top ones.
    assert len(sessions["entries"]) == len(load_schedule(small_schedule).sessions)
    assert set(sessions["entries"][0]) == {"ids", "amount", "cost", "message"}

    every = invoke("score", SMALL, small_schedule, "--all")
    assert "... and" not in every.stdout
    assert len(every.stdout.splitlines()) > len(text.stdout.splitlines())


def test_cli_score_invalid_schedule_exits_1(tmp_path: Path) -> None:
    schedule = solve_checked(load("tiny")).schedule
    broken = Schedule(
        **{**schedule.model_dump(), "sessions": schedule.model_dump()["sessions"][1:]}
    )
    path = tmp_path / "broken.json"
    path.write_text(to_json(broken))

    result = invoke("score", TINY, path)

    assert result.exit_code == 1
    assert "invalid: " in result.stdout


def test_cli_score_schedule_of_another_instance_is_bad_input(small_schedule: Path) -> None:
    result = invoke("score", TINY, small_schedule)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"{small_schedule}: instance: the schedule is for 'small-clinic', not 'tiny'"
    )


def test_solve_explain_prints_the_breakdown(tmp_path: Path) -> None:
    out = tmp_path / "tiny.json"
    result = invoke("solve", TINY, "-o", out, "--time-limit", "10", "--workers", "2", "--explain")
    assert result.exit_code == 0, result.output
    # After the summary: the breakdown, 8 sessions at 60 each (tiny's optimum, by hand).
    breakdown = result.stdout.split("tiny: objective 480\n", 1)[1]
    assert breakdown.startswith("session_run ")
    assert breakdown.count("  session S") == 8
