"""Limits and extras drawn around the witness: staff hours and caseloads with slack,
patients' availability and preferences, pairs kept apart, primary counselors, topics heard
in earlier weeks, and couples in treatment together."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np

from scheduler.generate.draft import Cohort, Witness
from scheduler.generate.frame import TOPICS
from scheduler.generate.slots import all_slots

UNASSIGNED_SHARE = 0.10  # admitted this week: the solver assigns the primary counselor
# Share of patients with curriculum topics from earlier weeks, by stage.
COMPLETED_SHARE = {"engagement": 0.0, "early_recovery": 0.4, "maintenance": 0.6}
COMPLETED_DEFAULT_SHARE = 0.6


def set_staff_limits(
    rng: np.random.Generator,
    w: Witness,
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


def draw_patient_extras(
    rng: np.random.Generator, people: list[dict], cohort_of: dict[str, Cohort]
) -> None:
    """Availability around the witness, preferences, step-down, conflicts."""
    slots = all_slots()
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


def _meet(a: Cohort, b: Cohort) -> bool:
    """Whether two cohorts sit the same group type in some period (always, for one cohort)."""
    return any(b.week.get(pos) == gtype for pos, gtype in a.week.items())


def set_primaries(rng: np.random.Generator, w: Witness, people: list[dict]) -> dict[str, str]:
    """Give most patients the witness's primary counselor; return the ones left to the solver."""
    assigned = {}
    for p in people:
        if rng.random() < UNASSIGNED_SHARE:
            assigned[p["id"]] = w.primary[p["id"]]
        else:
            p["primary_counselor"] = w.primary[p["id"]]
    return assigned


def draw_completed_topics(rng: np.random.Generator, w: Witness, people: list[dict]) -> None:
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


def draw_couples(
    rng: np.random.Generator, people: list[dict], cohorts: list[Cohort]
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
