"""Counselors (``scheduler/check/staff.py``): who leads a session, their roles and
hours, primary counselors and caseloads.

Each test breaks the valid ``optimum`` (tiny) or ``full`` (services) schedule of
``conftest.py`` in one way and asserts the exact list of broken rules (or penalties).
"""

from __future__ import annotations

from typing import Any

import pytest

from models import Instance, Schedule, parse_instance
from scheduler.check import check

from .builders import by_id, changed, edited_appointment, violation_ids

# -- rule 6: counselors ------------------------------------------------------------------


def test_counselor_count_zero(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, changed(optimum, "S1", counselors=[]))

    assert report.rules() == ["counselor_count"]
    assert report.violations[0].ids == ("S1",)
    assert report.violations[0].message == "session S1 has 0 counselors, needs exactly 1"


def test_counselor_count_two(tiny: Instance, optimum: Schedule) -> None:
    # C2 (free at mon.am 09:00) joins C1 in education S1.
    report = check(tiny, changed(optimum, "S1", counselors=["C1", "C2"]))

    # counselor_qualified: C2 may not lead education. (Each listed counselor is checked.)
    assert report.rules() == ["counselor_count", "counselor_qualified"]
    assert report.violations[0].message == "session S1 has 2 counselors, needs exactly 1"
    assert report.violations[1].ids == ("C2", "S1")


def test_counselor_listed_twice_is_not_a_clash(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, changed(optimum, "S1", counselors=["C1", "C1"]))

    assert not report.ok
    assert "counselor_clash" not in report.rules()


def test_counselor_qualified(tiny: Instance, optimum: Schedule) -> None:
    # C2 (free at mon.am 09:00) leads education S1 instead of C1.
    report = check(tiny, changed(optimum, "S1", counselors=["C2"]))

    assert report.rules() == ["counselor_qualified"]
    assert report.violations[0].ids == ("C2", "S1")
    assert report.violations[0].message == "C2 is not qualified for education (session S1)"


def test_counselor_available(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    by_id(tiny_data["counselors"], "C2")["available"] = ["mon.am", "wed.am"]
    report = check(parse_instance(tiny_data), optimum)

    assert report.rules() == ["counselor_available", "counselor_available"]
    assert violation_ids(report) == [("C2", "S6"), ("C2", "S8")]
    assert report.violations[0].message == "C2 is not available in fri.am (session S6)"


def test_counselor_clash(tiny: Instance, optimum: Schedule) -> None:
    # C1 also leads S6 (late, fri.am 09:00) while leading S5. C2 still leads S8, so
    # P3/P4's primary counselor still leads one of their groups.
    report = check(tiny, changed(optimum, "S6", counselors=["C1"]))

    assert report.rules() == ["counselor_clash"]
    assert report.violations[0].ids == ("C1", "S5", "S6")
    assert report.violations[0].message == "C1 leads 2 sessions in fri.am 09:00-10:30 (S5, S6)"


def test_counselor_max_hours(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    by_id(tiny_data["counselors"], "C1")["max_hours"] = 8
    report = check(parse_instance(tiny_data), optimum)

    # C1 leads S1..S5 and S7: 6 * 90 min = 9 h.
    assert report.rules() == ["counselor_max_hours"]
    assert report.violations[0].ids == ("C1",)
    assert report.violations[0].message == "C1 leads 9.0 h of groups, above max_hours 8"


def test_counselor_count_staff_required(services: Instance, full: Schedule) -> None:
    # The family group keeps only its clinician.
    report = check(services, changed(full, "S2", counselors=["C2"]))

    assert report.rules() == ["counselor_count"]
    assert report.violations[0].ids == ("S2",)
    assert report.violations[0].message == "session S2 has 1 counselors, needs exactly 2"


def test_counselor_count_two_for_one(services: Instance, full: Schedule) -> None:
    report = check(services, changed(full, "S1", counselors=["C1", "C2"]))

    assert report.rules() == ["counselor_count"]
    assert report.violations[0].message == "session S1 has 2 counselors, needs exactly 1"


def test_counselor_role_session(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["counselors"], "C2")["roles"] = ["counselor"]
    report = check(parse_instance(services_data), full)

    assert report.rules() == ["counselor_role"]
    assert report.violations[0].ids == ("S2",)
    assert report.violations[0].message == (
        "session S2 (family) has no counselor with the clinician role"
    )


def test_counselor_role_medication(services: Instance, full: Schedule) -> None:
    # C2 is free at mon 08:00 but is not a prescriber.
    report = check(services, edited_appointment(full, "medication_appointments", 0, counselor="C2"))

    assert report.rules() == ["counselor_role"]
    assert report.violations[0].ids == ("C2", "medication_appointments[0]")
    assert report.violations[0].message == (
        "C2 is not a prescriber (medication appointment of P2 with C2 at mon 08:00-08:50)"
    )


def test_counselor_max_hours_per_day(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["counselors"], "C1")["max_hours_per_day"] = 3.5
    report = check(parse_instance(services_data), full)

    # mon: S1 and S2 (180 min, within 3.5 h) plus P1's individual session (50): 230 min.
    # wed: S4 and P2's individual session: 140 min.
    assert report.rules() == ["counselor_max_hours_per_day"]
    assert report.violations[0].ids == ("C1", "mon")
    assert report.violations[0].message == (
        "C1 works 3.8 h on mon (groups and appointments), above max_hours_per_day 3.5"
    )


# -- rule 10: primary counselors ---------------------------------------------------------


@pytest.mark.parametrize(
    ("assigned", "rules", "ids", "message"),
    [
        pytest.param(
            {"P3": "C2"},
            ["primary_assignment"],
            ("P4",),
            "P4 has no primary counselor assigned",
            id="missing",
        ),
        pytest.param(
            # individual_counselor (rule 9, checked before rule 10): P4 still sees C2.
            {"P3": "C2", "P4": "C9"},
            ["individual_counselor", "primary_assignment"],
            ("P4", "C9"),
            "P4 is assigned primary counselor C9, who does not exist",
            id="unknown",
        ),
        pytest.param(
            {"P3": "C2", "P4": "C3"},
            ["individual_counselor", "primary_assignment"],
            ("P4", "C3"),
            "P4 is assigned primary counselor C3, who is neither a counselor nor a clinician",
            id="prescriber",
        ),
        pytest.param(
            {"P1": "C1", "P3": "C2", "P4": "C2"},
            ["primary_assignment"],
            ("P1", "C1"),
            "P1 already has primary counselor C1 but is assigned C1",
            id="given",
        ),
    ],
)
def test_primary_assignment(
    services: Instance,
    full: Schedule,
    assigned: dict[str, str],
    rules: list[str],
    ids: tuple[str, ...],
    message: str,
) -> None:
    new = full.model_copy(deep=True)
    new.primary_counselors = assigned
    report = check(services, new)

    assert report.rules() == rules
    assert report.violations[-1].ids == ids
    assert report.violations[-1].message == message


def test_max_caseload(services_data: dict[str, Any], full: Schedule) -> None:
    for cid in ("C1", "C2"):
        by_id(services_data["counselors"], cid)["max_caseload"] = 1
    report = check(parse_instance(services_data), full)

    # C1 has P1, P2 (given); C2 has P3, P4 (assigned): both kinds count.
    assert report.rules() == ["max_caseload", "max_caseload"]
    assert violation_ids(report) == [("C1",), ("C2",)]
    assert report.violations[1].message == "C2 has a caseload of 2 patients, above max_caseload 1"
