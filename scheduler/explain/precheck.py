"""Fast checks that find why an instance cannot have a timetable, before any solve.

Pure Python. Each check is one function stating one necessary condition; a
:class:`Finding` names the rule, the entities and the reason in a coordinator's
words ("P017 is available only in tue.pm and thu.pm: 6.0 h possible, min_hours 9").
A finding proves the instance infeasible; no finding proves nothing (the
conflict may lie between several rules).

With sites, the checks about groups, rooms, prescribers and screens look at each
site on its own: a site's patients meet only in its rooms, with staff who may
work there.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from models import Counselor, GroupType, Instance, Patient, ProgramIndex, Room
from models.pins import Pin


@dataclass(frozen=True)
class Finding:
    """A reason the instance has no timetable."""

    rule: str
    message: str
    ids: tuple[str, ...]


Check = Callable[[ProgramIndex], list[Finding]]


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} h"


def _patients(n: int) -> str:
    return f"{n} patient" if n == 1 else f"{n} patients"


def _slots(slots: list[str]) -> str:
    return " and ".join(slots) if len(slots) <= 2 else ", ".join(slots)


def _programs(idx: ProgramIndex) -> list[tuple[str | None, list[Patient]]]:
    """What must work on its own: each site with its patients, or the whole instance."""
    if not idx.multi_site:
        return [(None, list(idx.instance.patients))]
    return [(site, idx.patients_at(site)) for site in idx.sites]


def _staff(idx: ProgramIndex, site: str | None) -> list[Counselor]:
    return list(idx.instance.counselors) if site is None else idx.counselors_for(site)


def _group_rooms(idx: ProgramIndex, site: str | None) -> list[Room]:
    return idx.group_rooms if site is None else idx.group_rooms_at(site)


def _at(site: str | None) -> str:
    return "" if site is None else f" at site {site}"


def _site_ids(site: str | None) -> tuple[str, ...]:
    return () if site is None else (site,)


def hours_possible(idx: ProgramIndex) -> list[Finding]:
    """A patient's available slots (one block a day) can hold min_hours."""
    found = []
    for p in idx.instance.patients:
        best: dict[str, int] = {}
        for slot in idx.patient_slots(p):
            day = idx.day_of[slot]
            best[day] = max(best.get(day, 0), idx.block_minutes(slot))
        possible = sum(best.values())
        if possible < p.min_minutes:
            where = _slots(idx.patient_slots(p)) if p.available else "no slot"
            found.append(
                Finding(
                    "hours_possible",
                    f"{p.id} is available only in {where}: {_hours(possible)} possible, "
                    f"min_hours {p.min_hours:g}",
                    (p.id,),
                )
            )
    return found


def days_possible(idx: ProgramIndex) -> list[Finding]:
    """A patient is available on at least min_days days."""
    found = []
    for p in idx.instance.patients:
        days = sorted({idx.day_of[s] for s in idx.patient_slots(p)}, key=idx.instance.days.index)
        if len(days) < p.min_days:
            found.append(
                Finding(
                    "days_possible",
                    f"{p.id} is available on {len(days)} days ({', '.join(days) or 'none'}), "
                    f"min_days {p.min_days}",
                    (p.id,),
                )
            )
    return found


def can_run_somewhere(idx: ProgramIndex, g: GroupType, counselors: list[Counselor]) -> bool:
    """Some slot has enough qualified staff (one with the required role) to run ``g``."""
    return any(can_run_in(idx, g, counselors, slot) for slot in idx.slots)


def can_run_in(idx: ProgramIndex, g: GroupType, counselors: list[Counselor], slot: str) -> bool:
    """Enough of ``counselors`` are qualified and available in ``slot`` to lead ``g`` (one
    with its required role)."""
    staff = [c for c in counselors if g.id in c.qualified and slot in c.available]
    return len(staff) >= g.staff_required and any(idx.has_role(c, g.requires_role) for c in staff)


def _needed_types(idx: ProgramIndex, patients: list[Patient]) -> dict[str, list[Patient]]:
    """Group type -> patients who need it: a requirement row names it with min_sessions > 0."""
    needed: dict[str, list[Patient]] = {}
    for p in patients:
        for _, req in idx.requirements_of(p):
            if req.group_type is not None and req.min_sessions > 0:
                needed.setdefault(req.group_type, []).append(p)
    return needed


def requirement_reachable(idx: ProgramIndex) -> list[Finding]:
    """A patient is eligible for some group type of every requirement row they must meet."""
    found = []
    for p in idx.instance.patients:
        for i, req in idx.requirements_of(p):
            if req.min_sessions == 0:
                continue
            types = [g for g in idx.instance.group_types if idx.counts_for(req, g)]
            if not any(idx.eligible(p, g) for g in types):
                found.append(
                    Finding(
                        "requirement_reachable",
                        f"{p.id} needs {req.min_sessions} sessions of {req.target} "
                        f"(requirements[{i}]) but is eligible for none",
                        (p.id, f"requirements[{i}]"),
                    )
                )
    return found


def staff_qualified(idx: ProgramIndex) -> list[Finding]:
    """A group type someone needs has enough qualified staff available together in some slot."""
    found = []
    for site, people in _programs(idx):
        for gid, patients in _needed_types(idx, people).items():
            g = idx.group_type[gid]
            if can_run_somewhere(idx, g, _staff(idx, site)):
                continue
            who = f"{g.staff_required} counselors" if g.staff_required > 1 else "nobody"
            role = f" (one a {g.requires_role})" if g.requires_role else ""
            there = "" if site is None else f" who can work at site {site}"
            found.append(
                Finding(
                    "staff_qualified",
                    f"{who} qualified for '{gid}'{role}{there} is available in any slot, "
                    f"and {_patients(len(patients))} {'needs' if len(patients) == 1 else 'need'} it",
                    (gid, *_site_ids(site)),
                )
            )
    return found


def room_big_enough(idx: ProgramIndex) -> list[Finding]:
    """Some group room seats a minimum-size group of every type someone needs."""
    found = []
    for site, people in _programs(idx):
        largest = max((r.capacity for r in _group_rooms(idx, site)), default=0)
        for gid in _needed_types(idx, people):
            g = idx.group_type[gid]
            seats = g.min_size * g.seats_per_patient
            if largest < seats:
                family = f" ({g.min_size} patients x {g.family_seats} seats)" if g.family else ""
                found.append(
                    Finding(
                        "room_big_enough",
                        f"the largest group room{_at(site)} seats {largest}, below min_size "
                        f"{g.min_size} of '{gid}'{family}",
                        (gid, *_site_ids(site)),
                    )
                )
    return found


def stage_large_enough(idx: ProgramIndex) -> list[Finding]:
    """A stage-matched type a stage needs has at least min_size eligible patients of it."""
    found = []
    for site, people in _programs(idx):
        for gid, patients in _needed_types(idx, people).items():
            g = idx.group_type[gid]
            if not g.stage_matched:
                continue
            for stage in sorted({p.stage for p in patients}, key=idx.stage_rank.__getitem__):
                peers = [p for p in people if p.stage == stage and idx.eligible(p, g)]
                if len(peers) < g.min_size:
                    found.append(
                        Finding(
                            "stage_large_enough",
                            f"stage '{stage}' has {_patients(len(peers))}{_at(site)} for "
                            f"'{gid}', which is stage-matched and needs at least {g.min_size}",
                            (stage, gid, *_site_ids(site)),
                        )
                    )
    return found


def stage_large_enough_for_kind(idx: ProgramIndex) -> list[Finding]:
    """A stage that needs sessions of a kind has enough patients for one of its types, when
    every type of that kind it may join is stage-matched."""
    found = []
    for (i, req), (site, people) in itertools.product(
        enumerate(idx.instance.requirements), _programs(idx)
    ):
        if req.kind is None or req.min_sessions == 0:
            continue
        stages = [req.stage] if req.stage is not None else idx.instance.stages
        for stage in stages:
            patients = [p for p in people if p.stage == stage]
            types = [
                g
                for g in idx.instance.group_types
                if g.kind == req.kind and any(idx.eligible(p, g) for p in patients)
            ]
            if not patients or not types or not all(g.stage_matched for g in types):
                continue
            peers = {g.id: sum(1 for p in patients if idx.eligible(p, g)) for g in types}
            if all(peers[g.id] < g.min_size for g in types):
                smallest = min(g.min_size for g in types)
                found.append(
                    Finding(
                        "stage_large_enough",
                        f"stage '{stage}' has {_patients(max(peers.values()))}{_at(site)} but "
                        f"{req.kind} groups need at least {smallest} when stage matched "
                        f"(requirements[{i}])",
                        (stage, f"requirements[{i}]", *_site_ids(site)),
                    )
                )
    return found


def individual_time(idx: ProgramIndex) -> list[Finding]:
    """A patient who needs individual sessions shares enough times and days with their given
    primary counselor."""
    found = []
    for p in idx.instance.patients:
        per_week = idx.individual_per_week(p)
        if not per_week or p.primary_counselor is None:
            continue
        c = idx.counselor[p.primary_counselor]
        days = {t.day for t in idx.appointment_times_for(p) if t.slot in c.available}
        if len(days) < per_week:
            found.append(
                Finding(
                    "individual_time",
                    f"{p.id} needs {per_week} individual sessions on different days but can "
                    f"meet their primary counselor {c.id} at individual times on "
                    f"{len(days)} day{'' if len(days) == 1 else 's'}",
                    (p.id, c.id),
                )
            )
    return found


def prescriber_time(idx: ProgramIndex) -> list[Finding]:
    """A patient on medication management can meet some prescriber at an individual time."""
    found = []
    for p in idx.instance.patients:
        if not idx.needs_medication(p):
            continue
        times = idx.appointment_times_for(p)
        prescribers = [c for c in idx.prescribers if idx.works_at(c, p.site)]
        if not any(t.slot in c.available for c in prescribers for t in times):
            there = "" if p.site is None else f" who can work at their site {p.site}"
            found.append(
                Finding(
                    "prescriber_time",
                    f"{p.id} needs medication management but no prescriber{there} is "
                    f"available at an individual time {p.id} can come",
                    (p.id,),
                )
            )
    return found


def screen_capacity(idx: ProgramIndex) -> list[Finding]:
    """The blocks hold every patient's screens (with sites: each site's, per site)."""
    screening = idx.instance.screening
    if screening is None or not screening.per_week:
        return []
    found = []
    for site, people in _programs(idx):
        needed = screening.per_week * len(people)
        room = screening.capacity_per_block * len(idx.slots)
        if needed > room:
            found.append(
                Finding(
                    "screen_capacity",
                    f"screening needs {needed} collections a week{_at(site)} but "
                    f"{len(idx.slots)} blocks x {screening.capacity_per_block} allow {room}",
                    ("screening", *_site_ids(site)),
                )
            )
    return found


def pins_possible(idx: ProgramIndex) -> list[Finding]:
    """Every pin's people and room are there at its time."""
    found = []
    for number, pin in enumerate(idx.instance.pins, start=1):
        for reason in _pin_obstacles(idx, pin):
            found.append(Finding("pin", f"pin {number}: {reason}", (str(number),)))
    return found


def _pin_obstacles(idx: ProgramIndex, pin: Pin) -> list[str]:
    """Why a pin cannot hold on its own, in a coordinator's words (none found: [])."""
    if pin.kind == "attend":
        p = idx.patient[pin.patient or ""]
        if pin.slot not in p.available:
            return [f"{p.id} attends {pin.slot}, but {p.id} is not available {pin.slot}"]
        return []
    if pin.kind != "session":
        p = idx.patient[pin.patient or ""]
        k = [t.start for t in idx.instance.individual_slots].index(pin.start or "")
        time = idx.appointment_at[(pin.day or "", k)]
        what = f"{pin.kind} appointment {time.label}"
        if time not in idx.appointment_times_for(p):
            return [f"{p.id} has a {what}, but {p.id} cannot come then (available, blocks)"]
        c = idx.counselor.get(pin.counselor or "")
        if c is not None and time.slot not in c.available:
            return [f"{c.id} holds {p.id}'s {what}, but {c.id} is unavailable {time.slot}"]
        return []
    g = idx.group_type[pin.group_type or ""]
    where = f"{g.id} {pin.slot}"
    out = []
    for cid in pin.counselors:
        if pin.slot not in idx.counselor[cid].available:
            out.append(f"{cid} leads {where}, but {cid} is unavailable {pin.slot}")
    for pid in pin.patients:
        if pin.slot not in idx.patient[pid].available:
            out.append(f"{pid} sits in {where}, but {pid} is not available {pin.slot}")
    if pin.room is not None:
        room = idx.room[pin.room]
        if pin.slot not in idx.room_slots(room):
            out.append(f"{where} meets in {room.id}, but {room.id} is closed {pin.slot}")
        elif room.capacity < g.min_size * g.seats_per_patient:
            out.append(f"{where} meets in {room.id}, which seats fewer than min_size {g.min_size}")
    return out


CHECKS: tuple[Check, ...] = (
    hours_possible,
    days_possible,
    requirement_reachable,
    staff_qualified,
    room_big_enough,
    stage_large_enough,
    stage_large_enough_for_kind,
    individual_time,
    prescriber_time,
    screen_capacity,
    pins_possible,
)


def prechecks(instance: Instance) -> list[Finding]:
    """Every reason the fast checks find that ``instance`` has no timetable.

    Each finding proves infeasibility on its own; an empty list proves nothing.
    """
    idx = ProgramIndex(instance)
    return [finding for check in CHECKS for finding in check(idx)]
