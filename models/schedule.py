"""The schedule: a week's group sessions. A public JSON contract (``format_version: 1``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.base import FormatVersion, Id, Int, TimeOfDay, minutes
from models.errors import Problem, ReferenceProblems

Status = Literal["optimal", "feasible", "infeasible", "unknown"]


class Session(BaseModel):
    """One group meeting: a group type in one period of one block, with its people."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    day: Id
    block: Id
    period: Int = Field(ge=0, description="0-based index of the period in the block")
    start: TimeOfDay
    end: TimeOfDay
    group_type: Id
    stage: Id | None = Field(default=None, description="null unless the type is stage-matched")
    room: Id
    counselors: list[Id]
    patients: list[Id]
    topic: Id | None = Field(default=None, description="curriculum topic, for types with topics")

    @property
    def slot(self) -> str:
        return f"{self.day}.{self.block}"

    @property
    def minutes(self) -> int:
        return minutes(self.end) - minutes(self.start)


class Appointment(BaseModel):
    """A one-to-one meeting: individual counseling or medication management."""

    model_config = ConfigDict(extra="forbid")

    patient: Id
    counselor: Id
    day: Id
    start: TimeOfDay
    end: TimeOfDay
    room: Id

    @property
    def minutes(self) -> int:
        return minutes(self.end) - minutes(self.start)


class Screen(BaseModel):
    """A specimen collection for drug and alcohol monitoring, in a block the patient attends."""

    model_config = ConfigDict(extra="forbid")

    patient: Id
    day: Id
    block: Id

    @property
    def slot(self) -> str:
        return f"{self.day}.{self.block}"


ShortfallRule = Literal[
    "min_hours", "min_days", "requirement", "individual", "medication", "screens"
]


# The objective term (a field of Weights) that counts each kind of shortfall.
SHORTFALL_TERM: dict[str, str] = {
    "min_hours": "shortfall_minutes",
    "min_days": "shortfall_days",
    "requirement": "shortfall_sessions",
    "individual": "shortfall_sessions",
    "medication": "shortfall_sessions",
    "screens": "shortfall_sessions",
}


class Shortfall(BaseModel):
    """In a best-effort schedule: a patient-side rule not met, by how much, and why."""

    model_config = ConfigDict(extra="forbid")

    patient: Id
    rule: ShortfallRule
    requirement: Int | None = Field(default=None, description="the row, for rule requirement")
    needed: float = Field(description="hours for min_hours, else days or sessions")
    got: float
    reason: str | None = None


class Changes(BaseModel):
    """What changed against a previous schedule (``solve --previous``)."""

    model_config = ConfigDict(extra="forbid")

    patients_moved: Int = Field(
        ge=0,
        description="returning patients who attend another block or lost a seat of last week",
    )
    sessions_moved: Int = Field(
        ge=0, description="last week's sessions not run again in their period, room and team"
    )
    counselors_changed: Int = Field(
        ge=0, description="counselors whose group sessions are not last week's"
    )


class Schedule(BaseModel):
    """The solver's answer, or a hand-made timetable to check.

    Its status and its content agree: with status ``infeasible`` or ``unknown`` there is
    no timetable, so it has no sessions, appointments, screens, shortfalls, assigned
    primary counselors or objective.
    """

    model_config = ConfigDict(extra="forbid")

    format_version: FormatVersion = 1
    instance: str
    status: Status
    objective: Int | None = None
    best_bound: float | None = None
    gap: float | None = Field(default=None, description="(objective - bound) / objective")
    wall_seconds: float | None = Field(
        default=None, description="null in --deterministic runs, so that output is reproducible"
    )
    objective_terms: dict[str, Int] = Field(
        default_factory=dict, description="weighted objective by term; sums to objective"
    )
    sessions: list[Session] = Field(default_factory=list)
    individual_sessions: list[Appointment] = Field(default_factory=list)
    medication_appointments: list[Appointment] = Field(default_factory=list)
    screens: list[Screen] = Field(default_factory=list)
    best_effort: bool = Field(
        default=False,
        description="patient-side rules were penalties (solve --best-effort); see shortfalls",
    )
    shortfalls: list[Shortfall] = Field(default_factory=list)
    primary_counselors: dict[Id, Id] = Field(
        default_factory=dict,
        description="patient -> counselor, for the patients the solver assigned one",
    )
    changes: Changes | None = Field(
        default=None,
        description=(
            "against the previous schedule, when solved with one (left out otherwise: "
            "models.to_json writes it only when set)"
        ),
    )

    @property
    def found(self) -> bool:
        """Whether it holds a timetable (status optimal or feasible)."""
        return self.status in ("optimal", "feasible")

    @model_validator(mode="after")
    def _status_matches_content(self) -> Schedule:
        if self.found:
            return self
        held = [
            f"{len(entries)} {what}{'' if len(entries) == 1 else 's'}"
            for what, entries in (
                ("session", self.sessions),
                ("individual session", self.individual_sessions),
                ("medication appointment", self.medication_appointments),
                ("screen", self.screens),
                ("shortfall", self.shortfalls),
                ("assigned primary counselor", self.primary_counselors),
            )
            if entries
        ]
        if self.objective is not None or self.objective_terms:
            held.append("an objective")
        if held:
            what = ", ".join(held[:-1]) + " and " + held[-1] if len(held) > 1 else held[0]
            raise ReferenceProblems(
                [
                    Problem(
                        ("status",),
                        f"'{self.status}' but the schedule holds {what} "
                        "(with status infeasible or unknown it holds none)",
                    )
                ]
            )
        return self
