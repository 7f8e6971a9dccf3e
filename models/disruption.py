"""A same-day change to a published week: what ``iop-scheduler repair`` repairs.

A public, JSON-able value (``scheduler.repair`` takes it): counselors away for a
block, rooms closed for a block, patients discharged and admitted, and the first day
that may still change (the days before it are over: kept exactly as published).

Admitted patients come in a file of their own (``repair --admit FILE``): a JSON list of
patients in the instance's patient format, or an object ``{"patients": [...]}`` (an
instance file's own ``patients`` list can be pasted as it is), read by
:func:`load_admitted`.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import Field, ValidationError

from models.base import Id, SlotRef, StrictModel
from models.errors import InputError, format_loc, validation_problems
from models.people import Patient
from models.reading import read_json


class CounselorAway(StrictModel):
    """A counselor who cannot come to one block (``--unavailable C03@tue.am``)."""

    counselor: Id
    slot: SlotRef


class RoomClosed(StrictModel):
    """A room that cannot be used in one block (``--room-closed R2@wed.pm``)."""

    room: Id
    slot: SlotRef


class Disruption(StrictModel):
    """What changed since the week was published."""

    unavailable: list[CounselorAway] = Field(default_factory=list)
    rooms_closed: list[RoomClosed] = Field(default_factory=list)
    discharge: list[Id] = Field(default_factory=list, description="patient ids")
    admit: list[Patient] = Field(default_factory=list, description="new patients")
    from_day: Id | None = Field(
        default=None,
        description="the first day that may change; the days before it are kept as they were "
        "(all days may change when absent)",
    )


class _Admissions(StrictModel):
    patients: list[Patient]


def parse_admitted(data: Any, source: str = "admitted patients") -> list[Patient]:
    """Admitted patients from JSON data: a list of patients, or ``{"patients": [...]}``;
    raise :class:`InputError` listing every problem (at ``patients[i] (ID).field``)."""
    wrapped = {"patients": data} if isinstance(data, list) else data
    if not isinstance(wrapped, dict):
        raise InputError(source, ['a list of patients, or an object {"patients": [...]}'])
    try:
        return _Admissions.model_validate(wrapped, strict=True).patients
    except ValidationError as err:
        problems = validation_problems(err)
        raise InputError(
            source, [f"{format_loc(p.loc, wrapped)}: {p.message}" for p in problems]
        ) from None


def load_admitted(path: str | os.PathLike[str]) -> list[Patient]:
    """Read admitted patients from a JSON file (see :func:`parse_admitted`)."""
    return parse_admitted(read_json(path), str(path))
