"""The objective (``scheduler/check/objective.py``): each soft term recomputed entity
by entity, and the terms summing to the objective.

Each test breaks the valid ``optimum`` (tiny) or ``full`` (services) schedule of
``conftest.py`` in one way and asserts the exact list of broken rules (or penalties).
"""

from __future__ import annotations

from typing import Any

from models import Instance, Schedule, parse_instance
from scheduler.check import TERMS, CheckReport, check

from .builders import EVERYONE, IND, by_id, changed, edited_appointment


def _penalties(report: CheckReport, term: str) -> list[tuple[tuple[str, ...], int, int]]:
    """(ids, amount, cost) of every penalty of one term."""
    return [(p.ids, p.amount, p.cost) for p in report.penalties if p.term == term]


# -- tiny: the first terms ---------------------------------------------------------------


def test_excess_minutes(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    by_id(tiny_data["patients"], "P1")["min_hours"] = 8
    report = check(parse_instance(tiny_data), optimum)

    assert report.ok
    # P1 attends 540 min, 60 above 8 h; weight 1.
    assert _penalties(report, "excess_minutes") == [(("P1",), 60, 60)]
    assert report.terms["excess_minutes"] == 60
    assert report.objective == 480 + 60


def test_preferred_missed(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    by_id(tiny_data["patients"], "P1")["preferred"] = ["mon.am", "wed.am"]
    report = check(parse_instance(tiny_data), optimum)

    assert report.ok
    # P1 attends fri.am, outside their preferred slots: one block, weight 30.
    assert _penalties(report, "preferred_missed") == [(("P1", "fri.am"), 1, 30)]
    assert report.objective == 480 + 30


def _c1_leads_late(schedule: Schedule) -> Schedule:
    """The optimum with C1 and C2 swapped on friday: C2 leads early, C1 leads late."""
    new = schedule
    for sid, cid in (("S5", "C2"), ("S6", "C1"), ("S7", "C2"), ("S8", "C1")):
        new = changed(new, sid, counselors=[cid])
    return new


def test_primary_not_leading(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, _c1_leads_late(optimum))

    # Still valid, but C2 (primary of P3 and P4) now leads none of their groups.
    # P1 and P2 are fine: C1 leads their education sessions.
    assert report.ok
    assert _penalties(report, "primary_not_leading") == [
        (("P3", "C2"), 1, 60),
        (("P4", "C2"), 1, 60),
    ]
    assert report.objective == 480 + 2 * 60


def test_load_imbalance_minutes(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    tiny_data["weights"]["load_imbalance_minutes"] = 1
    report = check(parse_instance(tiny_data), optimum)

    # C1 leads S1..S5, S7: 6 * 90 = 540 min; C2 leads S6, S8: 2 * 90 = 180 min.
    # Imbalance 540 - 180 = 360 min, weight 1.
    assert report.ok
    assert _penalties(report, "load_imbalance_minutes") == [(("C1", "C2"), 360, 360)]
    assert report.objective == 480 + 360


def test_penalties_sum_to_objective(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    # Every term switched on at once.
    p1 = by_id(tiny_data["patients"], "P1")
    p1["min_hours"], p1["preferred"] = 8, ["mon.am", "wed.am"]
    tiny_data["weights"]["load_imbalance_minutes"] = 1
    inst = parse_instance(tiny_data)
    report = check(inst, _c1_leads_late(optimum))

    # session_run 8 * 60; excess P1 60; preferred P1 fri.am 30; primary P3, P4 2 * 60;
    # load C1 (4 education + 2 late) 540 - C2 (2 early) 180 = 360.
    assert report.ok
    assert report.terms == {
        "session_run": 480,
        "excess_minutes": 60,
        "preferred_missed": 30,
        "load_imbalance_minutes": 360,
        "primary_not_leading": 120,
        "individual_extra_trip": 0,
        "topic_repeat": 0,
        "caseload_imbalance": 0,
        "room_change": 0,
        "type_repeat_in_block": 0,
        "process_peers_changed": 0,
    }
    # Every term but the shortfall ones, which only a best-effort schedule reports.
    assert set(report.terms) == {t for t in TERMS if not t.startswith("shortfall_")}
    assert sum(p.cost for p in report.penalties) == report.objective == 1050
    assert sum(report.terms.values()) == report.objective
    # Each penalty costs its amount times the weight of its term.
    assert all(p.cost == p.amount * getattr(inst.weights, p.term) for p in report.penalties)


# -- services: the terms of the services -------------------------------------------------


def test_individual_extra_trip(services: Instance, full: Schedule) -> None:
    # P1's individual session moves to mon 07:00-07:50, 70 min before the block (> 30);
    # P2's medication to wed 12:10, 10 min after the block: no trip.
    start, end = IND["07"]
    new = edited_appointment(full, "individual_sessions", 0, start=start, end=end)
    start, end = IND["12"]
    new = edited_appointment(new, "medication_appointments", 0, day="wed", start=start, end=end)
    report = check(services, new)

    assert report.ok
    assert _penalties(report, "individual_extra_trip") == [(("P1", "mon"), 1, 20)]
    assert report.objective == 240 + 20


def test_individual_extra_trip_medication(services: Instance, full: Schedule) -> None:
    start, end = IND["07"]
    report = check(
        services, edited_appointment(full, "medication_appointments", 0, start=start, end=end)
    )

    assert report.ok
    assert _penalties(report, "individual_extra_trip") == [(("P2", "mon"), 1, 20)]
    assert [p.message for p in report.penalties if p.term == "individual_extra_trip"] == [
        "P2's medication appointment at mon 07:00-07:50 is not within 30 min of their block mon.am"
    ]


def test_topic_repeat_in_week(services: Instance, full: Schedule) -> None:
    # Not strict: S4 teaching coping again costs 200 per patient.
    report = check(services, changed(full, "S4", topic="coping"))

    assert report.ok
    assert _penalties(report, "topic_repeat") == [((pid, "S4"), 1, 200) for pid in EVERYONE]
    assert report.objective == 240 + 4 * 200


def test_topic_repeat_completed(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["patients"], "P1")["completed_topics"] = ["coping", "anger"]
    report = check(parse_instance(services_data), full)

    # coping (S1) again; anger is not taught this week.
    assert report.ok
    assert _penalties(report, "topic_repeat") == [(("P1", "S1"), 1, 200)]
    assert [p.message for p in report.penalties if p.term == "topic_repeat"] == [
        "P1 hears topic coping again in S1 (completed in an earlier week)"
    ]


def test_caseload_imbalance(services: Instance, full: Schedule) -> None:
    # P3 and P4 are assigned C1 instead (and see C1, free at 12:10 on mon and wed).
    new = full.model_copy(deep=True)
    new.primary_counselors = {"P3": "C1", "P4": "C1"}
    for i in (2, 3):
        new.individual_sessions[i].counselor = "C1"
    report = check(services, new)

    # Caseloads over counselors and clinicians: C1 4, C2 0 (C3, C4 cannot be primary).
    assert report.ok
    assert _penalties(report, "caseload_imbalance") == [(("C1", "C2"), 4, 40)]
    assert report.objective == 240 + 40


def test_no_caseload_imbalance_without_assignment(
    services_data: dict[str, Any], full: Schedule
) -> None:
    # The same caseloads, all given: the solver assigns nobody, so the term is off.
    for pid in ("P3", "P4"):
        by_id(services_data["patients"], pid)["primary_counselor"] = "C1"
    new = full.model_copy(deep=True)
    new.primary_counselors = {}
    for i in (2, 3):
        new.individual_sessions[i].counselor = "C1"
    report = check(parse_instance(services_data), new)

    assert report.ok
    assert report.terms["caseload_imbalance"] == 0


def test_service_penalties_sum_to_objective(services_data: dict[str, Any], full: Schedule) -> None:
    by_id(services_data["patients"], "P1")["completed_topics"] = ["coping"]
    inst = parse_instance(services_data)
    start, end = IND["07"]
    new = edited_appointment(full, "individual_sessions", 0, start=start, end=end)
    new.primary_counselors = {"P3": "C2", "P4": "C1"}
    new.individual_sessions[3].counselor = "C1"
    report = check(inst, new)

    # session_run 4 * 60; trip P1 mon 20; repeat P1 coping 200; caseload C1 3 - C2 1 = 2 * 10.
    assert report.ok
    assert {t: v for t, v in report.terms.items() if v} == {
        "session_run": 240,
        "individual_extra_trip": 20,
        "topic_repeat": 200,
        "caseload_imbalance": 20,
    }
    assert report.objective == sum(p.cost for p in report.penalties) == 480
    assert all(p.cost == p.amount * getattr(inst.weights, p.term) for p in report.penalties)
