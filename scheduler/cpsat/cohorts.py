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


def members_together(tm: ModelBase) -> None:
    """The members of a planned cohort attend only blocks all of them can attend, the
    blocks where the cohort meets (a member who needs fewer blocks, some of them), and
    sit there the family the cohort sits (one that all of them may join), in a session
    of its own: a family runs a session per cohort it holds and, beyond those, no more
    sessions than its patients of no cohort fill, so that the split can keep each
    cohort whole (``scheduler.cpsat.split``)."""
    m = tm.model
    cohorts_in: dict[int, list[Var]] = defaultdict(list)
    for k, cohort in enumerate(tm.cohorts):
        meets = {s: m.new_bool_var(f"cohort_meets[{k},{s}]") for s in sorted(cohort.slots)}
        full = max(cohort.blocks.values())
        for pid in cohort.patients:
            for slot in tm.index.patient_slots(tm.index.patient[pid]):
                attend = tm.attend[(pid, slot)]
                if slot not in cohort.slots:
                    m.add(attend == 0)
                elif cohort.blocks[pid] == full:
                    m.add(attend == meets[slot])
                else:
                    m.add(attend <= meets[slot])
        open_to_all = set.intersection(*(set(tm.seats_of[pid]) for pid in cohort.patients))
        sits: dict[int, Var] = {}
        by_period: dict[tuple[str, int], list[Var]] = defaultdict(list)
        for n in sorted(open_to_all):
            period = tm.candidates[n].period
            if period.slot in cohort.slots:
                sits[n] = m.new_bool_var(f"cohort_sits[{k},{n}]")
                tm.cohort_sits[(k, n)] = sits[n]
                by_period[period.key].append(sits[n])
                cohorts_in[n].append(sits[n])
        for slot, meet in meets.items():
            for period in tm.index.periods_of[slot]:
                m.add(sum(by_period.get(period.key, [])) == meet)
        for pid in cohort.patients:
            for n in tm.seats_of[pid]:
                if tm.candidates[n].period.slot not in cohort.slots:
                    continue
                # With whole blocks (one family a period when attending): the cohort's.
                m.add(tm.seat[(pid, n)] <= sits.get(n, 0))
    in_cohorts = {pid for cohort in tm.cohorts for pid in cohort.patients}
    for n, here in cohorts_in.items():
        m.add(tm.open[n] >= sum(here))
        # The family's other sessions are filled by patients of no cohort.
        others = sum(tm.seat[(pid, n)] for pid in tm.members[n] if pid not in in_cohorts)
        m.add(tm.candidates[n].group_type.min_size * (tm.open[n] - sum(here)) <= others)
