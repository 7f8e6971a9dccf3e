"""The objective: every soft term recomputed entity by entity, and the shortfalls a
best-effort schedule lists."""

from __future__ import annotations

from models import Patient
from models.schedule import SHORTFALL_TERM
from scheduler.check.context import Checker, caseload, hours, topic_repeats


def shortfalls(ck: Checker) -> None:
    """A best-effort schedule lists exactly the shortfalls it has, with the right figures;
    any other schedule lists none."""
    listed = {(f.patient, f.rule, f.requirement): f for f in ck.schedule.shortfalls}
    for key, (needed, got, _) in ck.found_short.items():
        pid, rule, row = key
        what = rule if row is None else f"requirements[{row}]"
        entry = listed.get(key)  # type: ignore[arg-type]  # rule names match
        if entry is None:
            ck.violation(
                "shortfall_unlisted",
                f"{pid} falls short of {what} ({got:g} of {needed:g}) but the schedule "
                "does not list it",
                pid,
            )
        elif abs(entry.needed - needed) > 0.01 or abs(entry.got - got) > 0.01:
            ck.violation(
                "shortfall_listed",
                f"{pid}'s shortfall of {what} is listed as {entry.got:g} of "
                f"{entry.needed:g}, but is {got:g} of {needed:g}",
                pid,
            )
    for key, entry in listed.items():
        if key not in ck.found_short:
            what = entry.rule if entry.requirement is None else f"requirements[{entry.requirement}]"
            ck.violation(
                "shortfall_listed",
                f"{entry.patient} is listed as short of {what}, but is not"
                + ("" if ck.schedule.best_effort else " (and the schedule is not best effort)"),
                entry.patient,
            )


def soft_terms(ck: Checker) -> None:
    """Recompute every soft term, entity by entity."""
    # The report lists the penalties in this order: each patient's three terms together.
    session_run(ck)
    for p in ck.inst.patients:
        excess_minutes(ck, p)
        preferred_missed(ck, p)
        primary_not_leading(ck, p)
    shortfall_terms(ck)
    load_imbalance_minutes(ck)
    topic_repeat(ck)
    individual_extra_trip(ck)
    caseload_imbalance(ck)


def session_run(ck: Checker) -> None:
    """Every session run costs its weight."""
    w = ck.inst.weights
    for s in ck.sessions:
        ck.penalty(
            "session_run", w.session_run, 1, f"session {s.id} ({s.group_type}, {s.slot})", s.id
        )


def excess_minutes(ck: Checker, p: Patient) -> None:
    """A patient's minutes above min_hours."""
    w = ck.inst.weights
    total = ck.patient_minutes.get(p.id, 0)
    ck.penalty(
        "excess_minutes",
        w.excess_minutes,
        max(0, total - p.min_minutes),
        f"{p.id} attends {hours(total)}, {total - p.min_minutes} min above min_hours {p.min_hours:g}",
        p.id,
    )


def preferred_missed(ck: Checker, p: Patient) -> None:
    """A slot a patient attends that is not one of their preferred slots (if they list any)."""
    w = ck.inst.weights
    sessions = ck.patient_sessions.get(p.id, [])
    if p.preferred:
        for slot in sorted({s.slot for s in sessions} - set(p.preferred), key=ck.idx.slots.index):
            ck.penalty(
                "preferred_missed",
                w.preferred_missed,
                1,
                f"{p.id} attends {slot}, not a preferred slot",
                p.id,
                slot,
            )


def primary_not_leading(ck: Checker, p: Patient) -> None:
    """A patient's given primary counselor leads none of their groups."""
    w = ck.inst.weights
    sessions = ck.patient_sessions.get(p.id, [])
    if p.primary_counselor is not None and not any(
        p.primary_counselor in s.counselors for s in sessions
    ):
        ck.penalty(
            "primary_not_leading",
            w.primary_not_leading,
            1,
            f"{p.id}'s primary counselor {p.primary_counselor} leads none of their groups",
            p.id,
            p.primary_counselor,
        )


def shortfall_terms(ck: Checker) -> None:
    """A best-effort schedule's shortfalls: units short of a patient-side floor."""
    w = ck.inst.weights
    for (pid, rule, row), (needed, got, units) in ck.found_short.items():
        term = SHORTFALL_TERM[rule]
        what = rule if row is None else f"requirements[{row}]"
        ck.penalty(
            term,
            getattr(w, term),
            units,
            f"{pid} falls short of {what}: {got:g} of {needed:g}",
            pid,
        )


def load_imbalance_minutes(ck: Checker) -> None:
    """In each balance group, the minutes the busiest leader leads above the least busy."""
    w = ck.inst.weights
    for _, leaders in ck.idx.balance_groups():
        if len(leaders) < 2:
            continue
        load = {c.id: ck.counselor_minutes.get(c.id, 0) for c in leaders}
        most = max(load, key=lambda c: (load[c], c))
        least = min(load, key=lambda c: (load[c], c))
        ck.penalty(
            "load_imbalance_minutes",
            w.load_imbalance_minutes,
            load[most] - load[least],
            f"{most} leads {hours(load[most])} of groups, {least} {hours(load[least])}",
            most,
            least,
        )


def topic_repeat(ck: Checker) -> None:
    """A patient hears a topic again, outside a strict curriculum."""
    w = ck.inst.weights
    for r in topic_repeats(ck):
        if not r.strict:
            ck.penalty("topic_repeat", w.topic_repeat, 1, r.message, r.patient, r.session.id)


def individual_extra_trip(ck: Checker) -> None:
    """An appointment not next to the block the patient attends that day."""
    w = ck.inst.weights
    for b in ck.bookings:
        attended = ck.attended(b.patient, b.time.day)
        # No attended block that day is an appointment_day violation, not a trip.
        if attended and not any(ck.idx.next_to(b.time, slot) for slot in attended):
            ck.penalty(
                "individual_extra_trip",
                w.individual_extra_trip,
                1,
                f"{b.patient}'s {b.kind} at {b.time.label} is not within "
                f"{ck.inst.individual.adjacent_minutes} min of their block {attended[0]}",
                b.patient,
                b.time.day,
            )


def caseload_imbalance(ck: Checker) -> None:
    """In each caseload group, the patients the fullest caseload has above the emptiest."""
    w = ck.inst.weights
    load = caseload(ck)
    for _, candidates in ck.idx.caseload_groups():
        if len(candidates) < 2:
            continue
        cases = {c.id: load[c.id] for c in candidates}
        most = max(cases, key=lambda c: (cases[c], c))
        least = min(cases, key=lambda c: (cases[c], c))
        ck.penalty(
            "caseload_imbalance",
            w.caseload_imbalance,
            cases[most] - cases[least],
            f"{most} has a caseload of {cases[most]} patients, {least} {cases[least]}",
            most,
            least,
        )
