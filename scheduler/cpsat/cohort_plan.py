"""Cohorts planned before the search: patients who will go through the week together.

Programs run cohorts: the same patients stay together through a block, in one room,
while counselors rotate, and a process group keeps its members from meeting to meeting.
The search cannot find such a week on its own (who sits with whom is decided after it),
so the solve first plans the cohorts here and the model then seats each cohort as one
(``scheduler.cpsat.cohorts.members_together``): its members attend the same blocks and
sit the same families.

A cohort is patients of one stage who share enough available blocks on distinct days
(members who need fewer blocks follow it to some of them), at most as many as the smallest group they
will all sit (a process group) holds. Patients who fit no cohort (and those a pin, a
couple or an avoid pair ties down) stay free: the model seats them one by one, as before.

Pure Python (no solver).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from models import Patient, ProgramIndex
from scheduler.cpsat.caseloads import Caseloads


@dataclass(frozen=True)
class Cohort:
    """Patients the model seats as one: the same blocks, the same families.

    Members who need fewer blocks than the others (``blocks``) follow the cohort to
    some of its blocks only."""

    patients: tuple[str, ...]
    slots: frozenset[str]  # the blocks all of them are available for
    blocks: dict[str, int]  # patient -> the fewest blocks that give their hours and days


def plan_cohorts(index: ProgramIndex) -> list[Cohort]:
    """The week's cohorts, built stage by stage, least available patients first.

    Each cohort starts from the patient with the fewest available days not yet placed
    and takes, one at a time, the compatible patient who shares their primary counselor
    with a member and keeps the most blocks in common, up to the size cap; a cohort
    below the smallest group size is given up (its patients stay free). Patients left
    over then join a cohort with room where they can.
    """
    groups: dict[str, list[Patient]] = defaultdict(list)
    for p in _candidates(index):
        groups[p.stage].append(p)
    cohorts: list[Cohort] = []
    # Across stages: a counselor's caseload and the rooms span them.
    caseloads, rooms = Caseloads(index), _Rooms(index)
    for stage, patients in sorted(groups.items()):
        cap, least = _sizes(index, stage)
        if cap >= least:
            cohorts += _cohorts_of(
                index, patients, cap, least, _Stage(index, patients, caseloads, rooms)
            )
    return cohorts


def _candidates(index: ProgramIndex) -> list[Patient]:
    """Patients a cohort may take: not tied by a pin or a couple (the model keeps those one
    patient at a time), and with blocks to attend."""
    inst = index.instance
    pinned = {pin.patient for pin in inst.pins} | {p for pin in inst.pins for p in pin.patients}
    coupled = {pid for pair in inst.together for pid in pair.patients}
    tied = pinned | coupled
    return [p for p in inst.patients if p.id not in tied and index.patient_slots(p)]


def _blocks_needed(index: ProgramIndex, p: Patient) -> int:
    """The fewest blocks that give the patient their hours and days."""
    longest = max(index.block_minutes(s) for s in index.patient_slots(p))
    return max(p.min_days, math.ceil(p.min_minutes / longest))


def _sizes(index: ProgramIndex, stage: str) -> tuple[int, int]:
    """(cap, least): a cohort fits in one session of every group type open to the whole
    stage that its requirement rows count (the cap), and fills one (the least)."""
    caps, floors = [], []
    for _, req in enumerate(index.instance.requirements):
        if req.stage != stage:
            continue
        for g in index.instance.group_types:
            general = not (g.genders or g.tracks or g.requires_flags or g.family)
            stages_ok = g.stages is None or stage in g.stages
            if general and stages_ok and index.counts_for(req, g):
                caps.append(g.max_size)
                floors.append(g.min_size)
    if not caps:
        return 0, 1
    return min(caps), max(floors)


def _cohorts_of(
    index: ProgramIndex, patients: list[Patient], cap: int, least: int, stage: _Stage
) -> list[Cohort]:
    """Cohorts of patients of one stage."""
    avail = stage.avail
    order = sorted(patients, key=lambda p: (len(_days(index, avail[p.id])), len(avail[p.id]), p.id))
    free = [p.id for p in order]
    formed: list[list[str]] = []
    while free:
        members = [free.pop(0)]
        while len(members) < cap:
            ranked = [
                (stage.rank(members, pid), -i, pid)  # ties: the first in order
                for i, pid in enumerate(free)
                if stage.joins(members, pid)
            ]
            if not ranked:
                break
            pid = max(ranked)[2]
            members.append(pid)
            free.remove(pid)
        formed.append(members)
        if len(members) >= least:
            stage.plan(members)
    kept = [m for m in formed if len(m) >= least]
    for pid in (pid for m in formed if len(m) < least for pid in m):
        # Left over: join the cohort with room that shares the most blocks, if any.
        hosts = [m for m in kept if len(m) < cap and stage.joins(m, pid)]
        if hosts:
            host = max(hosts, key=lambda m: len(stage.common([*m, pid])))
            host.append(pid)
            stage.plan(host)
    return [
        Cohort(tuple(sorted(m)), stage.common(m), {pid: stage.need[pid] for pid in m}) for m in kept
    ]


class _Stage:
    """What decides whether patients of one stage can be a cohort."""

    def __init__(
        self, index: ProgramIndex, patients: list[Patient], caseloads: Caseloads, rooms: _Rooms
    ) -> None:
        self.index = index
        self.caseloads = caseloads
        self.rooms = rooms
        self.avail = {p.id: frozenset(index.patient_slots(p)) for p in patients}
        self.need = {p.id: _blocks_needed(index, p) for p in patients}
        self.primary = {p.id: p.primary_counselor for p in patients}
        self.topics, self.needed = curriculum(index, patients[0].stage)
        self.heard = {p.id: frozenset(p.completed_topics) & self.topics for p in patients}
        self.apart: dict[str, set[str]] = defaultdict(set)  # avoid pairs never share a cohort
        for a, b in index.avoid_pairs:
            self.apart[a].add(b)
            self.apart[b].add(a)

    def common(self, members: list[str]) -> frozenset[str]:
        """The blocks all of them are available for."""
        return frozenset.intersection(*(self.avail[pid] for pid in members))

    def new_topics(self, members: list[str]) -> int:
        """Topics none of them has heard."""
        return len(self.topics - frozenset().union(*(self.heard[pid] for pid in members)))

    def joins(self, members: list[str], pid: str) -> bool:
        """Whether ``pid`` can join: no avoid pair, enough shared blocks on distinct days for
        the one who needs most, room for everyone's appointments on those days, and enough
        topics none has heard for the cohort's psychoeducation, and times enough for
        their primary counselors' caseloads (``scheduler.cpsat.caseloads``)."""
        group = [*members, pid]
        shared = self.common(group)
        return (
            not self.apart[pid] & set(members)
            and _enough(self.index, shared, max(self.need[x] for x in group))
            and self.new_topics(group) >= self.needed
            and all(_appointments_fit(self.index, x, shared) for x in group)
            and self.caseloads.fit(group, shared)
            and self.rooms.fit(group, self._forced(group, shared))
        )

    def _forced(self, members: list[str], shared: frozenset[str]) -> frozenset[str]:
        """The blocks the cohort must meet in: on days it needs all, the day's one block."""
        if len(_days(self.index, shared)) > max(self.need[x] for x in members):
            return frozenset()
        by_day: dict[str, list[str]] = defaultdict(list)
        for slot in shared:
            by_day[self.index.day_of[slot]].append(slot)
        return frozenset(slots[0] for slots in by_day.values() if len(slots) == 1)

    def plan(self, members: list[str]) -> None:
        """Record ``members`` as a cohort: its caseloads' times and its forced blocks' rooms."""
        shared = self.common(members)
        self.caseloads.plan(members, shared)
        self.rooms.plan(members, self._forced(members, shared))

    def rank(self, members: list[str], pid: str) -> tuple[bool, int, int, int]:
        """Who joins first: a shared primary counselor, then the most new topics left,
        the most shared blocks, the fewest blocks of their own (the least flexible)."""
        group = [*members, pid]
        primaries = {self.primary[x] for x in members} - {None}
        return (
            self.primary[pid] in primaries,
            self.new_topics(group),
            len(self.common(group)),
            -len(self.avail[pid]),
        )


class _Rooms:
    """The rooms of each block against the cohorts that must meet there: each holds a room
    of its own in every period (with one left for the patients of no cohort)."""

    def __init__(self, index: ProgramIndex) -> None:
        self.capacities = {  # slot -> the capacities of the group rooms open then
            slot: [r.capacity for r in index.group_rooms if slot in index.room_slots(r)]
            for slot in index.slots
        }
        self.forced: dict[str, frozenset[str]] = {}  # a cohort (its first member) -> blocks

    def plan(self, members: list[str], forced: frozenset[str]) -> None:
        self.forced[members[0]] = forced

    def fit(self, members: list[str], forced: frozenset[str]) -> bool:
        """Whether a cohort of ``members`` forced into ``forced`` finds a room in each."""
        others = [blocks for seed, blocks in self.forced.items() if seed != members[0]]
        for slot in forced:
            fitting = sum(1 for capacity in self.capacities[slot] if capacity >= len(members))
            if sum(slot in blocks for blocks in others) + 1 > fitting - 1:
                return False
        return True


def _appointments_fit(index: ProgramIndex, pid: str, slots: frozenset[str]) -> bool:
    """Whether the patient's individual sessions (with their primary counselor, on
    different days) and medication appointment can be on days the cohort meets."""
    p = index.patient[pid]
    times = index.appointment_times_for(p, slots)

    def days_with(counselors: list[Any]) -> set[str]:
        return {t.day for t in times if any(t.slot in c.available for c in counselors)}

    per_week = index.individual_per_week(p)
    if per_week:
        primary = p.primary_counselor
        counselors = [index.counselor[primary]] if primary else index.primary_candidates
        if len(days_with(counselors)) < per_week:
            return False
    return not index.needs_medication(p) or bool(days_with(index.prescribers))


def curriculum(index: ProgramIndex, stage: str) -> tuple[frozenset[str], int]:
    """(topics, needed): the topics of the group types with a curriculum chosen after the
    solve (not strict) that the stage may join, and the most sessions of them a patient of
    the stage must sit (a requirement row's minimum)."""
    soft = [
        g
        for g in index.instance.group_types
        if g.topics and not g.strict_curriculum and (g.stages is None or stage in g.stages)
    ]
    topics = frozenset(t for g in soft for t in g.topics)
    needed = max(
        (
            req.min_sessions
            for req in index.instance.requirements
            if req.stage == stage and any(index.counts_for(req, g) for g in soft)
        ),
        default=0,
    )
    return topics, needed


def _days(index: ProgramIndex, slots: frozenset[str]) -> set[str]:
    return {index.day_of[s] for s in slots}


def _enough(index: ProgramIndex, slots: frozenset[str], blocks: int) -> bool:
    """Whether ``slots`` hold ``blocks`` blocks on distinct days."""
    return len(_days(index, slots)) >= blocks
