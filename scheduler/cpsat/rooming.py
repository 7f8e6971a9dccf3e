"""Which room each session gets, so that a cohort keeps its room through a block.

The rooms of a period are interchangeable among its sessions as long as each fits
(capacity for the session's patients and their seats, open in the slot, a group room,
at the same site), and a room no session of the period uses may be taken too. A small
exact model per block gives each session a room so that the most patients stay in
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
    fixed: set[tuple[int, int]] | None = None,
) -> list[list[Part]]:
    """Give the sessions of each period rooms (patients and teams stay) so that the most
    patients keep their room from one period of a block to the next.

    ``periods[f]`` is the period of ``families[f]``; ``fixed`` (family, part): sessions
    that keep their room (a pin names it). Blocks are independent: each is
    solved on its own, with an equal share of ``time_limit`` (deterministic time) and
    ``wall_limit`` (seconds). Returns the parts of each family in the order given; a
    block keeps its given rooms when nothing better is found in its share.
    """
    by_slot: dict[str, list[int]] = defaultdict(list)
    for f, period in enumerate(periods):
        by_slot[period.slot].append(f)
    rooms: dict[tuple[int, int], str] = {}
    share = max(len(by_slot), 1)
    for fs in by_slot.values():
        rooms.update(
            _block_rooms(
                index,
                {f: families[f] for f in fs},
                {f: periods[f] for f in fs},
                time_limit / share,
                None if wall_limit is None else wall_limit / share,
                fixed or set(),
            )
        )
    return [
        [
            Part(rooms.get((f, i), part.room), part.counselors, part.patients)
            for i, part in enumerate(parts)
        ]
        for f, (_, parts) in enumerate(families)
    ]


def _block_rooms(
    index: ProgramIndex,
    families: dict[int, tuple[GroupType, list[Part]]],
    periods: dict[int, PeriodRef],
    time_limit: float,
    wall_limit: float | None,
    fixed: set[tuple[int, int]],
) -> dict[tuple[int, int], str]:
    """The rooms of one block's sessions, (family, part) -> room; empty to keep them."""
    model = cp_model.CpModel()
    room_of: dict[tuple[int, int], dict[str, cp_model.IntVar]] = {}
    in_period: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for f, (g, parts) in families.items():
        for i, part in enumerate(parts):
            in_period[periods[f].index].append((f, i))
            choices = {}
            fitting = [part.room] if (f, i) in fixed else _fitting(index, g, part, periods[f].slot)
            for r in fitting:
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
    for k, here in in_period.items():
        for a in here:
            for b in in_period.get(k + 1, []):
                pa, pb = families[a[0]][1][a[1]], families[b[0]][1][b[1]]
                shared = len(set(pa.patients) & set(pb.patients))
                for r in room_of[a].keys() & room_of[b].keys() if shared else ():
                    same = model.new_bool_var(f"same[{a},{b},{r}]")
                    model.add_implication(same, room_of[a][r])
                    model.add_implication(same, room_of[b][r])
                    model.add_hint(same, pa.room == r == pb.room)
                    stays.append(shared * same)
    if not stays:
        return {}
    model.maximize(sum(stays))
    solver = quiet_solver()
    solver.parameters.num_workers = 1
    # Deterministic time: the same solve gives the same rooms on any machine.
    solver.parameters.max_deterministic_time = time_limit
    if wall_limit is not None:
        solver.parameters.max_time_in_seconds = wall_limit
    if run_search(solver, model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}
    return {
        key: next(r for r, v in choices.items() if solver.boolean_value(v))
        for key, choices in room_of.items()
    }


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
