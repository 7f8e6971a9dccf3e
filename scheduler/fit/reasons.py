"""Why a patient fits nowhere as the week stands: the first things the free seats, times
and caseloads of the published week cannot give them, a line each."""

from __future__ import annotations

from scheduler.fit.frame import Frame, Option


def why_not(here: Frame) -> list[str]:
    """A line on the blocks with a free seat in every period, then a line per requirement
    row, appointment, screen or caseload the week leaves no room for."""
    idx, p = here.idx, here.patient
    slots = idx.patient_slots(p)
    open_blocks = [s for s in slots if all(_seats(here, s, q.index) for q in idx.periods_of[s])]
    lines = [
        f"{p.id}: {len(open_blocks)} of their {len(slots)} available blocks have a free seat "
        "they may take in every period"
        + (f" ({', '.join(open_blocks)})" if open_blocks else "")
        + f"; they need {p.min_days} days and {p.min_hours:g} h"
    ]
    for i, req in idx.requirements_of(p):
        most = sum(
            1
            for s in open_blocks
            for q in idx.periods_of[s]
            if any(
                idx.counts_for(req, idx.group_type[o.session.group_type])
                for o in _seats(here, s, q.index)
            )
        )
        if most < req.min_sessions:
            lines.append(
                f"{p.id}: requirements[{i}] asks for {req.min_sessions} sessions of "
                f"{req.target}; the free seats in those blocks give at most {most}"
            )
    if not here.primaries:
        lines.append(f"{p.id}: no primary counselor with room in their caseload")
    lines += _appointments(here)
    screens = idx.screens_per_week()
    room = [s for s in open_blocks if here.screens_left.get(s, 0) > 0]
    if screens and len(room) < screens:
        lines.append(
            f"{p.id}: {screens} screen(s) a week, but {len(room)} of those blocks have a "
            "screen free"
        )
    return lines


def _seats(here: Frame, slot: str, period: int) -> list[Option]:
    return [o for o in here.options if o.session.slot == slot and o.session.period == period]


def _appointments(here: Frame) -> list[str]:
    idx, p = here.idx, here.patient
    lines = []
    need = idx.individual_per_week(p)
    # Counselors with room for the patient's individual sessions (max_individual).
    room = [
        c
        for c in here.primaries
        if c.max_individual is None or here.individual_load[c.id] + need <= c.max_individual
    ]
    if need and here.primaries and not room:
        lines.append(
            f"{p.id}: {need} individual session(s), but no primary counselor has room for "
            "them under max_individual"
        )
    days = max(
        (len({t.day for t in here.times if (c.id, t.key) in here.free}) for c in room),
        default=0,
    )
    if need and room and days < need:
        lines.append(
            f"{p.id}: {need} individual session(s) on different days with one primary "
            f"counselor, but a primary counselor and an office are free together on at most "
            f"{days} of their days"
        )
    free = any((c.id, t.key) in here.free for t in here.times for c in here.prescribers)
    if idx.needs_medication(p) and not free:
        lines.append(f"{p.id}: medication management, but no prescriber and office are free")
    return lines
