"""Patients drawn in the proportions of ``docs/domain.md``: stage, track, gender, time of
day, flags and medication."""

from __future__ import annotations

from typing import Any

import numpy as np

from scheduler.generate.frame import STAGES

STAGE_SHARE = [0.20, 0.35, 0.30, 0.15]
TRACKS = ["substance_use", "dual_diagnosis", "psychiatric"]
TRACK_SHARE = [0.55, 0.30, 0.15]
GENDERS = ["female", "male", "nonbinary"]
GENDER_SHARE = [0.40, 0.57, 0.03]
EVENING_SHARE = 0.7
TRAUMA_SHARE = 0.25
FAMILY_SHARE = 0.30  # relatives take part: may join the family group
# Medication management by track (about 15% overall): psychiatric medication, MAT.
MEDICATION_SHARE = {"substance_use": 0.05, "dual_diagnosis": 0.25, "psychiatric": 0.35}


def draw_patients(rng: np.random.Generator, n: int, first: int, width: int) -> list[dict]:
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
