"""Stability against last week (``scheduler/check/stability.py``): each term computed by the
checker on hand-made cases, with exact penalties.

This week is the valid ``optimum`` of tiny (or ``full`` of services); last week is a copy
with one thing changed. Default weights: block_changed 1000, seat_changed 500,
session_moved 1000, primary_changed 500.
"""

from __future__ import annotations

from typing import Any

from models import Instance, Schedule, parse_instance, to_json
from scheduler.check import CheckReport, check
from scheduler.check.score import score
from scheduler.check.stability import STABILITY_TERMS, change_counts

from .builders import added, changed, session, without


def _penalties(report: CheckReport, term: str) -> list[tuple[tuple[str, ...], int, int]]:
    """(ids, amount, cost) of every penalty of one term."""
    return [(p.ids, p.amount, p.cost) for p in report.penalties if p.term == term]


def _stability(report: CheckReport) -> dict[str, int]:
    return {t: report.terms[t] for t in STABILITY_TERMS}


def test_same_week_costs_nothing(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, optimum, previous=optimum)

    assert report.ok
    assert _stability(report) == dict.fromkeys(STABILITY_TERMS, 0)
    assert report.objective == 480
    counts = change_counts(tiny, optimum, optimum)
    assert (counts.patients_moved, counts.sessions_moved, counts.counselors_changed) == (0, 0, 0)


def test_without_previous_the_terms_are_left_out(tiny: Instance, optimum: Schedule) -> None:
    report = check(tiny, optimum)

    assert not set(STABILITY_TERMS) & set(report.terms)
    assert report.objective == 480


def test_block_attended_and_dropped(tiny: Instance, optimum: Schedule) -> None:
    # Last week P1 did not come on wednesday; this week P1 attends wed.am: one block.
    last = without(optimum, "P1", "S3", "S4")
    report = check(tiny, optimum, previous=last)

    assert _penalties(report, "block_changed") == [(("P1", "wed.am"), 1, 1000)]
    # S3 and S4 still run in R1 with C1: no session moved; P1 had no seat there.
    assert _stability(report) == {
        "block_changed": 1000,
        "seat_changed": 0,
        "session_moved": 0,
        "primary_changed": 0,
    }
    # The other way round: P2 came on monday last week and no longer does. Dropping a
    # block also drops its seats: S1 and S2 with C1.
    this = without(optimum, "P2", "S1", "S2")
    report = check(tiny, this, previous=optimum)
    assert _penalties(report, "block_changed") == [(("P2", "mon.am"), 1, 1000)]
    assert _penalties(report, "seat_changed") == [
        (("P2", "S1"), 1, 500),
        (("P2", "S2"), 1, 500),
    ]
    counts = change_counts(tiny, this, optimum)
    assert (counts.patients_moved, counts.sessions_moved, counts.counselors_changed) == (1, 0, 0)


def test_counselors_swapped(tiny: Instance, optimum: Schedule) -> None:
    # Last week C2 led the early relapse_prevention group of fri.am period 0 (in R1) and
    # C1 the late one (in R2); this week it is the other way round.
    last = changed(changed(optimum, "S5", counselors=["C2"]), "S6", counselors=["C1"])
    report = check(tiny, optimum, previous=last)

    assert report.ok
    # Each of the four patients lost the seat they had with their counselor; both
    # sessions run in their rooms but with another counselor.
    assert _penalties(report, "seat_changed") == [
        (("P1", "S5"), 1, 500),
        (("P2", "S5"), 1, 500),
        (("P3", "S6"), 1, 500),
        (("P4", "S6"), 1, 500),
    ]
    assert _penalties(report, "session_moved") == [(("S5", "R1"), 1, 1000), (("S6", "R2"), 1, 1000)]
    assert _penalties(report, "block_changed") == []
    assert report.objective == 480 + 4 * 500 + 2 * 1000
    counts = change_counts(tiny, optimum, last)
    assert (counts.patients_moved, counts.sessions_moved, counts.counselors_changed) == (4, 2, 2)


def test_session_in_another_room(tiny: Instance, optimum: Schedule) -> None:
    # Last week S1 met in R2: it moved room. The patients kept their seat and counselor.
    last = changed(optimum, "S1", room="R2")
    report = check(tiny, optimum, previous=last)

    assert _penalties(report, "session_moved") == [(("S1", "R2"), 1, 1000)]
    assert _penalties(report, "seat_changed") == []
    message = next(p.message for p in report.penalties if p.term == "session_moved")
    assert message == (
        "last week's S1, education at mon.am 09:00-10:30 in R2 with C1, does not run so again"
    )
    counts = change_counts(tiny, optimum, last)
    assert (counts.patients_moved, counts.sessions_moved, counts.counselors_changed) == (0, 1, 1)


def test_session_no_longer_run(tiny: Instance, optimum: Schedule) -> None:
    # Last week had a second education session in wed.am period 0, in R2 with C2 (whatever
    # made it valid then), with P4: it is gone, and P4's seat in it too (P4 sits in S3,
    # but with C1, not C2).
    last = added(optimum, session("S9", "wed.am", 0, "education", "R2", "C2", ["P4"]))
    report = check(tiny, optimum, previous=last)

    assert _penalties(report, "session_moved") == [(("S9", "R2"), 1, 1000)]
    assert _penalties(report, "seat_changed") == [(("P4", "S9"), 1, 500)]


def test_new_patients_cost_nothing(tiny: Instance, optimum: Schedule) -> None:
    # P4 was not in the program last week: wherever they sit now costs nothing.
    last = without(optimum, "P4", "S1", "S2", "S3", "S4", "S6", "S8")
    report = check(tiny, optimum, previous=last)

    assert _stability(report) == dict.fromkeys(STABILITY_TERMS, 0)
    counts = change_counts(tiny, optimum, last)
    assert (counts.patients_moved, counts.sessions_moved, counts.counselors_changed) == (0, 0, 0)


def test_what_the_instance_no_longer_has_is_ignored(tiny: Instance, optimum: Schedule) -> None:
    gone = [
        session("S10", "tue.am", 0, "education", "R1", "C1", ["P1"]),  # no tuesday now
        session("S11", "mon.am", 0, "yoga", "R1", "C1", ["P2"]),  # no yoga now
        session("S12", "wed.am", 1, "education", "R9", "C1", ["P5"]),  # no R9, no P5
    ]
    last = added(optimum, *gone)
    report = check(tiny, optimum, previous=last)

    # A day, a type, a room or a patient that is gone: nothing of those sessions counts
    # (P1's tuesday block, P2's yoga seat, S12 in R9), nor what P2 attends on monday.
    assert _stability(report) == dict.fromkeys(STABILITY_TERMS, 0)


def test_a_counselor_who_is_gone_still_changes_the_session(
    tiny: Instance, optimum: Schedule
) -> None:
    # Last week C7 (gone now) co-led S2: its patients meet someone else this week.
    last = changed(optimum, "S2", counselors=["C1", "C7"])
    report = check(tiny, optimum, previous=last)

    assert _penalties(report, "session_moved") == [(("S2", "R1"), 1, 1000)]
    assert [ids for ids, _, _ in _penalties(report, "seat_changed")] == [
        (pid, "S2") for pid in ("P1", "P2", "P3", "P4")
    ]


def test_primary_changed(services: Instance, full: Schedule) -> None:
    # This week P3 and P4 are assigned C2. Last week: P3 had C1 (a change), P4 had C3 (a
    # prescriber: cannot be one now, ignored), P1 had C2 (but P1 is given C1 now: the
    # instance decides, ignored) and P2 had C9 (gone: ignored).
    last = full.model_copy(
        update={"primary_counselors": {"P3": "C1", "P4": "C3", "P1": "C2", "P2": "C9"}}
    )
    report = check(services, full, previous=last)

    assert report.ok
    assert _penalties(report, "primary_changed") == [(("P3", "C1"), 1, 500)]
    message = next(p.message for p in report.penalties if p.term == "primary_changed")
    assert message == "P3's assigned primary counselor was C1 last week, now C2"
    # A primary change moves no patient.
    assert change_counts(services, full, last).patients_moved == 0


def test_weights_turn_terms_off(tiny_data: dict[str, Any], optimum: Schedule) -> None:
    tiny_data["weights"] = {"load_imbalance_minutes": 0, "seat_changed": 0, "session_moved": 0}
    instance = parse_instance(tiny_data)
    last = changed(changed(optimum, "S5", counselors=["C2"]), "S6", counselors=["C1"])
    report = check(instance, without(optimum, "P1", "S3", "S4"), previous=last)

    assert "seat_changed" not in report.weighted_terms(instance.weights)
    assert _penalties(report, "seat_changed") == []
    assert _penalties(report, "session_moved") == []
    assert _penalties(report, "block_changed") == [(("P1", "wed.am"), 1, 1000)]


def test_score_lists_the_changes(tiny: Instance, optimum: Schedule) -> None:
    last = changed(changed(optimum, "S5", counselors=["C2"]), "S6", counselors=["C1"])
    breakdown = score(tiny, optimum, previous=last)

    by_term = {t.term: t for t in breakdown.terms}
    assert by_term["seat_changed"].units == 4 and by_term["seat_changed"].cost == 2000
    assert by_term["session_moved"].units == 2
    assert "P1 no longer sits in relapse_prevention (early) at fri.am 09:00-10:30 with C2" in (
        breakdown.text()
    )
    assert breakdown.objective == 480 + 4000


def test_changes_are_written_only_when_set(optimum: Schedule, tiny: Instance) -> None:
    assert '"changes"' not in to_json(optimum)
    counts = change_counts(tiny, optimum, optimum)
    assert '"changes"' in to_json(optimum.model_copy(update={"changes": counts}))
