"""Step 2, the diaries: every patient's individual sessions go into their counselor's
diary before any block is chosen (a matching by day, as a coordinator reshuffles a
diary), then the medication appointments with the prescribers."""

from __future__ import annotations

from models import Patient
from models.index import AppointmentTime
from scheduler.greedy.hints import Hints
from scheduler.greedy.lookups import Program
from scheduler.greedy.pencil import Claims
from scheduler.greedy.primaries import assign_primaries, counselors_for, reassign


def match_by_day(
    needs: dict[str, int],
    options: dict[str, list[tuple[str, AppointmentTime]]],
    later: frozenset[str] | set[str] = frozenset(),
) -> dict[str, list[tuple[str, AppointmentTime]]]:
    """Give each patient up to ``needs`` of their ``options`` ((counselor, time), best
    first): each counselor's time to one patient, a patient's times on different days. By
    augmenting paths: a patient placed earlier moves to another of their times when that
    lets one more in (a maximum matching, as a coordinator reshuffles a diary); once in,
    a patient stays in, so those in ``later`` (who could go elsewhere) come last."""
    owner: dict[tuple[str, str, int], str] = {}
    got: dict[str, list[tuple[str, AppointmentTime]]] = {pid: [] for pid in needs}
    moving: set[str] = set()  # patients on the current path: each moves once

    def place(pid: str, seen: set[tuple[str, str, int]]) -> bool:
        days = {t.day for _, t in got[pid]}
        staff = {cid for cid, _ in got[pid]}  # all of a patient's sessions with one counselor
        moving.add(pid)
        try:
            for cid, t in options[pid]:
                key = (cid, t.day, t.index)
                if key in seen or t.day in days or (staff and cid not in staff):
                    continue
                seen.add(key)
                holder = owner.get(key)
                if holder is not None:
                    if holder in moving:
                        continue
                    got[holder].remove((cid, t))
                    if not place(holder, seen):
                        got[holder].append((cid, t))
                        continue
                owner[key] = pid
                got[pid].append((cid, t))
                return True
            return False
        finally:
            moving.discard(pid)

    def place_all(pid: str) -> bool:
        return all(place(pid, set()) for _ in range(needs[pid] - len(got[pid])))

    for pid in sorted(needs, key=lambda pid: (pid in later, len(options[pid]) - needs[pid], pid)):
        every = options[pid]
        staff = list(dict.fromkeys(cid for cid, _ in every))
        if len(staff) == 1 or needs[pid] == 1:
            place_all(pid)
            continue
        # Several sessions with one counselor still to choose: try each counselor in turn.
        for cid in staff:
            options[pid] = [(c, t) for c, t in every if c == cid]
            if place_all(pid):
                break
            for c, t in got[pid]:
                del owner[(c, t.day, t.index)]
            got[pid] = []
        options[pid] = every
    return got


def open_diaries(
    prog: Program,
    attend: dict[str, list[str]],
    hints: Hints,
    ideal: dict[str, list[str]] | None = None,
) -> Claims:
    """The pencil, with a primary counselor for each patient without one. With ``ideal``
    (each patient's blocks chosen for cohorts alone) the diaries are planned first, on
    those days where they can be."""
    claims = Claims(prog, attend, hints, ideal)
    assign_primaries(claims)
    if ideal is not None:
        _plan_diaries(claims)
    return claims


def _plan_diaries(claims: Claims) -> None:
    """Book every patient's individual sessions into their counselor's diary first (a
    maximum matching per counselor: one patient a time, a patient's sessions on
    different days), the tightest diaries first; then the medication appointments.
    Each patient's blocks are then chosen around these days."""
    idx = claims.idx
    needs: dict[str, int] = {}
    options: dict[str, list[tuple[str, AppointmentTime]]] = {}
    for p in claims.prog.inst.patients:
        if idx.individual_per_week(p):
            needs[p.id] = idx.individual_per_week(p)
            # Without a primary counselor: the one assigned first, then the others who
            # work on enough of the patient's days.
            staff = counselors_for(claims, p)
            if p.primary_counselor is None:
                need = needs[p.id]
                staff = [c for c in staff if claims.days_meeting(p, c) >= need]
            options[p.id] = _diary_options(claims, p, staff)
    unassigned = {p.id for p in idx.unassigned}
    for pid, times in match_by_day(needs, options, unassigned).items():
        if len(times) < needs[pid]:
            continue  # chosen later, with the blocks
        cid = times[0][0]
        cap = idx.counselor[cid].max_individual
        if cap is not None and claims.individual[cid] + len(times) > cap:
            continue
        if any(claims.office_load[t.key] >= claims.offices_open[t.key] for _, t in times):
            continue
        for _, t in times:
            claims.claim(pid, "individual", cid, t, planned=True)
        claims.individual[cid] += len(times)
        if pid in unassigned:
            reassign(claims, idx.patient[pid], cid)
    for p in idx.unassigned:
        _plan_elsewhere(claims, p)
    _plan_medication(claims)


def _plan_elsewhere(claims: Claims, p: Patient) -> None:
    """A patient without a primary counselor whose assigned one has no room: the first
    counselor with free times on enough days of theirs becomes theirs."""
    need = claims.idx.individual_per_week(p)
    if not need or any(c.kind == "individual" for c in claims.of_patient.get(p.id, [])):
        return
    for cid in counselors_for(claims, p):
        picks: list[AppointmentTime] = []
        for _, t in _diary_options(claims, p, [cid]):
            if len(picks) < need and claims.free(cid, t) and all(t.day != q.day for q in picks):
                picks.append(t)
        if len(picks) == need:
            for t in picks:
                claims.claim(p.id, "individual", cid, t, planned=True)
            claims.individual[cid] += need
            reassign(claims, p, cid)
            return


def _plan_medication(claims: Claims) -> None:
    """Each medication appointment with a prescriber (a matching by day), at times not given
    away already, while offices are left."""
    idx = claims.idx
    prescribers = [c.id for c in idx.prescribers]
    patients = [p for p in claims.prog.inst.patients if idx.needs_medication(p)]
    # Not at a time the prescriber already gives to an individual session (a prescriber
    # may also be a primary counselor).
    options = {
        p.id: [(c, t) for c, t in _diary_options(claims, p, prescribers) if claims.free(c, t)]
        for p in patients
    }
    for pid, times in match_by_day({p.id: 1 for p in patients}, options).items():
        for cid, t in times:
            if claims.office_load[t.key] < claims.offices_open[t.key]:
                claims.claim(pid, "medication", cid, t, planned=True)
                claims.prescribed[cid] += 1


def _diary_options(
    claims: Claims, p: Patient, staff: list[str]
) -> list[tuple[str, AppointmentTime]]:
    """(counselor, time) the patient could come to, best first: right next to a block
    they could attend, at a time fewer others need, on a day many of their stage can
    come, in an emptier office; then in the order of ``staff``."""
    idx = claims.idx
    avail = claims.prog.patient_available[p.id] - claims.hints.keep_out.get(p.id, set())
    own = {c.time.key for c in claims.of_patient.get(p.id, [])}
    own_days = {c.time.day for c in claims.of_patient.get(p.id, [])}
    ideal = claims.ideal_days.get(p.id, set())
    ranked = []
    for t in idx.appointment_times:
        if t.slot not in avail or t.key in own:
            continue
        if claims.office_load[t.key] >= claims.offices_open[t.key]:
            continue
        blocks = [s for s in idx.day_slots(t.day) if s in avail]
        blocks = [s for s in blocks if s not in claims.prog.clashing[t.key]]
        if not blocks:
            continue
        near = [s for s in blocks if claims.prog.next_to(t, s)]
        popular = max(claims.prog.stage_available[(p.stage, s)] for s in near or blocks)
        for n, cid in enumerate(staff):
            if t.slot in claims.prog.staff_available[cid]:
                rank = (
                    t.day not in own_days,  # medication on a day they come anyway
                    t.day not in ideal,  # a day their cohort comes
                    not near,
                    round(claims.pressure[t.key], 1),
                    -popular,
                    claims.office_load[t.key],
                    claims.prog.day_rank[t.day],
                    t.start,
                    n,
                )
                ranked.append((rank, cid, t))
    ranked.sort(key=lambda r: r[0])
    return [(cid, t) for _, cid, t in ranked]
