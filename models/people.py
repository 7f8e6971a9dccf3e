"""The people of the week: patients, counselors, and pairs who attend together."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from models.base import (
    HOURS_IN_WEEK,
    PRIMARY_ROLES,
    Count,
    Date,
    DisplayName,
    Id,
    Int,
    Role,
    SlotRef,
    SparseModel,
    StrictModel,
)

_DEFAULT_ROLES: tuple[Role, ...] = ("counselor",)
# A patient's fields that a phase of a rolling program gives when the patient does not.
PHASE_FIELDS = ("stage", "min_hours", "max_hours", "min_days")


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # stage: required unless admitted is given


class Patient(SparseModel):
    """A patient in the program this week."""

    _omit_unset = ("site", "display_name", "admitted", "discharge")

    id: Id
    stage: Id = Field(
        default="",
        description=(
            "required unless admitted is given (then the instance's phases give it, and a "
            "stage given must match)"
        ),
        json_schema_extra=_no_default,
    )
    available: list[SlotRef]
    min_hours: float = Field(default=9, ge=0, le=HOURS_IN_WEEK, allow_inf_nan=False)
    max_hours: float = Field(default=19, ge=0, le=HOURS_IN_WEEK, allow_inf_nan=False)
    min_days: Int = Field(default=3, ge=0)
    track: str | None = None
    gender: str | None = None
    flags: list[str] = Field(default_factory=list)
    preferred: list[SlotRef] = Field(default_factory=list)
    primary_counselor: Id | None = Field(
        default=None, description="when absent the solver assigns one (see primary_counselors)"
    )
    avoid: list[Id] = Field(default_factory=list)
    medication_management: bool = Field(
        default=False, description="one appointment a week with a prescriber"
    )
    completed_topics: list[Id] = Field(
        default_factory=list, description="curriculum topics heard in earlier weeks"
    )
    site: Id | None = Field(
        default=None, description="the site the patient attends (required when there are sites)"
    )
    display_name: DisplayName | None = Field(
        default=None,
        description=(
            "how printed rosters, sign-in sheets and the patient's own page name them "
            "(e.g. 'Maria G.'); never in logs, CSV, calendar feeds or FHIR"
        ),
    )
    admitted: Date | None = Field(
        default=None,
        description=(
            "rolling program: the date of admission (YYYY-MM-DD); with the instance's "
            "week_of it gives the week in program, and the phase holding that week gives "
            "stage, min_hours, max_hours and min_days (each unless the patient gives it)"
        ),
    )
    discharge: Date | None = Field(
        default=None,
        description=(
            "planned discharge (YYYY-MM-DD): puts the patient in a final_weeks phase, "
            "and roll leaves them out of the weeks after it"
        ),
    )

    @property
    def min_minutes(self) -> int:
        return round(self.min_hours * 60)

    @property
    def max_minutes(self) -> int:
        return round(self.max_hours * 60)

    @property
    def derived(self) -> tuple[str, ...]:
        """The fields a phase gave (not the patient): not written back to the file."""
        if self.admitted is None:
            return ()
        return tuple(f for f in PHASE_FIELDS if f not in self.model_fields_set)

    @model_validator(mode="after")
    def _hours(self) -> Patient:
        if self.admitted is not None:
            return self  # the hours are checked once the phase is known (models.phases)
        if self.min_hours > self.max_hours:
            raise ValueError(f"min_hours {self.min_hours:g} is above max_hours {self.max_hours:g}")
        return self


class Counselor(SparseModel):
    """A staff member who leads groups."""

    _omit_unset = ("sites",)

    id: Id
    qualified: list[Id]
    available: list[SlotRef]
    name: str | None = None
    max_hours: float | None = Field(
        default=None,
        ge=0,
        le=HOURS_IN_WEEK,
        allow_inf_nan=False,
        description="group hours per week",
    )
    max_hours_per_day: float | None = Field(
        default=None,
        ge=0,
        le=24,
        allow_inf_nan=False,
        description="hours of groups and appointments per day",
    )
    roles: list[Role] = Field(default_factory=lambda: list(_DEFAULT_ROLES))
    max_individual: Count | None = Field(default=None, description="individual sessions per week")
    max_caseload: Count | None = Field(
        default=None, description="patients with this primary counselor"
    )
    sites: list[Id] | None = Field(
        default=None,
        description="the sites they may work at, one a day; any site when absent",
    )

    @field_validator("sites")
    @classmethod
    def _some_sites(cls, sites: list[str] | None) -> list[str] | None:
        if sites is None:
            return sites
        if not sites:
            raise ValueError("give at least one site, or leave sites out (any site)")
        dupes = sorted({s for s in sites if sites.count(s) > 1})
        if dupes:
            raise ValueError(f"site listed twice: {', '.join(dupes)}")
        return sites

    @property
    def max_minutes(self) -> int | None:
        return None if self.max_hours is None else round(self.max_hours * 60)

    @property
    def max_minutes_per_day(self) -> int | None:
        return None if self.max_hours_per_day is None else round(self.max_hours_per_day * 60)

    @property
    def can_be_primary(self) -> bool:
        return any(r in PRIMARY_ROLES for r in self.roles)


class Together(StrictModel):
    """Two patients who must share all their sessions of one group type (couples groups)."""

    patients: list[Id] = Field(min_length=2, max_length=2)
    group_type: Id
