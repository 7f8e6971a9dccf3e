"""Where a new admission fits: the answer of ``iop-scheduler fit`` (``--json``), a public
JSON contract (``iop-scheduler schema fit``).

A :class:`Placement` is one way to seat the patient in the published week without
moving anyone: the blocks they attend, an existing session with a free seat in every
period of them, their appointments and screens, and what it costs (the increase of the
week's objective as the checker computes it). When there is none, :class:`Moves` is
the fewest moves that make room (a solve against the published week). Only ids: no
patient detail beyond them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.base import Id, TimeOfDay
from models.schedule import Changes, Schedule, Status

Verdict = Literal["fits", "moves", "none"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Seat(_Out):
    """A session of the published week the patient joins (it keeps its time, room, team)."""

    session: str = Field(description="the session's id in the published schedule")
    slot: str = Field(description="day.block")
    period: int = Field(ge=0, description="0-based period of the block")
    start: TimeOfDay
    end: TimeOfDay
    group_type: Id
    stage: Id | None = None
    room: Id
    counselors: list[Id]
    topic: Id | None = None


class Booking(_Out):
    """A one-to-one appointment at a time its counselor and an office are free."""

    kind: Literal["individual", "medication"]
    counselor: Id
    day: Id
    start: TimeOfDay
    end: TimeOfDay
    room: Id


class MovedAppointment(_Out):
    """Another patient's appointment moved to another time to make room (same patient,
    counselor and kind)."""

    patient: Id
    kind: Literal["individual", "medication"]
    counselor: Id
    day: Id = Field(description="from this day and start...")
    start: TimeOfDay
    to_day: Id = Field(description="...to this day and start")
    to_start: TimeOfDay
    room: Id = Field(description="the office at the new time")


class Placement(_Out):
    """One way to admit the patient without moving anyone, and what it costs."""

    rank: int = Field(ge=1, description="1 is the best (lowest cost)")
    blocks: list[str] = Field(description="the slots (day.block) attended, in week order")
    seats: list[Seat] = Field(description="a session per period of those blocks, in week order")
    appointments: list[Booking] = Field(default_factory=list)
    screens: list[str] = Field(default_factory=list, description="slots of the drug screens")
    moved_appointments: list[MovedAppointment] = Field(
        default_factory=list,
        description="others' appointments moved to make room (only in moves.placement)",
    )
    primary_counselor: Id | None = Field(
        default=None, description="the patient's primary counselor, given or assigned here"
    )
    primary_assigned: bool = Field(
        default=False, description="the primary counselor is assigned by this placement"
    )
    cost: int = Field(description="the increase of the week's objective (the checker's)")
    terms: dict[str, int] = Field(
        default_factory=dict, description="the increase by objective term (weighted), sums to cost"
    )
    objective: int = Field(description="the week's objective with the patient placed")
    schedule: Schedule | None = Field(
        default=None, exclude=True, description="the published week with this placement"
    )


class Moves(_Out):
    """When the patient fits nowhere as the week stands, the fewest moves that make room:
    first only others' appointments moved to other times (``placement``: nobody's groups
    change), else a re-solve of the week with the patient against the published schedule,
    so that as few as possible move."""

    status: Status
    placement: Placement | None = Field(
        default=None,
        description="the patient's placement when moving others' appointments is enough "
        "(see its moved_appointments)",
    )
    objective: int | None = Field(
        default=None,
        description="the re-solved week's objective (as check computes it without the "
        "published week: the stability terms left out)",
    )
    cost: int | None = Field(
        default=None, description="its increase over the published week's objective"
    )
    changes: Changes | None = Field(default=None, description="counts of what moved")
    patients_moved: list[Id] = Field(
        default_factory=list, description="patients whose block or seat changes"
    )
    sessions_moved: list[str] = Field(
        default_factory=list,
        description="sessions of the published schedule that no longer run in their period, "
        "room and team (their ids)",
    )
    counselors_changed: list[Id] = Field(
        default_factory=list, description="counselors whose group sessions change"
    )
    schedule: Schedule | None = Field(
        default=None, exclude=True, description="the re-solved week, when one was found"
    )


class FitResult(_Out):
    """Where a new admission fits this week (``iop-scheduler fit``)."""

    instance: str
    patient: Id
    verdict: Verdict = Field(
        description="fits: placements without moving anyone; moves: only by moving others "
        "(see moves); none: no way to admit the patient this week (see reasons)"
    )
    objective: int = Field(description="the published week's objective")
    placements: list[Placement] = Field(default_factory=list, description="best first")
    proven: bool = Field(
        default=False,
        description="each placement was proven the cheapest not listed before it",
    )
    moves: Moves | None = None
    reasons: list[str] = Field(
        default_factory=list, description="why it fits nowhere as the week stands, or at all"
    )
    wall_seconds: float = 0.0

    @property
    def schedule(self) -> Schedule | None:
        """The week to write: the best placement's, else the moves' re-solved week."""
        if self.placements:
            return self.placements[0].schedule
        return None if self.moves is None else self.moves.schedule
