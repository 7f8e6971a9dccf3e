"""The witness's appointments: each patient's individual sessions with a primary counselor,
medication appointments with a prescriber, and screens, all next to blocks they attend."""

from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np

from models.base import minutes
from scheduler.generate.draft import Appt, Cohort, Witness, appointment_options
from scheduler.generate.frame import INDIVIDUAL_MINUTES, SCREENS_PER_WEEK, TIMES
from scheduler.generate.slots import (
    appointment_block,
    appointment_span,
    individual_per_week,
    stretch,
)
from scheduler.generate.staff import draw_prescriber

SCREEN_CAPACITY = 8  # specimen collections per block (raised when the witness needs more)


def _counselor_free(w: Witness, cid: str, day: str, time: int) -> bool:
    """Not in another appointment then, nor leading a group that overlaps it."""
    if (cid, day, time) in w.busy:
        return False
    start, end = appointment_span(time)
    for block, times in TIMES.items():
        for period in range(len(times) - 1):
            if (cid, f"{day}.{block}", period) in w.leads and (
                start < minutes(times[period + 1]) and minutes(times[period]) < end
            ):
                return False
    return True


def _book(w: Witness, appt: Appt, person: dict) -> None:
    """Record an appointment: both people busy, the counselor available in its block."""
    stretch(person, f"{appt.day}.{appointment_block(appt.time)}")
    w.busy.add((appt.patient, appt.day, appt.time))
    w.busy.add((appt.counselor, appt.day, appt.time))
    w.time_load[(appt.day, appt.time)] += 1
    w.day_minutes[(appt.counselor, appt.day)] += INDIVIDUAL_MINUTES


def _best_booking(
    w: Witness,
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
            stretch = sum(f"{d}.{appointment_block(t)}" not in c["available"] for d, t in combo)
            if stretch and c.get("_pinned"):
                continue  # a floater works at this site only on their days here
            key = (stretch, max(loads), taken[c["id"]], sum(loads))
            if best is None or key < best[0]:
                best = (key, c, combo)
    return None if best is None else (best[1], best[2])


def witness_individual(
    rng: np.random.Generator,
    w: Witness,
    people: list[dict],
    cohort_of: dict[str, Cohort],
    staff: list[dict],
) -> bool:
    """Each patient's individual sessions with one primary counselor, next to blocks they attend.

    Patients with two sessions a week go first; the primary is whoever is free then.
    """
    primaries = [c for c in staff if {"counselor", "clinician"} & set(c["roles"])]
    caseload = {c["id"]: 0 for c in primaries}
    order = [people[i] for i in rng.permutation(len(people))]
    order.sort(key=lambda p: -individual_per_week(p))
    for p in order:
        k = individual_per_week(p)
        found = _best_booking(
            w, p["id"], appointment_options(cohort_of[p["id"]]), k, primaries, caseload
        )
        if found is None:
            return False
        counselor, times = found
        w.primary[p["id"]] = counselor["id"]
        caseload[counselor["id"]] += 1
        for day, t in times:
            appt = Appt(p["id"], counselor["id"], day, t)
            w.individual.append(appt)
            _book(w, appt, counselor)
    return True


def witness_medication(
    rng: np.random.Generator,
    w: Witness,
    people: list[dict],
    cohort_of: dict[str, Cohort],
    prescribers: list[dict],
    prefix: str,
) -> None:
    """One prescriber appointment per patient on medication; a prescriber joins when all are busy."""
    count = {c["id"]: 0 for c in prescribers}
    for i in rng.permutation(len(people)):
        p = people[i]
        if not p.get("medication_management"):
            continue
        choices = appointment_options(cohort_of[p["id"]])
        found = _best_booking(w, p["id"], choices, 1, prescribers, count)
        if found is None:
            prescribers.append(draw_prescriber(rng, len(prescribers) + 1, prefix))
            count[prescribers[-1]["id"]] = 0
            found = _best_booking(w, p["id"], choices, 1, prescribers, count)
        # A new prescriber is free at every time, and a patient has at most two
        # individual sessions among the six times next to their blocks.
        assert found is not None, "a free prescriber"
        prescriber, ((day, t),) = found
        count[prescriber["id"]] += 1
        appt = Appt(p["id"], prescriber["id"], day, t)
        w.medication.append(appt)
        _book(w, appt, prescriber)


def witness_screens(
    rng: np.random.Generator, w: Witness, people: list[dict], cohort_of: dict[str, Cohort]
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


def screen_capacity(w: Witness) -> int:
    """Screens per block: SCREEN_CAPACITY, or the witness's busiest block with slack."""
    load: dict[str, int] = defaultdict(int)
    for _, slot in w.screens:
        load[slot] += 1
    peak = max(load.values(), default=0)
    return max(SCREEN_CAPACITY, peak + max(2, peak // 4))


def fallback_primaries(w: Witness, people: list[dict], staff: list[dict]) -> None:
    """Without a witness, primary counselors in turn among the staff who can carry a caseload."""
    able = [c for c in staff if {"counselor", "clinician"} & set(c["roles"])] or staff
    for i, p in enumerate(people):
        w.primary[p["id"]] = able[i % len(able)]["id"]
