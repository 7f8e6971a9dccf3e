"""Realistic synthetic programs, feasible by construction.

The generator first builds a *witness* timetable: patients of one stage and
time of day form cohorts of 4-10 that attend three blocks together and sit one
group per period, with a room and a qualified counselor each. Availability,
qualifications and limits are then drawn around that witness, so the instance
always has at least one valid schedule (the tests check the witness with the
checker). The solver is free to do much better than the witness: mix cohorts,
merge education groups, use the specialty groups.

Proportions follow ``docs/domain.md``: about 70% of patients work and come in
the evening; stages engagement 20%, early recovery 35%, maintenance 30%,
community integration 15%; tracks substance use 55%, dual diagnosis 30%,
psychiatric 15%.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from models import Instance, Schedule, Session, parse_instance

DAYS = ["mon", "tue", "wed", "thu", "fri"]
TIMES = {"am": ["09:00", "10:00", "11:00", "12:00"], "pm": ["18:00", "19:00", "20:00", "21:00"]}
STAGES = ["engagement", "early_recovery", "maintenance", "community_integration"]
STAGE_SHARE = [0.20, 0.35, 0.30, 0.15]
TRACKS = ["substance_use", "dual_diagnosis", "psychiatric"]
TRACK_SHARE = [0.55, 0.30, 0.15]
GENDERS = ["female", "male", "nonbinary"]
GENDER_SHARE = [0.40, 0.57, 0.03]
EVENING_SHARE = 0.7
COHORT_MAX = 10  # the smallest max_size of the group types the witness uses

GROUP_TYPES = [
    {
        "id": "recovery_education",
        "kind": "psychoeducational",
        "min_size": 4,
        "max_size": 16,
        "stage_matched": False,
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
    },
    {
        "id": "trauma_process",
        "kind": "interpersonal_process",
        "min_size": 4,
        "max_size": 8,
        "stage_matched": False,
        "requires_flags": ["trauma"],
    },
]

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
SPECIALTIES = [
    "early_recovery_skills",
    "social_support",
    "womens_process",
    "dual_diagnosis_process",
    "trauma_process",
]


class GenerateError(ValueError):
    """The requested program cannot be built (e.g. too few patients to form a group)."""


@dataclass
class _Cohort:
    stage: str
    time: str
    members: list[str]
    slots: list[str]


def generate(
    patients: int,
    counselors: int | None = None,
    rooms: int | None = None,
    seed: int = 0,
    name: str | None = None,
) -> tuple[Instance, Schedule | None]:
    """A synthetic IOP week and a witness schedule that proves it feasible.

    Parameters
    ----------
    patients
        Number of patients (at least 8).
    counselors, rooms
        Staff and rooms; by default enough for the witness with some slack.
        With fewer, the witness may not fit: the witness is then ``None`` and
        the instance may be infeasible.
    seed
        Everything drawn comes from this seed: same seed, same instance.
    """
    if patients < 8:
        raise GenerateError(f"patients: {patients} is too few; at least 8 form a program")
    rng = np.random.default_rng(seed)
    people = _draw_patients(rng, patients)
    cohorts = _form_cohorts(rng, people)
    slot_load = _place_cohorts(rng, cohorts)
    needed_rooms = max(slot_load.values())
    n_rooms = rooms if rooms is not None else needed_rooms + 1
    n_counselors = (
        counselors if counselors is not None else max(n_rooms + 1, math.ceil(patients / 12))
    )
    room_list = _draw_rooms(rng, n_rooms)
    staff = _draw_counselors(rng, n_counselors)
    witness_ok = needed_rooms <= n_rooms
    sessions = _witness_sessions(cohorts, room_list, staff) if witness_ok else None
    if sessions is None:
        witness_ok = False

    _draw_patient_extras(rng, people, cohorts, staff)
    for c in staff:
        limit = c.pop("_load") / 60
        c["max_hours"] = float(max(12, math.ceil(limit) + int(rng.integers(2, 7))))
    for r in room_list:
        used = r.pop("_used")
        if rng.random() < 0.3:
            free = [s for s in _all_slots() if s not in used]
            if free:
                blocked = free[int(rng.integers(len(free)))]
                r["available"] = [s for s in _all_slots() if s != blocked]

    data = {
        "format_version": 1,
        "name": name or f"generated-{patients}p-seed{seed}",
        "days": DAYS,
        "blocks": [
            {"id": b, "periods": [{"start": t[i], "end": t[i + 1]} for i in range(3)]}
            for b, t in TIMES.items()
        ],
        "stages": STAGES,
        "group_types": GROUP_TYPES,
        "requirements": REQUIREMENTS,
        "patients": people,
        "counselors": staff,
        "rooms": room_list,
    }
    instance = parse_instance(data, "generated instance")
    witness = (
        Schedule(instance=instance.name, status="feasible", sessions=sessions)
        if witness_ok and sessions is not None
        else None
    )
    return instance, witness


def _all_slots() -> list[str]:
    return [f"{d}.{b}" for d in DAYS for b in TIMES]


def _draw_patients(rng: np.random.Generator, n: int) -> list[dict]:
    width = len(str(n))
    people = []
    for i in range(n):
        p: dict[str, Any] = {
            "id": f"P{i + 1:0{max(3, width)}d}",
            "stage": STAGES[rng.choice(len(STAGES), p=STAGE_SHARE)],
            "track": TRACKS[rng.choice(len(TRACKS), p=TRACK_SHARE)],
            "gender": GENDERS[rng.choice(len(GENDERS), p=GENDER_SHARE)],
            "_time": "pm" if rng.random() < EVENING_SHARE else "am",
        }
        if rng.random() < 0.25:
            p["flags"] = ["trauma"]
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


def _draw_rooms(rng: np.random.Generator, n: int) -> list[dict]:
    capacities = [16] + [int(rng.choice([10, 12, 12, 14])) for _ in range(n - 1)]
    return [
        {"id": f"R{i + 1}", "capacity": cap, "_used": set()} for i, cap in enumerate(capacities)
    ]


def _draw_counselors(rng: np.random.Generator, n: int) -> list[dict[str, Any]]:
    staff: list[dict[str, Any]] = []
    for i in range(n):
        shift = ["am", "pm", "pm", "both"][int(rng.integers(4))]
        day_off = DAYS[int(rng.integers(len(DAYS)))] if rng.random() < 0.5 else None
        times = ["am", "pm"] if shift == "both" else [shift]
        specialties = [s for s in SPECIALTIES if rng.random() < 0.4]
        staff.append(
            {
                "id": f"C{i + 1:02d}",
                "qualified": CORE_QUALIFICATIONS + specialties,
                "available": [f"{d}.{t}" for d in DAYS if d != day_off for t in times],
                "_load": 0,
            }
        )
    # Every specialty has at least two qualified counselors.
    for k, spec in enumerate(SPECIALTIES):
        holders = [c for c in staff if spec in c["qualified"]]
        for c in staff[k % n :] + staff[: k % n]:
            if len(holders) >= 2:
                break
            if c not in holders:
                c["qualified"].append(spec)
                holders.append(c)
    return staff


def _witness_sessions(
    cohorts: list[_Cohort], rooms: list[dict], staff: list[dict]
) -> list[Session] | None:
    """The witness: each cohort sits its week of nine sessions, three per block."""
    by_slot: dict[str, list[_Cohort]] = defaultdict(list)
    for c in cohorts:
        for s in c.slots:
            by_slot[s].append(c)
    week: dict[int, list[str]] = {id(c): list(COHORT_WEEK[c.stage]) for c in cohorts}
    sessions: list[Session] = []
    for slot in _all_slots():
        day, block = slot.split(".")
        here = sorted(by_slot[slot], key=lambda c: -len(c.members))
        free_rooms = sorted(rooms, key=lambda r: -r["capacity"])
        if len(here) > len(free_rooms):
            return None
        for c, room in zip(here, free_rooms):
            room["_used"].add(slot)
            for period in range(3):
                gtype = week[id(c)].pop()
                leader = _pick_leader(staff, gtype, slot, period, sessions)
                if leader is None:
                    return None
                leader["_load"] += 60
                times = TIMES[block]
                sessions.append(
                    Session(
                        id=f"W{len(sessions) + 1:04d}",
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
                    )
                )
    return sessions


def _pick_leader(
    staff: list[dict], gtype: str, slot: str, period: int, sessions: list[Session]
) -> dict | None:
    """The least loaded counselor free in the period, preferring those who work then."""
    busy = {s.counselors[0] for s in sessions if s.slot == slot and s.period == period}
    free = [c for c in staff if c["id"] not in busy]
    if not free:
        return None

    def rank(c: dict) -> tuple[int, int, int]:
        return (slot not in c["available"], gtype not in c["qualified"], c["_load"])

    leader = min(free, key=rank)
    # The witness may stretch a counselor's week: then that is their availability and skill.
    if slot not in leader["available"]:
        leader["available"].append(slot)
        leader["available"].sort(key=_all_slots().index)
    if gtype not in leader["qualified"]:
        leader["qualified"].append(gtype)
    return leader


def _draw_patient_extras(
    rng: np.random.Generator, people: list[dict], cohorts: list[_Cohort], staff: list[dict]
) -> None:
    """Availability around the witness, preferences, primary counselors, step-down, conflicts."""
    cohort_of = {pid: c for c in cohorts for pid in c.members}
    slots = _all_slots()
    for i, p in enumerate(people):
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
        p["primary_counselor"] = staff[i % len(staff)]["id"]
    # A few pairs who must be kept apart (family members, co-workers): never in one cohort.
    n_pairs = len(people) // 20
    ids = [p["id"] for p in people]
    pairs: set[tuple[str, str]] = set()
    for _ in range(50 * (n_pairs + 1)):
        if len(pairs) >= n_pairs:
            break
        a, b = (ids[j] for j in rng.choice(len(ids), size=2, replace=False))
        if cohort_of[a] is not cohort_of[b]:
            pairs.add((a, b))
    by_id = {p["id"]: p for p in people}
    for a, b in sorted(pairs):
        by_id[a].setdefault("avoid", []).append(b)
