"""Cohorts within the week, the part the model decides: which group types a patient sits
in each block (``type_repeat_in_block``).

The other cohort terms (``room_change``, ``process_peers_changed``) depend on which
session of a family each patient sits in and which room each session gets: the
read-back decides them (``scheduler.cpsat.seating``) and the solve recomputes them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ortools.sat.python import cp_model

from scheduler.check.cohorts import forced_repeats
from scheduler.cpsat.variables import ModelBase, Var


def type_repeat_in_block(tm: ModelBase) -> None:
    """Extra sessions of one group type a patient sits in one block, beyond the repeats
    their requirement rows force (``scheduler.check.cohorts.forced_repeats``)."""
    weight = tm.instance.weights.type_repeat_in_block
    if not weight:
        return
    m = tm.model
    seats: dict[tuple[str, str, str], list[Var]] = defaultdict(list)
    for (pid, n), var in tm.seat.items():
        cand = tm.candidates[n]
        seats[(pid, cand.period.slot, cand.group_type.id)].append(var)
    extras: dict[str, list[cp_model.LinearExprT]] = defaultdict(list)
    for (pid, slot, gid), here in seats.items():
        if len(here) < 2:
            continue
        extra = m.new_int_var(0, len(here) - 1, f"type_repeat[{pid},{slot},{gid}]")
        # Equality, not a bound: the term must equal the checker's in every solution.
        m.add_max_equality(extra, [0, sum(here) - 1])
        extras[pid].append(extra)
    repeats: list[cp_model.LinearExprT] = []
    for p in tm.instance.patients:
        if not extras[p.id]:
            continue
        forced = _forced(tm, p.id)
        if isinstance(forced, int):
            repeats.append(sum(extras[p.id]))
            continue
        # Never below 0, also when a best-effort week falls short of a row.
        beyond = m.new_int_var(0, len(tm.seats_of[p.id]), f"type_repeats[{p.id}]")
        m.add_max_equality(beyond, [0, sum(extras[p.id]) - forced])
        repeats.append(beyond)
    tm.term("type_repeat_in_block", weight, sum(repeats))


def _forced(tm: ModelBase, pid: str) -> Any:
    """The repeats the patient's requirement rows force, given how many blocks they attend
    (exactly as the checker counts them: a constant for each number of blocks)."""
    p = tm.index.patient[pid]
    slots = tm.index.patient_slots(p)
    totals = [forced_repeats(tm.index, p, b) for b in range(len(slots) + 1)]
    if not any(totals):
        return 0
    blocks = tm.model.new_int_var(0, len(slots), f"blocks[{pid}]")
    tm.model.add(blocks == sum(tm.attend[(pid, s)] for s in slots))
    forced = tm.model.new_int_var(0, max(totals), f"forced_type_repeats[{pid}]")
    tm.model.add_element(blocks, totals, forced)
    return forced


def room_change(tm: ModelBase) -> None:
    """A lower bound of the room changes the read-back cannot avoid: each session sits in
    one room, so when the members of a family go on, in the block's next period, to more
    families than it runs sessions, at least that many of them change rooms (and the same
    for the families they come from).

    The read-back gives the rooms and the solve reports the exact count; this only steers
    the model toward cohorts that move together. Each side counts half the weight, so the
    term never exceeds the true one and the bound stays valid.
    """
    weight = tm.instance.weights.room_change // 2
    if not weight:
        return
    m = tm.model
    by_period: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for pid, n in tm.seat:
        by_period[(pid, *tm.candidates[n].period.key)].append(n)
    used: dict[tuple[int, int], Var] = {}
    for (pid, slot, k), here in by_period.items():
        for a in here:
            for b in by_period.get((pid, slot, k + 1), []):
                if (a, b) not in used:
                    used[(a, b)] = m.new_bool_var(f"moves_on[{a},{b}]")
                m.add(used[(a, b)] >= tm.seat[(pid, a)] + tm.seat[(pid, b)] - 1)
    successors: dict[int, list[Var]] = defaultdict(list)
    predecessors: dict[int, list[Var]] = defaultdict(list)
    for (a, b), var in used.items():
        successors[a].append(var)
        predecessors[b].append(var)
    excess = []
    for side, links in (("to", successors), ("from", predecessors)):
        for n, vars_ in links.items():
            if len(vars_) < 2:
                continue
            beyond = m.new_int_var(0, len(vars_), f"families_{side}[{n}]")
            m.add(beyond >= sum(vars_) - tm.open[n])
            excess.append(beyond)
    tm.term("room_change", weight, sum(excess))
