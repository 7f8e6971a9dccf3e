"""One-to-one appointments (individual counseling, medication management), the offices
they meet in, and specimen screens."""

from __future__ import annotations

from collections import defaultdict

from models import Counselor, Patient
from models.index import AppointmentTime
from scheduler.cpsat.variables import ModelBase, Var


def _appointment_var(
    tm: ModelBase, kind: str, p: Patient, c: Counselor, time: AppointmentTime
) -> None:
    """A possible appointment of ``kind`` for patient ``p`` with counselor ``c`` at ``time``."""
    key = (kind, p.id, c.id, time.day, time.index)
    tm.appts[key] = tm.model.new_bool_var(f"{kind}[{p.id},{c.id},{time.label}]")


def appointments(tm: ModelBase) -> None:
    """Individual counseling with the primary counselor and medication management with a
    prescriber: the right number each, on a day the patient attends, never overlapping
    their block, on different days for individual sessions."""
    m = tm.model
    idx = tm.index
    for p in tm.instance.patients:
        times = tm.index.appointment_times_for(p)
        per_week = idx.individual_per_week(p)
        if per_week:
            counselors = (
                [idx.counselor[p.primary_counselor]]
                if p.primary_counselor is not None
                else idx.primary_candidates
            )
            for c in counselors:
                for t in times:
                    if t.slot in c.available:
                        _appointment_var(tm, "individual", p, c, t)
        if idx.needs_medication(p):
            for c in idx.prescribers:
                for t in times:
                    if t.slot in c.available:
                        _appointment_var(tm, "medication", p, c, t)
    by_patient: dict[tuple[str, str], list[Var]] = defaultdict(list)  # (kind, patient)
    by_patient_day: dict[tuple[str, str, str], list[Var]] = defaultdict(list)
    by_patient_time: dict[tuple[str, str, int], list[Var]] = defaultdict(list)
    for (kind, pid, _, day, k), v in tm.appts.items():
        by_patient[(kind, pid)].append(v)
        by_patient_day[(kind, pid, day)].append(v)
        by_patient_time[(pid, day, k)].append(v)
    for p in tm.instance.patients:
        individual = sum(by_patient[("individual", p.id)])
        tm.floor(individual, idx.individual_per_week(p), "individual", p.id, exact=True)
        medication = sum(by_patient[("medication", p.id)])
        tm.floor(medication, int(idx.needs_medication(p)), "medication", p.id, exact=True)
    for (kind, _, _), vars_ in by_patient_day.items():
        if kind == "individual" and len(vars_) > 1:
            m.add_at_most_one(vars_)
    for (pid, day, k), vars_ in by_patient_time.items():
        time = idx.appointment_at[(day, k)]
        clashing = idx.blocks_clashing(time)
        # On site that day, in a block the appointment does not overlap.
        fitting = [
            tm.attend[(pid, s)]
            for s in tm.index.day_slots(day)
            if s not in clashing and (pid, s) in tm.attend
        ]
        m.add(sum(vars_) <= sum(fitting))


def offices(tm: ModelBase) -> None:
    """At any appointment time, no more appointments than offices open in its block."""
    by_time: dict[tuple[str, int], list[Var]] = defaultdict(list)
    for (_, _, _, day, k), v in tm.appts.items():
        by_time[(day, k)].append(v)
    for key, vars_ in by_time.items():
        time = tm.index.appointment_at[key]
        open_offices = sum(1 for r in tm.index.offices if time.slot in tm.index.room_slots(r))
        tm.model.add(sum(vars_) <= open_offices)


def screens(tm: ModelBase) -> None:
    """per_week specimen collections in different attended blocks, within block capacity.

    The solver only proves a choice exists; which blocks is drawn at random afterwards.
    """
    screening = tm.instance.screening
    if screening is None or not screening.per_week:
        return
    by_slot: dict[str, list[Var]] = defaultdict(list)
    for p in tm.instance.patients:
        mine = []
        for slot in tm.index.patient_slots(p):
            v = tm.model.new_bool_var(f"screen[{p.id},{slot}]")
            tm.model.add_implication(v, tm.attend[(p.id, slot)])
            tm.screen[(p.id, slot)] = v
            by_slot[slot].append(v)
            mine.append(v)
        tm.floor(sum(mine), screening.per_week, "screens", p.id, exact=True)
    for slot, vars_ in by_slot.items():
        ct = tm.model.add(sum(vars_) <= screening.capacity_per_block)
        tm.guard(ct, "screen_capacity", slot)
