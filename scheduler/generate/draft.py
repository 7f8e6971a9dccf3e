"""The program under construction: cohorts, and the witness schedule with its appointments
and who is busy when."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from models import Session
from scheduler.generate.slots import near_times


@dataclass
class Cohort:
    """Patients of one stage and time of day who attend three blocks together (``slots``)."""

    stage: str
    time: str
    members: list[str]
    slots: list[str]
    # (slot, period) -> the group type the cohort sits then
    week: dict[tuple[str, int], str] = field(default_factory=dict)


@dataclass
class Appt:
    """A witness appointment: ``time`` indexes INDIVIDUAL_SLOTS; the office comes last."""

    patient: str
    counselor: str
    day: str
    time: int
    room: str = ""


@dataclass
class Witness:
    """The witness schedule under construction, with who is busy when."""

    sessions: list[Session] = field(default_factory=list)
    individual: list[Appt] = field(default_factory=list)
    medication: list[Appt] = field(default_factory=list)
    screens: list[tuple[str, str]] = field(default_factory=list)  # (patient, slot)
    primary: dict[str, str] = field(default_factory=dict)  # every patient -> counselor
    leads: set[tuple[str, str, int]] = field(default_factory=set)  # (counselor, slot, period)
    busy: set[tuple[str, str, int]] = field(default_factory=set)  # (person, day, time)
    time_load: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    day_minutes: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))


def appointment_options(cohort: Cohort) -> list[tuple[str, int]]:
    """(day, individual slot) pairs next to the blocks the cohort attends."""
    return [
        (slot.split(".")[0], t) for slot in cohort.slots for t in near_times(slot.split(".")[1])
    ]
