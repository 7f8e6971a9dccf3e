"""Step 4, classes: in every block the patients of one stage form classes; the
stragglers of small stages form a mixed class or join one as guests."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from scheduler.greedy.hints import Stuck
from scheduler.greedy.lookups import Program, conflicts


@dataclass
class Class:
    """Patients of one block who sit together unless a group type does not fit them."""

    stage: str | None  # None: a mixed class
    members: list[str]


def form_classes(prog: Program, attend: dict[str, list[str]]) -> dict[str, list[Class]]:
    """Every block's classes, in week order."""
    by_slot: dict[str, list[str]] = defaultdict(list)
    for p in prog.inst.patients:
        for slot in attend[p.id]:
            by_slot[slot].append(p.id)
    lent: dict[str, int] = defaultdict(int)  # blocks a patient was lent to a mixed class
    return {
        slot: _classes_of_block(prog, slot, by_slot.get(slot, []), lent) for slot in prog.idx.slots
    }


def _classes_of_block(
    prog: Program, slot: str, attendees: list[str], lent: dict[str, int]
) -> list[Class]:
    """Stage classes of at most the class limit; stragglers in a mixed class or as guests."""
    by_stage: dict[str, list[str]] = defaultdict(list)
    for pid in attendees:
        by_stage[prog.idx.patient[pid].stage].append(pid)
    classes: list[Class] = []
    lonely: list[str] = []
    for stage in prog.inst.stages:
        members = by_stage.get(stage, [])
        if len(members) < prog.class_min(stage):
            lonely += members
            continue
        k = math.ceil(len(members) / prog.class_limit[stage])
        if k == 1 and _avoid_inside(prog, members) and len(members) >= 2 * prog.class_min(stage):
            k = 2  # two classes keep the pair apart
        classes += [Class(stage, part) for part in _deal(prog, members, k)]
    if 0 < len(lonely) < prog.mixed_min and len(classes) < prog.slot_groups[slot]:
        _lend_to_stragglers(prog, classes, lonely, lent)
    if len(lonely) >= prog.mixed_min:
        k = math.ceil(len(lonely) / prog.mixed_limit)
        classes += [Class(None, part) for part in _deal(prog, lonely, k)]
    elif lonely and classes:
        for pid in lonely:  # guests: they sit elsewhere when the class's type does not fit them
            host = min(classes, key=lambda c: (conflicts(prog, pid, c.members), len(c.members)))
            host.members.append(pid)
            if len(classes) == 1:
                host.stage = None  # no other group to sit in: the class is a mixed one
    elif lonely:
        raise Stuck(
            f"classes: {lonely[0]} would be alone in {slot}, too few patients to form a group",
            "seat",
            lonely[0],
            [slot],
        )
    too_big = any(len(c.members) > max(prog.class_limit.values()) for c in classes)
    if len(classes) > prog.slot_groups[slot] or too_big:
        raise Stuck(
            f"classes: {slot} needs {len(classes)} groups at once but has rooms and counselors "
            f"for {prog.slot_groups[slot]}",
            "full",
            None,
            [slot],
        )
    return classes


def _lend_to_stragglers(
    prog: Program, classes: list[Class], lonely: list[str], lent: dict[str, int]
) -> None:
    """Too few stragglers for a mixed class: a stage class that can spare them lends
    members to make one (better than guests, who need another seat whenever their host
    holds a stage-matched group); those lent least so far, so nobody misses their stage
    groups all week."""
    if math.isinf(prog.mixed_min):
        return  # no type every stage may join: no mixed class at all
    short = int(prog.mixed_min) - len(lonely)
    donor = max(
        (c for c in classes if c.stage is not None),
        key=lambda c: len(c.members) - prog.class_min(c.stage or ""),
        default=None,
    )
    if donor is None or len(donor.members) - short < prog.class_min(donor.stage or ""):
        return
    free = [pid for pid in donor.members if not conflicts(prog, pid, lonely)]
    chosen = sorted(free, key=lambda pid: (lent[pid], pid))[:short]
    if len(chosen) < short:
        return
    for pid in chosen:
        donor.members.remove(pid)
        lent[pid] += 1
    lonely += chosen


def _avoid_inside(prog: Program, members: list[str]) -> bool:
    """Whether an avoid pair is among the members."""
    return any(conflicts(prog, pid, members) for pid in members)


def _deal(prog: Program, members: list[str], k: int) -> list[list[str]]:
    """k classes of even size; patients of one primary counselor together (that counselor
    can then lead them), avoid pairs apart where a swap allows."""
    ordered = sorted(members, key=lambda pid: (prog.idx.patient[pid].primary_counselor or "", pid))
    parts: list[list[str]] = []
    start = 0
    for i in range(k):
        size = len(ordered) // k + (1 if i < len(ordered) % k else 0)
        parts.append(ordered[start : start + size])
        start += size
    _separate_avoid_pairs(prog, parts)
    return parts


def _separate_avoid_pairs(prog: Program, parts: list[list[str]]) -> None:
    """A member who sits with someone they avoid swaps with a member of another class, where
    neither then sits with someone they avoid."""
    for part in parts:
        for pid in list(part):
            if not conflicts(prog, pid, part):
                continue
            for other in parts:
                if other is part:
                    continue
                swap = next(
                    (
                        x
                        for x in other
                        if not conflicts(prog, pid, [y for y in other if y != x])
                        and not conflicts(prog, x, [y for y in part if y != pid])
                    ),
                    None,
                )
                if swap is not None:
                    part[part.index(pid)] = swap
                    other[other.index(swap)] = pid
                    break
