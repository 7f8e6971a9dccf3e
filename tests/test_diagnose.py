"""The infeasibility diagnosis (``scheduler.diagnose``, ``iop-scheduler explain``).

Instances are ``instances/tiny.json`` with edits (see tests/test_precheck.py for its
shape): 4 patients need 2 education sessions (only C1 leads education, 90-minute
periods) and 2 relapse_prevention sessions each, over three mornings of two periods.
"""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from cli import main
from conftest import instance_path, load, raw, solve_checked
from models import parse_instance
from scheduler import diagnose

PATIENTS = {"P1", "P2", "P3", "P4"}


def tiny_with(**edits: Any) -> dict[str, Any]:
    data = raw("tiny")
    data.update(edits)
    return data


def test_feasible_instance_has_nothing_to_explain() -> None:
    found = diagnose(load("tiny"))
    assert found.verdict == "feasible"
    assert found.lines() == ["a timetable exists: nothing to explain"]


def test_precheck_reason_comes_first() -> None:
    found = diagnose(load("infeasible"))
    assert found.verdict == "infeasible"
    assert [f.rule for f in found.findings] == ["stage_large_enough"]
    assert found.conflict == []


def test_conflict_between_a_counselor_limit_and_a_requirement() -> None:
    # C1, the only education leader, may lead 1.5 h: one session, but each patient needs
    # two education sessions. The conflict by construction: C1's max_hours and one
    # patient's education row (any one: they are symmetric). Nothing else is needed.
    data = raw("tiny")
    data["counselors"][0]["max_hours"] = 1.5
    instance = parse_instance(data)
    assert solve_checked(instance, time_limit=10).status == "infeasible"

    found = diagnose(instance, time_limit=20)

    assert found.verdict == "infeasible" and found.findings == []
    assert found.minimal
    rules = sorted((c.rule, c.ids) for c in found.conflict)
    assert len(rules) == 2
    assert rules[0] == ("counselor_max_hours", ("C1",))
    rule, (patient, row) = rules[1]
    assert (rule, row) == ("requirement", "0") and patient in PATIENTS
    assert found.lines() == [
        "these rules cannot all hold, given the patients' availability, qualifications and rooms:",
        "  - C1 leads at most 1.5 h of groups a week (max_hours)",
        f"  - {patient} has at least 2 sessions of education (requirements[0])",
    ]


def test_conflict_within_one_patient() -> None:
    # P3 needs 5 education and 2 relapse_prevention sessions: 7 in six periods. Only P3's
    # two rows conflict; every other patient is untouched.
    data = raw("tiny")
    data["requirements"] = [
        *data["requirements"],
        {"stage": "late", "group_type": "education", "min_sessions": 5},
    ]
    data["patients"][3]["stage"] = "late"
    instance = parse_instance(data)

    found = diagnose(instance, time_limit=20)

    assert found.verdict == "infeasible" and found.minimal
    [(first, ids_a), (second, ids_b)] = sorted((c.rule, c.ids) for c in found.conflict)
    assert first == second == "requirement"
    assert ids_a[0] == ids_b[0] and ids_a[0] in {"P3", "P4"}  # the late patients
    assert {ids_a[1], ids_b[1]} == {"1", "2"}


def test_explain_command(tmp_path: Any) -> None:
    data = raw("tiny")
    data["counselors"][0]["max_hours"] = 1.5
    path = tmp_path / "short.json"
    path.write_text(json.dumps(data))
    runner = CliRunner()

    text = runner.invoke(main, ["explain", str(path), "--time-limit", "20"])
    assert text.exit_code == 1, text.output
    assert text.output.splitlines()[:3] == [
        "tiny: infeasible",
        "these rules cannot all hold, given the patients' availability, qualifications and rooms:",
        "  - C1 leads at most 1.5 h of groups a week (max_hours)",
    ]

    as_json = runner.invoke(main, ["explain", str(path), "--json"])
    assert as_json.exit_code == 1
    data_out = json.loads(as_json.output)
    assert data_out["verdict"] == "infeasible" and data_out["minimal"] is True
    assert {c["rule"] for c in data_out["conflict"]} == {"counselor_max_hours", "requirement"}

    feasible = runner.invoke(main, ["explain", str(instance_path("tiny"))])
    assert feasible.exit_code == 0
    assert feasible.output == "tiny: feasible\na timetable exists: nothing to explain\n"


def test_solve_prints_the_conflict(tmp_path: Any) -> None:
    data = raw("tiny")
    data["counselors"][0]["max_hours"] = 1.5
    path = tmp_path / "short.json"
    path.write_text(json.dumps(data))
    out = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["solve", str(path), "-o", str(out), "--time-limit", "10"])
    assert result.exit_code == 1
    assert "why:   - C1 leads at most 1.5 h of groups a week (max_hours)" in result.output


def test_conflict_with_a_counselors_availability() -> None:
    # C1, the only education leader, works mon.am only (two periods), but each patient
    # needs three education sessions. The conflict: C1's availability and one patient's
    # education row.
    data = raw("tiny")
    data["counselors"][0]["available"] = ["mon.am"]
    data["requirements"][0]["min_sessions"] = 3

    found = diagnose(parse_instance(data), time_limit=20)

    assert found.verdict == "infeasible" and found.minimal and found.findings == []
    [(rule_a, ids_a), (rule_b, ids_b)] = sorted((c.rule, c.ids) for c in found.conflict)
    assert (rule_a, ids_a) == ("counselor_available", ("C1",))
    assert rule_b == "requirement" and ids_b[0] in PATIENTS and ids_b[1] == "0"
    assert found.lines()[1] == "  - C1 leads groups only in mon.am (available)"
