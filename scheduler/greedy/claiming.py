"""Pencilling in a patient's individual sessions and medication appointment on the
days their blocks are chosen, moving other patients' times when that frees one."""

from __future__ import annotations

from models import Patient
from models.index import AppointmentTime
from scheduler.greedy.pencil import Claim, Claims
from scheduler.greedy.primaries import counselors_for, reassign

RESHUFFLE_COST = 1000.0  # a day whose appointment times others have pencilled in


def reach_on(
    claims: Claims, p: Patient, slot: str, primaries: list[str]
) -> tuple[bool, bool, float]:
    """Attending ``slot``: (the primary counselor works at one of the patient's times
    that day, a prescriber does, the cost of that day for the appointments: an extra
    trip, or a time other patients must be moved from)."""
    times = claims.times_near(p, slot)
    staff = claims.prog.staff_available
    ind = [t for t in times if any(t.slot in staff[cid] for cid in primaries)]
    ind_free = [t for t in ind if any(claims.free(cid, t) for cid in primaries)]
    prescribers = [c.id for c in claims.idx.prescribers]
    rx = any(t.slot in staff[cid] for t in times for cid in prescribers)
    rx_free = any(claims.free(cid, t) for t in times for cid in prescribers)
    # Only appointments not pencilled in yet make a day dearer.
    kinds = [c.kind for c in claims.of_patient.get(p.id, [])]
    cost = 0.0
    if claims.idx.individual_per_week(p) > kinds.count("individual") and ind:
        if not claims.prog.next_to((ind_free or ind)[0], slot):
            cost += claims.prog.inst.weights.individual_extra_trip
        if not ind_free:
            cost += RESHUFFLE_COST
    if claims.idx.needs_medication(p) and "medication" not in kinds and rx and not rx_free:
        cost += RESHUFFLE_COST
    return bool(ind), rx, cost


def claim_for(claims: Claims, p: Patient, slots: list[str], primaries: list[str]) -> None:
    """Pencil in the patient's appointments on the days chosen (as far as they fit),
    with the first of ``primaries`` who can take them."""
    need = claims.idx.individual_per_week(p)
    mine = claims.of_patient.get(p.id, [])
    if sum(1 for c in mine if c.kind == "individual") >= need:
        need = 0
    else:
        claims.release(p, kind="individual")
    others = [cid for cid in counselors_for(claims, p) if cid not in primaries]
    for n, cid in enumerate(primaries + others if need else []):
        held = [
            claims.claim(p.id, "individual", cid, t)
            for t in _best_days(claims, p, slots, cid, need)
        ]
        if len(held) < need and n < 3:  # reshuffle for the likeliest counselors only
            held += _days_made_free(claims, p, slots, cid, need - len(held))
        if len(held) < need:
            for c in held:
                claims.unclaim(p.id, c)
            continue
        claims.individual[cid] += need
        if p.primary_counselor is None:
            reassign(claims, p, cid)
        break
    mine = claims.of_patient.get(p.id, [])
    if claims.idx.needs_medication(p) and not any(c.kind == "medication" for c in mine):
        _claim_medication(claims, p, slots)


def _best_days(
    claims: Claims, p: Patient, slots: list[str], cid: str, need: int
) -> list[AppointmentTime]:
    """Up to ``need`` of the counselor's free times, one per chosen day: right next to the
    block and in an emptier office first, then the earlier days."""
    best_per_day = []
    for slot in slots:
        free = [t for t in claims.times_near(p, slot) if claims.free(cid, t)]
        if free:
            t = min(
                free,
                key=lambda t: (
                    not claims.prog.next_to(t, slot),
                    claims.office_load[t.key],
                    t.start,
                ),
            )
            best_per_day.append(((not claims.prog.next_to(t, slot), claims.office_load[t.key]), t))
    best_per_day.sort(key=lambda kt: (kt[0], claims.prog.day_rank[kt[1].day]))
    return [t for _, t in best_per_day[:need]]


def _days_made_free(
    claims: Claims, p: Patient, slots: list[str], cid: str, missing: int
) -> list[Claim]:
    """Pencil in times on more of the patient's days, freed by moving other patients."""
    made: list[Claim] = []
    claims.pinned.add(p.id)  # the patient's own times stay put meanwhile
    for slot in slots:
        if len(made) == missing:
            break
        day = claims.idx.day_of[slot]
        mine = claims.of_patient[p.id]
        if any(c.time.day == day and c.kind == "individual" for c in mine):
            continue
        taken = {c.time.key for c in mine}
        for t in claims.times_near(p, slot):
            if t.key not in taken and make_free(claims, cid, t):
                made.append(claims.claim(p.id, "individual", cid, t))
                break
    claims.pinned.discard(p.id)
    return made


def _claim_medication(claims: Claims, p: Patient, slots: list[str]) -> None:
    """Pencil in the medication appointment on a chosen day: next to the block, with the
    prescriber who has fewest, in the emptiest office, earliest; or at a time a move frees."""
    mine = {c.time.key for c in claims.of_patient[p.id]}
    best: tuple[tuple[bool, int, int, int, int], str, AppointmentTime] | None = None
    for slot in slots:
        for t in claims.times_near(p, slot):
            if t.key in mine:
                continue
            for c in claims.idx.prescribers:
                if not claims.free(c.id, t):
                    continue
                key = (
                    not claims.prog.next_to(t, slot),
                    claims.prescribed[c.id],
                    claims.office_load[t.key],
                    claims.prog.day_rank[t.day],
                    t.start,
                )
                if best is None or key < best[0]:
                    best = (key, c.id, t)
    if best is None:
        best = _medication_made_free(claims, p, slots, mine)
    if best is not None:
        claims.claim(p.id, "medication", best[1], best[2])
        claims.prescribed[best[1]] += 1


def _medication_made_free(
    claims: Claims, p: Patient, slots: list[str], mine: set[tuple[str, int]]
) -> tuple[tuple[bool, int, int, int, int], str, AppointmentTime] | None:
    """A time on a chosen day at which a prescriber (fewest appointments first) is freed by
    moving other patients."""
    for slot in slots:
        for t in claims.times_near(p, slot):
            if t.key in mine:
                continue
            for c in sorted(claims.idx.prescribers, key=lambda c: (claims.prescribed[c.id], c.id)):
                if make_free(claims, c.id, t):
                    return ((False, 0, 0, 0, 0), c.id, t)
    return None


def make_free(claims: Claims, cid: str, t: AppointmentTime, depth: int = 3) -> bool:
    """Free ``cid`` at ``t`` (and an office) by moving pencilled-in patients to other
    times of theirs, as a coordinator reshuffles a diary; False if it cannot."""
    if t.slot not in claims.prog.staff_available[cid]:
        return False
    holder = claims.holder.get((cid, t.day, t.index))
    if holder is not None and not _move_elsewhere(claims, holder, cid, t, depth, {t.key}):
        return False
    if claims.office_load[t.key] < claims.offices_open[t.key]:
        return True
    return any(
        _move_elsewhere(claims, pid, other, t, depth, {t.key})
        for (other, day, index), pid in sorted(claims.holder.items())
        if (day, index) == t.key and other != cid
    )


def _move_elsewhere(
    claims: Claims, pid: str, cid: str, t: AppointmentTime, depth: int, seen: set[tuple[str, int]]
) -> bool:
    """Move ``pid``'s appointment with ``cid`` at ``t`` to another of their times."""
    if depth <= 0 or pid in claims.pinned:
        return False
    claim = next(c for c in claims.of_patient[pid] if c.counselor == cid and c.time.key == t.key)
    p = claims.idx.patient[pid]
    others = [c for c in claims.of_patient[pid] if c is not claim]
    busy_keys = {c.time.key for c in others}
    busy_days = {c.time.day for c in others if c.kind == claim.kind == "individual"}
    options = [
        alt
        for slot in claims.attend.get(pid, [])
        for alt in claims.times_near(p, slot)
        if alt.key not in seen
        and alt.key not in busy_keys
        and alt.day not in busy_days
        and alt.slot in claims.prog.staff_available[cid]
    ]
    for alt in options:  # a free time first
        if claims.free(cid, alt):
            claims.reclaim(pid, claim, alt)
            return True
    for alt in options:  # then one that another move frees
        holder = claims.holder.get((cid, alt.day, alt.index))
        if holder is None or claims.office_load[alt.key] >= claims.offices_open[alt.key]:
            continue
        if _move_elsewhere(claims, holder, cid, alt, depth - 1, seen | {alt.key}):
            claims.reclaim(pid, claim, alt)
            return True
    return False
