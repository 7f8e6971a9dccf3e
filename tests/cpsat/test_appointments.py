"""Appointments in the CP-SAT model (``scheduler/cpsat/appointments.py``): individual
counseling, offices, medication management and screens. Instances and helpers:
``builders``."""

from __future__ import annotations

from typing import Any

import pytest

from .builders import (
    AFTER,
    BEFORE,
    PREFER_MON,
    assert_optimal,
    assert_outcome,
    attended,
    base,
    both,
    build,
    counselor,
    individual_of,
    office,
    patient,
    room,
    services,
    solved,
    weights,
)

# -- rule 9: individual counseling ---------------------------------------------------------


@both
@pytest.mark.parametrize(
    ("individual", "expected", "count"),
    [
        # One each, with C1, on mon before or after the group -> 60 (appointments cost 0).
        ({}, 60, 1),
        # No individual counseling this week.
        ({"per_week": 0}, 60, 0),
        # Two each, on different days, each a day they attend: both come both days -> 120.
        ({"per_week": 2}, 120, 2),
        # Three on different days in a two-day week -> infeasible.
        ({"per_week": 3}, None, 3),
        # per_week_by_stage overrides per_week for stage s1 (both patients).
        ({"per_week": 2, "per_week_by_stage": {"s1": 1}}, 60, 1),
        ({"per_week": 1, "per_week_by_stage": {"s1": 0}}, 60, 0),
        # ... and not for other stages.
        ({"per_week": 1, "per_week_by_stage": {"s2": 2}}, 60, 1),
    ],
)
def test_individual_per_week(
    formulation: str, individual: dict[str, Any], expected: int | None, count: int
) -> None:
    # Two one-hour days; P1, P2 have primary C1; individual times BEFORE and AFTER the block,
    # one office.
    data = base(
        days=["mon", "tue"],
        patients=[patient(p, primary_counselor="C1") for p in ("P1", "P2")],
        **services([BEFORE, AFTER], **individual),
    )
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    got = individual_of(result)
    days = attended(result)
    for pid in ("P1", "P2"):
        mine = got.get(pid, [])
        assert len(mine) == count
        assert all(c == "C1" for c, _, _ in mine)
        assert len({d for _, d, _ in mine}) == count  # different days
        assert {f"{d}.am" for _, d, _ in mine} <= set(days[pid])
    assert {a.room for a in result.schedule.individual_sessions} <= {"O1"}


@both
@pytest.mark.parametrize(
    ("primaries", "offices", "days", "expected"),
    [
        # One time (BEFORE), one office, two patients with different counselors: both need it
        # on mon -> infeasible; with a second day each takes one of the days, and both days
        # run a session (G needs both patients) -> 120.
        (["C1", "C2"], 1, ["mon"], None),
        (["C1", "C2"], 1, ["mon", "tue"], 120),
        # Two offices: both at once on mon -> 60.
        (["C1", "C2"], 2, ["mon"], 60),
        # Same counselor: one appointment at a time, whatever the offices.
        (["C1", "C1"], 2, ["mon"], None),
        (["C1", "C1"], 2, ["mon", "tue"], 120),
    ],
)
def test_individual_office_and_counselor_shortage(
    formulation: str, primaries: list[str], offices: int, days: list[str], expected: int | None
) -> None:
    data = base(
        days=days,
        patients=[patient(p, primary_counselor=c) for p, c in zip(("P1", "P2"), primaries)],
        counselors=[counselor("C1"), counselor("C2", [])],
        **services([BEFORE], offices=offices),
    )
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    at = [(a.day, a.start, a.room) for a in result.schedule.individual_sessions]
    assert len(at) == 2 and len(set(at)) == 2
    assert {a.counselor for a in result.schedule.individual_sessions} == set(primaries)


@both
@pytest.mark.parametrize(("office_available", "expected"), [(None, 60), (["tue.am"], 120)])
def test_individual_office_availability(
    formulation: str, office_available: list[str] | None, expected: int
) -> None:
    # Two days, P1 and P2 prefer mon; P1 needs an individual session (P2's stage s2 none).
    # The office free only tue moves P1 (and so the group, G needs both) to tue: 60 + 2 * 30.
    data = base(
        **PREFER_MON,
        patients=[
            patient("P1", preferred=["mon.am"], primary_counselor="C1"),
            patient("P2", "s2", preferred=["mon.am"], primary_counselor="C1"),
        ],
        individual_slots=[BEFORE],
        individual={"per_week_by_stage": {"s2": 0}},
        rooms=[room("R1"), office(available=office_available)],
    )
    result = solved(data, formulation)
    assert_optimal(result, expected)
    [a] = result.schedule.individual_sessions
    assert (a.patient, a.day) == ("P1", "mon" if expected == 60 else "tue")


@both
def test_no_individual_slots_no_individual_counseling(formulation: str) -> None:
    # individual.per_week 2 but no individual_slots: no appointments at all -> 60.
    data = base(
        patients=[
            patient(p, primary_counselor="C1", medication_management=True) for p in ("P1", "P2")
        ],
        individual={"per_week": 2},
    )
    result = solved(data, formulation)
    assert_optimal(result, 60)
    assert result.schedule.individual_sessions == []
    assert result.schedule.medication_appointments == []


# -- rule 11: medication management --------------------------------------------------------


@both
@pytest.mark.parametrize(
    ("prescriber", "days", "expected"),
    [
        # MD1 (prescriber) free both days: P1's appointment on mon -> 60.
        ({"roles": ["prescriber"]}, ["mon", "tue"], 60),
        # No prescriber (MD1 is a clinician) -> infeasible.
        ({"roles": ["clinician"]}, ["mon", "tue"], None),
        # MD1 works only tue: P1 must come tue, and with them P2 (G needs 2): 60 + 2 * 30.
        ({"roles": ["prescriber"], "available": ["tue.am"]}, ["mon", "tue"], 120),
        # One day and MD1 never free -> infeasible.
        ({"roles": ["prescriber"], "available": []}, ["mon"], None),
    ],
)
def test_medication_needs_a_prescriber(
    formulation: str, prescriber: dict[str, Any], days: list[str], expected: int | None
) -> None:
    # P1 has medication_management; no individual counseling (per_week 0); one time, BEFORE.
    data = base(
        days=days,
        patients=[
            patient("P1", preferred=["mon.am"], medication_management=True),
            patient("P2", preferred=["mon.am"]),
        ],
        counselors=[counselor("C1"), counselor("MD1", [], **prescriber)],
        weights=weights(session_run=60, preferred_missed=30),
        **services([BEFORE], per_week=0),
    )
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    [a] = result.schedule.medication_appointments
    assert (a.patient, a.counselor, a.day) == ("P1", "MD1", attended(result)["P1"][0].split(".")[0])
    assert result.schedule.individual_sessions == []


@both
@pytest.mark.parametrize(("times", "expected"), [([BEFORE], None), ([BEFORE, AFTER], 60)])
def test_medication_and_individual_not_at_once(
    formulation: str, times: list[dict[str, str]], expected: int | None
) -> None:
    # One day; P1 needs an individual session (with C1) and a medication appointment (with
    # MD1), two offices. One time: both at once -> infeasible. Two times: one each -> 60.
    data = base(
        patients=[
            patient("P1", primary_counselor="C1", medication_management=True),
            patient("P2", "s2", primary_counselor="C1"),
        ],
        counselors=[counselor("C1"), counselor("MD1", [], roles=["prescriber"])],
        **services(times, offices=2, per_week_by_stage={"s2": 0}),
    )
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    [ind] = result.schedule.individual_sessions
    [med] = result.schedule.medication_appointments
    assert (ind.counselor, med.counselor) == ("C1", "MD1")
    assert ind.start != med.start


# -- rule 12: screens ----------------------------------------------------------------------


@both
@pytest.mark.parametrize(
    ("screening", "days", "expected"),
    [
        # One screen each in the one block they attend together -> 60.
        ({"per_week": 1}, ["mon", "tue"], 60),
        # Two screens each in different blocks: both come both days -> 120.
        ({"per_week": 2}, ["mon", "tue"], 120),
        ({"per_week": 3}, ["mon", "tue"], None),
        # One a block: P1 and P2 cannot both screen in the one block they share; they come
        # both days (G needs both) and screen on different days -> 120.
        ({"per_week": 1, "capacity_per_block": 1}, ["mon", "tue"], 120),
        ({"per_week": 1, "capacity_per_block": 1}, ["mon"], None),
        # No screens at all.
        ({"per_week": 0}, ["mon", "tue"], 60),
    ],
)
def test_screens(
    formulation: str, screening: dict[str, int], days: list[str], expected: int | None
) -> None:
    data = base(days=days, screening=screening)
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    screens = [(s.patient, s.slot) for s in result.schedule.screens]
    assert len(screens) == len(set(screens)) == 2 * screening["per_week"]
    days_of = attended(result)
    assert all(slot in days_of[pid] for pid, slot in screens)
    cap = screening.get("capacity_per_block", 8)
    assert all(sum(1 for _, s in screens if s == slot) <= cap for _, slot in screens)


@both
def test_screens_are_drawn_from_the_seed(formulation: str) -> None:
    # Three one-hour days; P1..P3 attend all three (min_days 3, so the timetable is forced),
    # one screen each: 27 valid choices. The same seed draws the same screens; across five
    # seeds at least two draws differ (all five equal has probability well under 1e-4 for
    # a uniform draw).
    data = base(
        days=["mon", "tue", "wed"],
        patients=[patient(p, min_days=3) for p in ("P1", "P2", "P3")],
        screening={"per_week": 1},
    )
    inst = build(data)

    def draw(seed: int) -> list[tuple[str, str]]:
        result = solved(inst, formulation, seed=seed)
        assert_optimal(result, 180)
        return [(s.patient, s.slot) for s in result.schedule.screens]

    draws = [draw(seed) for seed in range(5)]
    assert draw(3) == draws[3]
    assert len({tuple(d) for d in draws}) >= 2
