"""A rolling (open-group) program: patients with admission and planned discharge dates,
the phases of their stay, and new admissions week by week.

:func:`rolling_program` is :func:`scheduler.generate.generate`'s program with each
patient placed in their stay: a patient of stage *s* gets an ``admitted`` date in a week
of the phase of *s* and a planned ``discharge`` at the end of week 12, and no stage or
hours of their own (the phases give them, the same as generated, so the witness stays
valid). Its groups are open (none stage-matched): a week brings a few new patients, who
join the groups running, as in open-group IOPs; each type still admits the stages it
lists. :func:`weekly_admissions` draws a week's new patients in the program's style.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np

from models import Instance, Patient, Phase, Schedule, parse_instance, to_json
from scheduler.generate.build import generate
from scheduler.generate.patients import draw_patients

PROGRAM_WEEKS = 12  # a stay: weeks 1-12, discharged at the end of week 12
WEEK_OF = dt.date(2026, 11, 30)  # a Monday
# The stay by week (each phase's hours hold the generated 9 hours of a witness week).
PHASES = [
    Phase(stage="engagement", from_week=1, to_week=2, min_hours=9, max_hours=19),
    Phase(stage="early_recovery", from_week=3, to_week=6, min_hours=9, max_hours=19),
    Phase(stage="maintenance", from_week=7, min_hours=9, max_hours=15),
    # Step-down: the final two weeks, fewer hours and days.
    Phase(stage="community_integration", final_weeks=2, min_hours=6, max_hours=9, min_days=2),
]
# The weeks in program of each stage's phase (a final_weeks phase: the last weeks).
STAGE_WEEKS = {
    "engagement": (1, 2),
    "early_recovery": (3, 6),
    "maintenance": (7, PROGRAM_WEEKS - 2),
    "community_integration": (PROGRAM_WEEKS - 1, PROGRAM_WEEKS),
}
EVENING_SHARE = 0.7
ADMISSION_DAYS = 5  # admitted on a weekday: Monday to Friday of the week


def planned_discharge(admitted_in: dt.date) -> dt.date:
    """The Friday of week ``PROGRAM_WEEKS`` of a stay whose first week starts ``admitted_in``
    (so its final weeks are exactly weeks 11 and 12)."""
    return admitted_in + dt.timedelta(days=7 * (PROGRAM_WEEKS - 1) + 4)


def rolling_program(
    patients: int = 60, seed: int = 0, week_of: dt.date = WEEK_OF, **generate_args: Any
) -> tuple[Instance, Schedule | None]:
    """A rolling program's week and a witness schedule that proves it feasible.

    Parameters
    ----------
    patients, seed
        As :func:`scheduler.generate.generate` (which gets ``generate_args`` too).
    week_of
        The week's first day (default Monday 2026-11-30).

    Returns
    -------
    tuple[Instance, Schedule | None]
        The instance, with :data:`PHASES` and every patient given by ``admitted`` and
        ``discharge`` (their stage as generated, through the phases), and the witness.
    """
    instance, witness = generate(patients=patients, seed=seed, week_of=week_of, **generate_args)
    rng = np.random.default_rng([seed, 1])
    data = _as_given(instance)
    for p in data["patients"]:
        first, last = STAGE_WEEKS[p.pop("stage")]
        week = int(rng.integers(first, last + 1))
        start = week_of - dt.timedelta(days=7 * (week - 1))  # their week 1
        p["admitted"] = (start + dt.timedelta(days=int(rng.integers(ADMISSION_DAYS)))).isoformat()
        p["discharge"] = planned_discharge(start).isoformat()
        for field in ("min_hours", "max_hours", "min_days"):  # the phase's, not their own
            p.pop(field, None)
    data["phases"] = [phase.model_dump(mode="json") for phase in PHASES]
    # Open groups: a week's few admissions could never fill groups of their own stage.
    for gtype in data["group_types"]:
        gtype["stage_matched"] = False
    if witness is not None:
        open_sessions = [s.model_copy(update={"stage": None}) for s in witness.sessions]
        witness = witness.model_copy(update={"sessions": open_sessions})
    return parse_instance(data, "rolling program"), witness


def weekly_admissions(
    instance: Instance, week: dt.date, count: int, seed: int = 0
) -> list[Patient]:
    """A week's new patients in the program's style, admitted from Monday to Friday of it.

    Parameters
    ----------
    instance
        The program (its days, blocks and counselors).
    week
        The first day of the week they are admitted in (the new week's ``week_of``).
    count
        How many.
    seed
        Same seed and week, same patients.

    Returns
    -------
    list[Patient]
        Patients ``N<yyyymmdd>-<k>`` (unique across weeks: an id never returns), in
        the engagement phase, with a planned discharge at the end of week 12, available
        on most days at their time of day (70% evenings), without a primary counselor
        (the solver assigns one).
    """
    rng = np.random.default_rng([seed, week.toordinal()])
    drawn = draw_patients(rng, count, 0, 2)
    blocks = [b.id for b in instance.blocks]
    out = []
    for k, p in enumerate(drawn):
        time = "pm" if rng.random() < EVENING_SHARE else "am"
        time = time if time in blocks else blocks[-1]
        available = [
            f"{d}.{b}"
            for d in instance.days
            for b in blocks
            if rng.random() < (0.8 if b == time else 0.1)
        ]
        mine = [f"{d}.{time}" for d in instance.days]
        if sum(s in mine for s in available) < 3:  # at least three days at their time
            extra = [s for s in mine if s not in available]
            picks = rng.choice(
                len(extra), size=3 - sum(s in mine for s in available), replace=False
            )
            available += [extra[j] for j in picks]
        admitted = week + dt.timedelta(days=int(rng.integers(ADMISSION_DAYS)))
        fields = {
            "id": f"N{week:%Y%m%d}-{k + 1:02d}",
            "available": [s for s in instance.slots if s in set(available)],
            "track": p["track"],
            "gender": p["gender"],
            "flags": p.get("flags", []),
            "medication_management": p.get("medication_management", False),
            "admitted": admitted,
            "discharge": planned_discharge(week),
        }
        out.append(Patient.model_validate(fields))
    return out


def _as_given(instance: Instance) -> dict[str, Any]:
    """The instance's JSON data (what phases derive left out)."""
    return dict(json.loads(to_json(instance)))
