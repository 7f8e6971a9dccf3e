"""Appointments and screens: offices, the counselor and patient of an appointment,
individual counseling, medication management and screens."""

from __future__ import annotations

from collections import defaultdict

from models import Session
from scheduler.check.context import Booking, Checker


def offices(ck: Checker) -> None:
    """One appointment per office per time, only in the office's available blocks."""
    for b in ck.bookings:
        if b.time.slot not in ck.idx.room_slots(ck.idx.room[b.room]):
            ck.violation(
                "room_available",
                f"room {b.room} is not available in {b.time.slot} ({b.label})",
                b.room,
                b.ref,
            )
    ck.booking_clashes(
        "room_clash",
        lambda b: b.room,
        "room {owner} holds {n} appointments at {label} ({who})",
        lambda b: f"{b.patient} with {b.counselor}",
    )


def appointment_counselors(ck: Checker) -> None:
    """An appointment's counselor is available in its block, leads no group overlapping it and has no other appointment then."""
    leading: dict[tuple[str, str, int], list[Session]] = defaultdict(list)
    for s in ck.sessions:
        for cid in s.counselors:
            leading[(cid, s.slot, s.period)].append(s)
    for b in ck.bookings:
        if b.time.slot not in ck.idx.counselor[b.counselor].available:
            ck.violation(
                "counselor_available",
                f"{b.counselor} is not available in {b.time.slot} ({b.label})",
                b.counselor,
                b.ref,
            )
        for period in ck.idx.periods_clashing(b.time):
            for s in leading.get((b.counselor, period.slot, period.index), []):
                ck.violation(
                    "counselor_clash",
                    f"{b.counselor} leads {s.id} ({period.label}) during the {b.label}",
                    b.counselor,
                    b.ref,
                    s.id,
                )
    ck.booking_clashes(
        "counselor_clash",
        lambda b: b.counselor,
        "{owner} has {n} appointments at {label} ({who})",
        lambda b: f"{b.kind} of {b.patient}",
    )


def appointment_patients(ck: Checker) -> None:
    """A patient has one appointment at a time, on a day they attend a block, not overlapping it, available in its block."""
    ck.booking_clashes(
        "double_booked",
        lambda b: b.patient,
        "{owner} has {n} appointments at once at {label} ({who})",
        lambda b: f"{b.kind} with {b.counselor}",
    )
    for b in ck.bookings:
        attended = ck.attended(b.patient, b.time.day)
        if not attended:
            ck.violation(
                "appointment_day",
                f"{b.patient} has {b.a_kind} on {b.time.day} but attends no block that day",
                b.patient,
                b.ref,
            )
        clashing = ck.idx.blocks_clashing(b.time)
        for slot in attended:
            if slot in clashing:
                ck.violation(
                    "appointment_day",
                    f"{b.patient}'s {b.kind} at {b.time.label} overlaps their block {slot}",
                    b.patient,
                    b.ref,
                )
        if b.time.slot not in ck.idx.patient[b.patient].available:
            ck.violation(
                "patient_available",
                f"{b.patient} is not available in {b.time.slot} ({b.kind} at {b.time.label})",
                b.patient,
                b.ref,
            )


def individual_count(ck: Checker) -> None:
    """Each patient has exactly their individual sessions per week, on different days."""
    by_patient: dict[str, list[Booking]] = defaultdict(list)
    for b in ck.individuals():
        by_patient[b.patient].append(b)
    for p in ck.inst.patients:
        mine = by_patient.get(p.id, [])
        need = ck.idx.individual_per_week(p)
        if len(mine) < need and ck.short("individual", p.id, need, len(mine), need - len(mine)):
            pass
        elif len(mine) != need:
            ck.violation(
                "individual_count",
                f"{p.id} has {len(mine)} individual sessions, needs {need}",
                p.id,
            )
        for day in ck.inst.days:
            n = sum(1 for b in mine if b.time.day == day)
            if n > 1:
                ck.violation(
                    "individual_count",
                    f"{p.id} has {n} individual sessions on the same day ({day}); "
                    "they must be on different days",
                    p.id,
                    day,
                )


def individual_counselor(ck: Checker) -> None:
    """Individual sessions are with the patient's primary counselor (given or assigned)."""
    for b in ck.individuals():
        primary = ck.primary.get(b.patient)
        if primary is not None and b.counselor != primary:
            ck.violation(
                "individual_counselor",
                f"{b.patient}'s individual session at {b.time.label} is with {b.counselor}, "
                f"not their primary counselor {primary}",
                b.patient,
                b.ref,
            )


def max_individual(ck: Checker) -> None:
    """A counselor holds at most max_individual individual sessions a week."""
    count: dict[str, int] = defaultdict(int)
    for b in ck.individuals():
        count[b.counselor] += 1
    for c in ck.inst.counselors:
        if c.max_individual is not None and count[c.id] > c.max_individual:
            ck.violation(
                "max_individual",
                f"{c.id} has {count[c.id]} individual sessions, above max_individual "
                f"{c.max_individual}",
                c.id,
            )


def medication_count(ck: Checker) -> None:
    """Patients with medication_management have one medication appointment, others none."""
    count: dict[str, int] = defaultdict(int)
    for b in ck.bookings:
        if b.kind == "medication appointment":
            count[b.patient] += 1
    for p in ck.inst.patients:
        need = 1 if ck.idx.needs_medication(p) else 0
        if count[p.id] < need and ck.short("medication", p.id, need, count[p.id], 1):
            pass
        elif count[p.id] != need:
            ck.violation(
                "medication_count",
                f"{p.id} has {count[p.id]} medication appointments, needs {need}",
                p.id,
            )


def screen_count(ck: Checker) -> None:
    """Each patient has exactly screening.per_week screens, in different blocks."""
    by_patient: dict[str, list[str]] = defaultdict(list)
    for screen in ck.screens:
        by_patient[screen.patient].append(screen.slot)
    need = ck.idx.screens_per_week()
    for p in ck.inst.patients:
        slots = by_patient.get(p.id, [])
        if len(slots) < need and ck.short("screens", p.id, need, len(slots), need - len(slots)):
            pass
        elif len(slots) != need:
            ck.violation("screen_count", f"{p.id} has {len(slots)} screens, needs {need}", p.id)
        for slot in sorted(set(slots), key=ck.idx.slots.index):
            if slots.count(slot) > 1:
                ck.violation(
                    "screen_count",
                    f"{p.id} has {slots.count(slot)} screens in {slot}; "
                    "they must be in different blocks",
                    p.id,
                    slot,
                )


def screen_block(ck: Checker) -> None:
    """A screen is in a block the patient attends."""
    for screen in ck.screens:
        if screen.slot not in ck.attended(screen.patient, screen.day):
            ck.violation(
                "screen_block",
                f"{screen.patient} has a screen in {screen.slot} but attends no session there",
                screen.patient,
                screen.slot,
            )


def screen_capacity(ck: Checker) -> None:
    """At most screening.capacity_per_block screens per block."""
    screening = ck.inst.screening
    if screening is None:
        return
    # With sites the capacity is per site (the patient's) and block.
    count: dict[tuple[str, str | None], int] = defaultdict(int)
    for screen in ck.screens:
        count[(screen.slot, ck.idx.site_of_patient(screen.patient))] += 1
    site_rank = {site: i for i, site in enumerate(ck.idx.sites)}
    for slot, site in sorted(
        count, key=lambda k: (ck.idx.slots.index(k[0]), site_rank.get(k[1] or "", 0))
    ):
        n = count[(slot, site)]
        if n > screening.capacity_per_block:
            at = "" if site is None else f" at site {site}"
            ck.violation(
                "screen_capacity",
                f"{slot}{at} has {n} screens, above capacity_per_block "
                f"{screening.capacity_per_block}",
                slot,
                *([] if site is None else [site]),
            )
