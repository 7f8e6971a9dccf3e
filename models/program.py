"""The program's week and its groups: blocks of periods, group types, requirements."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from models.base import Count, Id, Int, Kind, Role, StrictModel, TimeOfDay, minutes
from models.people import Patient

# Group sizes by kind when a group type leaves them out (domain.md).
DEFAULT_SIZES: dict[str, tuple[int, int]] = {
    "psychoeducational": (4, 16),
    "skills": (4, 12),
    "interpersonal_process": (4, 10),
}


class Period(StrictModel):
    """A time range inside a block in which one group session runs."""

    start: TimeOfDay
    end: TimeOfDay

    @property
    def minutes(self) -> int:
        return minutes(self.end) - minutes(self.start)

    @model_validator(mode="after")
    def _ends_after_start(self) -> Period:
        if minutes(self.end) <= minutes(self.start):
            raise ValueError(f"period ends at {self.end}, not after its start {self.start}")
        return self


class Block(StrictModel):
    """A part of the day (e.g. morning) that patients attend whole."""

    id: Id
    periods: list[Period] = Field(min_length=1)

    @property
    def start(self) -> int:
        return minutes(self.periods[0].start)

    @property
    def end(self) -> int:
        return minutes(self.periods[-1].end)

    @property
    def minutes(self) -> int:
        """Group time in the block: breaks between periods do not count."""
        return sum(p.minutes for p in self.periods)

    @field_validator("periods")
    @classmethod
    def _ordered(cls, periods: list[Period]) -> list[Period]:
        for before, after in zip(periods, periods[1:]):
            if minutes(after.start) < minutes(before.end):
                raise ValueError(
                    f"period {after.start}-{after.end} starts before the previous one "
                    f"ends ({before.end}); periods must be ordered and not overlap"
                )
        return periods


class GroupType(StrictModel):
    """A kind of therapy group; eligibility fields that are given must all match."""

    id: Id
    kind: Kind
    min_size: Int = Field(default=0, ge=0, le=1000, description="0 means the default of the kind")
    max_size: Int = Field(
        default=0, ge=0, le=1000, description="0 means the default of the kind (at least min_size)"
    )
    stage_matched: bool = False
    stages: list[Id] | None = None
    genders: list[str] | None = None
    tracks: list[str] | None = None
    requires_flags: list[str] = Field(default_factory=list)
    topics: list[Id] = Field(
        default_factory=list, description="curriculum: every session of the type teaches one"
    )
    strict_curriculum: bool = Field(
        default=False, description="never repeat a topic to a patient (otherwise a penalty)"
    )
    staff_required: Int = Field(default=1, ge=1, le=4, description="counselors per session")
    requires_role: Role | None = Field(
        default=None, description="at least one of the session's counselors has this role"
    )
    family: bool = Field(default=False, description="relatives attend: see family_seats")
    family_seats: Int = Field(
        default=2, ge=1, le=10, description="room seats per patient in a family group"
    )

    def admits(self, patient: Patient) -> bool:
        """Whether the patient may join a group of this type (every given condition holds)."""
        return (
            (self.stages is None or patient.stage in self.stages)
            and (self.genders is None or patient.gender in self.genders)
            and (self.tracks is None or patient.track in self.tracks)
            and all(flag in patient.flags for flag in self.requires_flags)
        )

    @property
    def seats_per_patient(self) -> int:
        """Room seats one patient takes (with their relatives in family groups)."""
        return self.family_seats if self.family else 1

    def holds(self, capacity: int) -> int:
        """Patients one session can take in a room of ``capacity`` seats (at most max_size)."""
        return min(self.max_size, capacity // self.seats_per_patient)

    @field_validator("topics")
    @classmethod
    def _distinct_topics(cls, topics: list[str]) -> list[str]:
        dupes = sorted({t for t in topics if topics.count(t) > 1})
        if dupes:
            raise ValueError(f"topic listed twice: {', '.join(dupes)}")
        return topics

    @model_validator(mode="after")
    def _sizes(self) -> GroupType:
        low, high = DEFAULT_SIZES[self.kind]
        # frozen model: fill defaults through object.__setattr__
        if self.min_size == 0:
            object.__setattr__(self, "min_size", low)
        if self.max_size == 0:
            object.__setattr__(self, "max_size", max(high, self.min_size))
        if self.min_size > self.max_size:
            raise ValueError(f"min_size {self.min_size} is above max_size {self.max_size}")
        return self


class Requirement(StrictModel):
    """How many sessions of a group type (or kind) a patient attends per week."""

    stage: Id | None = None
    group_type: Id | None = None
    kind: Kind | None = None
    min_sessions: Int = Field(default=0, ge=0, le=1000)
    max_sessions: Count | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Requirement:
        if (self.group_type is None) == (self.kind is None):
            raise ValueError("give exactly one of group_type and kind")
        if self.max_sessions is not None and self.min_sessions > self.max_sessions:
            raise ValueError(
                f"min_sessions {self.min_sessions} is above max_sessions {self.max_sessions}"
            )
        return self

    @property
    def target(self) -> str:
        return self.group_type if self.group_type is not None else f"kind {self.kind}"
