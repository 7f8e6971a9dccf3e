"""Sites: patients shared out over the sites, each site's program and witness, the
counselors who float between two sites, and the sites merged into one organization."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from scheduler.generate.appointments import (
    fallback_primaries,
    witness_individual,
    witness_medication,
    witness_screens,
)
from scheduler.generate.cohorts import (
    form_cohorts,
    place_cohorts,
    plan_cohort_weeks,
    topic_calendar,
)
from scheduler.generate.draft import Cohort, Witness
from scheduler.generate.frame import DAYS
from scheduler.generate.patients import draw_patients
from scheduler.generate.rooms import block_unused_slot, draw_offices, draw_rooms
from scheduler.generate.sessions import witness_sessions
from scheduler.generate.slots import all_slots, stretch
from scheduler.generate.staff import (
    CLINICIAN_ONLY,
    CLINICIAN_SHARE,
    CORE_QUALIFICATIONS,
    SPECIALTIES,
    default_counselors,
    draw_counselors,
    draw_prescribers,
)

# Multi-site organizations: site sizes vary this much around the mean; this share of the
# group staff floats between two sites (on different days).
SITE_SPREAD = 0.2
FLOATER_SHARE = 0.10
SITE_NAMES = [
    "Downtown",
    "Northside",
    "Eastside",
    "Westside",
    "Riverside",
    "Midtown",
    "Lakeside",
    "Hillcrest",
]


@dataclass
class Site:
    """One site's program under construction (the whole program when there are no sites)."""

    id: str | None
    prefix: str  # of its rooms' and staff's ids: "" without sites, else e.g. "S2-"
    people: list[dict]
    cohorts: list[Cohort]
    topics: dict[tuple[str, int], str]
    needed_rooms: int
    rooms: list[dict]
    staff: list[dict]
    prescribers: list[dict]
    offices: list[dict] = field(default_factory=list)
    w: Witness = field(default_factory=lambda: Witness())
    witness_ok: bool = False

    @property
    def cohort_of(self) -> dict[str, Cohort]:
        """Each patient's cohort."""
        return {pid: c for c in self.cohorts for pid in c.members}


def site_sizes(rng: np.random.Generator, patients: int, sites: int) -> list[int]:
    """Patients per site: about equal, each within SITE_SPREAD of the mean and at least 8."""
    if sites == 1:
        return [patients]
    sizes = _apportion(patients, list(1 + rng.uniform(-SITE_SPREAD, SITE_SPREAD, size=sites)))
    if min(sizes) < 8:  # few patients a site: split evenly instead
        sizes = _apportion(patients, [1.0] * sites)
    return sizes


def _apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` in whole shares proportional to ``weights`` (largest remainders), at least 1
    each (then they may sum to more)."""
    exact = [total * w / sum(weights) for w in weights]
    shares = [max(1, math.floor(x)) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[: max(0, total - sum(shares))]:
        shares[i] += 1
    return shares


def share_out(total: int | None, sizes: list[int]) -> list[int | None]:
    """A total of staff or rooms shared out by the sites' patients; None (each site sizes its
    own) stays None, and one site gets the total."""
    if total is None:
        return [None] * len(sizes)
    if len(sizes) == 1:
        return [total]
    return list(_apportion(total, [float(n) for n in sizes]))


def draw_site(
    rng: np.random.Generator,
    site: str | None,
    n: int,
    first: int,
    width: int,
    counselors: int | None,
    rooms: int | None,
) -> Site:
    """A site's patients in cohorts with their planned weeks, its group rooms and staff."""
    prefix = f"{site}-" if site is not None else ""
    people = draw_patients(rng, n, first, width)
    cohorts = form_cohorts(rng, people)
    slot_load = place_cohorts(rng, cohorts)
    topics = topic_calendar(rng)
    plan_cohort_weeks(rng, cohorts, topics)
    needed_rooms = max(slot_load.values())
    n_rooms = rooms if rooms is not None else needed_rooms + 1
    n_counselors = (
        counselors if counselors is not None else default_counselors(people, cohorts, n_rooms)
    )
    return Site(
        id=site,
        prefix=prefix,
        people=people,
        cohorts=cohorts,
        topics=topics,
        needed_rooms=needed_rooms,
        rooms=draw_rooms(rng, n_rooms, prefix),
        staff=draw_counselors(rng, n_counselors, prefix),
        prescribers=draw_prescribers(rng, people, prefix),
    )


def draw_floaters(rng: np.random.Generator, plans: list[Site], n: int) -> None:
    """Counselors who work at two sites, at each on its own days (on top of each site's staff).

    A floater joins both sites' staff as one id, in each available only on that site's days
    and pinned to them (the witness never stretches a pinned week), so the witness has them
    at one site a day. Homes go round the sites; the second site is drawn.
    """
    own = {plan.prefix: len(plan.staff) for plan in plans}
    for k in range(n):
        home = plans[k % len(plans)]
        other = plans[(k % len(plans) + 1 + int(rng.integers(len(plans) - 1))) % len(plans)]
        role = "clinician" if rng.random() < CLINICIAN_SHARE else "counselor"
        qualified = CORE_QUALIFICATIONS + [
            s
            for s in SPECIALTIES
            if rng.random() < 0.4 and (s not in CLINICIAN_ONLY or role == "clinician")
        ]
        shift = ["am", "pm", "pm", "both"][int(rng.integers(4))]
        times = ["am", "pm"] if shift == "both" else [shift]
        order = [DAYS[int(d)] for d in rng.permutation(len(DAYS))]
        away = int(rng.integers(1, 3))  # one or two days at the other site
        own[home.prefix] += 1
        cid = f"{home.prefix}C{own[home.prefix]:02d}"
        for plan, days in ((home, order[away:]), (other, order[:away])):
            plan.staff.append(
                {
                    "id": cid,
                    "roles": [role],
                    "qualified": list(qualified),
                    "available": [f"{d}.{t}" for d in DAYS if d in days for t in times],
                    "_load": 0,
                    "_pinned": True,
                }
            )


def site_witness(rng: np.random.Generator, plan: Site) -> None:
    """The site's witness (sessions, appointments, screens), then its offices."""
    w = plan.w
    cohort_of = plan.cohort_of
    plan.witness_ok = (
        plan.needed_rooms <= len(plan.rooms)
        and witness_sessions(w, plan.cohorts, plan.rooms, plan.staff, plan.topics)
        and witness_individual(rng, w, plan.people, cohort_of, plan.staff)
    )
    if plan.witness_ok:
        witness_medication(rng, w, plan.people, cohort_of, plan.prescribers, plan.prefix)
        witness_screens(rng, w, plan.people, cohort_of)
    else:
        fallback_primaries(w, plan.people, plan.staff)
    plan.offices = draw_offices(w, len(plan.staff) + len(plan.prescribers), plan.prefix)
    for r in plan.rooms + plan.offices:
        block_unused_slot(rng, r)


def merge_sites(
    plans: list[Site],
) -> tuple[list[dict], list[dict], list[dict], list[dict], Witness]:
    """Patients, group staff, prescribers, rooms and the witness of the whole organization.

    With sites, everything is marked with its site; a floater's two halves become one
    counselor (their days, skills and loads together) with ``sites`` of both; witness
    sessions are renumbered in week order.
    """
    if len(plans) == 1:
        plan = plans[0]
        return plan.people, plan.staff, plan.prescribers, plan.rooms + plan.offices, plan.w
    people: list[dict] = []
    staff: dict[str, dict] = {}
    prescribers: list[dict] = []
    rooms: list[dict] = []
    w = Witness()
    for plan in plans:
        for p in plan.people:
            p["site"] = plan.id
        people += plan.people
        for c in plan.staff:
            c.pop("_pinned", None)
            merged = staff.get(c["id"])
            if merged is None:
                staff[c["id"]] = {**c, "sites": [plan.id]}
                continue
            merged["sites"].append(plan.id)
            merged["_load"] += c["_load"]
            merged["qualified"] += [g for g in c["qualified"] if g not in merged["qualified"]]
            for slot in c["available"]:
                stretch(merged, slot)
        for c in plan.prescribers:
            c["sites"] = [plan.id]
        prescribers += plan.prescribers
        for r in plan.rooms + plan.offices:
            r["site"] = plan.id
        rooms += plan.rooms + plan.offices
        w.sessions += plan.w.sessions
        w.individual += plan.w.individual
        w.medication += plan.w.medication
        w.screens += plan.w.screens
        w.primary.update(plan.w.primary)
        for key, mins in plan.w.day_minutes.items():
            w.day_minutes[key] += mins
    slot_rank = {slot: i for i, slot in enumerate(all_slots())}
    ordered = sorted(w.sessions, key=lambda s: slot_rank[s.slot])
    w.sessions = [s.model_copy(update={"id": f"W{i + 1:04d}"}) for i, s in enumerate(ordered)]
    return people, list(staff.values()), prescribers, rooms, w
