"""What the greedy reads from the instance once (``Program``): the requirement rows
per stage, class sizes, who may join what, and appointment-time geometry."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from models import GroupType, Patient, ProgramIndex
from models.index import AppointmentTime


@dataclass(frozen=True)
class Row:
    """A requirement row as it binds one stage."""

    number: int  # index in instance.requirements
    low: int
    high: int | None
    types: frozenset[str]  # group types that count for it
    needs_cohort: bool  # only stage-matched types open to the stage count for it


def _open_to(group_type: GroupType, stage: str) -> bool:
    """Whether every patient of the stage may join (no gender, track or flag condition)."""
    g = group_type
    return (
        (g.stages is None or stage in g.stages)
        and g.genders is None
        and g.tracks is None
        and not g.requires_flags
    )


class Program:
    """What the greedy reads from the instance once: rows per stage, class sizes, lookups."""

    def __init__(self, index: ProgramIndex) -> None:
        self.idx = index
        inst = index.instance
        self.inst = inst
        self.types = inst.group_types
        self.rows = {st: self._rows_of(st) for st in inst.stages}
        self.rows_of_type = {
            (st, g.id): [k for k, r in enumerate(rows) if g.id in r.types]
            for st, rows in self.rows.items()
            for g in self.types
        }
        filler = self._mixed_filler()
        self.mixed_min = filler.min_size if filler else math.inf
        self.mixed_limit = filler.max_size if filler else 0
        self.cohort_min = {st: self._cohort_min(st) for st in inst.stages}
        self.class_limit = {st: self._class_limit(st) for st in inst.stages}
        self.eligible = {
            p.id: frozenset(g.id for g in self.types if index.eligible(p, g)) for p in inst.patients
        }
        self.staff_available = {c.id: set(c.available) for c in inst.counselors}
        self.patient_available = {p.id: set(p.available) for p in inst.patients}
        self.qualified = {
            g.id: [c for c in inst.counselors if g.id in c.qualified] for g in self.types
        }
        self.avoid: dict[str, set[str]] = defaultdict(set)
        for a, b in index.avoid_pairs:
            self.avoid[a].add(b)
            self.avoid[b].add(a)
        self.partner: dict[tuple[str, str], str] = {}
        for pair in inst.together:
            a, b = pair.patients
            self.partner[(a, pair.group_type)] = b
            self.partner[(b, pair.group_type)] = a
        self.slot_groups = {slot: self._groups_possible(slot) for slot in index.slots}
        self.stage_available: dict[tuple[str, str], int] = defaultdict(int)
        for p in inst.patients:
            for slot in p.available:
                self.stage_available[(p.stage, slot)] += 1
        self.slot_rank = index.slot_rank
        self.block_minutes = {slot: index.block_minutes(slot) for slot in index.slots}
        self.block_periods = {slot: len(index.periods_of[slot]) for slot in index.slots}
        # Appointment-time geometry, asked thousands of times.
        times = index.appointment_times
        self.clashing = {t.key: frozenset(index.blocks_clashing(t)) for t in times}
        self.periods_clashing = {t.key: index.periods_clashing(t) for t in times}
        self._adjacent = {
            (t.key, s) for t in times for s in index.day_slots(t.day) if index.next_to(t, s)
        }
        self.day_rank = {day: i for i, day in enumerate(inst.days)}

    def _rows_of(self, stage: str) -> list[Row]:
        rows = []
        for i, r in enumerate(self.inst.requirements):
            if r.stage is not None and r.stage != stage:
                continue
            types = [g for g in self.types if self.idx.counts_for(r, g)]
            open_types = [g for g in types if _open_to(g, stage)]
            rows.append(
                Row(
                    i,
                    r.min_sessions,
                    r.max_sessions,
                    frozenset(g.id for g in types),
                    bool(open_types) and all(g.stage_matched for g in open_types),
                )
            )
        return rows

    def _open_types(self, stage: str, row: Row) -> list[GroupType]:
        return [g for g in self.types if g.id in row.types and _open_to(g, stage)]

    def _cohort_min(self, stage: str) -> int:
        """Patients of one stage a block needs so that they can hold a stage-matched group."""
        sizes = [
            min(g.min_size for g in self._open_types(stage, r))
            for r in self.rows[stage]
            if r.low > 0 and r.needs_cohort
        ]
        return max([*sizes, 1 if math.isinf(self.mixed_min) else int(self.mixed_min)])

    def _class_limit(self, stage: str) -> int:
        """The largest class of the stage that every group type it needs can hold at once."""
        sizes = [
            max(g.max_size for g in self._open_types(stage, r))
            for r in self.rows[stage]
            if r.low > 0 and self._open_types(stage, r)
        ]
        fillers = [
            g.max_size for g in self.types if _open_to(g, stage) and not self.bounded(stage, g)
        ]
        if fillers:
            sizes.append(max(fillers))
        biggest_room = max((r.capacity for r in self.idx.group_rooms), default=1)
        limit = min([*sizes, biggest_room]) if sizes else biggest_room
        return max(limit, self.cohort_min[stage], 1)

    def bounded(self, stage: str, group_type: GroupType) -> bool:
        """Whether a session of the type counts toward a row with a maximum for the stage."""
        return any(
            self.rows[stage][k].high is not None for k in self.rows_of_type[(stage, group_type.id)]
        )

    def _mixed_filler(self) -> GroupType | None:
        """The type a class of several stages runs when in doubt: open to all, never capped."""
        stages = self.inst.stages
        fillers = [
            g
            for g in self.types
            if not g.stage_matched
            and all(_open_to(g, st) for st in stages)
            and not any(self.bounded(st, g) for st in stages)
        ]
        return max(fillers, key=lambda g: (g.max_size, -g.min_size), default=None)

    def _groups_possible(self, slot: str) -> int:
        """Groups a period of the block can hold: open group rooms and available leaders."""
        rooms = sum(1 for r in self.idx.group_rooms if slot in self.idx.room_slots(r))
        leaders = sum(1 for c in self.inst.counselors if c.qualified and slot in c.available)
        return min(rooms, leaders)

    def next_to(self, t: AppointmentTime, slot: str) -> bool:
        """Whether the appointment is right before or after the block (no extra trip)."""
        return (t.key, slot) in self._adjacent

    @cached_property
    def smallest_group(self) -> int:
        """Fewest patients a block needs to hold a group anyone may join (the mixed class's
        type; a couples group of two does not count)."""
        if not math.isinf(self.mixed_min):
            return int(self.mixed_min)
        return max(1, min(g.min_size for g in self.types))

    def class_min(self, stage: str) -> int:
        """The smallest class of one stage worth forming."""
        return self.cohort_min[stage]

    def need_periods(self, patient: Patient) -> int:
        """Sessions the requirement rows ask at least (rows counted apart: an upper bound)."""
        return sum(r.low for r in self.rows[patient.stage])


def conflicts(prog: Program, pid: str, members: Iterable[str]) -> int:
    """How many of ``members`` the patient must not sit with (avoid pairs)."""
    avoided = prog.avoid.get(pid)
    return sum(1 for q in members if q in avoided) if avoided else 0
