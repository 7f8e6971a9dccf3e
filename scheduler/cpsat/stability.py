"""The stability terms in the model: changes against last week's schedule.

Built only when the model has a previous schedule (``TimetableModel(previous=...)``);
the terms and what counts as a change are ``scheduler.check.stability``'s. The model
sees families (period, type, stage), so a seat or a session counts as kept when its
family holds the patient (or runs the room) and is led by last week's counselors;
which session of a family gets which room, team and patients is decided after the
search (``split``, ``seating``), so ``scheduler.program`` recomputes the terms exactly
after the read-back: the model's count is never above the schedule's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ortools.sat.python import cp_model

from scheduler.check.stability import Family, LastWeek, last_week
from scheduler.cpsat.variables import ModelBase, Var


def _week(tm: ModelBase) -> LastWeek | None:
    """Last week as the instance sees it (read once per model), or None without one."""
    if tm.previous is None:
        return None
    if tm.last_week is None:
        tm.last_week = last_week(tm.index, tm.previous)
    return tm.last_week


def _families(tm: ModelBase) -> dict[Family, list[int]]:
    families: dict[Family, list[int]] = defaultdict(list)
    for cand in tm.candidates:
        families[cand.family].append(cand.number)
    return families


def _all_of(tm: ModelBase, name: str, literals: list[Var]) -> Var:
    """A Boolean equal to the conjunction of ``literals`` (one literal: itself)."""
    if len(literals) == 1:
        return literals[0]
    both = tm.model.new_bool_var(name)
    tm.model.add_min_equality(both, literals)
    return both


def _any_of(tm: ModelBase, name: str, literals: list[Var]) -> cp_model.LinearExprT:
    """A Boolean equal to the disjunction of ``literals`` (none: 0)."""
    if not literals:
        return 0
    if len(literals) == 1:
        return literals[0]
    either = tm.model.new_bool_var(name)
    tm.model.add_max_equality(either, literals)
    return either


def _kept_nowhere(
    tm: ModelBase, name: str, held: dict[int, Var], counselors: Iterable[str]
) -> cp_model.LinearExprT:
    """1 unless some candidate that can hold the thing (``held``: candidate -> its seat or
    room variable there) holds it led by all of last week's ``counselors``."""
    options = []
    for n, holds in held.items():
        wanted = sorted(counselors)
        leads = [v for cid in wanted if (v := tm.leads_at[n].get(cid)) is not None]
        if len(leads) == len(wanted):  # each of them can lead this candidate
            options.append(_all_of(tm, f"{name}@{n}", [holds, *leads]))
    return 1 - _any_of(tm, name, options)


def blocks_changed(tm: ModelBase) -> None:
    """Blocks a returning patient attends and did not last week, or no longer attends."""
    week = _week(tm)
    weight = tm.instance.weights.block_changed
    if week is None or not weight:
        return
    changed: list[cp_model.LinearExprT] = []
    for pid, before in week.blocks.items():
        p = tm.index.patient[pid]
        possible = set(tm.index.patient_slots(p))
        changed.append(len(before - possible))  # last week's blocks they cannot attend now
        for slot in possible:
            attend = tm.attend[(pid, slot)]
            changed.append(1 - attend if slot in before else attend)
    tm.term("block_changed", weight, sum(changed))


def seats_changed(tm: ModelBase) -> None:
    """Seats of last week a returning patient no longer has, with last week's counselors."""
    week = _week(tm)
    weight = tm.instance.weights.seat_changed
    if week is None or not weight:
        return
    families = _families(tm)
    lost: list[cp_model.LinearExprT] = []
    for k, seat in enumerate(week.seats):
        seats = {n: tm.seat.get((seat.patient, n)) for n in families.get(seat.family, [])}
        held = {n: v for n, v in seats.items() if v is not None}
        lost.append(_kept_nowhere(tm, f"seat_kept[{k}]", held, seat.counselors))
    tm.term("seat_changed", weight, sum(lost))


def sessions_moved(tm: ModelBase) -> None:
    """Sessions of last week that no longer run in their period, room and team."""
    week = _week(tm)
    weight = tm.instance.weights.session_moved
    if week is None or not weight:
        return
    families = _families(tm)
    moved: list[cp_model.LinearExprT] = []
    for k, rec in enumerate(week.sessions):
        rooms = {n: tm.rooms_at[n].get(rec.room) for n in families.get(rec.family, [])}
        held = {n: v for n, v in rooms.items() if v is not None}
        moved.append(_kept_nowhere(tm, f"session_kept[{k}]", held, rec.counselors))
    tm.term("session_moved", weight, sum(moved))


def primaries_changed(tm: ModelBase) -> None:
    """Patients assigned another primary counselor than last week."""
    week = _week(tm)
    weight = tm.instance.weights.primary_changed
    if week is None or not weight:
        return
    changed: list[cp_model.LinearExprT] = []
    for pid, cid in week.primaries.items():
        var = tm.primary.get((pid, cid))
        changed.append(1 if var is None else 1 - var)
    tm.term("primary_changed", weight, sum(changed))
