"""Pre-solve checks (``scheduler.prechecks``): each one tripped by an instance built for it.

Most cases are ``instances/tiny.json`` with one edit (days mon/wed/fri, block am of two
90-minute periods, so 3 h a day; stages early/late; education for all, relapse_prevention
stage-matched with min_size 2; P1, P2 early, P3, P4 late; C1 leads both types, C2 only
relapse_prevention; rooms R1 (6), R2 (4)). Each finding proves infeasibility, so every
tripped instance must also be infeasible for the solver, and no feasible bundled or
generated instance may trip any check.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from conftest import instance_path, load, raw, solve_checked
from models import parse_instance
from scheduler import prechecks
from scheduler.generate import generate

SLOTS = ["mon.am", "wed.am", "fri.am"]
OFFICE = {"id": "O1", "capacity": 2, "type": "office"}
AFTER_BLOCK = [{"start": "12:10", "end": "13:00"}]


def _services(d: dict[str, Any]) -> None:
    d["rooms"].append(OFFICE)
    d["individual_slots"] = AFTER_BLOCK


CASES: dict[str, tuple[Callable[[dict[str, Any]], Any], list[str]]] = {
    "hours_possible": (
        lambda d: d["patients"][0].update(min_days=2, available=["mon.am", "wed.am"]),
        ["P1 is available only in mon.am and wed.am: 6.0 h possible, min_hours 9"],
    ),
    "days_possible": (
        lambda d: d["patients"][0].update(min_hours=6, min_days=3, available=["mon.am", "wed.am"]),
        ["P1 is available on 2 days (mon, wed), min_days 3"],
    ),
    "requirement_reachable": (
        lambda d: (
            d["group_types"][0].update(requires_flags=["x"]),
            [d["patients"][i].update(flags=["x"]) for i in range(3)],
        ),
        ["P4 needs 2 sessions of education (requirements[0]) but is eligible for none"],
    ),
    "staff_qualified": (
        lambda d: d["group_types"][0].update(staff_required=2),
        ["2 counselors qualified for 'education' is available in any slot, and 4 patients need it"],
    ),
    "staff_qualified with a role": (
        lambda d: d["group_types"][1].update(requires_role="clinician"),
        [
            "nobody qualified for 'relapse_prevention' (one a clinician) is available in any "
            "slot, and 4 patients need it"
        ],
    ),
    "room_big_enough": (
        lambda d: d["group_types"][0].update(family=True, family_seats=4),
        ["the largest group room seats 6, below min_size 2 of 'education' (2 patients x 4 seats)"],
    ),
    "stage_large_enough": (
        lambda d: d["patients"][3].update(stage="early"),
        [
            "stage 'late' has 1 patient for 'relapse_prevention', which is stage-matched and "
            "needs at least 2"
        ],
    ),
    "stage_large_enough for a kind": (
        # Late patients need skills (a kind); relapse_prevention, its only type, is
        # stage-matched and P4 moved to early leaves P3 alone.
        lambda d: (
            d["requirements"].__setitem__(1, {"kind": "skills", "min_sessions": 2}),
            d["patients"][3].update(stage="early"),
        ),
        [
            "stage 'late' has 1 patient but skills groups need at least 2 when stage matched "
            "(requirements[1])"
        ],
    ),
    "individual_time": (
        # Late patients need two individual sessions; C2, their primary, works mon only.
        lambda d: (
            _services(d),
            d.update(individual={"per_week_by_stage": {"late": 2}}),
            d["counselors"][1].update(available=["mon.am"]),
        ),
        [
            f"{p} needs 2 individual sessions on different days but can meet their primary "
            "counselor C2 at individual times on 1 day"
            for p in ("P3", "P4")
        ],
    ),
    "prescriber_time": (
        lambda d: (_services(d), d["patients"][1].update(medication_management=True)),
        [
            "P2 needs medication management but no prescriber is available at an individual "
            "time P2 can come"
        ],
    ),
    "screen_capacity": (
        lambda d: d.update(screening={"per_week": 2, "capacity_per_block": 2}),
        ["screening needs 8 collections a week but 3 blocks x 2 allow 6"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_check_finds_its_reason(case: str) -> None:
    edit, expected = CASES[case]
    data = raw("tiny")
    edit(data)
    instance = parse_instance(data)

    findings = prechecks(instance)

    assert [f.message for f in findings] == expected
    assert {f.rule for f in findings} == {case.split()[0]}
    # A finding proves infeasibility: the solver agrees.
    assert solve_checked(instance, time_limit=10).status == "infeasible"


def test_bundled_infeasible_instance_is_explained() -> None:
    [finding] = prechecks(load("infeasible"))
    assert finding.rule == "stage_large_enough"
    assert finding.ids == ("late", "relapse_prevention")


@pytest.mark.parametrize("name", ["tiny", "small", "medium"])
def test_no_finding_on_feasible_bundled_instances(name: str) -> None:
    assert prechecks(load(name)) == []


@pytest.mark.parametrize("patients", [8, 30, 120])
def test_no_finding_on_generated_instances(patients: int) -> None:
    for seed in range(5):
        instance, witness = generate(patients, seed=seed)
        assert witness is not None
        assert prechecks(instance) == []


def test_solve_prints_the_reason(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = CliRunner().invoke(
        main, ["solve", str(instance_path("infeasible")), "-o", str(out), "--time-limit", "5"]
    )
    assert result.exit_code == 1
    assert (
        "why: stage 'late' has 1 patient for 'relapse_prevention', which is stage-matched and "
        "needs at least 2" in result.output
    )
