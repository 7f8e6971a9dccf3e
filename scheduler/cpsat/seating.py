"""Seat the whole week jointly after the split of the aggregated model.

``split.split_family`` divides each family on its own and cannot look ahead to
later days: a patient seated away from their primary counselor on Monday may
never meet them. Here a small exact model reseats the members of every family
among its sessions (rooms and teams stay, sizes stay within limits) so that the
most patients meet their primary counselor somewhere in the week. The greedy
split is its hint, so the result is never worse.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from models import GroupType, ProgramIndex
from scheduler.cpsat.split import Part
from scheduler.interrupt import quiet_solver, run_search


def seat_jointly(
    index: ProgramIndex,
    families: list[tuple[GroupType, list[Part]]],
    time_limit: float = 2.0,
    wall_limit: float | None = None,
    pinned: list[tuple[int, int, str]] | None = None,
) -> list[list[Part]]:
    """Reseat the members of every family among its sessions (rooms and teams stay),
    within each session's size limits, so that the most patients meet their primary
    counselor somewhere in the week.

    Families of one session have no choice but still count. Returns the parts of each
    family in the order given; the given split is kept when nothing is better (or
    nothing is found in ``time_limit``, deterministic time, or ``wall_limit`` seconds).
    ``pinned`` (family, part, patient): patients a pin keeps in that part.
    """
    model = cp_model.CpModel()
    seat: dict[tuple[int, int, str], cp_model.IntVar] = {}
    meets: dict[str, list[cp_model.LinearExprT]] = {}
    for f, (g, parts) in enumerate(families):
        members = [pid for part in parts for pid in part.patients]
        for i, part in enumerate(parts):
            cap = min(g.max_size, index.room[part.room].capacity // g.seats_per_patient)
            here = []
            for pid in members:
                var = model.new_bool_var(f"seat[{f},{i},{pid}]")
                model.add_hint(var, pid in part.patients)
                seat[(f, i, pid)] = var
                here.append(var)
                if index.patient[pid].primary_counselor in part.counselors:
                    meets.setdefault(pid, []).append(var)
            model.add_linear_constraint(sum(here), g.min_size, cap)
        for pid in members:
            model.add_exactly_one(seat[(f, i, pid)] for i in range(len(parts)))
    for f, i, pid in pinned or []:
        model.add(seat[(f, i, pid)] == 1)
    met = []
    for pid, options in meets.items():
        var = model.new_bool_var(f"meets_primary[{pid}]")
        model.add(var <= sum(options))
        met.append(var)
    model.maximize(sum(met))
    solver = quiet_solver()
    solver.parameters.num_workers = 1
    # Deterministic time: the same solve gives the same sessions on any machine.
    solver.parameters.max_deterministic_time = time_limit
    if wall_limit is not None:
        solver.parameters.max_time_in_seconds = wall_limit
    if run_search(solver, model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [parts for _, parts in families]  # out of time before the hint was checked
    result = []
    for f, (_, parts) in enumerate(families):
        members = [pid for part in parts for pid in part.patients]
        result.append(
            [
                Part(
                    part.room,
                    part.counselors,
                    sorted(pid for pid in members if solver.boolean_value(seat[(f, i, pid)])),
                )
                for i, part in enumerate(parts)
            ]
        )
    return result
