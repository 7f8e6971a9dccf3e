"""Realistic synthetic programs, feasible by construction.

The generator first builds a *witness* timetable: patients of one stage and
time of day form cohorts of 4-10 that attend three blocks together and sit one
group per period, with a room and a qualified counselor each. Education
sessions teach the topic of their period (one topic per period, so parallel
sessions agree) and no patient hears a topic twice. Each patient then gets
their individual sessions with one primary counselor, a medication appointment
with a prescriber if they need one, and a screen, all next to blocks they
attend. Availability, qualifications, offices and limits are then drawn around
that witness, so the instance always has at least one valid schedule (the
tests check the witness with the checker). The solver is free to do much
better than the witness: mix cohorts, merge education groups, use the
specialty, family and couples groups.

Proportions follow ``docs/domain.md``: about 70% of patients work and come in
the evening; stages engagement 20%, early recovery 35%, maintenance 30%,
community integration 15%; tracks substance use 55%, dual diagnosis 30%,
psychiatric 15%; about 15% on medication management (more in the psychiatric
and dual diagnosis tracks); about 10% admitted without a primary counselor.

A multi-site organization (``sites`` > 1) is that many such programs, one per
site, each built as above with its own rooms, staff and witness; about 10% of the
counselors float between two sites, at each on its own days, so the witness has
them at one site a day.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from models import Appointment, Instance, Schedule, Screen, Session, parse_instance
from models.index import clock, gap, home_block, overlaps
from models.instance import minutes

DAYS = ["mon", "tue", "wed", "thu", "fri"]
TIMES = {"am": ["09:00", "10:00", "11:00", "12:00"], "pm": ["18:00", "19:00", "20:00", "21:00"]}
PERIOD_MINUTES = 60
STAGES = ["engagement", "early_recovery", "maintenance", "community_integration"]
STAGE_SHARE = [0.20, 0.35, 0.30, 0.15]
TRACKS = ["substance_use", "dual_diagnosis", "psychiatric"]
TRACK_SHARE = [0.55, 0.30, 0.15]
GENDERS = ["female", "male", "nonbinary"]
GENDER_SHARE = [0.40, 0.57, 0.03]
EVENING_SHARE = 0.7
COHORT_MAX = 10  # the smallest max_size of the group types the witness uses
TRAUMA_SHARE = 0.25
FAMILY_SHARE = 0.30  # relatives take part: may join the family group
# Medication management by track (about 15% overall): psychiatric medication, MAT.
MEDICATION_SHARE = {"substance_use": 0.05, "dual_diagnosis": 0.25, "psychiatric": 0.35}
UNASSIGNED_SHARE = 0.10  # admitted this week: the solver assigns the primary counselor
# Share of patients with curriculum topics from earlier weeks, by stage.
COMPLETED_SHARE = {"engagement": 0.0, "early_recovery": 0.4, "maintenance": 0.6}
COMPLETED_DEFAULT_SHARE = 0.6

# One-to-one appointments: 50 minutes, weekly (twice a week while engaging), in the
# times just before and after the blocks.
INDIVIDUAL_SLOTS = [("08:00", "08:50"), ("12:10", "13:00"), ("17:00", "17:50"), ("21:10", "22:00")]
INDIVIDUAL_MINUTES = 50
INDIVIDUAL_PER_WEEK = 1
INDIVIDUAL_BY_STAGE = {"engagement": 2}
ADJACENT_MINUTES = 30
SCREENS_PER_WEEK = 1
SCREEN_CAPACITY = 8  # specimen collections per block (raised when the witness needs more)

# Staff: about one case manager in eight (leads groups, carries no caseload), about 30%
# clinicians (licensed: needed for the dual diagnosis group), the rest counselors;
# prescribers come on top, one per ~15 patients on medication.
CASE_MANAGER_EVERY = 8
CLINICIAN_SHARE = 0.3
MEDICATION_PER_PRESCRIBER = 15
STAFF_PER_OFFICE = 3.5
# Primary counselors the default staffing provides per appointment at the busiest time.
APPOINTMENT_SLACK = 1.15

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

TOPIC_TYPE = "recovery_education"
TOPICS = [
    "motivation",
    "problem_severity",
    "goals",
    "barriers",
    "brain_and_body",
    "withdrawal",
    "stages_of_recovery",
    "quitting_strategies",
    "triggers",
    "cravings",
    "relapse_plans",
    "relationships",
]

GROUP_TYPES: list[dict[str, Any]] = [
    {
        "id": "recovery_education",
        "kind": "psychoeducational",
        "min_size": 4,
        "max_size": 16,
        "stage_matched": False,
        "topics": TOPICS,
    },
    {
        "id": "early_recovery_skills",
        "kind": "skills",
        "min_size": 4,
        "max_size": 12,
        "stage_matched": True,
        "stages": ["engagement", "early_recovery"],
    },
    {
        "id": "relapse_prevention",
        "kind": "skills",
        "min_size": 4,
        "max_size": 12,
        "stage_matched": True,
    },
    {
        "id": "social_support",
        "kind": "skills",
        "min_size": 4,
        "max_size": 12,
        "stage_matched": True,
        "stages": ["maintenance", "community_integration"],
    },
    {
        "id": "process_group",
        "kind": "interpersonal_process",
        "min_size": 4,
        "max_size": 10,
        "stage_matched": False,
    },
    {
        "id": "womens_process",
        "kind": "interpersonal_process",
        "min_size": 4,
        "max_size": 10,
        "stage_matched": False,
        "genders": ["female"],
    },
    {
        "id": "dual_diagnosis_process",
        "kind": "interpersonal_process",
        "min_size": 4,
        "max_size": 10,
        "stage_matched": False,
        "tracks": ["dual_diagnosis"],
        "requires_role": "clinician",
    },
    {
        "id": "trauma_process",
        "kind": "interpersonal_process",
        "min_size": 4,
        "max_size": 8,
        "stage_matched": False,
        "requires_flags": ["trauma"],
    },
    {
        "id": "family_group",
        "kind": "interpersonal_process",
        "min_size": 3,
        "max_size": 6,
        "stage_matched": False,
        "requires_flags": ["family_involved"],
        "family": True,
        "family_seats": 2,
        "staff_required": 2,
    },
    {
        "id": "couples_group",
        "kind": "interpersonal_process",
        "min_size": 2,
        "max_size": 8,
        "stage_matched": False,
        "requires_flags": ["couple"],
    },
]
STAFF_REQUIRED = {g["id"]: g.get("staff_required", 1) for g in GROUP_TYPES}

REQUIREMENTS = [
    {"stage": "engagement", "kind": "psychoeducational", "min_sessions": 3, "max_sessions": 5},
    {"stage": "engagement", "kind": "skills", "min_sessions": 2},
    {"stage": "engagement", "kind": "interpersonal_process", "min_sessions": 1},
    {"stage": "early_recovery", "kind": "psychoeducational", "min_sessions": 2, "max_sessions": 4},
    {"stage": "early_recovery", "group_type": "relapse_prevention", "min_sessions": 2},
    {"stage": "early_recovery", "kind": "interpersonal_process", "min_sessions": 2},
    {"stage": "maintenance", "kind": "psychoeducational", "min_sessions": 0, "max_sessions": 2},
    {"stage": "maintenance", "kind": "skills", "min_sessions": 2},
    {"stage": "maintenance", "kind": "interpersonal_process", "min_sessions": 3},
    {
        "stage": "community_integration",
        "kind": "psychoeducational",
        "min_sessions": 0,
        "max_sessions": 1,
    },
    {"stage": "community_integration", "group_type": "social_support", "min_sessions": 2},
    {"stage": "community_integration", "kind": "interpersonal_process", "min_sessions": 3},
]

# The nine sessions a witness cohort of each stage sits in a week (meets REQUIREMENTS).
COHORT_WEEK = {
    "engagement": ["recovery_education"] * 4
    + ["early_recovery_skills"] * 2
    + ["relapse_prevention"]
    + ["process_group"] * 2,
    "early_recovery": ["recovery_education"] * 3
    + ["relapse_prevention"] * 2
    + ["early_recovery_skills"]
    + ["process_group"] * 3,
    "maintenance": ["recovery_education"] * 2
    + ["relapse_prevention"] * 2
    + ["social_support"]
    + ["process_group"] * 4,
    "community_integration": ["recovery_education", "relapse_prevention"]
    + ["social_support"] * 2
    + ["process_group"] * 5,
}
STAGE_MATCHED = {g["id"] for g in GROUP_TYPES if g["stage_matched"]}
CORE_QUALIFICATIONS = ["recovery_education", "relapse_prevention", "process_group"]
CASE_MANAGER_QUALIFICATIONS = ["recovery_education", "social_support"]
SPECIALTIES = [
    "early_recovery_skills",
    "social_support",
    "womens_process",
    "dual_diagnosis_process",
    "trauma_process",
    "family_group",
    "couples_group",
]
CLINICIAN_ONLY = {"dual_diagnosis_process"}  # requires_role clinician


class GenerateError(ValueError):
    """The requested program cannot be built (e.g. too few patients to form a group)."""


@dataclass
class _Cohort:
    stage: str
    time: str
    members: list[str]
    slots: list[str]
    # (slot, period) -> the group type the cohort sits then
    week: dict[tuple[str, int], str] = field(default_factory=dict)


@dataclass
class _Appt:
    """A witness appointment: ``time`` indexes INDIVIDUAL_SLOTS; the office comes last."""

    patient: str
    counselor: str
    day: str
    time: int
    room: str = ""


@dataclass
class _Witness:
    """The witness schedule under construction, with who is busy when."""

    sessions: list[Session] = field(default_factory=list)
    individual: list[_Appt] = field(default_factory=list)
    medication: list[_Appt] = field(default_factory=list)
    screens: list[tuple[str, str]] = field(default_factory=list)  # (patient, slot)
    primary: dict[str, str] = field(default_factory=dict)  # every patient -> counselor
    leads: set[tuple[str, str, int]] = field(default_factory=set)  # (counselor, slot, period)
    busy: set[tuple[str, str, int]] = field(default_factory=set)  # (person, day, time)
    time_load: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    day_minutes: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))


def generate(
    patients: int,
    counselors: int | None = None,
    rooms: int | None = None,
    seed: int = 0,
    name: str | None = None,
    sites: int = 1,
) -> tuple[Instance, Schedule | None]:
    """A synthetic IOP week and a witness schedule that proves it feasible.

    Parameters
    ----------
    patients
        Number of patients (at least 8, and 8 a site).
    counselors, rooms
        Group-leading staff (counselors, clinicians, case managers) and group
        rooms; by default enough for the witness with some slack. With fewer,
        the witness may not fit: the witness is then ``None`` and the instance
        may be infeasible. Prescribers and offices are always sized from the
        witness. With sites both are totals, shared out by the sites' patients.
    seed
        Everything drawn comes from this seed: same seed, same instance.
    sites
        1 (the default): one program, no ``sites`` in the file. More: a
        multi-site organization (sites ``S1``, ``S2``, ...) of that many programs
        of about ``patients / sites`` patients each, every one a realistic program
        on its own with its rooms and staff (ids prefixed by the site, e.g.
        ``S2-R1``, ``S2-C03``); about 10% of the counselors float between two
        sites, working at one a day in the witness.
    """
    if sites < 1:
        raise GenerateError(f"sites: {sites} is too few; at least 1")
    if patients < 8:
        raise GenerateError(f"patients: {patients} is too few; at least 8 form a program")
    if patients < 8 * sites:
        raise GenerateError(
            f"patients: {patients} is too few for {sites} sites; at least 8 a site form a program"
        )
    rng = np.random.default_rng(seed)
    multi = sites > 1
    sizes = _site_sizes(rng, patients, sites)
    n_floaters = 0
    if multi and counselors is not None:
        n_floaters = round(FLOATER_SHARE * counselors)
        counselors -= n_floaters
    staff_shares = _share_out(counselors, sizes)
    room_shares = _share_out(rooms, sizes)
    width = max(3, len(str(patients)))
    plans: list[_Site] = []
    for k, n in enumerate(sizes):
        site = f"S{k + 1}" if multi else None
        first = sum(sizes[:k])
        plans.append(_draw_site(rng, site, n, first, width, staff_shares[k], room_shares[k]))
    if multi:
        if counselors is None:
            base = sum(len(p.staff) for p in plans)
            n_floaters = round(FLOATER_SHARE / (1 - FLOATER_SHARE) * base)
        _draw_floaters(rng, plans, n_floaters)
    for plan in plans:
        _site_witness(rng, plan)
    witness_ok = all(plan.witness_ok for plan in plans)
    people, staff, prescribers, all_rooms, w = _merge_sites(plans)

    _set_staff_limits(rng, w, staff, prescribers, witness_ok)
    for plan in plans:
        _draw_patient_extras(rng, plan.people, plan.cohort_of)
    assigned = _set_primaries(rng, w, people)
    _draw_completed_topics(rng, w, people)
    together = [pair for plan in plans for pair in _draw_couples(rng, plan.people, plan.cohorts)]

    default_name = f"generated-{patients}p-{sites}sites-seed{seed}" if multi else None
    data = {
        "format_version": 1,
        "name": name or default_name or f"generated-{patients}p-seed{seed}",
        "days": DAYS,
        "blocks": [
            {"id": b, "periods": [{"start": t[i], "end": t[i + 1]} for i in range(3)]}
            for b, t in TIMES.items()
        ],
        "stages": STAGES,
        "group_types": GROUP_TYPES,
        "requirements": REQUIREMENTS,
        "patients": people,
        "counselors": staff + prescribers,
        "rooms": all_rooms,
        "individual": {
            "duration_minutes": INDIVIDUAL_MINUTES,
            "per_week": INDIVIDUAL_PER_WEEK,
            "per_week_by_stage": INDIVIDUAL_BY_STAGE,
            "adjacent_minutes": ADJACENT_MINUTES,
        },
        "individual_slots": [{"start": s, "end": e} for s, e in INDIVIDUAL_SLOTS],
        # With sites the capacity is per site and block: the busiest site decides.
        "screening": {
            "per_week": SCREENS_PER_WEEK,
            "capacity_per_block": max(_screen_capacity(plan.w) for plan in plans),
        },
        "together": together,
    }
    if multi:
        data["sites"] = [
            {"id": plan.id, "name": SITE_NAMES[k] if k < len(SITE_NAMES) else f"Site {k + 1}"}
            for k, plan in enumerate(plans)
        ]
    instance = parse_instance(data, "generated instance")
    witness = _witness_schedule(instance.name, w, assigned) if witness_ok else None
    return instance, witness


# -- sites -------------------------------------------------------------------------


@dataclass
class _Site:
    """One site's program under construction (the whole program when there are no sites)."""

    id: str | None
    prefix: str  # of its rooms' and staff's ids: "" without sites, else e.g. "S2-"
    people: list[dict]
    cohorts: list[_Cohort]
    topics: dict[tuple[str, int], str]
    needed_rooms: int
    rooms: list[dict]
    staff: list[dict]
    prescribers: list[dict]
    offices: list[dict] = field(default_factory=list)
    w: _Witness = field(default_factory=lambda: _Witness())
    witness_ok: bool = False

    @property
    def cohort_of(self) -> dict[str, _Cohort]:
        return {pid: c for c in self.cohorts for pid in c.members}


def _site_sizes(rng: np.random.Generator, patients: int, sites: int) -> list[int]:
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


def _share_out(total: int | None, sizes: list[int]) -> list[int | None]:
    """A total of staff or rooms shared out by the sites' patients; None (each site sizes its
    own) stays None, and one site gets the total."""
    if total is None:
        return [None] * len(sizes)
    if len(sizes) == 1:
        return [total]
    return list(_apportion(total, [float(n) for n in sizes]))


def _draw_site(
    rng: np.random.Generator,
    site: str | None,
    n: int,
    first: int,
    width: int,
    counselors: int | None,
    rooms: int | None,
) -> _Site:
    """A site's patients in cohorts with their planned weeks, its group rooms and staff."""
    prefix = f"{site}-" if site is not None else ""
    people = _draw_patients(rng, n, first, width)
    cohorts = _form_cohorts(rng, people)
    slot_load = _place_cohorts(rng, cohorts)
    topics = _topic_calendar(rng)
    _plan_cohort_weeks(rng, cohorts, topics)
    needed_rooms = max(slot_load.values())
    n_rooms = rooms if rooms is not None else needed_rooms + 1
    n_counselors = (
        counselors if counselors is not None else _default_counselors(people, cohorts, n_rooms)
    )
    return _Site(
        id=site,
        prefix=prefix,
        people=people,
        cohorts=cohorts,
        topics=topics,
        needed_rooms=needed_rooms,
        rooms=_draw_rooms(rng, n_rooms, prefix),
        staff=_draw_counselors(rng, n_counselors, prefix),
        prescribers=_draw_prescribers(rng, people, prefix),
    )


def _draw_floaters(rng: np.random.Generator, plans: list[_Site], n: int) -> None:
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


def _site_witness(rng: np.random.Generator, plan: _Site) -> None:
    """The site's witness (sessions, appointments, screens), then its offices."""
    w = plan.w
    cohort_of = plan.cohort_of
    plan.witness_ok = (
        plan.needed_rooms <= len(plan.rooms)
        and _witness_sessions(w, plan.cohorts, plan.rooms, plan.staff, plan.topics)
        and _witness_individual(rng, w, plan.people, cohort_of, plan.staff)
    )
    if plan.witness_ok:
        _witness_medication(rng, w, plan.people, cohort_of, plan.prescribers, plan.prefix)
        _witness_screens(rng, w, plan.people, cohort_of)
    else:
        _fallback_primaries(w, plan.people, plan.staff)
    plan.offices = _draw_offices(w, len(plan.staff) + len(plan.prescribers), plan.prefix)
    for r in plan.rooms + plan.offices:
        _block_unused_slot(rng, r)


def _merge_sites(
    plans: list[_Site],
) -> tuple[list[dict], list[dict], list[dict], list[dict], _Witness]:
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
    w = _Witness()
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
                _stretch(merged, slot)
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
    slot_rank = {slot: i for i, slot in enumerate(_all_slots())}
    ordered = sorted(w.sessions, key=lambda s: slot_rank[s.slot])
    w.sessions = [s.model_copy(update={"id": f"W{i + 1:04d}"}) for i, s in enumerate(ordered)]
    return people, list(staff.values()), prescribers, rooms, w


# -- time helpers ------------------------------------------------------------------


def _all_slots() -> list[str]:
    return [f"{d}.{b}" for d in DAYS for b in TIMES]


def _block_span(block: str) -> tuple[int, int]:
    return minutes(TIMES[block][0]), minutes(TIMES[block][-1])


def _appointment_span(time: int) -> tuple[int, int]:
    start = minutes(INDIVIDUAL_SLOTS[time][0])
    return start, start + INDIVIDUAL_MINUTES


def _home_block(time: int) -> str:
    """The block an individual slot belongs to, as the scheduler reads it."""
    return home_block(*_appointment_span(time), {b: _block_span(b) for b in TIMES})


def _near_times(block: str) -> list[int]:
    """Individual slots just before or after the block: no overlap, no extra trip."""
    spans = {b: _block_span(b) for b in TIMES}
    return [
        t
        for t in range(len(INDIVIDUAL_SLOTS))
        if _home_block(t) == block
        and gap(*_appointment_span(t), *spans[block]) <= ADJACENT_MINUTES
        and not overlaps(*_appointment_span(t), *spans[block])
    ]


def _options(cohort: _Cohort) -> list[tuple[str, int]]:
    """(day, individual slot) pairs next to the blocks the cohort attends."""
    return [
        (slot.split(".")[0], t) for slot in cohort.slots for t in _near_times(slot.split(".")[1])
    ]


def _individual_per_week(person: dict[str, Any]) -> int:
    return INDIVIDUAL_BY_STAGE.get(person["stage"], INDIVIDUAL_PER_WEEK)


# -- patients and cohorts ----------------------------------------------------------


def _draw_patients(rng: np.random.Generator, n: int, first: int, width: int) -> list[dict]:
    """Patients P<first + 1>... (ids ``width`` digits)."""
    people = []
    for i in range(n):
        p: dict[str, Any] = {
            "id": f"P{first + i + 1:0{width}d}",
            "stage": STAGES[rng.choice(len(STAGES), p=STAGE_SHARE)],
            "track": TRACKS[rng.choice(len(TRACKS), p=TRACK_SHARE)],
            "gender": GENDERS[rng.choice(len(GENDERS), p=GENDER_SHARE)],
            "_time": "pm" if rng.random() < EVENING_SHARE else "am",
        }
        flags = [
            flag
            for flag, share in (("trauma", TRAUMA_SHARE), ("family_involved", FAMILY_SHARE))
            if rng.random() < share
        ]
        if flags:
            p["flags"] = flags
        if rng.random() < MEDICATION_SHARE[p["track"]]:
            p["medication_management"] = True
        people.append(p)
    return people


def _form_cohorts(rng: np.random.Generator, people: list[dict]) -> list[_Cohort]:
    """Split patients of one stage and time of day into cohorts of 4-10."""
    by_key: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for p in people:
        by_key[(p["stage"], p["_time"])].append(p)

    # A stage too small for a cohort joins its nearest non-empty neighbour stage (until
    # none is too small); then a time of day too small moves to the other time of day.
    def size(stage: str) -> int:
        return sum(len(by_key.get((stage, t), [])) for t in TIMES)

    while small := [s for s in STAGES if 0 < size(s) < 4]:
        here = STAGES.index(small[0])
        others = [s for s in STAGES if s != small[0] and size(s) > 0]
        if not others:
            break  # fewer than 4 patients in all: not with patients >= 8
        target = min(others, key=lambda s: (abs(STAGES.index(s) - here), -STAGES.index(s)))
        for t in TIMES:
            for p in by_key.pop((small[0], t), []):
                p["stage"] = target
                by_key[(target, t)].append(p)
    for stage in STAGES:
        for time, other in (("am", "pm"), ("pm", "am")):
            if 0 < len(by_key.get((stage, time), [])) < 4:
                for p in by_key.pop((stage, time)):
                    p["_time"] = other
                    by_key[(stage, other)].append(p)
    cohorts = []
    for (stage, time), group in sorted(by_key.items()):
        if not group:
            continue
        k = math.ceil(len(group) / COHORT_MAX)
        for part in np.array_split(np.arange(len(group)), k):
            cohorts.append(_Cohort(stage, time, [group[j]["id"] for j in part], []))
    order = rng.permutation(len(cohorts))
    return [cohorts[i] for i in order]


def _place_cohorts(rng: np.random.Generator, cohorts: list[_Cohort]) -> dict[str, int]:
    """Give each cohort three days, spreading cohorts evenly over the week."""
    load = dict.fromkeys(_all_slots(), 0)
    triples = list(itertools.combinations(DAYS, 3))
    for c in cohorts:

        def cost(days: tuple[str, ...], c: _Cohort = c) -> tuple[int, int, float]:
            loads = [load[f"{d}.{c.time}"] for d in days]
            return (max(loads), sum(loads), rng.random())

        days = min(triples, key=cost)
        c.slots = [f"{d}.{c.time}" for d in days]
        for s in c.slots:
            load[s] += 1
    return load


def _topic_calendar(rng: np.random.Generator) -> dict[tuple[str, int], str]:
    """The education topic of every (slot, period): one per period, so parallel sessions agree.

    Topics rotate three a block through the week, so two periods share a topic
    only on Monday and Friday of the same time of day.
    """
    calendar = {}
    for block in TIMES:
        offset = int(rng.integers(len(TOPICS)))
        for d, day in enumerate(DAYS):
            for period in range(len(TIMES[block]) - 1):
                topic = TOPICS[(offset + d * (len(TIMES[block]) - 1) + period) % len(TOPICS)]
                calendar[(f"{day}.{block}", period)] = topic
    return calendar


def _plan_cohort_weeks(
    rng: np.random.Generator, cohorts: list[_Cohort], topics: dict[tuple[str, int], str]
) -> None:
    """Place each cohort's nine sessions: education spread over its blocks, never a topic twice."""
    for c in cohorts:
        week = COHORT_WEEK[c.stage]
        n_edu = week.count(TOPIC_TYPE)
        positions = [(slot, period) for slot in c.slots for period in range(3)]
        per_block = math.ceil(n_edu / len(c.slots))
        education: list[tuple[str, int]] = []
        for i in rng.permutation(len(positions)):
            pos = positions[i]
            if len(education) == n_edu:
                break
            heard = {topics[e] for e in education}
            if topics[pos] not in heard and sum(e[0] == pos[0] for e in education) < per_block:
                education.append(pos)
        # Three days hold at most one Monday-Friday pair: 9 periods give 6+ distinct topics.
        assert len(education) == n_edu, "education periods with distinct topics"
        others = [g for g in week if g != TOPIC_TYPE]
        rest = [pos for pos in positions if pos not in education]
        c.week = dict.fromkeys(education, TOPIC_TYPE)
        for pos, i in zip(rest, rng.permutation(len(others))):
            c.week[pos] = others[i]


# -- staff and rooms ---------------------------------------------------------------


def _default_counselors(people: list[dict], cohorts: list[_Cohort], n_rooms: int) -> int:
    """Enough staff to lead a room's group each and hold the busiest appointment time."""
    stage = {p["id"]: p for p in people}
    # Individual sessions per appointment time next to each block's days; a cohort can
    # only use the times of the days it attends, so count per day too.
    demand: dict[tuple[str, str], float] = defaultdict(float)  # (block, day)
    for c in cohorts:
        sessions = sum(_individual_per_week(stage[pid]) for pid in c.members)
        days = sorted({slot.split(".")[0] for slot in c.slots})
        for day in days:
            demand[(c.time, day)] += sessions / len(days)
    peak = max(demand[key] / len(_near_times(key[0])) for key in demand)
    primaries = math.ceil(peak * APPOINTMENT_SLACK) + 1
    n = max(n_rooms + 1, math.ceil(len(people) / 12), primaries)
    while n - n // CASE_MANAGER_EVERY < primaries:
        n += 1
    return n


def _draw_rooms(rng: np.random.Generator, n: int, prefix: str) -> list[dict]:
    capacities = [16] + [int(rng.choice([10, 12, 12, 14])) for _ in range(n - 1)]
    return [
        {"id": f"{prefix}R{i + 1}", "capacity": cap, "type": "group", "_used": set()}
        for i, cap in enumerate(capacities)
    ]


def _draw_counselors(rng: np.random.Generator, n: int, prefix: str) -> list[dict[str, Any]]:
    """Group-leading staff: counselors, clinicians and case managers, with shifts and skills."""
    n_case = n // CASE_MANAGER_EVERY
    n_clinicians = min(n - n_case, max(2, round(CLINICIAN_SHARE * n)))
    roles = ["case_manager"] * n_case + ["clinician"] * n_clinicians
    roles += ["counselor"] * (n - len(roles))
    roles = [roles[i] for i in rng.permutation(n)]
    staff: list[dict[str, Any]] = []
    for i, role in enumerate(roles):
        shift = ["am", "pm", "pm", "both"][int(rng.integers(4))]
        day_off = DAYS[int(rng.integers(len(DAYS)))] if rng.random() < 0.5 else None
        times = ["am", "pm"] if shift == "both" else [shift]
        if role == "case_manager":
            qualified = list(CASE_MANAGER_QUALIFICATIONS)
        else:
            qualified = CORE_QUALIFICATIONS + [
                s
                for s in SPECIALTIES
                if rng.random() < 0.4 and (s not in CLINICIAN_ONLY or role == "clinician")
            ]
        staff.append(
            {
                "id": f"{prefix}C{i + 1:02d}",
                "roles": [role],
                "qualified": qualified,
                "available": [f"{d}.{t}" for d in DAYS if d != day_off for t in times],
                "_load": 0,
            }
        )
    # Every specialty has one qualified holder more than its sessions need.
    for k, spec in enumerate(SPECIALTIES):
        able = [
            c
            for c in staff
            if "case_manager" not in c["roles"]
            and (spec not in CLINICIAN_ONLY or "clinician" in c["roles"])
        ]
        holders = [c for c in able if spec in c["qualified"]]
        first = k % len(able) if able else 0
        for c in able[first:] + able[:first]:
            if len(holders) > STAFF_REQUIRED[spec]:
                break
            if c not in holders:
                c["qualified"].append(spec)
                holders.append(c)
    return staff


def _draw_prescriber(rng: np.random.Generator, number: int, prefix: str) -> dict[str, Any]:
    """A psychiatrist or nurse practitioner: three days a week, leads no groups."""
    days = sorted(int(d) for d in rng.choice(len(DAYS), size=3, replace=False))
    return {
        "id": f"{prefix}RX{number:02d}",
        "roles": ["prescriber"],
        "qualified": [],
        "available": [f"{DAYS[d]}.{b}" for d in days for b in TIMES],
    }


def _draw_prescribers(
    rng: np.random.Generator, people: list[dict], prefix: str
) -> list[dict[str, Any]]:
    on_medication = sum(1 for p in people if p.get("medication_management"))
    n = 1 + on_medication // MEDICATION_PER_PRESCRIBER
    return [_draw_prescriber(rng, k + 1, prefix) for k in range(n)]


def _draw_offices(w: _Witness, n_staff: int, prefix: str) -> list[dict]:
    """Offices: at least 2, one per 3-4 staff, and one more than the busiest appointment time."""
    peak = max(w.time_load.values(), default=0)
    n = max(2, math.ceil(n_staff / STAFF_PER_OFFICE), peak + 1)
    offices: list[dict] = [
        {"id": f"{prefix}O{i + 1}", "capacity": 3, "type": "office", "_used": set()}
        for i in range(n)
    ]
    by_time: dict[tuple[str, int], list[_Appt]] = defaultdict(list)
    for a in w.individual + w.medication:
        by_time[(a.day, a.time)].append(a)
    for (day, time), appts in by_time.items():
        for a, office in zip(appts, offices):
            a.room = office["id"]
            office["_used"].add(f"{day}.{_home_block(time)}")
    return offices


def _block_unused_slot(rng: np.random.Generator, room: dict) -> None:
    """Close about 30% of rooms for one slot the witness does not use there."""
    used = room.pop("_used")
    if rng.random() < 0.3:
        free = [s for s in _all_slots() if s not in used]
        if free:
            blocked = free[int(rng.integers(len(free)))]
            room["available"] = [s for s in _all_slots() if s != blocked]


def _stretch(person: dict, slot: str) -> None:
    """The witness may stretch someone's week: then that is their availability."""
    if slot not in person["available"]:
        person["available"].append(slot)
        person["available"].sort(key=_all_slots().index)


# -- the witness -------------------------------------------------------------------


def _witness_sessions(
    w: _Witness,
    cohorts: list[_Cohort],
    rooms: list[dict],
    staff: list[dict],
    topics: dict[tuple[str, int], str],
) -> bool:
    """Each cohort sits its planned week of nine sessions, three per block."""
    by_slot: dict[str, list[_Cohort]] = defaultdict(list)
    for c in cohorts:
        for s in c.slots:
            by_slot[s].append(c)
    for slot in _all_slots():
        day, block = slot.split(".")
        here = sorted(by_slot[slot], key=lambda c: -len(c.members))
        free_rooms = sorted(rooms, key=lambda r: -r["capacity"])
        if len(here) > len(free_rooms):
            return False
        for c, room in zip(here, free_rooms):
            room["_used"].add(slot)
            for period in range(3):
                gtype = c.week[(slot, period)]
                leader = _pick_leader(w, staff, gtype, slot, period)
                if leader is None:
                    return False
                leader["_load"] += PERIOD_MINUTES
                w.leads.add((leader["id"], slot, period))
                w.day_minutes[(leader["id"], day)] += PERIOD_MINUTES
                times = TIMES[block]
                w.sessions.append(
                    Session(
                        id=f"W{len(w.sessions) + 1:04d}",
                        day=day,
                        block=block,
                        period=period,
                        start=times[period],
                        end=times[period + 1],
                        group_type=gtype,
                        stage=c.stage if gtype in STAGE_MATCHED else None,
                        room=room["id"],
                        counselors=[leader["id"]],
                        patients=sorted(c.members),
                        topic=topics[(slot, period)] if gtype == TOPIC_TYPE else None,
                    )
                )
    return True


def _pick_leader(w: _Witness, staff: list[dict], gtype: str, slot: str, period: int) -> dict | None:
    """The least loaded counselor free in the period, preferring those who work then (a
    floater, pinned to their days at this site, only then)."""
    free = [
        c
        for c in staff
        if (c["id"], slot, period) not in w.leads
        and (slot in c["available"] or not c.get("_pinned"))
    ]
    if not free:
        return None

    def rank(c: dict) -> tuple[int, int, int]:
        return (slot not in c["available"], gtype not in c["qualified"], c["_load"])

    leader = min(free, key=rank)
    # The witness may stretch a counselor's week: then that is their availability and skill.
    _stretch(leader, slot)
    if gtype not in leader["qualified"]:
        leader["qualified"].append(gtype)
    return leader


def _counselor_free(w: _Witness, cid: str, day: str, time: int) -> bool:
    """Not in another appointment then, nor leading a group that overlaps it."""
    if (cid, day, time) in w.busy:
        return False
    start, end = _appointment_span(time)
    for block, times in TIMES.items():
        for period in range(len(times) - 1):
            if (cid, f"{day}.{block}", period) in w.leads and (
                start < minutes(times[period + 1]) and minutes(times[period]) < end
            ):
                return False
    return True


def _book(w: _Witness, appt: _Appt, person: dict) -> None:
    """Record an appointment: both people busy, the counselor available in its block."""
    _stretch(person, f"{appt.day}.{_home_block(appt.time)}")
    w.busy.add((appt.patient, appt.day, appt.time))
    w.busy.add((appt.counselor, appt.day, appt.time))
    w.time_load[(appt.day, appt.time)] += 1
    w.day_minutes[(appt.counselor, appt.day)] += INDIVIDUAL_MINUTES


def _best_booking(
    w: _Witness,
    pid: str,
    choices: list[tuple[str, int]],
    k: int,
    staff: list[dict],
    taken: dict[str, int],
) -> tuple[dict, tuple[tuple[str, int], ...]] | None:
    """The staff member and k times on different days that keep offices and staff balanced.

    Prefers staff who work then, then the least busy times, then the least taken staff.
    """
    combos = [
        combo
        for combo in itertools.combinations(choices, k)
        if len({day for day, _ in combo}) == k
        and all((pid, day, t) not in w.busy for day, t in combo)
    ]
    best: tuple[tuple[int, int, int, int], dict, tuple[tuple[str, int], ...]] | None = None
    for c in staff:
        for combo in combos:
            if not all(_counselor_free(w, c["id"], day, t) for day, t in combo):
                continue
            loads = [w.time_load[time] for time in combo]
            stretch = sum(f"{d}.{_home_block(t)}" not in c["available"] for d, t in combo)
            if stretch and c.get("_pinned"):
                continue  # a floater works at this site only on their days here
            key = (stretch, max(loads), taken[c["id"]], sum(loads))
            if best is None or key < best[0]:
                best = (key, c, combo)
    return None if best is None else (best[1], best[2])


def _witness_individual(
    rng: np.random.Generator,
    w: _Witness,
    people: list[dict],
    cohort_of: dict[str, _Cohort],
    staff: list[dict],
) -> bool:
    """Each patient's individual sessions with one primary counselor, next to blocks they attend.

    Patients with two sessions a week go first; the primary is whoever is free then.
    """
    primaries = [c for c in staff if {"counselor", "clinician"} & set(c["roles"])]
    caseload = {c["id"]: 0 for c in primaries}
    order = [people[i] for i in rng.permutation(len(people))]
    order.sort(key=lambda p: -_individual_per_week(p))
    for p in order:
        k = _individual_per_week(p)
        found = _best_booking(w, p["id"], _options(cohort_of[p["id"]]), k, primaries, caseload)
        if found is None:
            return False
        counselor, times = found
        w.primary[p["id"]] = counselor["id"]
        caseload[counselor["id"]] += 1
        for day, t in times:
            appt = _Appt(p["id"], counselor["id"], day, t)
            w.individual.append(appt)
            _book(w, appt, counselor)
    return True


def _witness_medication(
    rng: np.random.Generator,
    w: _Witness,
    people: list[dict],
    cohort_of: dict[str, _Cohort],
    prescribers: list[dict],
    prefix: str,
) -> None:
    """One prescriber appointment per patient on medication; a prescriber joins when all are busy."""
    count = {c["id"]: 0 for c in prescribers}
    for i in rng.permutation(len(people)):
        p = people[i]
        if not p.get("medication_management"):
            continue
        choices = _options(cohort_of[p["id"]])
        found = _best_booking(w, p["id"], choices, 1, prescribers, count)
        if found is None:
            prescribers.append(_draw_prescriber(rng, len(prescribers) + 1, prefix))
            count[prescribers[-1]["id"]] = 0
            found = _best_booking(w, p["id"], choices, 1, prescribers, count)
        # A new prescriber is free at every time, and a patient has at most two
        # individual sessions among the six times next to their blocks.
        assert found is not None, "a free prescriber"
        prescriber, ((day, t),) = found
        count[prescriber["id"]] += 1
        appt = _Appt(p["id"], prescriber["id"], day, t)
        w.medication.append(appt)
        _book(w, appt, prescriber)


def _witness_screens(
    rng: np.random.Generator, w: _Witness, people: list[dict], cohort_of: dict[str, _Cohort]
) -> None:
    """Each patient's screens in the least screened blocks they attend."""
    load: dict[str, int] = defaultdict(int)
    for i in rng.permutation(len(people)):
        pid = people[i]["id"]
        slots = cohort_of[pid].slots
        tie = rng.permutation(len(slots))
        ranked = sorted(range(len(slots)), key=lambda j: (load[slots[j]], tie[j]))
        for j in ranked[:SCREENS_PER_WEEK]:
            load[slots[j]] += 1
            w.screens.append((pid, slots[j]))


def _screen_capacity(w: _Witness) -> int:
    """Screens per block: SCREEN_CAPACITY, or the witness's busiest block with slack."""
    load: dict[str, int] = defaultdict(int)
    for _, slot in w.screens:
        load[slot] += 1
    peak = max(load.values(), default=0)
    return max(SCREEN_CAPACITY, peak + max(2, peak // 4))


def _fallback_primaries(w: _Witness, people: list[dict], staff: list[dict]) -> None:
    """Without a witness, primary counselors in turn among the staff who can carry a caseload."""
    able = [c for c in staff if {"counselor", "clinician"} & set(c["roles"])] or staff
    for i, p in enumerate(people):
        w.primary[p["id"]] = able[i % len(able)]["id"]


def _witness_schedule(name: str, w: _Witness, assigned: dict[str, str]) -> Schedule:
    """The witness as a schedule: sessions, appointments in week order, screens, primaries."""

    def appointments(appts: list[_Appt]) -> list[Appointment]:
        ordered = sorted(appts, key=lambda a: (DAYS.index(a.day), a.time, a.counselor))
        return [
            Appointment(
                patient=a.patient,
                counselor=a.counselor,
                day=a.day,
                start=INDIVIDUAL_SLOTS[a.time][0],
                end=clock(_appointment_span(a.time)[1]),
                room=a.room,
            )
            for a in ordered
        ]

    screens = sorted(w.screens, key=lambda ps: (_all_slots().index(ps[1]), ps[0]))
    return Schedule(
        instance=name,
        status="feasible",
        sessions=w.sessions,
        individual_sessions=appointments(w.individual),
        medication_appointments=appointments(w.medication),
        screens=[Screen(patient=p, day=s.split(".")[0], block=s.split(".")[1]) for p, s in screens],
        primary_counselors=assigned,
    )


# -- limits and extras drawn around the witness ------------------------------------


def _set_staff_limits(
    rng: np.random.Generator,
    w: _Witness,
    staff: list[dict],
    prescribers: list[dict],
    witness_ok: bool,
) -> None:
    """Weekly and daily hours, individual sessions and caseloads: the witness's, with slack.

    Every counselor has a weekly group-hour limit; about half have each other limit.
    """
    for c in staff:
        limit = c.pop("_load") / 60
        c["max_hours"] = float(max(12, math.ceil(limit) + int(rng.integers(2, 7))))
    for c in staff + prescribers:
        if rng.random() < 0.5:
            busiest = max((m for (cid, _), m in w.day_minutes.items() if cid == c["id"]), default=0)
            c["max_hours_per_day"] = float(max(math.ceil(busiest / 60) + 1, rng.choice([6, 7, 8])))
    if not witness_ok:
        return
    individual: dict[str, int] = defaultdict(int)
    for a in w.individual:
        individual[a.counselor] += 1
    caseload: dict[str, int] = defaultdict(int)
    for cid in w.primary.values():
        caseload[cid] += 1
    for c in staff:
        if not {"counselor", "clinician"} & set(c["roles"]):
            continue
        if rng.random() < 0.5:
            c["max_individual"] = individual[c["id"]] + int(rng.integers(1, 5))
        if rng.random() < 0.5:
            c["max_caseload"] = caseload[c["id"]] + int(rng.integers(2, 6))


def _draw_patient_extras(
    rng: np.random.Generator, people: list[dict], cohort_of: dict[str, _Cohort]
) -> None:
    """Availability around the witness, preferences, step-down, conflicts."""
    slots = _all_slots()
    for p in people:
        c = cohort_of[p["id"]]
        time = p.pop("_time")
        available = set(c.slots)
        for s in slots:
            same_time = s.endswith("." + time)
            if rng.random() < (0.5 if same_time else 0.1):
                available.add(s)
        p["available"] = [s for s in slots if s in available]
        if rng.random() < 0.5:
            picks = rng.choice(len(p["available"]), size=min(3, len(p["available"])), replace=False)
            p["preferred"] = [p["available"][j] for j in sorted(picks)]
        if rng.random() < 0.08:  # stepping down before discharge
            p["min_hours"] = 6
            p["min_days"] = 2
    # A few pairs who must be kept apart (family members, co-workers): from cohorts that
    # never sit the same group type in the same period (the solver's default formulation
    # keeps avoid pairs out of parallel sessions too).
    n_pairs = len(people) // 20
    ids = [p["id"] for p in people]
    pairs: set[tuple[str, str]] = set()
    for _ in range(50 * (n_pairs + 1)):
        if len(pairs) >= n_pairs:
            break
        a, b = (ids[j] for j in rng.choice(len(ids), size=2, replace=False))
        if not _meet(cohort_of[a], cohort_of[b]):
            pairs.add((a, b))
    by_id = {p["id"]: p for p in people}
    for a, b in sorted(pairs):
        by_id[a].setdefault("avoid", []).append(b)


def _meet(a: _Cohort, b: _Cohort) -> bool:
    """Whether two cohorts sit the same group type in some period (always, for one cohort)."""
    return any(b.week.get(pos) == gtype for pos, gtype in a.week.items())


def _set_primaries(rng: np.random.Generator, w: _Witness, people: list[dict]) -> dict[str, str]:
    """Give most patients the witness's primary counselor; return the ones left to the solver."""
    assigned = {}
    for p in people:
        if rng.random() < UNASSIGNED_SHARE:
            assigned[p["id"]] = w.primary[p["id"]]
        else:
            p["primary_counselor"] = w.primary[p["id"]]
    return assigned


def _draw_completed_topics(rng: np.random.Generator, w: _Witness, people: list[dict]) -> None:
    """Topics heard in earlier weeks: never one the witness teaches the patient this week."""
    heard: dict[str, set[str]] = defaultdict(set)
    for s in w.sessions:
        if s.topic is not None:
            for pid in s.patients:
                heard[pid].add(s.topic)
    for p in people:
        if rng.random() >= COMPLETED_SHARE.get(p["stage"], COMPLETED_DEFAULT_SHARE):
            continue
        fresh = [t for t in TOPICS if t not in heard[p["id"]]]
        k = min(len(fresh), int(rng.integers(1, 6)))
        picks = sorted(int(j) for j in rng.choice(len(fresh), size=k, replace=False))
        p["completed_topics"] = [fresh[j] for j in picks]


def _draw_couples(
    rng: np.random.Generator, people: list[dict], cohorts: list[_Cohort]
) -> list[dict[str, Any]]:
    """One couple in treatment together (two from 60 patients), each from one cohort.

    A couple shares its cohort, so the witness keeps them together in every session;
    they never avoid each other (avoid pairs span cohorts).
    """
    n = 1 if len(people) < 60 else 2
    by_id = {p["id"]: p for p in people}
    together = []
    for j in rng.permutation(len(cohorts))[:n]:
        pair = sorted(str(pid) for pid in rng.choice(cohorts[j].members, size=2, replace=False))
        for pid in pair:
            flags = by_id[pid].setdefault("flags", [])
            flags.append("couple")
        together.append({"patients": pair, "group_type": "couples_group"})
    return together
