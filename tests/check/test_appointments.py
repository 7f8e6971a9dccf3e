"""Appointments and screens (``scheduler/check/appointments.py``): offices, the
counselor and patient of an appointment, individual counseling, medication and screens.

Each test breaks the valid ``optimum`` (tiny) or ``full`` (services) schedule of
``conftest.py`` in one way and asserts the exact list of broken rules (or penalties).
"""

from __future__ import annotations

from typing import Any

import pytest

from models import Instance, Schedule, Screen, parse_instance
from scheduler.check import check

from .builders import IND, appointment, by_id, edited_appointment, violation_ids

# -- rule 5: offices ---------------------------------------------------------------------


def test_appointment_room_available(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["rooms"], "O1")["available"] = ["wed.am"]
    report = check(parse_instance(services_data), full)

    # P1's and P3's individual sessions are in O1 on monday (in mon.am).
    assert report.rules() == ["room_available", "room_available"]
    assert violation_ids(report) == [
        ("O1", "individual_sessions[0]"),
        ("O1", "individual_sessions[2]"),
    ]
    assert report.violations[0].message == (
        "room O1 is not available in mon.am (individual session of P1 with C1 at mon 08:00-08:50)"
    )


def test_appointment_room_clash(services: Instance, full: Schedule) -> None:
    # P2's medication moves to O1, where P1 sees C1 at the same time.
    report = check(services, edited_appointment(full, "medication_appointments", 0, room="O1"))

    assert report.rules() == ["room_clash"]
    assert report.violations[0].ids == (
        "O1",
        "individual_sessions[0]",
        "medication_appointments[0]",
    )
    assert report.violations[0].message == (
        "room O1 holds 2 appointments at mon 08:00-08:50 (P1 with C1, P2 with C3)"
    )


# -- rule 6: the counselor of an appointment ---------------------------------------------


def test_appointment_counselor_available(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["counselors"], "C3")["available"] = ["wed.am"]
    report = check(parse_instance(services_data), full)

    assert report.rules() == ["counselor_available"]
    assert report.violations[0].ids == ("C3", "medication_appointments[0]")
    assert report.violations[0].message == (
        "C3 is not available in mon.am (medication appointment of P2 with C3 at mon 08:00-08:50)"
    )


def test_appointment_counselor_leads_a_group(services: Instance, full: Schedule) -> None:
    # P3's individual session (with C2) moves to mon 10:00-10:50, when C2 leads S2.
    start, end = IND["10"]
    report = check(
        services, edited_appointment(full, "individual_sessions", 2, start=start, end=end)
    )

    # appointment_day: 10:00-10:50 also overlaps P3's own block mon.am.
    assert report.rules() == ["counselor_clash", "appointment_day"]
    assert report.violations[0].ids == ("C2", "individual_sessions[2]", "S2")
    assert report.violations[0].message == (
        "C2 leads S2 (mon.am 10:30-12:00) during the individual session of P3 with C2 "
        "at mon 10:00-10:50"
    )


def test_appointment_counselor_two_at_once(services: Instance, full: Schedule) -> None:
    # P4's individual session (with C2) moves to mon 12:10 in O2, when C2 sees P3 in O1.
    report = check(
        services, edited_appointment(full, "individual_sessions", 3, day="mon", room="O2")
    )

    assert report.rules() == ["counselor_clash"]
    assert report.violations[0].ids == ("C2", "individual_sessions[2]", "individual_sessions[3]")
    assert report.violations[0].message == (
        "C2 has 2 appointments at mon 12:10-13:00 (individual session of P3, "
        "individual session of P4)"
    )


# -- rule 9: individual counseling and every appointment ---------------------------------


def test_appointment_double_booked(services: Instance, full: Schedule) -> None:
    # P2's medication moves to wed 08:00, when P2 sees C1 (in O1; medication stays in O2).
    report = check(services, edited_appointment(full, "medication_appointments", 0, day="wed"))

    assert report.rules() == ["double_booked"]
    assert report.violations[0].ids == (
        "P2",
        "individual_sessions[1]",
        "medication_appointments[0]",
    )
    assert report.violations[0].message == (
        "P2 has 2 appointments at once at wed 08:00-08:50 "
        "(individual session with C1, medication appointment with C3)"
    )


def test_appointment_day_without_block(services: Instance, full: Schedule) -> None:
    # P1 is available fri.am but attends nothing on friday.
    report = check(services, edited_appointment(full, "individual_sessions", 0, day="fri"))

    assert report.rules() == ["appointment_day"]
    assert report.violations[0].ids == ("P1", "individual_sessions[0]")
    assert report.violations[0].message == (
        "P1 has an individual session on fri but attends no block that day"
    )
    # Not also an extra trip: there is no block to be next to.
    assert report.terms["individual_extra_trip"] == 0


def test_appointment_day_overlaps_block(services: Instance, full: Schedule) -> None:
    # P2's medication (C3 leads no group) moves to mon 10:00-10:50, inside P2's mon.am.
    start, end = IND["10"]
    report = check(
        services, edited_appointment(full, "medication_appointments", 0, start=start, end=end)
    )

    assert report.rules() == ["appointment_day"]
    assert report.violations[0].ids == ("P2", "medication_appointments[0]")
    assert report.violations[0].message == (
        "P2's medication appointment at mon 10:00-10:50 overlaps their block mon.am"
    )


def test_appointment_patient_available(services: Instance, full: Schedule) -> None:
    # 14:00-14:50 belongs to the pm block, in which no patient is available.
    start, end = IND["14"]
    report = check(
        services, edited_appointment(full, "individual_sessions", 0, start=start, end=end)
    )

    assert report.rules() == ["patient_available"]
    assert report.violations[0].ids == ("P1", "individual_sessions[0]")
    assert report.violations[0].message == (
        "P1 is not available in mon.pm (individual session at mon 14:00-14:50)"
    )


def test_individual_count_missing(services: Instance, full: Schedule) -> None:
    new = full.model_copy(deep=True)
    del new.individual_sessions[2]
    report = check(services, new)

    assert report.rules() == ["individual_count"]
    assert report.violations[0].ids == ("P3",)
    assert report.violations[0].message == "P3 has 0 individual sessions, needs 1"


def test_individual_count_by_stage(services_data: dict[str, Any], full: Schedule) -> None:
    services_data["individual"] = {"per_week": 1, "per_week_by_stage": {"early": 2}}
    report = check(parse_instance(services_data), full)

    assert report.rules() == ["individual_count"] * 4
    assert report.violations[0].message == "P1 has 1 individual sessions, needs 2"


def test_individual_count_same_day(services: Instance, full: Schedule) -> None:
    # A second session of P1 with C1 on monday, after the block (C1 is free at 12:10).
    new = full.model_copy(deep=True)
    new.individual_sessions.append(appointment("P1", "C1", "mon", "12", "O2"))
    report = check(services, new)

    assert report.rules() == ["individual_count", "individual_count"]
    assert violation_ids(report) == [("P1",), ("P1", "mon")]
    assert report.violations[0].message == "P1 has 2 individual sessions, needs 1"
    assert report.violations[1].message == (
        "P1 has 2 individual sessions on the same day (mon); they must be on different days"
    )


@pytest.mark.parametrize(
    ("i", "counselor", "patient", "message"),
    [
        pytest.param(
            0,
            "C2",
            "P1",
            "P1's individual session at mon 08:00-08:50 is with C2, not their primary counselor C1",
            id="given",
        ),
        pytest.param(
            2,
            "C1",
            "P3",
            "P3's individual session at mon 12:10-13:00 is with C1, not their primary counselor C2",
            id="assigned",
        ),
    ],
)
def test_individual_counselor(
    services: Instance, full: Schedule, i: int, counselor: str, patient: str, message: str
) -> None:
    # C2 is free at mon 08:00, C1 at mon 12:10.
    report = check(
        services, edited_appointment(full, "individual_sessions", i, counselor=counselor)
    )

    assert report.rules() == ["individual_counselor"]
    assert report.violations[0].ids == (patient, f"individual_sessions[{i}]")
    assert report.violations[0].message == message


def test_max_individual(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["counselors"], "C2")["max_individual"] = 1
    report = check(parse_instance(services_data), full)

    # C2 sees P3 and P4.
    assert report.rules() == ["max_individual"]
    assert report.violations[0].ids == ("C2",)
    assert report.violations[0].message == "C2 has 2 individual sessions, above max_individual 1"


# -- rule 11: medication -----------------------------------------------------------------


def test_medication_count_missing(services: Instance, full: Schedule) -> None:
    new = full.model_copy(deep=True)
    new.medication_appointments.clear()
    report = check(services, new)

    assert report.rules() == ["medication_count"]
    assert report.violations[0].ids == ("P2",)
    assert report.violations[0].message == "P2 has 0 medication appointments, needs 1"


def test_medication_count_not_needed(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["patients"], "P2")["medication_management"] = False
    report = check(parse_instance(services_data), full)

    assert report.rules() == ["medication_count"]
    assert report.violations[0].message == "P2 has 1 medication appointments, needs 0"


# -- rule 12: screens --------------------------------------------------------------------


def test_screen_count_missing(services: Instance, full: Schedule) -> None:
    new = full.model_copy(deep=True)
    del new.screens[3]
    report = check(services, new)

    assert report.rules() == ["screen_count"]
    assert report.violations[0].ids == ("P4",)
    assert report.violations[0].message == "P4 has 0 screens, needs 1"


def test_screen_count_same_block(services_data: dict[str, Any], full: Schedule) -> None:
    services_data["screening"]["per_week"] = 2
    new = full.model_copy(deep=True)
    new.screens.append(Screen(patient="P1", day="mon", block="am"))
    report = check(parse_instance(services_data), new)

    # P1 has two screens but both in mon.am; P2..P4 have one of two.
    assert report.rules() == ["screen_count"] * 4
    assert violation_ids(report) == [("P1", "mon.am"), ("P2",), ("P3",), ("P4",)]
    assert report.violations[0].message == (
        "P1 has 2 screens in mon.am; they must be in different blocks"
    )


def test_screen_block(services: Instance, full: Schedule) -> None:
    # P1 is available fri.am but attends nothing on friday.
    report = check(services, edited_appointment(full, "screens", 0, day="fri"))

    assert report.rules() == ["screen_block"]
    assert report.violations[0].ids == ("P1", "fri.am")
    assert report.violations[0].message == "P1 has a screen in fri.am but attends no session there"


def test_screen_capacity(services_data: dict[str, Any], full: Schedule) -> None:
    services_data["screening"]["capacity_per_block"] = 1
    report = check(parse_instance(services_data), full)

    assert report.rules() == ["screen_capacity", "screen_capacity"]
    assert violation_ids(report) == [("mon.am",), ("wed.am",)]
    assert report.violations[0].message == "mon.am has 2 screens, above capacity_per_block 1"


def test_screens_without_screening(services_data: dict[str, Any], full: Schedule) -> None:
    del services_data["screening"]
    report = check(parse_instance(services_data), full)

    assert report.rules() == ["screen_count"] * 4
    assert report.violations[0].message == "P1 has 1 screens, needs 0"
