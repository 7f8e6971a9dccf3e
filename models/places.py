"""The places: sites of a multi-site organization and the rooms at them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from models.base import Id, Int, SlotRef, SparseModel, StrictModel


class Site(StrictModel):
    """One location of a multi-site organization; rooms and patients belong to one."""

    id: Id
    name: str | None = None


class Room(SparseModel):
    """A group room, or an office for one-to-one appointments."""

    _omit_unset = ("site",)

    id: Id
    capacity: Int = Field(ge=1, le=1000)
    type: Literal["group", "office"] = Field(
        default="group", description="groups meet in group rooms, appointments in offices"
    )
    available: list[SlotRef] | None = Field(default=None, description="all slots when absent")
    site: Id | None = Field(
        default=None, description="the site the room is at (required when there are sites)"
    )
