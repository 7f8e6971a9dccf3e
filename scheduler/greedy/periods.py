"""Step 5, groups period by period: every class holds the group its members need
most; then the requirement rows are checked and primary counselors take over groups."""

from __future__ import annotations

from models import Patient
from models.index import PeriodRef
from scheduler.greedy.groups import Draft, Groups, Held
from scheduler.greedy.hints import Stuck
from scheduler.greedy.lookups import conflicts
from scheduler.greedy.needs import is_critical, urgencies
from scheduler.greedy.reseating import move_critical
from scheduler.greedy.rooms import grow
from scheduler.greedy.seating import seat_class, seat_displaced
from scheduler.greedy.staffing import let_primaries_lead


def hold_groups(groups: Groups) -> None:
    """Every period of the week in order; then the requirement rows are checked and primary
    counselors take over groups of their patients."""
    for slot in groups.idx.slots:
        for period in groups.idx.periods_of[slot]:
            _hold_period(groups, slot, period)
    _check_requirements(groups)
    let_primaries_lead(groups)


def _hold_period(groups: Groups, slot: str, period: PeriodRef) -> None:
    """The groups of one period: every class joins or opens one (again, keeping a class whole,
    when a member it left out finds no other seat); then urgent members move, groups merge,
    and the groups are held."""
    classes = groups.classes[slot]
    attendees = [pid for cls in classes for pid in cls.members]
    if not attendees:
        return
    groups.value_cache = {}
    groups.urgency = {pid: urgencies(groups, pid) for pid in attendees}
    ranked = sorted(
        classes,
        key=lambda c: (-sum(is_critical(groups, pid) for pid in c.members), -len(c.members)),
    )
    host = {pid: n for n, cls in enumerate(ranked) for pid in cls.members}
    # Classes that must keep all their members this period: a member one of them left
    # out found no other seat, so the period is formed again.
    whole: set[int] = set()
    while True:
        groups.busy = set()
        groups.rooms_taken = set()
        groups.free_room_cache = None
        drafts: list[Draft] = []
        displaced: list[str] = []
        for n, cls in enumerate(ranked):
            displaced += seat_class(groups, cls.members, slot, period, drafts, n in whole)
        try:
            seat_displaced(groups, displaced, slot, period, drafts)
        except Stuck as stuck:
            n = host.get(stuck.patient or "", -1)
            if n < 0 or n in whole:
                raise
            whole.add(n)
            continue
        break
    move_critical(groups, drafts, slot, period)
    _merge_groups(groups, drafts, slot)
    _commit(groups, drafts, slot, period)


def _merge_groups(groups: Groups, drafts: list[Draft], slot: str) -> None:
    """Two groups of one type (and stage) that fit in one room become one: a session
    and a counselor saved, nobody's week changed."""
    merged = True
    while merged:
        merged = False
        for small in sorted(drafts, key=lambda d: len(d.members)):
            into = next(
                (
                    d
                    for d in sorted(drafts, key=lambda d: -len(d.members))
                    if d is not small and _can_merge(groups, small, d)
                ),
                None,
            )
            if into is None or not grow(groups, into, slot, len(small.members)):
                continue
            into.members += small.members
            groups.busy.difference_update(small.team)
            groups.rooms_taken.discard(small.room)
            groups.free_room_cache = None
            drafts.remove(small)
            merged = True
            break


def _can_merge(groups: Groups, d: Draft, e: Draft) -> bool:
    """Whether ``d`` can join ``e``: the same type, stage and topic, within max_size, ``e``'s
    team has the required role, and no avoid pair between them."""
    g = d.gtype
    if g is not e.gtype or d.stage != e.stage or d.topic != e.topic:
        return False
    if len(d.members) + len(e.members) > g.max_size:
        return False
    if g.requires_role is not None and not any(
        groups.idx.has_role(groups.idx.counselor[c], g.requires_role) for c in e.team
    ):
        return False
    return not any(conflicts(groups.prog, pid, e.members) for pid in d.members)


def _commit(groups: Groups, drafts: list[Draft], slot: str, period: PeriodRef) -> None:
    """Hold the period's groups: they count toward their members' rows and topics heard,
    and their counselors' minutes."""
    for d in drafts:
        members = tuple(sorted(d.members))
        groups.held.append(
            Held(period, d.gtype.id, d.stage, d.room, tuple(d.team), members, d.topic)
        )
        for pid in members:
            stage = groups.idx.patient[pid].stage
            for k in groups.prog.rows_of_type[(stage, d.gtype.id)]:
                groups.counts[pid][k] += 1
            if d.topic is not None:
                groups.heard[pid].add(d.topic)
            groups.led_by[pid].update(d.team)
        for cid in d.team:
            groups.week_minutes[cid] += period.minutes
            groups.day_minutes[(cid, period.day)] += period.minutes
            groups.leads.add((cid, slot, period.index))
    for cls in groups.classes[slot]:
        for pid in cls.members:
            groups.left_all[pid] -= 1
            if (pid, slot) in groups.own_class:
                groups.left_own[pid] -= 1


def _check_requirements(groups: Groups) -> None:
    """Stuck when a patient's sessions fall outside a requirement row."""
    for p in groups.prog.inst.patients:
        for row, n in zip(groups.prog.rows[p.stage], groups.counts[p.id]):
            if row.low <= n and (row.high is None or n <= row.high):
                continue
            mixed = [s for s in groups.attend[p.id] if (p.id, s) not in groups.own_class]
            raise Stuck(
                f"requirements: {p.id} gets {n} sessions where requirements[{row.number}] "
                f"asks {row.low}" + ("" if row.high is None else f" to {row.high}"),
                "requirement",
                p.id,
                mixed or groups.attend[p.id][-1:],
                _guests_with(groups, p) if row.needs_cohort else (),
                groups.attend[p.id],
            )


def _guests_with(groups: Groups, p: Patient) -> list[tuple[str, str]]:
    """Patients of another stage, too few for a class of their own, in the patient's
    classes: a stage-matched group leaves them without a seat, so their class could not
    run one. Keeping them out of that block frees it."""
    found = []
    for slot in groups.attend[p.id]:
        cls = next(c for c in groups.classes[slot] if p.id in c.members)
        for q in cls.members:
            stage = groups.idx.patient[q].stage
            if stage != p.stage and sum(
                1
                for c in groups.classes[slot]
                for x in c.members
                if groups.idx.patient[x].stage == stage
            ) < groups.prog.class_min(stage):
                found.append((q, slot))
    return found
