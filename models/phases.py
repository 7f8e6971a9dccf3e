"""The rolling program: phases of a patient's stay, and each patient's stage from them.

A patient of a rolling (open-group) program gives the date they were ``admitted``
instead of a fixed ``stage``; the instance's ``phases`` say which stage each week in
the program belongs to and its hours. :func:`phase_problems` resolves every such
patient at validation time (their ``stage``, ``min_hours``, ``max_hours`` and
``min_days`` are set from their phase), so the rest of the code reads a patient's
stage and hours as always. A value the patient gives themself wins over the phase's
(a stage must match it); what came from a phase is not written back to the file
(:meth:`models.people.Patient.derived`), so next week's instance takes next week's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from pydantic import BeforeValidator, Field, model_validator

from models.base import HOURS_IN_WEEK, Count, Id, SparseModel, _whole_number
from models.errors import MISSING
from models.people import PHASE_FIELDS

if TYPE_CHECKING:
    from models.instance import Instance
    from models.people import Patient

# A week of a patient's stay: 1 is the week they were admitted in.
Week = Annotated[int, Field(ge=1, le=520), BeforeValidator(_whole_number)]
Hours = Annotated[float, Field(ge=0, le=HOURS_IN_WEEK, allow_inf_nan=False)]


class Phase(SparseModel):
    """A part of a patient's stay: the stage and hours of some of their weeks in program.

    Either a range of weeks (``from_week``, and ``to_week`` unless open-ended) or the
    ``final_weeks`` before a patient's planned ``discharge`` (which, for a patient with
    one, wins over the range that also holds the week).
    """

    _omit_unset = ("from_week", "to_week", "final_weeks", "min_hours", "max_hours", "min_days")

    stage: Id = Field(description="the stage of the patients in this phase (one of stages)")
    from_week: Week | None = Field(
        default=None,
        description=(
            "first week in program of the phase: week 1 is the program week (from "
            "week_of's weekday) that holds admitted; week n = ceil((week_of - admitted) "
            "in days / 7) + 1"
        ),
    )
    to_week: Week | None = Field(
        default=None, description="last week in program of the phase; open-ended when absent"
    )
    final_weeks: Week | None = Field(
        default=None,
        description=(
            "instead of from_week: the last n weeks before a patient's planned discharge "
            "(the weeks holding it and the n-1 before); patients without one never enter it"
        ),
    )
    min_hours: Hours | None = Field(
        default=None, description="weekly hours of the phase (the patient's default when absent)"
    )
    max_hours: Hours | None = Field(default=None, description="weekly hours of the phase")
    min_days: Count | None = Field(default=None, description="days a week of the phase")

    @model_validator(mode="after")
    def _weeks(self) -> Phase:
        if (self.from_week is None) == (self.final_weeks is None):
            raise ValueError("give exactly one of from_week (with to_week) and final_weeks")
        if self.to_week is not None and self.from_week is None:
            raise ValueError("to_week needs from_week (final_weeks counts back from discharge)")
        first, last = self.from_week or 0, self.to_week
        if last is not None and last < first:
            raise ValueError(f"to_week {last} is before from_week {first}")
        low, high = self.min_hours, self.max_hours
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_hours {low:g} is above max_hours {high:g}")
        return self

    @property
    def weeks(self) -> str:
        """The phase's weeks in words (``weeks 1-4``, ``weeks 13-``, ``the final 2 weeks``)."""
        if self.final_weeks is not None:
            return f"the final {self.final_weeks} weeks"
        end = "" if self.to_week is None else self.to_week
        return f"weeks {self.from_week}-{end}"

    def holds(self, week: int) -> bool:
        """Whether a range phase holds this week in program."""
        first = self.from_week or 0
        return self.final_weeks is None and first <= week <= (self.to_week or week)


def _first(phase: Phase) -> int:
    return phase.from_week or 0


def _last(phase: Phase) -> int:
    return phase.to_week or 10**6  # open-ended


def week_in_program(admitted: dt.date, week_of: dt.date) -> int:
    """The week of the stay that ``week_of`` begins: program weeks start on ``week_of``'s
    weekday, and week 1 is the one holding the admission (so a patient admitted on a
    Wednesday is in week 2 the next Monday): ``ceil((week_of - admitted) / 7) + 1``."""
    return max(1, -(-(week_of - admitted).days // 7) + 1)


def in_final_weeks(discharge: dt.date, week_of: dt.date, final_weeks: int) -> bool:
    """Whether the week beginning ``week_of`` is one of the last ``final_weeks`` before
    (and holding) ``discharge``."""
    return (discharge - week_of).days < 7 * final_weeks


def phase_of(instance: Instance, patient: Patient) -> tuple[int, Phase | None]:
    """A patient's week in program and the phase it falls in (None when none does)."""
    assert patient.admitted is not None and instance.week_of is not None
    week = week_in_program(patient.admitted, instance.week_of)
    if patient.discharge is not None:
        for phase in instance.phases:
            if phase.final_weeks and in_final_weeks(
                patient.discharge, instance.week_of, phase.final_weeks
            ):
                return week, phase
    return week, next((p for p in instance.phases if p.holds(week)), None)


def phase_problems(inst: Instance, add: Callable[..., None], stages: set[str]) -> None:
    """The phases' own cross-object rules, then every admitted patient's stage and hours
    set from their phase (what cannot be resolved is a problem at the patient)."""
    ranges = [(j, p) for j, p in enumerate(inst.phases) if p.from_week is not None]
    for j, phase in enumerate(inst.phases):
        if phase.stage not in stages:
            add(("phases", j, "stage"), f"'{phase.stage}' is not a stage", "stages")
    for n, (j, phase) in enumerate(ranges):
        for k, other in ranges[:n]:
            if _first(phase) <= _last(other) and _first(other) <= _last(phase):
                add(("phases", j), f"{phase.weeks} overlap phases[{k}]'s {other.weeks}")
    finals = [j for j, p in enumerate(inst.phases) if p.final_weeks is not None]
    for j in finals[1:]:
        add(("phases", j, "final_weeks"), f"a second final_weeks phase (phases[{finals[0]}])")
    for i, patient in enumerate(inst.patients):
        _resolve(inst, i, patient, add)


def _resolve(inst: Instance, i: int, patient: Patient, add: Callable[..., None]) -> None:
    """Set one patient's stage and hours from their phase, or say why not."""
    admitted, discharge, week_of = patient.admitted, patient.discharge, inst.week_of
    if admitted is None and not patient.stage:
        add(("patients", i, "stage"), MISSING)  # (or admitted: the README says so)
    if admitted is None or week_of is None:
        if admitted is not None:
            add(("patients", i, "admitted"), "needs the instance's week_of", "week_of")
        return
    if admitted >= week_of + dt.timedelta(days=7):
        add(
            ("patients", i, "admitted"),
            f"{admitted} is after the week of {week_of}: the patient belongs to a later week",
            "week_of",
        )
        return
    if discharge is not None and discharge < admitted:
        add(("patients", i, "discharge"), f"{discharge} is before admitted {admitted}")
        return
    if discharge is not None and discharge < week_of:
        add(
            ("patients", i, "discharge"),
            f"{discharge} is before the week of {week_of}: the patient has left the program",
            "week_of",
        )
        return
    if not inst.phases:
        add(("patients", i, "admitted"), "needs the instance's phases (none given)", "phases")
        return
    week, phase = phase_of(inst, patient)
    if phase is None:
        add(
            ("patients", i, "admitted"),
            f"week {week} of the program (admitted {admitted}) is in no phase",
            "phases",
        )
        return
    given = patient.model_fields_set
    if "stage" in given and patient.stage and patient.stage != phase.stage:
        add(
            ("patients", i, "stage"),
            f"'{patient.stage}', but week {week} of the program is in phase "
            f"'{phase.stage}' ({phase.weeks}); leave stage out or match it",
            "phases",
        )
        return
    # A copy: the same patient object may be another instance's (of another week).
    patient = inst.patients[i] = patient.model_copy()
    for name in PHASE_FIELDS:
        value = getattr(phase, name)
        if name not in given and value is not None:
            object.__setattr__(patient, name, value)  # frozen model: set here, once
    if patient.min_hours > patient.max_hours:
        add(
            ("patients", i, "min_hours"),
            f"min_hours {patient.min_hours:g} is above max_hours {patient.max_hours:g} "
            f"(with phase '{phase.stage}', {phase.weeks})",
            "phases",
        )
