"""The instance: one week of an IOP (patients, counselors, rooms, rules).

This is a public JSON contract (``format_version: 1``). Field validators check
each object on its own; :func:`_check_references` then checks everything that
crosses objects (unique ids, references, slots) and reports all of those at
once. Pydantic runs the cross-object check only once every field is valid, so
a file with both kinds of problem shows its field problems first.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from models.errors import Problem, ReferenceProblems

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
TimeOfDay = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["09:00"])]
SlotRef = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$", examples=["tue.pm"]),
]
Kind = Literal["psychoeducational", "skills", "interpersonal_process"]
KINDS: tuple[Kind, ...] = ("psychoeducational", "skills", "interpersonal_process")

# Group sizes by kind when a group type leaves them out (domain.md).
DEFAULT_SIZES: dict[str, tuple[int, int]] = {
    "psychoeducational": (4, 16),
    "skills": (4, 12),
    "interpersonal_process": (4, 10),
}


HOURS_IN_WEEK = 168
MAX_WEIGHT = 1_000_000  # keeps objectives exact in float64 (CP-SAT reports them as floats)


def minutes(time: str) -> int:
    """Minutes since midnight of an ``HH:MM`` string."""
    hours, mins = time.split(":")
    return int(hours) * 60 + int(mins)


class _Strict(BaseModel):
    # Unknown fields are almost always typos ("min_hour"): reject them.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
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


class Block(_Strict):
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


class GroupType(_Strict):
    """A kind of therapy group; eligibility fields that are given must all match."""

    id: Id
    kind: Kind
    min_size: int = Field(default=0, ge=0, le=1000, description="0 means the default of the kind")
    max_size: int = Field(
        default=0, ge=0, le=1000, description="0 means the default of the kind (at least min_size)"
    )
    stage_matched: bool = False
    stages: list[Id] | None = None
    genders: list[str] | None = None
    tracks: list[str] | None = None
    requires_flags: list[str] = Field(default_factory=list)

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


class Requirement(_Strict):
    """How many sessions of a group type (or kind) a patient attends per week."""

    stage: Id | None = None
    group_type: Id | None = None
    kind: Kind | None = None
    min_sessions: int = Field(default=0, ge=0, le=1000)
    max_sessions: int | None = Field(default=None, ge=0, le=1000)

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


class Patient(_Strict):
    """A patient in the program this week."""

    id: Id
    stage: Id
    available: list[SlotRef]
    min_hours: float = Field(default=9, ge=0, le=HOURS_IN_WEEK, allow_inf_nan=False)
    max_hours: float = Field(default=19, ge=0, le=HOURS_IN_WEEK, allow_inf_nan=False)
    min_days: int = Field(default=3, ge=0)
    track: str | None = None
    gender: str | None = None
    flags: list[str] = Field(default_factory=list)
    preferred: list[SlotRef] = Field(default_factory=list)
    primary_counselor: Id | None = None
    avoid: list[Id] = Field(default_factory=list)

    @property
    def min_minutes(self) -> int:
        return round(self.min_hours * 60)

    @property
    def max_minutes(self) -> int:
        return round(self.max_hours * 60)

    @model_validator(mode="after")
    def _hours(self) -> Patient:
        if self.min_hours > self.max_hours:
            raise ValueError(f"min_hours {self.min_hours:g} is above max_hours {self.max_hours:g}")
        return self


class Counselor(_Strict):
    """A staff member who leads groups."""

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

    @property
    def max_minutes(self) -> int | None:
        return None if self.max_hours is None else round(self.max_hours * 60)


class Room(_Strict):
    """A group room."""

    id: Id
    capacity: int = Field(ge=1, le=1000)
    available: list[SlotRef] | None = Field(default=None, description="all slots when absent")


class Weights(_Strict):
    """Objective weights; 0 switches a term off. All terms are minimized."""

    session_run: int = Field(default=60, ge=0, le=MAX_WEIGHT, description="per group session run")
    excess_minutes: int = Field(
        default=1, ge=0, le=MAX_WEIGHT, description="per minute a patient attends above min_hours"
    )
    preferred_missed: int = Field(
        default=30,
        ge=0,
        le=MAX_WEIGHT,
        description="per block a patient attends outside their preferred slots",
    )
    load_imbalance_minutes: int = Field(
        default=1,
        ge=0,
        le=MAX_WEIGHT,
        description="per minute between the most and least loaded group-leading counselor",
    )
    primary_not_leading: int = Field(
        default=60,
        ge=0,
        le=MAX_WEIGHT,
        description="per patient whose primary counselor leads none of their groups",
    )


class Instance(_Strict):
    """One week of one program: everything the scheduler needs."""

    format_version: Literal[1] = 1
    name: str = Field(min_length=1)
    week_of: dt.date | None = None
    days: list[Id] = Field(min_length=1)
    blocks: list[Block] = Field(min_length=1)
    stages: list[Id] = Field(min_length=1)
    group_types: list[GroupType] = Field(min_length=1)
    requirements: list[Requirement] = Field(default_factory=list)
    patients: list[Patient] = Field(default_factory=list)
    counselors: list[Counselor] = Field(default_factory=list)
    rooms: list[Room] = Field(default_factory=list)
    weights: Weights = Field(default_factory=Weights)

    @property
    def slots(self) -> list[str]:
        """Every ``day.block`` in week order."""
        return [f"{d}.{b.id}" for d in self.days for b in self.blocks]

    @model_validator(mode="after")
    def _references(self) -> Instance:
        problems = _check_references(self)
        if problems:
            raise ReferenceProblems(problems)
        return self


def _check_references(inst: Instance) -> list[Problem]:
    """Every cross-object rule of the format, as one list of problems."""
    problems: list[Problem] = []

    def add(loc: tuple[str | int, ...], msg: str) -> None:
        problems.append(Problem(loc, msg))

    def unique(field: str, ids: list[str]) -> set[str]:
        seen: set[str] = set()
        for i, ident in enumerate(ids):
            if ident in seen:
                add(
                    (field, i, "id") if field not in ("days", "stages") else (field, i),
                    f"duplicate id '{ident}'",
                )
            seen.add(ident)
        return seen

    days = unique("days", inst.days)
    stages = unique("stages", inst.stages)
    unique("blocks", [b.id for b in inst.blocks])
    types = unique("group_types", [g.id for g in inst.group_types])
    patients = unique("patients", [p.id for p in inst.patients])
    counselors = unique("counselors", [c.id for c in inst.counselors])
    unique("rooms", [r.id for r in inst.rooms])
    slots = set(inst.slots)

    ordered = sorted(enumerate(inst.blocks), key=lambda ib: ib[1].start)
    for (_, a), (j, b) in zip(ordered, ordered[1:]):
        if b.start < a.end:
            add(("blocks", j, "periods"), f"block '{b.id}' overlaps block '{a.id}'")

    def check_slots(loc: tuple[str | int, ...], refs: list[str] | None) -> None:
        for k, ref in enumerate(refs or []):
            if ref not in slots:
                add((*loc, k), f"'{ref}' is not a slot (day.block, e.g. '{inst.slots[0]}')")

    for i, g in enumerate(inst.group_types):
        for k, s in enumerate(g.stages or []):
            if s not in stages:
                add(("group_types", i, "stages", k), f"'{s}' is not a stage")
    for i, r in enumerate(inst.requirements):
        if r.stage is not None and r.stage not in stages:
            add(("requirements", i, "stage"), f"'{r.stage}' is not a stage")
        if r.group_type is not None and r.group_type not in types:
            add(("requirements", i, "group_type"), f"'{r.group_type}' is not a group type id")
    for i, p in enumerate(inst.patients):
        if p.stage not in stages:
            add(("patients", i, "stage"), f"'{p.stage}' is not a stage")
        if p.primary_counselor is not None and p.primary_counselor not in counselors:
            add(
                ("patients", i, "primary_counselor"),
                f"'{p.primary_counselor}' is not a counselor id",
            )
        for k, other in enumerate(p.avoid):
            if other == p.id:
                add(("patients", i, "avoid", k), "a patient cannot avoid themself")
            elif other not in patients:
                add(("patients", i, "avoid", k), f"'{other}' is not a patient id")
        if p.min_days > len(days):
            add(("patients", i, "min_days"), f"{p.min_days} is more than the {len(days)} days")
        check_slots(("patients", i, "available"), p.available)
        check_slots(("patients", i, "preferred"), p.preferred)
    for i, c in enumerate(inst.counselors):
        for k, t in enumerate(c.qualified):
            if t not in types:
                add(("counselors", i, "qualified", k), f"'{t}' is not a group type id")
        check_slots(("counselors", i, "available"), c.available)
    for i, room in enumerate(inst.rooms):
        check_slots(("rooms", i, "available"), room.available)
    return problems
