"""The phone list: what changed between two schedules of a week, person by person.

A public JSON contract (``iop-scheduler diff --json``, ``iop-scheduler schema diff``),
made by ``scheduler.diff_schedules``. Ids only: no display names.

A person's week is what they are told: the group sessions they sit in or lead (day,
time, group type, stage, room, counselors) and their individual and medication
appointments (day, time, counselor, room; a counselor's also name the patient). Drug
screens are never listed (they are unannounced), nor a session's topic or, for a
counselor, who sits in their groups (the patients are called themselves).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.base import FormatVersion, Id, Int, TimeOfDay
from models.schedule import Changes

MeetingKind = Literal["session", "individual", "medication"]
Action = Literal["added", "removed", "moved", "changed"]
Aspect = Literal["time", "group_type", "stage", "counselors", "room", "patient"]


class Meeting(BaseModel):
    """One entry of a person's week: a group session, or an appointment."""

    model_config = ConfigDict(extra="forbid")

    day: Id
    block: Id | None = Field(
        default=None, description="the session's block; null for an appointment"
    )
    period: Int | None = Field(default=None, description="0-based period, for a session")
    start: TimeOfDay
    end: TimeOfDay
    group_type: Id | None = Field(default=None, description="for a session")
    stage: Id | None = Field(default=None, description="for a stage-matched session")
    room: Id
    counselors: list[Id] = Field(description="who leads the session, or the appointment's")
    patient: Id | None = Field(
        default=None, description="for an appointment in a counselor's week: whose it is"
    )


class Change(BaseModel):
    """One change to a person's week, one line of the phone list.

    ``added``: only in the new week; ``removed``: only in the old one; ``moved``: the
    same group type (or appointment) at another day or time; ``changed``: at the same
    time, with another group type, room, counselor or patient.
    """

    model_config = ConfigDict(extra="forbid")

    kind: MeetingKind
    action: Action
    before: Meeting | None = Field(default=None, description="null when added")
    after: Meeting | None = Field(default=None, description="null when removed")
    fields: list[Aspect] = Field(
        default_factory=list, description="what differs, for moved and changed"
    )


class PersonChanges(BaseModel):
    """Everything that changed in one person's week.

    ``status``: ``changed``; ``new`` for a patient only in the new week (admitted: every
    entry of their week is ``added``); ``discharged`` for a patient only in the old week
    and no longer in the instance (no entries: their whole week is cancelled).
    """

    model_config = ConfigDict(extra="forbid")

    id: Id
    role: Literal["patient", "counselor"]
    status: Literal["changed", "new", "discharged"] = "changed"
    changes: list[Change] = Field(default_factory=list)


class ScheduleDiff(BaseModel):
    """Who to phone after a change to the week, and who is unaffected."""

    model_config = ConfigDict(extra="forbid")

    format_version: FormatVersion = 1
    instance: str = Field(description="the instance the new schedule is for")
    patients: list[PersonChanges] = Field(default_factory=list, description="in id order")
    counselors: list[PersonChanges] = Field(default_factory=list, description="in id order")
    unaffected_patients: Int = Field(ge=0, description="the instance's patients with no change")
    unaffected_counselors: Int = Field(ge=0, description="the instance's counselors with no change")
    moved: Changes = Field(
        description=(
            "the stability counts (as a schedule's changes: solve --previous): returning "
            "patients with a block or seat changed, sessions moved, counselors changed"
        )
    )
