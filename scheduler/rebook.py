"""A start for a repair: the appointments of a counselor who is now away, at another time.

``scheduler.substitute`` gives each group session of a counselor away a substitute, but
leaves appointments as they were: an individual session of theirs in the block they
miss still breaks the week, the start is then the greedy timetable, and a search from
it moves most patients. Here each such appointment moves, as a coordinator would, to
another appointment time with the same counselor and patient: on a day the patient
attends (the same day first), outside their block, when both are free and available,
in a free office at the patient's site. With every appointment placed the week is often
valid as it stands, and the solve starts from it (``solve(..., start_from=...)``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from models import Appointment, Instance, ProgramIndex, Schedule
from models.base import minutes
from models.index import AppointmentTime, clock, overlaps


@dataclass
class Rebooking:
    """The schedule with the appointments moved, and those that found no other time."""

    schedule: Schedule
    moved: int
    stuck: list[str]  # one line each: whose appointment, with whom, when


def rebooked(instance: Instance, schedule: Schedule, frozen: Collection[str] = ()) -> Rebooking:
    """``schedule`` with each appointment whose counselor is unavailable in its block moved
    to a time that keeps the appointment rules (the day's limits of the counselor
    aside), never to a ``frozen`` day (one that is over); one that finds none (or is
    pinned) stays where it was, and is listed as stuck."""
    idx = ProgramIndex(instance)
    pinned = {(p.kind, p.patient, p.day, p.start) for p in instance.pins}
    booked = [("individual", a) for a in schedule.individual_sessions] + [
        ("medication", a) for a in schedule.medication_appointments
    ]
    attends: dict[tuple[str, str], str] = {}  # (patient, day) -> slot
    leads: set[tuple[str, str, int]] = set()  # (counselor, slot, period)
    for s in schedule.sessions:
        for pid in s.patients:
            attends[(pid, s.day)] = s.slot
        for cid in s.counselors:
            leads.add((cid, s.slot, s.period))
    moved, stuck = 0, []
    out: list[tuple[str, Appointment]] = []
    for k, (kind, a) in enumerate(booked):
        time = idx.appointment_time(a.day, a.start, a.end)
        c = idx.counselor.get(a.counselor)
        if time is None or c is None or time.slot in c.available:
            out.append((kind, a))
            continue
        others = out + booked[k + 1 :]
        new = None
        if (kind, a.patient, a.day, a.start) not in pinned:
            new = _new_time(idx, kind, a, others, attends, leads, frozen)
        if new is None:
            stuck.append(
                f"{a.patient}'s {kind} appointment with {a.counselor} ({a.day} {a.start}-{a.end}, "
                f"and {a.counselor} is away in {time.slot}) finds no other time"
                + (" after the days that are over" if frozen else "")
            )
        out.append((kind, new or a))
        moved += new is not None
    return Rebooking(
        schedule.model_copy(
            update={
                "individual_sessions": [a for kind, a in out if kind == "individual"],
                "medication_appointments": [a for kind, a in out if kind == "medication"],
            }
        ),
        moved,
        stuck,
    )


def _new_time(
    idx: ProgramIndex,
    kind: str,
    a: Appointment,
    others: list[tuple[str, Appointment]],
    attends: dict[tuple[str, str], str],
    leads: set[tuple[str, str, int]],
    frozen: Collection[str],
) -> Appointment | None:
    """The first free time and office for ``a`` (same day first, then next to the block)."""
    patient, counselor = idx.patient.get(a.patient), idx.counselor[a.counselor]
    if patient is None:
        return None
    site = idx.site_of_patient(patient.id)
    offices = [o for o in idx.offices if site is None or idx.site_of_room(o.id) == site]

    def busy(who: str, t: AppointmentTime, field: str) -> bool:
        return any(
            getattr(b, field) == who
            and b.day == t.day
            and overlaps(t.start, t.end, minutes(b.start), minutes(b.end))
            for _, b in others
        )

    def fits(t: AppointmentTime) -> bool:
        slot = attends.get((patient.id, t.day))
        return (
            slot is not None
            and t.day not in frozen
            and slot not in idx.blocks_clashing(t)
            and t.slot in patient.available
            and t.slot in counselor.available
            and not any((counselor.id, p.slot, p.index) in leads for p in idx.periods_clashing(t))
            and not busy(patient.id, t, "patient")
            and not busy(counselor.id, t, "counselor")
            and not (
                kind == "individual"
                and any(k == kind and b.patient == patient.id and b.day == t.day for k, b in others)
            )
        )

    def rank(t: AppointmentTime) -> tuple[bool, bool, int]:
        slot = attends.get((patient.id, t.day), "")
        return (t.day != a.day, not (slot and idx.next_to(t, slot)), t.start)

    taken: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for _, b in others:
        taken[b.room].append((b.day, minutes(b.start), minutes(b.end)))
    for t in sorted((t for t in idx.appointment_times if fits(t)), key=rank):
        for office in offices:
            free = not any(
                d == t.day and overlaps(t.start, t.end, s, e) for d, s, e in taken[office.id]
            )
            if free and t.slot in idx.room_slots(office):
                update = {"day": t.day, "start": clock(t.start), "end": clock(t.end)}
                return a.model_copy(update={**update, "room": office.id})
    return None
