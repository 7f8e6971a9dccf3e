"""Staff: group-leading counselors, clinicians and case managers with their shifts and
skills, how many a program needs, and the prescribers."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np

from scheduler.generate.draft import Cohort
from scheduler.generate.frame import DAYS, STAFF_REQUIRED, TIMES
from scheduler.generate.slots import individual_per_week, near_times

# Staff: about one case manager in eight (leads groups, carries no caseload), about 30%
# clinicians (licensed: needed for the dual diagnosis group), the rest counselors;
# prescribers come on top, one per ~15 patients on medication.
CASE_MANAGER_EVERY = 8
CLINICIAN_SHARE = 0.3
MEDICATION_PER_PRESCRIBER = 15
# Primary counselors the default staffing provides per appointment at the busiest time.
APPOINTMENT_SLACK = 1.15

# What every counselor and clinician leads, what a case manager leads, and the
# specialties a few hold.
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


def default_counselors(people: list[dict], cohorts: list[Cohort], n_rooms: int) -> int:
    """Enough staff to lead a room's group each and hold the busiest appointment time."""
    stage = {p["id"]: p for p in people}
    # Individual sessions per appointment time next to each block's days; a cohort can
    # only use the times of the days it attends, so count per day too.
    demand: dict[tuple[str, str], float] = defaultdict(float)  # (block, day)
    for c in cohorts:
        sessions = sum(individual_per_week(stage[pid]) for pid in c.members)
        days = sorted({slot.split(".")[0] for slot in c.slots})
        for day in days:
            demand[(c.time, day)] += sessions / len(days)
    peak = max(demand[key] / len(near_times(key[0])) for key in demand)
    primaries = math.ceil(peak * APPOINTMENT_SLACK) + 1
    n = max(n_rooms + 1, math.ceil(len(people) / 12), primaries)
    while n - n // CASE_MANAGER_EVERY < primaries:
        n += 1
    return n


def draw_counselors(rng: np.random.Generator, n: int, prefix: str) -> list[dict[str, Any]]:
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


def draw_prescriber(rng: np.random.Generator, number: int, prefix: str) -> dict[str, Any]:
    """A psychiatrist or nurse practitioner: three days a week, leads no groups."""
    days = sorted(int(d) for d in rng.choice(len(DAYS), size=3, replace=False))
    return {
        "id": f"{prefix}RX{number:02d}",
        "roles": ["prescriber"],
        "qualified": [],
        "available": [f"{DAYS[d]}.{b}" for d in days for b in TIMES],
    }


def draw_prescribers(
    rng: np.random.Generator, people: list[dict], prefix: str
) -> list[dict[str, Any]]:
    """One prescriber, and one more for every MEDICATION_PER_PRESCRIBER patients on medication."""
    on_medication = sum(1 for p in people if p.get("medication_management"))
    n = 1 + on_medication // MEDICATION_PER_PRESCRIBER
    return [draw_prescriber(rng, k + 1, prefix) for k in range(n)]
