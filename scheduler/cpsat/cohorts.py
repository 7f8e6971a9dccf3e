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
