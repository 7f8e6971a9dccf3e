"""References (``scheduler/check/references.py``): a session, appointment, screen or
assigned primary counselor that names something unknown is reported once, then ignored.

Each test breaks the valid ``optimum`` (tiny) or ``full`` (services) schedule of
``conftest.py`` in one way and asserts the exact list of broken rules (or penalties).
"""

from __future__ import annotations

from typing import Any

import pytest

from models import Instance, Schedule
from scheduler.check import check

from .builders import appointment, changed, edited_appointment

# -- sessions ----------------------------------------------------------------------------


# A session with a bad reference is reported once per problem and then ignored by every
# other check. Breaking S1 (mon.am period 0, all four patients) therefore also leaves each
# patient attending mon.am with nobody at 09:00-10:30 (whole_block x4, in the order the
# patients were first seen: S2 lists P1..P4) and 90 min short of 9 h (min_hours x4).
# Education still counts 3 >= 2, so no requirement breaks.
AFTER_S1_DROPPED = ["whole_block"] * 4 + ["min_hours"] * 4


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"room": "R9"}, "session S1: room R9 does not exist", id="unknown-room"),
        pytest.param(
            {"patients": ["P1", "P2", "P3", "P4", "P9"]},
            "session S1: patient P9 does not exist",
            id="unknown-patient",
        ),
        pytest.param(
            {"patients": ["P1", "P2", "P3", "P4", "P1"]},
            "session S1: a patient is listed twice",
            id="patient-twice",
        ),
        pytest.param(
            {"group_type": "yoga"}, "session S1: group type yoga does not exist", id="unknown-type"
        ),
        pytest.param(
            {"counselors": ["C9"]},
            "session S1: counselor C9 does not exist",
            id="unknown-counselor",
        ),
        pytest.param(
            {"stage": "middle"}, "session S1: stage middle does not exist", id="bad-stage"
        ),
        pytest.param({"day": "sun"}, "session S1: slot sun.am does not exist", id="unknown-day"),
        pytest.param({"block": "pm"}, "session S1: slot mon.pm does not exist", id="unknown-block"),
        pytest.param({"period": 2}, "session S1: block am has no period 2", id="bad-period"),
        pytest.param(
            {"start": "09:00", "end": "10:00"},
            "session S1: times 09:00-10:00 differ from period 0 (09:00-10:30)",
            id="times-differ",
        ),
    ],
)
def test_reference(tiny: Instance, optimum: Schedule, fields: dict[str, Any], message: str) -> None:
    report = check(tiny, changed(optimum, "S1", **fields))

    assert report.rules() == ["reference", *AFTER_S1_DROPPED]
    assert report.violations[0].message == message
    assert report.violations[0].ids == ("S1",)
    # The dropped session is not scored either: 7 sessions run.
    assert report.terms["session_run"] == 7 * 60


def test_reference_reports_every_problem_of_a_session(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, changed(optimum, "S1", room="R9", group_type="yoga"))

    # Group type is checked before room; the session is dropped once (AFTER_S1_DROPPED).
    assert report.rules() == ["reference", "reference", *AFTER_S1_DROPPED]
    assert [v.message for v in report.violations[:2]] == [
        "session S1: group type yoga does not exist",
        "session S1: room R9 does not exist",
    ]


def test_session_id_duplicate(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, changed(optimum, "S2", id="S1"))

    # Both sessions are still checked and valid otherwise: only the id is wrong.
    assert report.rules() == ["session_id"]
    assert "S1" in report.violations[0].message
    assert report.violations[0].ids == ("S1",)


# -- appointments, screens and assigned primary counselors -------------------------------


def test_appointment_without_individual_slots(tiny: Instance, optimum: Schedule) -> None:
    new = optimum.model_copy(deep=True)
    new.individual_sessions.append(appointment("P1", "C1", "mon", "08", "R2"))
    report = check(tiny, new)

    # The entry is reported once and then ignored (so no room_type for R2 either).
    assert report.rules() == ["appointment_time"]
    assert report.violations[0].ids == ("individual_sessions[0]",)
    assert report.violations[0].message == (
        "individual session of P1 with C1 at mon 08:00-08:50 is not an appointment time "
        "(the instance has none)"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"patient": "P9"},
            "individual_sessions[0] (individual session): patient P9 does not exist",
            id="patient",
        ),
        pytest.param(
            {"counselor": "C9"},
            "individual_sessions[0] (individual session): counselor C9 does not exist",
            id="counselor",
        ),
        pytest.param(
            {"room": "O9"},
            "individual_sessions[0] (individual session): room O9 does not exist",
            id="room",
        ),
        pytest.param(
            {"day": "sun"},
            "individual_sessions[0] (individual session): day sun does not exist",
            id="day",
        ),
    ],
)
def test_appointment_reference(
    services: Instance, full: Schedule, fields: dict[str, Any], message: str
) -> None:
    report = check(services, edited_appointment(full, "individual_sessions", 0, **fields))

    # The entry is then ignored: P1 has no individual session left.
    assert report.rules() == ["reference", "individual_count"]
    assert report.violations[0].ids == ("individual_sessions[0]",)
    assert report.violations[0].message == message
    assert report.violations[1].message == "P1 has 0 individual sessions, needs 1"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"patient": "P9"}, "screens[0]: patient P9 does not exist", id="patient"),
        pytest.param({"block": "eve"}, "screens[0]: slot mon.eve does not exist", id="slot"),
    ],
)
def test_screen_reference(
    services: Instance, full: Schedule, fields: dict[str, Any], message: str
) -> None:
    report = check(services, edited_appointment(full, "screens", 0, **fields))

    # The entry is then ignored: P1 has no screen left.
    assert report.rules() == ["reference", "screen_count"]
    assert report.violations[0].ids == ("screens[0]",)
    assert report.violations[0].message == message


def test_primary_counselors_reference(services: Instance, full: Schedule) -> None:
    new = full.model_copy(deep=True)
    new.primary_counselors["P9"] = "C2"
    report = check(services, new)

    assert report.rules() == ["reference"]
    assert report.violations[0].ids == ("P9",)
    assert report.violations[0].message == "primary_counselors: patient P9 does not exist"


def test_appointment_time(services: Instance, full: Schedule) -> None:
    report = check(services, edited_appointment(full, "individual_sessions", 0, end="08:45"))

    # The entry is then ignored: P1 has no individual session left.
    assert report.rules() == ["appointment_time", "individual_count"]
    assert report.violations[0].ids == ("individual_sessions[0]",)
    assert report.violations[0].message == (
        "individual session of P1 with C1 at mon 08:00-08:45 is not an appointment time "
        "(they are at 07:00-07:50, 08:00-08:50, 10:00-10:50, 12:10-13:00, 14:00-14:50 every day)"
    )
