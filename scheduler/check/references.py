"""References: every session, appointment, screen and assigned primary counselor names
objects that exist.

These rules run first. What passes them is collected on the :class:`Checker` (its
``sessions``, ``bookings`` and ``screens``) and is all the later rules look at, so a bad
reference is reported once, here, and not again by every rule it would confuse.
"""

from __future__ import annotations

from models.index import clock
from scheduler.check.context import Booking, Checker


def session_references(ck: Checker) -> None:
    """Every session names a real slot, period, group type, room, counselors and patients."""
    seen: set[str] = set()
    idx = ck.idx
    for s in ck.schedule.sessions:
        if s.id in seen:
            ck.violation("session_id", f"session id {s.id} is used twice", s.id)
        seen.add(s.id)
        problems = []
        if s.slot not in idx.block_of:
            problems.append(f"slot {s.slot} does not exist")
        elif (s.slot, s.period) not in idx.period_at:
            problems.append(f"block {s.block} has no period {s.period}")
        else:
            ref = idx.period_at[(s.slot, s.period)]
            if (s.start, s.end) != (ref.start, ref.end):
                problems.append(
                    f"times {s.start}-{s.end} differ from period {s.period} ({ref.start}-{ref.end})"
                )
        if s.group_type not in idx.group_type:
            problems.append(f"group type {s.group_type} does not exist")
        if s.room not in idx.room:
            problems.append(f"room {s.room} does not exist")
        problems += [
            f"counselor {c} does not exist" for c in s.counselors if c not in idx.counselor
        ]
        problems += [f"patient {p} does not exist" for p in s.patients if p not in idx.patient]
        if len(set(s.patients)) != len(s.patients):
            problems.append("a patient is listed twice")
        if len(set(s.counselors)) != len(s.counselors):
            problems.append("a counselor is listed twice")
        if s.stage is not None and s.stage not in idx.stage_rank:
            problems.append(f"stage {s.stage} does not exist")
        if problems:
            for msg in problems:
                ck.violation("reference", f"session {s.id}: {msg}", s.id)
            continue
        # From here on s.minutes is the period's length: the times were checked above.
        ck.sessions.append(s)
        for pid in s.patients:
            ck.patient_sessions[pid].append(s)
            ck.patient_minutes[pid] += s.minutes
        for cid in s.counselors:
            ck.counselor_minutes[cid] += s.minutes


def appointment_references(ck: Checker) -> None:
    """Every appointment names a real patient, counselor, room and day."""
    idx = ck.idx
    lists = (
        ("individual session", "individual_sessions", ck.schedule.individual_sessions),
        (
            "medication appointment",
            "medication_appointments",
            ck.schedule.medication_appointments,
        ),
    )
    for kind, field_name, appointments in lists:
        for i, a in enumerate(appointments):
            ref = f"{field_name}[{i}]"
            problems = []
            if a.patient not in idx.patient:
                problems.append(f"patient {a.patient} does not exist")
            if a.counselor not in idx.counselor:
                problems.append(f"counselor {a.counselor} does not exist")
            if a.room not in idx.room:
                problems.append(f"room {a.room} does not exist")
            if a.day not in ck.inst.days:
                problems.append(f"day {a.day} does not exist")
            for msg in problems:
                ck.violation("reference", f"{ref} ({kind}): {msg}", ref)
            if not problems:
                ck.appointments.append((kind, ref, a))


def appointment_times(ck: Checker) -> None:
    """Every appointment is at one of the day's appointment times (individual_slots)."""
    first_day = ck.inst.days[0]
    times = ", ".join(
        f"{clock(t.start)}-{clock(t.end)}" for t in ck.idx.appointment_times if t.day == first_day
    )
    offered = f"they are at {times} every day" if times else "the instance has none"
    for kind, ref, a in ck.appointments:
        time = ck.idx.appointment_time(a.day, a.start, a.end)
        if time is None:
            ck.violation(
                "appointment_time",
                f"{kind} of {a.patient} with {a.counselor} at {a.day} {a.start}-{a.end} "
                f"is not an appointment time ({offered})",
                ref,
            )
            continue
        ck.bookings.append(Booking(kind, ref, a.patient, a.counselor, a.room, time))


def screen_references(ck: Checker) -> None:
    """Every screen names a real patient and slot."""
    for i, screen in enumerate(ck.schedule.screens):
        ref = f"screens[{i}]"
        problems = []
        if screen.patient not in ck.idx.patient:
            problems.append(f"patient {screen.patient} does not exist")
        if screen.slot not in ck.idx.block_of:
            problems.append(f"slot {screen.slot} does not exist")
        for msg in problems:
            ck.violation("reference", f"{ref}: {msg}", ref)
        if not problems:
            ck.screens.append(screen)


def primary_references(ck: Checker) -> None:
    """Every patient the schedule assigns a primary counselor to exists."""
    for pid in ck.schedule.primary_counselors:
        if pid not in ck.idx.patient:
            ck.violation("reference", f"primary_counselors: patient {pid} does not exist", pid)
