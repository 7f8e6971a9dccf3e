"""Which room each session gets, so that a cohort keeps its room through a block.

The rooms of a period are interchangeable among its sessions as long as each fits
(capacity for the session's patients and their seats, open in the slot, a group room,
at the same site), and a room no session of the period uses may be taken too. A small
exact model per week gives each session a room so that the most patients stay in
their room from one period of a block to the next (the ``room_change`` term). The
rooms given are its hint, so the result is never worse.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from models import GroupType, ProgramIndex
from models.index import PeriodRef
from scheduler.cpsat.split import Part
from scheduler.interrupt import quiet_solver, run_search


def keep_rooms(
    index: ProgramIndex,
    families: list[tuple[GroupType, list[Part]]],
    periods: list[PeriodRef],
    time_limit: float = 2.0,
    wall_limit: float | None = None,
) -> list[list[Part]]:
    """Give the sessions of each period rooms (patients and teams stay) so that the most
    patients keep their room from one period of a block to the next.

    ``periods[f]`` is the period of ``families[f]``. Returns the parts of each family in
    the order given; the given rooms are kept when nothing is better (or nothing is
    found in ``time_limit``, deterministic time, or ``wall_limit`` seconds).
    """
    model = cp_model.CpModel()
    room_of: dict[tuple[int, int], dict[str, cp_model.IntVar]] = {}
    in_period: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for f, ((g, parts), period) in enumerate(zip(families, periods)):
        for i, part in enumerate(parts):
            in_period[period.key].append((f, i))
            choices = {}
            for r in _fitting(index, g, part, period.slot):
                var = model.new_bool_var(f"room[{f},{i},{r}]")
                model.add_hint(var, r == part.room)
                choices[r] = var
            model.add_exactly_one(choices.values())
            room_of[(f, i)] = choices
    for here in in_period.values():
        by_room: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for key in here:
            for r, var in room_of[key].items():
                by_room[r].append(var)
        for vars_ in by_room.values():
            model.add_at_most_one(vars_)
    stays = []
    for (slot, k), here in in_period.items():
        after = in_period.get((slot, k + 1), [])
        for a in here:
            for b in after:
                shared = len(set(_part(families, a).patients) & set(_part(families, b).patients))
                for r in room_of[a].keys() & room_of[b].keys() if shared else ():
                    same = model.new_bool_var(f"same[{a},{b},{r}]")
                    model.add_implication(same, room_of[a][r])
                    model.add_implication(same, room_of[b][r])
                    same_hint = _part(families, a).room == r == _part(families, b).room
                    model.add_hint(same, same_hint)
                    stays.append(shared * same)
    if not stays:
        return [parts for _, parts in families]
    model.maximize(sum(stays))
    solver = quiet_solver()
    solver.parameters.num_workers = 1
    # Deterministic time: the same solve gives the same rooms on any machine.
    solver.parameters.max_deterministic_time = time_limit
    if wall_limit is not None:
        solver.parameters.max_time_in_seconds = wall_limit
    if run_search(solver, model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [parts for _, parts in families]
    return [
        [
            Part(
                next(r for r, v in room_of[(f, i)].items() if solver.boolean_value(v)),
                part.counselors,
                part.patients,
            )
            for i, part in enumerate(parts)
        ]
        for f, (_, parts) in enumerate(families)
    ]


def _part(families: list[tuple[GroupType, list[Part]]], key: tuple[int, int]) -> Part:
    f, i = key
    return families[f][1][i]


def _fitting(index: ProgramIndex, g: GroupType, part: Part, slot: str) -> list[str]:
    """The group rooms open in the slot, at the part's room's site, that seat its patients."""
    site = index.site_of_room(part.room)
    seats = len(part.patients) * g.seats_per_patient
    fitting = [
        r.id
        for r in index.group_rooms
        if slot in index.room_slots(r) and r.capacity >= seats and index.site_of_room(r.id) == site
    ]
    return fitting if part.room in fitting else [*fitting, part.room]
