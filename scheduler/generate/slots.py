"""Time helpers: the week's slots, appointment times and the blocks they belong to."""

from __future__ import annotations

from typing import Any

from models.base import minutes
from models.index import gap, home_block, overlaps
from scheduler.generate.frame import (
    ADJACENT_MINUTES,
    DAYS,
    INDIVIDUAL_BY_STAGE,
    INDIVIDUAL_MINUTES,
    INDIVIDUAL_PER_WEEK,
    INDIVIDUAL_SLOTS,
    TIMES,
)


def all_slots() -> list[str]:
    """Every (day, block) slot of the week, as ``"mon.am"``, in week order."""
    return [f"{d}.{b}" for d in DAYS for b in TIMES]


def _block_span(block: str) -> tuple[int, int]:
    """A block's start and end in minutes."""
    return minutes(TIMES[block][0]), minutes(TIMES[block][-1])


def appointment_span(time: int) -> tuple[int, int]:
    """An individual slot's start and end in minutes (its length is INDIVIDUAL_MINUTES)."""
    start = minutes(INDIVIDUAL_SLOTS[time][0])
    return start, start + INDIVIDUAL_MINUTES


def appointment_block(time: int) -> str:
    """The block an individual slot belongs to, as the scheduler reads it."""
    return home_block(*appointment_span(time), {b: _block_span(b) for b in TIMES})


def near_times(block: str) -> list[int]:
    """Individual slots just before or after the block: no overlap, no extra trip."""
    spans = {b: _block_span(b) for b in TIMES}
    return [
        t
        for t in range(len(INDIVIDUAL_SLOTS))
        if appointment_block(t) == block
        and gap(*appointment_span(t), *spans[block]) <= ADJACENT_MINUTES
        and not overlaps(*appointment_span(t), *spans[block])
    ]


def individual_per_week(person: dict[str, Any]) -> int:
    """How many individual sessions the patient has a week (by stage)."""
    return INDIVIDUAL_BY_STAGE.get(person["stage"], INDIVIDUAL_PER_WEEK)


def stretch(person: dict, slot: str) -> None:
    """The witness may stretch someone's week: then that is their availability."""
    if slot not in person["available"]:
        person["available"].append(slot)
        person["available"].sort(key=all_slots().index)
