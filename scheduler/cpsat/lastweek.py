"""Reseat the read-back week towards last week's: rooms, teams and patients of a family.

The model keeps last week's seats and sessions at the level of a family (period, type,
stage); ``split`` and ``seating`` then decide, without looking at last week, which room
each team of a family gets and which patients sit with which team. Against a previous
schedule that would undo most of what the model kept. Here a small exact model, like
``seating``'s, reassigns within every family the rooms among its teams and the members
among its sessions (sizes within limits, teams and members stay) to minimize what the
read-back decides: seats of last week lost (``seat_changed``), sessions of last week
not run in their room with their team (``session_moved``) and patients who meet their
primary counselor nowhere (``primary_not_leading``), at their weights. The given split is
the hint, so the result is never worse.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby

from ortools.sat.python import cp_model

from models import ProgramIndex, Session
from scheduler.check.stability import Family, LastWeek, family_of
from scheduler.interrupt import quiet_solver, run_search


def reseat_for_last_week(
    index: ProgramIndex,
    sessions: list[Session],
    week: LastWeek,
    time_limit: float = 2.0,
    wall_limit: float | None = None,
) -> list[Session]:
    """``sessions`` (in week order) with rooms and members reassigned within each family
    to keep last week's seats and sessions; renumbered in week order. The given sessions
    come back when nothing is better, or nothing is found in ``time_limit`` (deterministic
    time) or ``wall_limit`` seconds."""
    w = index.instance.weights
    families = [list(g) for _, g in groupby(sessions, key=family_of)]
    model = cp_model.CpModel()
    seat: dict[tuple[int, int, str], cp_model.IntVar] = {}
    room: dict[tuple[int, int, str], cp_model.IntVar] = {}
    meets: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    where: dict[Family, int] = {}
    for f, parts in enumerate(families):
        g = index.group_type[parts[0].group_type]
        where[family_of(parts[0])] = f
        members = [pid for s in parts for pid in s.patients]
        rooms = [s.room for s in parts]
        for i, s in enumerate(parts):
            for r in rooms:
                room[(f, i, r)] = model.new_bool_var(f"room[{f},{i},{r}]")
                model.add_hint(room[(f, i, r)], r == s.room)
            model.add_exactly_one(room[(f, i, r)] for r in rooms)
            here = []
            for pid in members:
                var = seat[(f, i, pid)] = model.new_bool_var(f"seat[{f},{i},{pid}]")
                model.add_hint(var, pid in s.patients)
                here.append(var)
                if index.patient[pid].primary_counselor in s.counselors:
                    meets[pid].append(var)
            cap = sum(g.holds(index.room[r].capacity) * room[(f, i, r)] for r in rooms)
            model.add(sum(here) >= g.min_size)
            model.add(sum(here) <= cap)
        for r in rooms:
            model.add_exactly_one(room[(f, i, r)] for i in range(len(parts)))
        for pid in members:
            model.add_exactly_one(seat[(f, i, pid)] for i in range(len(parts)))
    cost: list[cp_model.LinearExprT] = []
    for kept in _kept_seats(families, where, week, seat):
        cost.append(w.seat_changed * (1 - kept))
    for kept in _kept_sessions(families, where, week, room):
        cost.append(w.session_moved * (1 - kept))
    for pid, options in meets.items():
        met = model.new_bool_var(f"meets_primary[{pid}]")
        model.add(met <= sum(options))
        cost.append(w.primary_not_leading * (1 - met))
    model.minimize(sum(cost))
    solver = quiet_solver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = time_limit  # the same on any machine
    if wall_limit is not None:
        solver.parameters.max_time_in_seconds = wall_limit
    if run_search(solver, model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return sessions
    out = []
    for f, parts in enumerate(families):
        members = [pid for s in parts for pid in s.patients]
        for i, s in enumerate(parts):
            r = next(r for r in (p.room for p in parts) if solver.boolean_value(room[(f, i, r)]))
            patients = sorted(p for p in members if solver.boolean_value(seat[(f, i, p)]))
            out.append(s.model_copy(update={"room": r, "patients": patients}))
    return index.in_week_order(out)


def _kept_seats(
    families: list[list[Session]],
    where: dict[Family, int],
    week: LastWeek,
    seat: dict[tuple[int, int, str], cp_model.IntVar],
) -> list[cp_model.LinearExprT]:
    """For each of last week's seats whose family runs with its patient: whether kept
    (the patient sits with a team holding last week's counselors). Others cost the same
    whatever is decided here, and are left out."""
    kept: list[cp_model.LinearExprT] = []
    for s in week.seats:
        f = where.get(s.family)
        if f is None:
            continue
        options = [
            seat[(f, i, s.patient)]
            for i, part in enumerate(families[f])
            if (f, i, s.patient) in seat and s.counselors <= set(part.counselors)
        ]
        if options:
            kept.append(sum(options))  # at most one: the patient sits in one part
    return kept


def _kept_sessions(
    families: list[list[Session]],
    where: dict[Family, int],
    week: LastWeek,
    room: dict[tuple[int, int, str], cp_model.IntVar],
) -> list[cp_model.LinearExprT]:
    """For each of last week's sessions whose family runs in its room: whether it runs
    there with a team holding last week's counselors."""
    kept: list[cp_model.LinearExprT] = []
    for rec in week.sessions:
        f = where.get(rec.family)
        if f is None or (f, 0, rec.room) not in room:
            continue
        options = [
            room[(f, i, rec.room)]
            for i, part in enumerate(families[f])
            if rec.counselors <= set(part.counselors)
        ]
        if options:
            kept.append(sum(options))  # the room goes to one part
    return kept
