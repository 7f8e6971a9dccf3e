"""Pins (``scheduler/cpsat/pins.py``): the model keeps every pinned session, attendance
and appointment exactly, in both formulations, and ``explain`` names a pin that cannot hold.

Every solve goes through ``conftest.solve_checked``: the checker (rule ``pin``) accepts
the schedule, so each pin is held exactly as given.
"""

from __future__ import annotations

from typing import Any

from scheduler import diagnose

from .builders import (
    AFTER,
    BEFORE,
    assert_infeasible,
    assert_optimal,
    base,
    both,
    build,
    counselor,
    group,
    office,
    patient,
    room,
    solved,
)

FOUR = [patient(f"P{i}") for i in range(1, 5)]


def _two_rooms(**changes: Any) -> dict[str, Any]:
    """Four patients needing one hour; C1 and C2 lead G; rooms R1 and R2 seat four."""
    data = {
        "patients": FOUR,
        "counselors": [counselor("C1"), counselor("C2")],
        "rooms": [room("R1"), room("R2")],
    }
    return base(**{**data, **changes})


@both
def test_pinned_sessions_change_the_optimum(formulation: str) -> None:
    # Unpinned, one session of the four patients: 60 (session_run 60).
    assert_optimal(solved(_two_rooms(), formulation), 60)
    # Two pinned sessions in the one period: different rooms, so two sessions, each of at
    # least min_size 2 (P3, P4 fill them): 2 * 60 = 120.
    pins = [
        {"kind": "session", "group_type": "G", "slot": "mon.am", "room": "R1",
         "counselors": ["C1"], "patients": ["P1"]},
        {"kind": "session", "group_type": "G", "slot": "mon.am", "period": 0, "room": "R2",
         "counselors": ["C2"], "patients": ["P2"]},
    ]  # fmt: skip
    result = solved(_two_rooms(pins=pins), formulation)
    assert_optimal(result, 120)
    by_room = {s.room: s for s in result.schedule.sessions}
    assert by_room["R1"].counselors == ["C1"] and "P1" in by_room["R1"].patients
    assert by_room["R2"].counselors == ["C2"] and "P2" in by_room["R2"].patients


def _services_week(pins: list[dict[str, Any]]) -> dict[str, Any]:
    """Two days; G teaches topics a and b (not strict); individual counseling BEFORE or AFTER
    the block, a prescriber C3, P3 needs medication; two offices."""
    return base(
        days=["mon", "tue"],
        group_types=[group(topics=["a", "b"])],
        patients=[*FOUR[:2], patient("P3", medication_management=True), FOUR[3]],
        counselors=[counselor("C1"), counselor("C2"), counselor("C3", [], roles=["prescriber"])],
        rooms=[room("R1"), office("O1"), office("O2")],
        individual_slots=[BEFORE, AFTER],
        pins=pins,
    )


@both
def test_every_kind_of_pin_is_kept(formulation: str) -> None:
    pins = [
        {"kind": "session", "group_type": "G", "slot": "mon.am"},
        {"kind": "session", "group_type": "G", "slot": "tue.am", "counselors": ["C2"],
         "patients": ["P4"], "topic": "a"},
        {"kind": "attend", "patient": "P1", "slot": "tue.am"},
        {"kind": "individual", "patient": "P2", "counselor": "C2", "day": "tue", "start": "10:10"},
        {"kind": "medication", "patient": "P3", "day": "tue", "start": "08:00"},
    ]  # fmt: skip
    result = solved(_services_week(pins), formulation)
    assert result.found  # and the checker found every pin held (solve_checked)
    topics = {s.day: s.topic for s in result.schedule.sessions}
    # Unpinned, the curriculum would rotate: a on monday, b on tuesday. The pin keeps a on
    # tuesday, so monday teaches b (no repeat for those who attend both).
    assert topics == {"mon": "b", "tue": "a"}
    (tuesday,) = [s for s in result.schedule.sessions if s.day == "tue"]
    assert tuesday.counselors == ["C2"] and {"P1", "P4"} <= set(tuesday.patients)
    assert result.schedule.primary_counselors.get("P2") == "C2"  # the pinned individual's


def test_a_pinned_counselor_away_is_named_at_once() -> None:
    data = _two_rooms(
        days=["mon", "tue"],
        counselors=[counselor("C1"), counselor("C2", available=["tue.am"])],
        pins=[{"kind": "session", "group_type": "G", "slot": "mon.am", "counselors": ["C2"]}],
    )
    found = diagnose(build(data), time_limit=10)
    assert found.verdict == "infeasible"
    assert found.lines() == ["pin 1: C2 leads G mon.am, but C2 is unavailable mon.am"]


def test_pins_that_cannot_all_hold_are_named() -> None:
    # P1 cannot sit in two sessions of one period: the two pins conflict.
    pins = [
        {"kind": "session", "group_type": "G", "slot": "mon.am", "room": room_id,
         "patients": ["P1"]}
        for room_id in ("R1", "R2")
    ]  # fmt: skip
    found = diagnose(build(_two_rooms(pins=pins)), time_limit=10)
    assert found.verdict == "infeasible"
    assert [(c.rule, c.ids) for c in found.conflict] == [("pin", ("1",)), ("pin", ("2",))]
    assert found.conflict[0].message == "pin 1 holds (session G mon.am, room R1, patients P1)"


@both
def test_a_large_pinned_group_leaves_enough_for_the_others(formulation: str) -> None:
    # Two pinned sessions in the one period (two rooms); P1-P3 in R1 leave only P4 for R2,
    # below min_size 2: no timetable. (The aggregated family of four patients in two
    # sessions would pass its own size rule; the pinned group's size is counted too.)
    pins = [
        {"kind": "session", "group_type": "G", "slot": "mon.am", "room": "R1",
         "patients": ["P1", "P2", "P3"]},
        {"kind": "session", "group_type": "G", "slot": "mon.am", "room": "R2"},
    ]  # fmt: skip
    assert_infeasible(solved(_two_rooms(pins=pins), formulation))
    # With a fifth patient each session has two or more: two sessions, 120.
    five = [*FOUR, patient("P5")]
    assert_optimal(solved(_two_rooms(pins=pins, patients=five), formulation), 120)
