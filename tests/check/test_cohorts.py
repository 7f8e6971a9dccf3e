"""The cohort terms (``scheduler/check/cohorts.py``): each computed by the checker on a
hand-made schedule, with its exact penalties, and the cohort figures.

tiny switches the cohort terms off; these tests switch them back on (weights 10, 20, 5).
The ``optimum`` schedule (see ``conftest.py``): mon and wed, all four patients in one
education session per period in R1; fri, early (P1, P2) in R1 and late (P3, P4) in R2
for both relapse_prevention periods.
"""

from __future__ import annotations

from typing import Any

from models import Instance, ProgramIndex, Schedule, parse_instance
from scheduler.check import CheckReport, check
from scheduler.check.cohorts import cohort_figures, forced_repeats, readback_terms

from .builders import changed

COHORT_WEIGHTS = {"room_change": 10, "type_repeat_in_block": 20, "process_peers_changed": 5}


def _on(tiny_data: dict[str, Any], **weights: int) -> Instance:
    tiny_data["weights"].update(COHORT_WEIGHTS, **weights)
    return parse_instance(tiny_data)


def _penalties(report: CheckReport, term: str) -> list[tuple[tuple[str, ...], int, int]]:
    return [(p.ids, p.amount, p.cost) for p in report.penalties if p.term == term]


def test_type_repeat_in_block(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    report = check(_on(tiny_data), optimum)

    assert report.ok
    # Every patient sits one type twice in each of their three blocks (education on mon
    # and wed, relapse_prevention on fri): 12 repeats of 20. Their rows ask for 2
    # sessions of one type each, which 3 blocks hold without a repeat: none is forced.
    expected = [
        ((pid, slot, g), 1, 20)
        for pid in ("P1", "P2", "P3", "P4")
        for slot, g in (
            ("fri.am", "relapse_prevention"),
            ("mon.am", "education"),
            ("wed.am", "education"),
        )
    ]
    assert _penalties(report, "type_repeat_in_block") == expected
    assert report.terms["type_repeat_in_block"] == 240
    assert report.objective == 480 + 240
    assert report.terms["room_change"] == report.terms["process_peers_changed"] == 0


def test_type_repeat_forced_by_a_requirement_row(
    tiny_data: dict[str, Any], optimum: Schedule
) -> None:
    tiny_data["requirements"][0]["min_sessions"] = 4  # education, 4 a week
    inst = _on(tiny_data)
    report = check(inst, optimum)

    assert report.ok
    # Four education sessions in three blocks force one repeat: each patient's first
    # repeat (fri.am, in slot order) is free, their other two cost 20 each.
    assert forced_repeats(ProgramIndex(inst), inst.patients[0], 3) == 1
    assert forced_repeats(ProgramIndex(inst), inst.patients[0], 4) == 0
    assert report.terms["type_repeat_in_block"] == 4 * 2 * 20
    assert [ids for ids, _, _ in _penalties(report, "type_repeat_in_block")][:2] == [
        ("P1", "mon.am", "education"),
        ("P1", "wed.am", "education"),
    ]


def test_room_change(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    # On friday's second period early and late swap rooms: everyone changes rooms once.
    swapped = changed(changed(optimum, "S7", room="R2"), "S8", room="R1")
    report = check(_on(tiny_data), swapped)

    assert report.ok
    assert _penalties(report, "room_change") == [
        ((pid, "fri.am"), 1, 10) for pid in ("P1", "P2", "P3", "P4")
    ]
    first = next(p for p in report.penalties if p.term == "room_change")
    assert first.message == "P1 changes rooms in fri.am: R1 (period 1) -> R2 (period 2)"
    assert readback_terms(_on(tiny_data), swapped.sessions)["room_change"] == 40


def test_process_peers_changed(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    tiny_data["group_types"][0]["kind"] = "interpersonal_process"  # education meets as one
    inst = _on(tiny_data)
    assert _penalties(check(inst, optimum), "process_peers_changed") == []  # always all four

    # P4 misses wed's first education session (a whole-block violation, but the term is
    # still computed): P1, P2 and P3 lose P4 from mon.am S2 to wed.am S3 and get them back
    # from S3 to S4, one peer each time; P4's own meetings S2 and S4 have the same peers.
    report = check(inst, changed(optimum, "S3", patients=["P1", "P2", "P3"]))

    assert _penalties(report, "process_peers_changed") == [
        ((pid, before, after), 1, 5)
        for pid in ("P1", "P2", "P3")
        for before, after in (("S2", "S3"), ("S3", "S4"))
    ]
    first = next(p for p in report.penalties if p.term == "process_peers_changed")
    assert first.message == "P1: education peers changed mon.am -> wed.am: 1 left, 0 joined"


def test_cohort_figures(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    tiny_data["group_types"][0]["kind"] = "interpersonal_process"
    inst = _on(tiny_data)
    figures = cohort_figures(inst, optimum)
    # 4 patients x 3 blocks; no room change; a repeated type in every block; each patient
    # meets in education 4 times (3 pairs of meetings), always with the same peers.
    assert (figures.patient_blocks, figures.room_change_blocks) == (12, 0)
    assert figures.type_repeat_pct == 100.0
    assert (figures.process_pairs, figures.process_overlap) == (12, 1.0)

    swapped = changed(changed(optimum, "S7", room="R2"), "S8", room="R1")
    thinned = changed(swapped, "S3", patients=["P1", "P2", "P3"])
    figures = cohort_figures(inst, thinned)
    # fri.am: the four patients change rooms (4 of 12 patient-blocks); P4 no longer
    # repeats education on wed. Overlaps: P1-P3 have 1 pair with the same 3 peers and 2
    # pairs sharing 2 of 3; P4 meets 3 times (S1, S2, S4), 2 pairs with the same peers:
    # (3 * (1 + 2/3 + 2/3) + 2) / 11.
    assert figures.room_change_pct == 100 * 4 / 12
    assert figures.type_repeat_blocks == 11
    assert figures.process_pairs == 11
    assert abs(figures.process_overlap - (3 * (1 + 4 / 3) + 2) / 11) < 1e-9
    assert figures.text().startswith("room changes 33.3 % of patient-blocks, type repeats 91.7 %")
