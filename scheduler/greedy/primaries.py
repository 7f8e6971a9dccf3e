"""Primary counselors: who holds a patient's individual sessions, and the one given
to each patient who has none, before any day is chosen."""

from __future__ import annotations

from collections import defaultdict

from models import Patient
from scheduler.greedy.pencil import Claims


def assign_primaries(claims: Claims) -> None:
    """A primary counselor for each patient without one, before any day is chosen: the
    one whose diary has most room left on the patient's possible days (given patients'
    sessions counted), then the smallest caseload. The choice may change later if that
    counselor cannot see the patient after all."""
    idx = claims.idx
    demand: dict[str, int] = defaultdict(int)
    for p in claims.prog.inst.patients:
        if p.primary_counselor is not None:
            demand[p.primary_counselor] += idx.individual_per_week(p)
    supply = {
        c.id: sum(1 for t in idx.appointment_times if t.slot in claims.prog.staff_available[c.id])
        for c in idx.primary_candidates
    }
    for p in sorted(idx.unassigned, key=lambda p: (-idx.individual_per_week(p), p.id)):
        need = idx.individual_per_week(p)
        able = [
            c
            for c in idx.primary_candidates
            if (c.max_caseload is None or claims.caseload[c.id] < c.max_caseload)
            and (c.max_individual is None or demand[c.id] + need <= c.max_individual)
        ]
        days = {c.id: claims.days_meeting(p, c.id) for c in able}
        fitting = [c for c in able if days[c.id] >= need] or able
        if not fitting:
            continue
        best = max(
            fitting,
            key=lambda c: (supply[c.id] - demand[c.id], -claims.caseload[c.id], c.id),
        )
        claims.primary[p.id] = best.id
        claims.caseload[best.id] += 1
        demand[best.id] += need


def counselors_for(claims: Claims, p: Patient) -> list[str]:
    """Who can hold the patient's individual sessions: their primary counselor, or
    (without one) the one assigned, then every other counselor or clinician with room,
    the smallest caseload first."""
    need = claims.idx.individual_per_week(p)

    def room(cid: str) -> bool:
        cap = claims.idx.counselor[cid].max_individual
        return cap is None or claims.individual[cid] + need <= cap

    if p.primary_counselor is not None:
        return [p.primary_counselor] if room(p.primary_counselor) else []
    mine = claims.primary.get(p.id)
    able = [
        c.id
        for c in claims.idx.primary_candidates
        if c.id != mine
        and (c.max_caseload is None or claims.caseload[c.id] < c.max_caseload)
        and room(c.id)
    ]
    able.sort(key=lambda cid: (claims.caseload[cid], cid))
    return ([mine] if mine is not None and room(mine) else []) + able


def reassign(claims: Claims, p: Patient, cid: str) -> None:
    """Make ``cid`` the primary counselor assigned to the patient, moving the caseload."""
    old = claims.primary.get(p.id)
    if old != cid:
        if old is not None:
            claims.caseload[old] -= 1
        claims.primary[p.id] = cid
        claims.caseload[cid] += 1
