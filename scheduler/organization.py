"""Multi-site organizations as programs: each site's own instance, and the merge back.

Sites share nothing but the staff who may work at several of them (floaters), and
a counselor works at one site a day. So the floaters' days are divided among their
sites first (``floater_days``); each site then is an ordinary program with its own
patients, rooms and staff (a floater only on their days there, with a share of
their weekly limits), solved on its own, and the site schedules are merged.

Every term of the objective adds up over sites (load and caseload balance are
measured per site, among the staff who work only there), so the merged
objective is the sum of the sites'. Without floaters the sum of the sites'
bounds is a bound of the whole and ``optimal`` means optimal; with floaters the
bound holds for the chosen floater days only, and the status is at best
``feasible``.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from ortools.graph.python import max_flow

from models import Counselor, Instance, ProgramIndex, Schedule
from models.pins import Pin
from models.schedule import Status


def spans_sites(instance: Instance) -> bool:
    """Whether the instance is solved site by site: it lists sites and is not already one
    site's own program (patients and rooms all at one site, every counselor free to work
    there), as ``site_instances`` makes them."""
    if not instance.sites:
        return False
    here = {p.site for p in instance.patients} | {r.site for r in instance.rooms}
    if len(here) != 1:
        return len(here) > 1
    (site,) = here
    return any(c.sites is not None and site not in c.sites for c in instance.counselors)


def floaters(idx: ProgramIndex) -> list[Counselor]:
    """Staff who may work at more than one site that has patients."""
    busy = {s for s in idx.sites if idx.patients_at(s)}
    return [c for c in idx.instance.counselors if len(set(idx.sites_of(c)) & busy) > 1]


def floater_days(
    idx: ProgramIndex, keep: Mapping[tuple[str, str], str] | None = None
) -> dict[tuple[str, str], str]:
    """(floater, day) -> the site they work at that day.

    ``keep``: (floater, day) -> the site they worked at last week; the plans that keep
    most of those days come first (a week solved against last week's stays like it).

    For each floater, every way of giving their days to their sites is tried (at most
    a few hundred: five days, two or three sites), and the best kept: first, each of
    their own patients (as primary counselor) can have their individual sessions on
    their days at the patient's site, with enough appointment times; then, each site
    gets a day; then need, patients available that day per counselor already there.
    """
    staff: dict[tuple[str, str], float] = defaultdict(float)  # (site, day) -> counselors
    demand: dict[tuple[str, str], int] = defaultdict(int)  # (site, day) -> patients
    for p in idx.instance.patients:
        for day in {idx.day_of[s] for s in p.available if s in idx.day_of}:
            demand[(p.site or "", day)] += 1
    moving = floaters(idx)
    moving_ids = {c.id for c in moving}
    for c in idx.instance.counselors:
        if c.id not in moving_ids:
            for day in _days(idx, c):
                for site in idx.sites_of(c):
                    staff[(site, day)] += 1

    chosen: dict[tuple[str, str], str] = {}
    for c in moving:
        days = _days(idx, c)
        sites = [s for s in idx.sites_of(c) if idx.patients_at(s)]
        own = _own_patients(idx, c)

        def score(
            plan: tuple[str, ...],
            days: list[str] = days,
            own: dict[str, list[tuple[int, Times]]] = own,
            cid: str = c.id,
        ) -> tuple[int, int, int, float]:
            at = dict(zip(days, plan))
            kept = sum(1 for d, s in at.items() if (keep or {}).get((cid, d)) == s)
            covered = sum(_can_see(own[s], [d for d in days if at[d] == s]) for s in own)
            present = len(set(plan))
            need = sum(demand[(s, d)] / (1 + staff[(s, d)]) for d, s in at.items())
            return kept, covered, present, need

        must = pinned_days(idx, c)
        plans = itertools.islice(
            (
                plan
                for plan in itertools.product(sites, repeat=len(days))
                if all(must.get(d, s) == s for d, s in zip(days, plan))
            ),
            5000,
        )
        best = max(plans, key=score, default=())
        for day, site in zip(days, best):
            chosen[(c.id, day)] = site
            staff[(site, day)] += 1
    return chosen


def pin_site(idx: ProgramIndex, pin: Pin) -> str | None:
    """The site a pin belongs to: its room's, else its (first) patient's."""
    if pin.room is not None:
        return idx.site_of_room(pin.room)
    patient = pin.patient or next(iter(pin.patients), None)
    return None if patient is None else idx.site_of_patient(patient)


def pinned_days(idx: ProgramIndex, c: Counselor) -> dict[str, str]:
    """Day -> the site a pin puts the counselor at that day (a session they lead, an
    appointment they hold)."""
    days: dict[str, str] = {}
    for pin in idx.instance.pins:
        site = pin_site(idx, pin)
        if site is None or c.id not in (*pin.counselors, pin.counselor):
            continue
        day = pin.day or (idx.day_of.get(pin.slot) if pin.slot else None)
        if day is not None:
            days.setdefault(day, site)
    return days


Times = set[tuple[str, int]]  # appointment times, by key (day, index)


def _own_patients(idx: ProgramIndex, c: Counselor) -> dict[str, list[tuple[int, Times]]]:
    """Site -> the counselor's patients there needing individual sessions: (how many, the
    appointment times they could come to with the counselor in)."""
    own: dict[str, list[tuple[int, Times]]] = defaultdict(list)
    for p in idx.instance.patients:
        n = idx.individual_per_week(p)
        if p.primary_counselor != c.id or not n or p.site is None:
            continue
        times = {t.key for t in idx.appointment_times_for(p) if t.slot in c.available}
        own[p.site].append((n, times))
    return own


def _can_see(patients: list[tuple[int, Times]], days: list[str]) -> bool:
    """Whether the counselor, on ``days``, can see each patient as often as they need, on
    different days, one patient per appointment time: a maximum flow, patient -> (patient,
    day) -> time, saturates every patient's need."""
    on = set(days)
    capacity: dict[tuple[object, object], int] = {}  # arc -> capacity, each arc once
    for i, (n, times) in enumerate(patients):
        capacity[("source", i)] = n
        for day, k in times:
            if day in on:
                capacity[(i, (i, day))] = 1
                capacity[((i, day), (day, k))] = 1
                capacity[((day, k), "sink")] = 1
    need = sum(n for n, _ in patients)
    nodes: dict[object, int] = {}
    flow = max_flow.SimpleMaxFlow()
    for (tail, head), cap in capacity.items():
        flow.add_arc_with_capacity(
            nodes.setdefault(tail, len(nodes)), nodes.setdefault(head, len(nodes)), cap
        )
    if "sink" not in nodes:  # no time at all on these days
        return need == 0
    if flow.solve(nodes["source"], nodes["sink"]) != flow.OPTIMAL:
        raise RuntimeError("internal error: max flow failed on a small graph")
    return flow.optimal_flow() == need


def _days(idx: ProgramIndex, c: Counselor) -> list[str]:
    """The days a counselor is available at all, in week order."""
    on = {idx.day_of[s] for s in c.available if s in idx.day_of}
    return [d for d in idx.instance.days if d in on]


def site_instances(instance: Instance, previous: Schedule | None = None) -> dict[str, Instance]:
    """One ordinary instance per site with patients, named ``NAME@SITE``.

    With ``previous`` (last week's schedule) the floaters keep last week's days at each
    site where they can (``floater_days``), and each site's share of their max_hours
    starts from the hours they led there (when those fit the limit), so that last week's
    schedule fits this week's unchanged organization.
    """
    idx = ProgramIndex(instance)
    keep, led = _worked(instance, previous) if previous is not None else ({}, {})
    days_at = floater_days(idx, keep)
    moving = {c.id for c in floaters(idx)}
    out: dict[str, Instance] = {}
    for site in idx.sites:
        patients = idx.patients_at(site)
        if not patients:
            continue
        here = {p.id for p in patients}
        staff = []
        for c in idx.counselors_for(site):
            if c.id in moving:
                c = _share(idx, c, site, days_at, led)
            staff.append(c)
        out[site] = instance.model_copy(
            update={
                "name": f"{instance.name}@{site}",
                "patients": [
                    p.model_copy(update={"avoid": [a for a in p.avoid if a in here]})
                    for p in patients
                ],
                "counselors": staff,
                "rooms": idx.rooms_at(site),
                "together": idx.together_at(site),
                "pins": [pin for pin in instance.pins if pin_site(idx, pin) == site],
            }
        )
    return out


def _worked(
    instance: Instance, previous: Schedule
) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], int]]:
    """From ``previous``: (counselor, day) -> the site they worked at (by their sessions'
    rooms and their appointments' patients), and (counselor, site) -> group minutes led."""
    room_site = {r.id: r.site for r in instance.rooms if r.site is not None}
    patient_site = {p.id: p.site for p in instance.patients if p.site is not None}
    days: dict[tuple[str, str], str] = {}
    led: dict[tuple[str, str], int] = defaultdict(int)
    for s in previous.sessions:
        if s.room in room_site:
            for cid in s.counselors:
                days[(cid, s.day)] = room_site[s.room]
                led[(cid, room_site[s.room])] += s.minutes
    for a in [*previous.individual_sessions, *previous.medication_appointments]:
        if a.patient in patient_site:
            days[(a.counselor, a.day)] = patient_site[a.patient]
    return days, dict(led)


def _share(
    idx: ProgramIndex,
    c: Counselor,
    site: str,
    days_at: dict[tuple[str, str], str],
    led: Mapping[tuple[str, str], int] | None = None,
) -> Counselor:
    """A floater as seen by one site: available only on their days there. Weekly limits
    are shared so that they never add up to more than the limit: each site first gets
    what the floater's own patients there need (individual sessions, caseload), and the
    rest in proportion to the days."""
    days = _days(idx, c)
    mine = [d for d in days if days_at.get((c.id, d)) == site]
    share = len(mine) / len(days) if days else 0.0
    sites = [s for s in idx.sites_of(c) if idx.patients_at(s)]
    own = {s: [p for p in idx.patients_at(s) if p.primary_counselor == c.id] for s in sites}
    sessions = {s: sum(idx.individual_per_week(p) for p in own[s]) for s in sites}
    caseload = {s: len(own[s]) for s in sites}

    used = {s: (led or {}).get((c.id, s), 0) / 60 for s in sites}  # hours led last week

    def hours(limit: float | None) -> float | None:
        if limit is None:
            return None
        if sum(used.values()) > limit:
            used.update(dict.fromkeys(used, 0.0))  # last week does not fit: shares alone
        rest = limit - sum(used.values())
        return used[site] + math.floor(rest * share * 4) / 4

    def count(limit: int | None, base: dict[str, int]) -> int | None:
        if limit is None:
            return None
        rest = max(0, limit - sum(base.values()))
        return base[site] + math.floor(rest * share)

    return c.model_copy(
        update={
            "available": [s for s in c.available if idx.day_of.get(s) in mine],
            "max_hours": hours(c.max_hours),
            "max_individual": count(c.max_individual, sessions),
            "max_caseload": count(c.max_caseload, caseload),
        }
    )


def merge(instance: Instance, parts: dict[str, Schedule], has_floaters: bool) -> Schedule:
    """The organization's schedule from the sites' schedules (all of which were found)."""
    sessions = ProgramIndex(instance).in_week_order(
        s for sched in parts.values() for s in sched.sessions
    )
    terms: dict[str, int] = defaultdict(int)
    for sched in parts.values():
        for name, value in sched.objective_terms.items():
            terms[name] += value
    objective = sum(terms.values())
    # Every term is a count or a spread, so 0 bounds each site (CP-SAT's early bounds can
    # be negative before presolve tightens excess_minutes).
    bound = sum(max(0.0, sched.best_bound or 0.0) for sched in parts.values())
    gap = max(0.0, (objective - bound) / max(abs(objective), 1e-9))
    proven = all(s.status == "optimal" for s in parts.values()) and not has_floaters
    status: Status = "optimal" if proven and gap < 1e-9 else "feasible"
    return Schedule(
        instance=instance.name,
        status=status,
        objective=objective,
        best_bound=bound,
        gap=0.0 if status == "optimal" else gap,
        objective_terms=dict(terms),
        sessions=sessions,
        individual_sessions=[a for s in parts.values() for a in s.individual_sessions],
        medication_appointments=[a for s in parts.values() for a in s.medication_appointments],
        screens=[x for s in parts.values() for x in s.screens],
        best_effort=any(s.best_effort for s in parts.values()),
        shortfalls=[x for s in parts.values() for x in s.shortfalls],
        primary_counselors={k: v for s in parts.values() for k, v in s.primary_counselors.items()},
    )


def split_schedule(instance: Instance, schedule: Schedule) -> dict[str, Schedule]:
    """An organization's schedule cut into its sites' parts (to start each site's search
    from, e.g. last week's): sessions go by their room's site, everything else by the
    patient's. Entries naming a room or patient the instance no longer has are dropped."""
    idx = ProgramIndex(instance)
    room_site = {r.id: r.site for r in instance.rooms if r.site is not None}
    patient_site = {p.id: p.site for p in instance.patients if p.site is not None}
    parts: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for session in schedule.sessions:
        if session.room in room_site:
            parts[room_site[session.room]]["sessions"].append(session)
    for field in ("individual_sessions", "medication_appointments", "screens", "shortfalls"):
        for entry in getattr(schedule, field):
            if entry.patient in patient_site:
                parts[patient_site[entry.patient]][field].append(entry)
    primaries: dict[str, dict[str, str]] = defaultdict(dict)
    for pid, cid in schedule.primary_counselors.items():
        if pid in patient_site:
            primaries[patient_site[pid]][pid] = cid
    return {
        site: Schedule(
            instance=f"{instance.name}@{site}",
            status=schedule.status,
            best_effort=schedule.best_effort,
            primary_counselors=primaries[site],
            **parts[site],
        )
        for site in idx.sites
        if site in parts or site in primaries
    }
