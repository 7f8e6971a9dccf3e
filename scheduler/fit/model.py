"""The small exact CP-SAT model of one admission: the patient's seats in the published
week's sessions, their blocks, appointments, screens and primary counselor; nobody else
has a variable.

Hard rules here, one function each (the patient's side of the checker's rules: whole
blocks, one block a day, hours and days, requirement rows, the strict curriculum,
appointments with free counselors and offices, screens, the primary counselor's
caseload). The objective, the exact increase of the week's, is in ``scheduler.fit.costs``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from models.index import AppointmentTime
from scheduler.fit.frame import Frame, Option

IntVar = cp_model.IntVar
LinearExpr = cp_model.LinearExprT

# Rebooking: an appointment moved outweighs any objective a placement can save.
MOVE_WEIGHT = 1_000_000


@dataclass
class FitModel:
    """The model and its variables (keys are ids, slots and appointment time keys)."""

    frame: Frame
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    seat: dict[int, IntVar] = field(default_factory=dict)  # option number -> joins
    block: dict[str, IntVar] = field(default_factory=dict)  # slot -> attends
    primary: dict[str, IntVar] = field(default_factory=dict)  # counselor -> is the primary
    individual: dict[tuple[str, tuple[str, int]], IntVar] = field(default_factory=dict)
    medication: dict[tuple[str, tuple[str, int]], IntVar] = field(default_factory=dict)
    screen: dict[str, IntVar] = field(default_factory=dict)
    time: dict[tuple[str, int], AppointmentTime] = field(default_factory=dict)
    # Rebooking (scheduler.fit.rebook): (kind, position in the schedule's list, time key)
    # -> the others' appointment there, and how many of theirs move.
    rebooked: dict[tuple[str, int, tuple[str, int]], IntVar] = field(default_factory=dict)
    moved: LinearExpr = 0

    def options_at(self, slot: str, period: int | None = None) -> list[Option]:
        return [
            o
            for o in self.frame.options
            if o.session.slot == slot and (period is None or o.session.period == period)
        ]

    def attends_day(self, day: str) -> LinearExpr:
        return sum(v for slot, v in self.block.items() if self.frame.idx.day_of[slot] == day)

    def appointments_at(self, key: tuple[str, int]) -> LinearExpr:
        return sum(v for (_, k), v in self.individual.items() if k == key) + sum(
            v for (_, k), v in self.medication.items() if k == key
        )


def build(frame: Frame) -> FitModel:
    """The model of placing the patient of ``frame`` (hard rules only)."""
    fm = FitModel(frame)
    for rule in (
        whole_blocks,
        one_block_a_day,
        hours_and_days,
        requirement_rows,
        strict_curriculum,
        primary_counselor,
        individual_sessions,
        medication,
        appointment_times,
        counselor_days,
        screens,
    ):
        rule(fm)
    return fm


def whole_blocks(fm: FitModel) -> None:
    """A block attended has one seat in every period; a block missing a free seat in some
    period cannot be attended."""
    m, idx = fm.model, fm.frame.idx
    for o in fm.frame.options:
        fm.seat[o.number] = m.new_bool_var(f"seat_{o.session.id}")
    for slot in idx.patient_slots(fm.frame.patient):
        periods = [fm.options_at(slot, q.index) for q in idx.periods_of[slot]]
        if not all(periods):
            continue
        y = fm.block[slot] = m.new_bool_var(f"block_{slot}")
        for here in periods:
            m.add(sum(fm.seat[o.number] for o in here) == y)
    for o in fm.frame.options:
        if o.session.slot not in fm.block:
            m.add(fm.seat[o.number] == 0)


def one_block_a_day(fm: FitModel) -> None:
    """At most one block a day."""
    for day in fm.frame.instance.days:
        fm.model.add(fm.attends_day(day) <= 1)


def hours_and_days(fm: FitModel) -> None:
    """Weekly minutes within the patient's hours; at least min_days days."""
    p = fm.frame.patient
    total = sum(fm.frame.idx.block_minutes(slot) * y for slot, y in fm.block.items())
    fm.model.add(total >= p.min_minutes)
    fm.model.add(total <= p.max_minutes)
    fm.model.add(sum(fm.block.values()) >= p.min_days)


def requirement_rows(fm: FitModel) -> None:
    """Every requirement row of the patient's stage, counted over the seats."""
    idx = fm.frame.idx
    for _, req in idx.requirements_of(fm.frame.patient):
        got = sum(
            fm.seat[o.number]
            for o in fm.frame.options
            if idx.counts_for(req, idx.group_type[o.session.group_type])
        )
        fm.model.add(got >= req.min_sessions)
        if req.max_sessions is not None:
            fm.model.add(got <= req.max_sessions)


def strict_curriculum(fm: FitModel) -> None:
    """A strict topic at most once (the completed ones are not options at all)."""
    idx = fm.frame.idx
    by_topic: dict[str, list[IntVar]] = defaultdict(list)
    for o in fm.frame.options:
        if o.session.topic in idx.strict_topics:
            by_topic[o.session.topic].append(fm.seat[o.number])
    for seats in by_topic.values():
        fm.model.add(sum(seats) <= 1)


def primary_counselor(fm: FitModel) -> None:
    """The given primary counselor, or one candidate with caseload room (exactly one)."""
    for c in fm.frame.primaries:
        fm.primary[c.id] = fm.model.new_bool_var(f"primary_{c.id}")
    fm.model.add(sum(fm.primary.values()) == 1)


def individual_sessions(fm: FitModel) -> None:
    """The patient's individual sessions with their primary counselor, at free times, on
    different days, within the counselor's max_individual."""
    f = fm.frame
    need = f.idx.individual_per_week(f.patient)
    if not need:
        return
    for t in f.times:
        fm.time[t.key] = t
    for c in f.primaries:
        if c.max_individual is not None and f.individual_load[c.id] + need > c.max_individual:
            fm.model.add(fm.primary[c.id] == 0)
            continue
        mine = []
        for t in f.times:
            if (c.id, t.key) in f.free:
                v = fm.individual[(c.id, t.key)] = fm.model.new_bool_var(f"ind_{c.id}_{t.label}")
                mine.append(v)
        fm.model.add(sum(mine) == need * fm.primary[c.id])
    for day in f.instance.days:
        fm.model.add(sum(v for (_, k), v in fm.individual.items() if k[0] == day) <= 1)


def medication(fm: FitModel) -> None:
    """One medication appointment with a free prescriber, when the patient needs it."""
    f = fm.frame
    if not f.idx.needs_medication(f.patient):
        return
    for t in f.times:
        fm.time[t.key] = t
        for c in f.prescribers:
            if (c.id, t.key) in f.free:
                fm.medication[(c.id, t.key)] = fm.model.new_bool_var(f"med_{c.id}_{t.label}")
    fm.model.add(sum(fm.medication.values()) == 1)


def appointment_times(fm: FitModel) -> None:
    """At most one appointment of the patient at a time, on a day they attend a block that
    does not overlap it; a counselor sees them once at a time."""
    idx = fm.frame.idx
    for key, t in fm.time.items():
        here = fm.appointments_at(key)
        fm.model.add(here <= 1)
        clashing = set(idx.blocks_clashing(t))
        apart = [fm.block[s] for s in idx.day_slots(t.day) if s in fm.block and s not in clashing]
        fm.model.add(here <= sum(apart))
    for (cid, key), v in fm.individual.items():
        other = fm.medication.get((cid, key))
        if other is not None:
            fm.model.add(v + other <= 1)


def counselor_days(fm: FitModel) -> None:
    """A counselor's day, with the patient's appointments, within max_hours_per_day
    (with rebooking, ``scheduler.fit.rebook`` counts everyone's appointments instead)."""
    f = fm.frame
    if f.rebook:
        return
    per_day: dict[tuple[str, str], list[tuple[int, IntVar]]] = defaultdict(list)
    for booked in (fm.individual, fm.medication):
        for (cid, key), v in booked.items():
            per_day[(cid, key[0])].append((fm.time[key].minutes, v))
    for (cid, day), entries in per_day.items():
        cap = f.idx.counselor[cid].max_minutes_per_day
        if cap is not None:
            fm.model.add(sum(n * v for n, v in entries) <= cap - f.worked.get((cid, day), 0))


def screens(fm: FitModel) -> None:
    """The patient's screens in different blocks they attend, within each block's room."""
    f = fm.frame
    need = f.idx.screens_per_week()
    if not need:
        return
    for slot, y in fm.block.items():
        if f.screens_left.get(slot, 0) > 0:
            v = fm.screen[slot] = fm.model.new_bool_var(f"screen_{slot}")
            fm.model.add(v <= y)
    fm.model.add(sum(fm.screen.values()) == need)
