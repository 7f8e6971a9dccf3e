"""Planned cohorts (issue 14): who ``plan_cohorts`` puts together, the model seating each
cohort as one (``cohorts.members_together``), the split keeping it whole and the
reseating moving it only as one.
"""

from __future__ import annotations

from typing import Any

from ortools.sat.python import cp_model

from conftest import solve_checked
from models import ProgramIndex
from scheduler.check.cohorts import cohort_figures
from scheduler.cpsat.cohort_plan import Cohort, plan_cohorts
from scheduler.cpsat.model import TimetableModel
from scheduler.cpsat.seating import seat_jointly
from scheduler.cpsat.split import Part, split_family
from scheduler.generate import generate

from .builders import (
    AFTER,
    BEFORE,
    TWO_HOURS,
    base,
    build,
    counselor,
    group,
    office,
    patient,
    room,
    services,
    weights,
)

DAYS = ["mon", "tue", "wed", "thu"]
ALL = [f"{d}.am" for d in DAYS]


def _program(patients: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    """Four mornings of one hour; P (process, 2..4) and E (psychoeducational with four
    topics, 2..6), each patient of s1 sitting one process group a week; C1 leads both."""
    program: dict[str, Any] = dict(
        days=DAYS,
        group_types=[
            group("P", kind="interpersonal_process", max_size=4),
            group("E", max_size=6, topics=["t1", "t2", "t3", "t4"]),
        ],
        requirements=[
            {"stage": "s1", "kind": "interpersonal_process", "min_sessions": 1},
            {"stage": "s1", "group_type": "E", "min_sessions": 1},
        ],
        patients=patients,
        counselors=[counselor("C1", ["P", "E"])],
        weights=weights(session_run=60, room_change=10),
    )
    return base(**{**program, **changes})


def _plan(data: dict[str, Any]) -> list[tuple[str, ...]]:
    return [c.patients for c in plan_cohorts(ProgramIndex(build(data)))]


def test_plan_fills_cohorts_up_to_the_smallest_group() -> None:
    # Six patients alike: the process group holds 4, so a cohort of 4; the other two are
    # fewer than a group (2 is P's minimum, so they make a cohort of their own).
    six = [patient(f"P{i}", available=ALL) for i in range(1, 7)]
    assert _plan(_program(six)) == [("P1", "P2", "P3", "P4"), ("P5", "P6")]


def test_plan_keeps_avoid_pairs_and_stages_apart() -> None:
    people = [
        patient("P1", available=ALL, avoid=["P2"]),
        patient("P2", available=ALL),
        patient("P3", available=ALL),
        patient("P4", available=ALL),
        patient("P5", stage="s2", available=ALL),
    ]
    # P1 takes P3 and P4 (not P2); P2, alone, is fewer than a group and cannot join
    # P1's cohort: it stays free. P5 (s2, no requirement rows: no group to share) too.
    assert _plan(_program(people)) == [("P1", "P3", "P4")]


def test_plan_needs_common_days_and_new_topics() -> None:
    people = [
        patient("P1", available=["mon.am", "tue.am"]),
        patient("P2", available=["wed.am", "thu.am"]),  # no day in common with P1
        patient("P3", available=ALL, completed_topics=["t1", "t2"]),
        patient("P4", available=ALL, completed_topics=["t3", "t4"]),  # with P3: no topic new
    ]
    plan = _plan(_program(people))
    for together in (("P1", "P2"), ("P3", "P4")):
        assert all(not set(together) <= set(c) for c in plan), plan


def test_plan_leaves_pinned_and_coupled_patients_free() -> None:
    people = [
        patient(f"P{i}", available=ALL, flags=["couple"] if i < 3 else []) for i in range(1, 7)
    ]
    data = _program(
        people,
        together=[{"patients": ["P1", "P2"], "group_type": "P"}],
        pins=[{"kind": "attend", "patient": "P3", "slot": "mon.am"}],
    )
    assert _plan(data) == [("P4", "P5", "P6")]


def test_plan_leaves_a_primary_counselor_times_for_the_whole_caseload() -> None:
    # C2 sees P1 and P2 (an individual session a week each) before the block. Apart, P1
    # can come on Tuesday and P2 on Monday; as a cohort they would share Monday alone,
    # where C2 has one time for two patients, or two with a time after the block too.
    people = [
        patient("P1", available=["mon.am", "tue.am"], primary_counselor="C2"),
        patient("P2", available=["mon.am", "wed.am"], primary_counselor="C2"),
    ]
    counselors = [counselor("C1", ["P", "E"]), counselor("C2", [])]
    rooms = [room("R1"), room("R2"), office()]  # a room left beside a cohort's
    two_times = {**services([BEFORE, AFTER], per_week=1), "rooms": rooms}
    assert _plan(_program(people, counselors=counselors, **two_times)) == [("P1", "P2")]
    one_time = {**services([BEFORE], per_week=1), "rooms": rooms}
    assert _plan(_program(people, counselors=counselors, **one_time)) == []


def test_plan_leaves_a_room_in_each_block_for_patients_of_no_cohort() -> None:
    # Eight patients who can come on Monday only: two cohorts of four (P holds 4) would
    # take both rooms, so only one is planned (the other four stay free); three rooms
    # hold both.
    eight = [patient(f"P{i}", available=["mon.am"]) for i in range(1, 9)]
    two = [room("R1"), room("R2")]
    assert len(_plan(_program(eight, rooms=two))) == 1
    assert len(_plan(_program(eight, rooms=[*two, room("R3")]))) == 2


def _two_cohorts(cohorts: list[Cohort]) -> tuple[int, list[set[str]]]:
    """The optimum of two periods with G (up to 4) and H (up to 2) for P1..P4 when the
    model seats ``cohorts`` as one: its objective and the families' members."""
    data = base(
        blocks=[{"id": "am", "periods": TWO_HOURS}],
        group_types=[group("G"), group("H", kind="skills", max_size=2)],
        patients=[patient(p, min_hours=2) for p in ("P1", "P2", "P3", "P4")],
        counselors=[counselor("C1", ["G", "H"]), counselor("C2", ["G", "H"])],
        rooms=[room("R1"), room("R2")],
    )
    tm = TimetableModel(build(data), aggregate=True, cohorts=cohorts)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(tm.model) == cp_model.OPTIMAL
    groups = [
        {pid for pid in tm.members[n] if solver.boolean_value(tm.seat[(pid, n)])}
        for n in tm.open
        if solver.value(tm.open[n])
    ]
    return round(solver.objective_value), groups


def test_members_together_seats_each_cohort_in_a_session_of_its_own() -> None:
    # Free, the four sit one G in each period: 2 sessions, 120.
    assert _two_cohorts([])[0] == 120
    # Two cohorts of two: each needs a session of its own in every period, so two G
    # (or a G and an H) per period: 4 sessions, 240; and no family mixes a cohort.
    cohorts = [
        Cohort(("P1", "P2"), frozenset({"mon.am"}), {"P1": 1, "P2": 1}),
        Cohort(("P3", "P4"), frozenset({"mon.am"}), {"P3": 1, "P4": 1}),
    ]
    objective, groups = _two_cohorts(cohorts)
    assert objective == 240
    for members in groups:
        assert not ({"P1", "P2"} & members and {"P3", "P4"} & members) or len(members) == 4
        assert len(members & {"P1", "P2"}) in (0, 2) and len(members & {"P3", "P4"}) in (0, 2)


def test_split_keeps_cohorts_whole_and_gives_up_when_it_cannot() -> None:
    data = base(
        group_types=[group("G", max_size=6)],
        patients=[patient(f"P{i}") for i in range(1, 10)],
        counselors=[counselor("C1"), counselor("C2")],
        rooms=[room("R1", 6), room("R2", 6)],
    )
    index = ProgramIndex(build(data))
    g = index.group_type["G"]
    members = [f"P{i}" for i in range(1, 10)]
    cohort_of = {p: 0 for p in members[:5]} | {p: 1 for p in members[5:8]}
    parts = split_family(index, g, ["R1", "R2"], ["C1", "C2"], members, set(), None, cohort_of)
    together = [set(part.patients) for part in parts]
    assert set(members[:5]) in [t & set(members[:5]) for t in together]
    assert any(set(members[5:8]) <= t for t in together)
    assert sorted(len(t) for t in together) == [4, 5]  # P9 joins the cohort of three
    # A cohort of 7 fits no session of 6: the plain split stands (both sizes in limits).
    big = {p: 0 for p in members[:7]}
    parts = split_family(index, g, ["R1", "R2"], ["C1", "C2"], members, set(), None, big)
    assert all(2 <= len(part.patients) <= 6 for part in parts)


def test_seat_jointly_moves_a_cohort_only_as_one() -> None:
    data = base(
        group_types=[group("G")],
        patients=[
            patient(p, primary_counselor="C2" if p == "P1" else "C1")
            for p in ("P1", "P2", "P3", "P4")
        ],
        counselors=[counselor("C1"), counselor("C2")],
        rooms=[room("R1"), room("R2")],
        weights=weights(session_run=60, primary_not_leading=60),
    )
    index = ProgramIndex(build(data))
    family = (
        index.group_type["G"],
        [Part("R1", ["C1"], ["P1", "P2"]), Part("R2", ["C2"], ["P3", "P4"])],
    )
    # P1's primary is C2, everyone else's C1. Free, P1 swaps with P3 or P4 (who then
    # meets C1): everyone meets their primary.
    free = seat_jointly(index, [family])
    assert "P1" in free[0][1].patients
    # As a cohort, P1 and P2 go to C2 together or stay (one of them misses their primary
    # either way): they sit together.
    kept = seat_jointly(index, [family], cohort_of={"P1": 0, "P2": 0})
    assert any({"P1", "P2"} <= set(part.patients) for part in kept[0])


def test_a_generated_program_gets_cohort_weeks() -> None:
    # 40 patients, 5 s of deterministic search on one worker (the same week on any
    # machine): with cohorts planned, under 5 % of patient-blocks change rooms and
    # process peers overlap over 80 % (without, about 95 % and 10 %: README).
    inst, _ = generate(40, seed=3)
    result = solve_checked(inst, time_limit=5, workers=1, deterministic=True)
    figures = cohort_figures(inst, result.schedule)
    assert figures.room_change_pct < 5
    assert figures.process_overlap is not None and figures.process_overlap > 0.8


def test_a_cohort_week_proven_best_is_then_proven_optimal() -> None:
    # Four patients alike make one cohort; its best week (a P and an E of all four: 120)
    # is proven best among cohort weeks at once, and the search without cohorts that
    # follows proves it optimal: status optimal, bound 120 (not the floor alone).
    inst = build(_program([patient(f"P{i}", available=ALL) for i in range(1, 5)]))
    assert [c.patients for c in plan_cohorts(ProgramIndex(inst))] == [("P1", "P2", "P3", "P4")]
    result = solve_checked(inst)
    assert result.status == "optimal" and result.objective == 120
    assert result.schedule.best_bound == 120


def test_a_plan_no_week_can_keep_gives_way_to_the_search_without_cohorts() -> None:
    # The four make one cohort (the groups hold 4), but no room seats four: no cohort
    # week exists. The search without cohorts that follows seats them two and two:
    # two P and two E sessions, 240, proven optimal.
    data = _program([patient(f"P{i}", available=ALL) for i in range(1, 5)])
    data["rooms"] = [room("R1", 3), room("R2", 3)]
    data["counselors"].append(counselor("C2", ["P", "E"]))
    inst = build(data)
    assert len(plan_cohorts(ProgramIndex(inst))) == 1
    result = solve_checked(inst)
    assert result.status == "optimal" and result.objective == 240
