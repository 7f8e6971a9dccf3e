"""Lookups precomputed from a validated instance, shared by the solver model and the checker.

They make the rule code read like the rule: ``index.eligible(patient, group_type)``,
``index.periods_of[slot]``, ``index.applies(requirement, patient)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from models.instance import Block, Counselor, GroupType, Instance, Patient, Requirement, Room


@dataclass(frozen=True)
class PeriodRef:
    """One period of one block on one day: the unit in which a session runs."""

    slot: str
    day: str
    block: str
    index: int
    start: str
    end: str
    minutes: int

    @property
    def key(self) -> tuple[str, int]:
        return (self.slot, self.index)

    @property
    def label(self) -> str:
        return f"{self.slot} {self.start}-{self.end}"


class ProgramIndex:
    """Read-only lookups over one instance."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.slots: list[str] = instance.slots
        self.block_of: dict[str, Block] = {}
        self.day_of: dict[str, str] = {}
        self.periods_of: dict[str, list[PeriodRef]] = {}
        for day in instance.days:
            for block in instance.blocks:
                slot = f"{day}.{block.id}"
                self.block_of[slot] = block
                self.day_of[slot] = day
                self.periods_of[slot] = [
                    PeriodRef(slot, day, block.id, i, p.start, p.end, p.minutes)
                    for i, p in enumerate(block.periods)
                ]
        self.periods: list[PeriodRef] = [p for s in self.slots for p in self.periods_of[s]]
        self.period_at: dict[tuple[str, int], PeriodRef] = {p.key: p for p in self.periods}
        self.group_type: dict[str, GroupType] = {g.id: g for g in instance.group_types}
        self.patient: dict[str, Patient] = {p.id: p for p in instance.patients}
        self.counselor: dict[str, Counselor] = {c.id: c for c in instance.counselors}
        self.room: dict[str, Room] = {r.id: r for r in instance.rooms}
        self.stage_rank: dict[str, int] = {s: i for i, s in enumerate(instance.stages)}
        self._room_slots: dict[str, set[str]] = {
            r.id: set(self.slots if r.available is None else r.available) for r in instance.rooms
        }

    def block_minutes(self, slot: str) -> int:
        return self.block_of[slot].minutes

    def patient_slots(self, patient: Patient) -> list[str]:
        """Slots the patient can attend, in week order."""
        available = set(patient.available)
        return [s for s in self.slots if s in available]

    def room_slots(self, room: Room) -> set[str]:
        """Slots the room can be used in (every slot when the instance names none)."""
        return self._room_slots[room.id]

    def eligible(self, patient: Patient, group_type: GroupType) -> bool:
        """Whether the patient may join a group of this type (every given condition holds)."""
        g = group_type
        return (
            (g.stages is None or patient.stage in g.stages)
            and (g.genders is None or patient.gender in g.genders)
            and (g.tracks is None or patient.track in g.tracks)
            and all(flag in patient.flags for flag in g.requires_flags)
        )

    def applies(self, requirement: Requirement, patient: Patient) -> bool:
        return requirement.stage is None or requirement.stage == patient.stage

    def counts_for(self, requirement: Requirement, group_type: GroupType) -> bool:
        """Whether a session of this type counts toward the requirement row."""
        if requirement.group_type is not None:
            return requirement.group_type == group_type.id
        return requirement.kind == group_type.kind

    def requirements_of(self, patient: Patient) -> list[tuple[int, Requirement]]:
        """The requirement rows (with their index in the instance) that bind the patient."""
        return [
            (i, r) for i, r in enumerate(self.instance.requirements) if self.applies(r, patient)
        ]

    @cached_property
    def avoid_pairs(self) -> list[tuple[str, str]]:
        """Pairs never to share a session, each once, whichever side listed it."""
        pairs = {tuple(sorted((p.id, q))) for p in self.instance.patients for q in p.avoid}
        return sorted(pairs)  # type: ignore[arg-type]

    @cached_property
    def group_leaders(self) -> list[Counselor]:
        """Counselors who can lead some group: the ones load balance is measured over."""
        return [c for c in self.instance.counselors if c.qualified and c.available]
