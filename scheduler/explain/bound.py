"""A lower bound on the objective, patient by patient, valid for every timetable.

CP-SAT's own bound comes from the LP relaxation of the whole model, which on a
large program it may not finish within the time limit (on a 400-patient program
it stood at a fifth to a third of this bound after 120 s). This bound takes
milliseconds: each patient's cheapest week, as if they were alone.

A patient's week costs at least

- for each group session they sit in, ``session_run / capacity`` of its type (a
  session of ``capacity`` patients costs ``session_run`` once, so its members share
  it; fewer members only cost more);
- ``preferred_missed`` for each block outside their preferred slots;
- ``excess_minutes`` per minute above their ``min_hours``;

and every other term is at least 0. The cheapest week over the blocks they can
attend (at most one a day, within their hours and days) and the group types they
may join (within their requirement rows) is found exactly; the sum over patients,
rounded up, is the bound. It ignores everything that ties patients together or
to a time (how many rooms and staff a period has, when a type can run, minimum
sizes), so it holds for any valid timetable; it is reached only when every
session runs full.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from fractions import Fraction

from models import GroupType, Instance, Patient, ProgramIndex, Requirement
from scheduler.explain.precheck import can_run_somewhere


def objective_floor(instance: Instance) -> int | None:
    """The bound (an integer, as every objective is); None when a patient has no valid
    week on their own (the instance is infeasible; the pre-checks say why)."""
    index = ProgramIndex(instance)
    seat_cost = _seat_costs(index)
    total = Fraction(0)
    for patient in instance.patients:
        cheapest = _cheapest_week(index, patient, seat_cost)
        if cheapest is None:
            return None
        total += cheapest
    return math.ceil(total)


def _seat_costs(index: ProgramIndex) -> dict[str, Fraction]:
    """The least share of ``session_run`` a seat costs, for each type that can run at all
    (a room that seats its minimum size, and in some slot enough qualified staff)."""
    weight = index.instance.weights.session_run
    costs = {}
    for g in index.instance.group_types:
        room_seats = [r.capacity // g.seats_per_patient for r in index.group_rooms]
        capacity = min(g.max_size, max(room_seats, default=0))
        if capacity >= g.min_size and can_run_somewhere(index, g, index.instance.counselors):
            costs[g.id] = Fraction(weight, capacity)
    return costs


def _cheapest_week(
    index: ProgramIndex, patient: Patient, seat_cost: dict[str, Fraction]
) -> Fraction | None:
    """The least a patient's week can cost, over every choice of blocks."""
    w = index.instance.weights
    by_day: dict[str, list[str]] = defaultdict(list)
    for slot in index.patient_slots(patient):
        by_day[index.day_of[slot]].append(slot)
    types = [g for g in index.instance.group_types if g.id in seat_cost]
    types = [g for g in types if index.eligible(patient, g)]
    rows = [req for _, req in index.requirements_of(patient)]
    seats: dict[int, Fraction | None] = {}  # group periods -> their least cost
    best: Fraction | None = None
    # At most one block a day: one choice (or none) per day.
    for choice in itertools.product(*([None, *slots] for slots in by_day.values())):
        blocks = [s for s in choice if s is not None]
        minutes = sum(index.block_minutes(s) for s in blocks)
        if not patient.min_minutes <= minutes <= patient.max_minutes:
            continue
        if len(blocks) < patient.min_days:
            continue
        periods = sum(len(index.periods_of[s]) for s in blocks)
        if periods not in seats:
            seats[periods] = cheapest_seats(periods, types, rows, seat_cost)
        sessions = seats[periods]
        if sessions is None:
            continue
        missed = sum(s not in patient.preferred for s in blocks) if patient.preferred else 0
        cost = sessions + w.preferred_missed * missed
        cost += w.excess_minutes * (minutes - patient.min_minutes)
        if best is None or cost < best:
            best = cost
    return best


def cheapest_seats(
    periods: int,
    types: list[GroupType],
    rows: Iterable[Requirement],
    seat_cost: dict[str, Fraction],
) -> Fraction | None:
    """The least cost of one seat in each of ``periods`` periods, each in one of ``types``,
    within the requirement ``rows``; None when no choice fits them.

    A row counts a type or a kind, and each type has one kind, so the rows nest
    (type inside kind) and filling greedily is exact: first each type's and each
    kind's minimum, the cheapest type of the kind first, then the rest, cheapest
    first, while types and kinds have room.
    """
    low: dict[str, int] = defaultdict(int)
    high: dict[str, float] = defaultdict(lambda: math.inf)
    for req in rows:
        key = req.group_type if req.group_type is not None else f"kind:{req.kind}"
        low[key] = max(low[key], req.min_sessions)
        if req.max_sessions is not None:
            high[key] = min(high[key], req.max_sessions)
    known = {g.id for g in types} | {f"kind:{g.kind}" for g in types}
    if any(n > 0 for key, n in low.items() if key not in known):
        return None  # a row needs a type (or kind) the patient cannot join
    by_cost = sorted(types, key=lambda g: seat_cost[g.id])
    taken = {g.id: low[g.id] for g in types}
    in_kind: dict[str, int] = defaultdict(int)
    for g in types:
        in_kind[g.kind] += taken[g.id]

    def room(g: GroupType) -> float:
        return min(high[g.id] - taken[g.id], high[f"kind:{g.kind}"] - in_kind[g.kind])

    def take(g: GroupType, n: float) -> None:
        taken[g.id] += int(n)
        in_kind[g.kind] += int(n)

    if any(room(g) < 0 for g in types):
        return None
    for kind in {g.kind for g in types}:
        for g in by_cost:
            if g.kind == kind:
                take(g, max(0, min(low[f"kind:{kind}"] - in_kind[kind], room(g))))
        if in_kind[kind] < low[f"kind:{kind}"]:
            return None
    left = periods - sum(taken.values())
    for g in by_cost:
        n = max(0, min(left, room(g)))
        take(g, n)
        left -= int(n)
    if left != 0:  # too many seats taken by the minimums, or too few types to fill the rest
        return None
    return sum((seat_cost[g.id] * taken[g.id] for g in types), Fraction(0))
