"""Builders for the CP-SAT rule tests (``tests/cpsat/``): one small instance per hard rule
and soft term of the model, where that rule binds.

Every instance is built from :func:`base` (or read from ``tests/data/rule_*.json``) and is
small enough to solve to optimality in well under a second. Each test states the expected
status / objective and derives it by hand in a comment. Solving always goes through
``conftest.solve_checked``, so every schedule found is also accepted by the checker with the
same objective and terms.

The base instance: one day ``mon``, one block ``am`` with one 60-minute period
(09:00-10:00), stages s1/s2/s3, one group type ``G`` (psychoeducational, 2..4 patients),
patients P1, P2 (stage s1, min_hours 1, min_days 1), counselor C1 (qualified for G), room R1
(capacity 4). Patients and counselors built without ``available`` get every slot of the
instance. Weights: session_run 60, every other term 0 unless a test says otherwise, so the
objective is usually "60 per session run".

Both formulations ("aggregated" and "plain") must reach the same optimum on every instance
here, except where a test documents a restriction of the aggregated model (README, "How it
solves"): an avoid pair is kept out of a whole family (the same group type and stage in one
period); a type that couples share runs one session per period
(``test_patients.test_together_pair_parallel_sessions``); parallel sessions of a strict
curriculum teach one topic (``test_groups.test_parallel_sessions_strict_topics``).

The clinical-services tests (issue 3) add an office, ``individual_slots`` and the like with
the builders ``office`` and ``services`` below.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

import pytest

from conftest import solve_checked
from models import Instance, parse_instance
from scheduler import SolveResult

FORMULATIONS = ["aggregated", "plain"]
both = pytest.mark.parametrize("formulation", FORMULATIONS)

ONE_HOUR = [{"start": "09:00", "end": "10:00"}]
TWO_HOURS = [{"start": "09:00", "end": "10:00"}, {"start": "10:00", "end": "11:00"}]
NO_WEIGHTS = {
    "session_run": 0,
    "excess_minutes": 0,
    "preferred_missed": 0,
    "load_imbalance_minutes": 0,
    "primary_not_leading": 0,
    "individual_extra_trip": 0,
    "topic_repeat": 0,
    "caseload_imbalance": 0,
    "room_change": 0,
    "type_repeat_in_block": 0,
    "process_peers_changed": 0,
}


# -- builders ------------------------------------------------------------------------------


def patient(pid: str, stage: str = "s1", **fields: Any) -> dict[str, Any]:
    """A patient needing one hour on one day; ``available`` defaults to every slot."""
    return {"id": pid, "stage": stage, "min_hours": 1, "min_days": 1, **fields}


def counselor(cid: str, qualified: list[str] | None = None, **fields: Any) -> dict[str, Any]:
    """A counselor qualified for G; ``available`` defaults to every slot."""
    return {"id": cid, "qualified": ["G"] if qualified is None else qualified, **fields}


def group(gid: str = "G", kind: str = "psychoeducational", **fields: Any) -> dict[str, Any]:
    return {"id": gid, "kind": kind, "min_size": 2, "max_size": 4, **fields}


def room(rid: str, capacity: int = 4, **fields: Any) -> dict[str, Any]:
    return {"id": rid, "capacity": capacity, **fields}


def weights(**w: int) -> dict[str, int]:
    """All terms 0 except the given ones."""
    return {**NO_WEIGHTS, **w}


def base(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "rule",
        "days": ["mon"],
        "blocks": [{"id": "am", "periods": ONE_HOUR}],
        "stages": ["s1", "s2", "s3"],
        "group_types": [group()],
        "requirements": [],
        "patients": [patient("P1"), patient("P2")],
        "counselors": [counselor("C1")],
        "rooms": [room("R1")],
        "weights": weights(session_run=60),
    }
    data.update(copy.deepcopy(changes))
    return data


def build(data: dict[str, Any]) -> Instance:
    """Validate ``data``, giving every patient and counselor without ``available`` all slots."""
    data = copy.deepcopy(data)
    slots = [f"{d}.{b['id']}" for d in data["days"] for b in data["blocks"]]
    for person in data["patients"] + data["counselors"]:
        person.setdefault("available", slots)
    return parse_instance(data)


def solved(data: dict[str, Any] | Instance, formulation: str, **settings: Any) -> SolveResult:
    inst = data if isinstance(data, Instance) else build(data)
    settings.setdefault("time_limit", 10.0)
    settings.setdefault("workers", 2)
    # The rules of the model itself: the search starts from scratch, not from the greedy.
    settings.setdefault("warm_start", "none")
    return solve_checked(inst, formulation=formulation, **settings)


def assert_optimal(result: SolveResult, objective: int, **terms: int) -> None:
    """Optimal with this objective; the given terms (weighted) have these values."""
    assert result.status == "optimal", result.status
    assert result.objective == objective
    for name, value in terms.items():
        assert result.terms.get(name, 0) == value, (name, result.terms)


def assert_infeasible(result: SolveResult) -> None:
    assert result.status == "infeasible"
    assert result.objective is None
    assert result.schedule.sessions == []


def assert_outcome(result: SolveResult, expected: int | None) -> bool:
    """Infeasible when ``expected`` is None, else optimal with that objective.

    Returns whether there is a schedule to look at further.
    """
    if expected is None:
        assert_infeasible(result)
        return False
    assert_optimal(result, expected)
    return True


def attended(result: SolveResult) -> dict[str, list[str]]:
    """Patient -> the slots (day.block) they attend, in week order of first session."""
    out: dict[str, list[str]] = defaultdict(list)
    for s in result.schedule.sessions:
        for p in s.patients:
            if s.slot not in out[p]:
                out[p].append(s.slot)
    return dict(out)


def periods_of(result: SolveResult, pid: str) -> list[tuple[str, int]]:
    return sorted((s.slot, s.period) for s in result.schedule.sessions if pid in s.patients)


def session_slots(result: SolveResult) -> list[str]:
    return sorted({s.slot for s in result.schedule.sessions})


# Instances several families use.

TWO_TYPES = [group("G"), group("H", kind="skills")]

PREFER_MON = dict(days=["mon", "tue"], weights=weights(session_run=60, preferred_missed=30))


# -- clinical services (issue 3) -----------------------------------------------------------
#
# Builders: ``office`` is a one-seat office (appointments meet there, never groups);
# ``BEFORE`` (08:00-08:50) and ``AFTER`` (10:10-11:00) are individual times 10 minutes from
# the base block (09:00-10:00), i.e. next to it (adjacent_minutes 30: no extra trip);
# ``LATE`` (11:00-11:50) is 60 minutes after it. With one block a day every individual time
# belongs to that block. ``services`` adds individual counseling to an instance.

BEFORE = {"start": "08:00", "end": "08:50"}
AFTER = {"start": "10:10", "end": "11:00"}
LATE = {"start": "11:00", "end": "11:50"}


def office(rid: str = "O1", capacity: int = 1, **fields: Any) -> dict[str, Any]:
    return room(rid, capacity, type="office", **fields)


def services(times: list[dict[str, str]], offices: int = 1, **individual: Any) -> dict[str, Any]:
    """``base`` changes for individual counseling at ``times`` with ``offices`` offices."""
    return {
        "individual_slots": times,
        "individual": individual,
        "rooms": [room("R1")] + [office(f"O{i + 1}") for i in range(offices)],
    }


def individual_of(result: SolveResult) -> dict[str, list[tuple[str, str, str]]]:
    """Patient -> their individual sessions as (counselor, day, start), in week order."""
    out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for a in result.schedule.individual_sessions:
        out[a.patient].append((a.counselor, a.day, a.start))
    return dict(out)
