"""Seating a period: each class joins or opens the group its members need most;
members the type does not fit sit in another group."""

from __future__ import annotations

from models import GroupType
from models.index import PeriodRef
from scheduler.greedy.groups import Draft, Groups
from scheduler.greedy.hints import Stuck
from scheduler.greedy.needs import (
    by_need,
    can_join,
    fresh_topic,
    is_critical,
    need_value,
    option_score,
    pick_members,
    session_stage,
)
from scheduler.greedy.reseating import borrow_for, retype_for, swap_in
from scheduler.greedy.rooms import grow, largest_free_room, open_group, room_left


def seat_class(
    groups: Groups,
    members: list[str],
    slot: str,
    period: PeriodRef,
    drafts: list[Draft],
    whole: bool = False,
) -> list[str]:
    """Join or open the best group for the class (one that keeps every member first, if
    ``whole``); return the members left to seat."""
    options: list[tuple[float, int, Draft | None, GroupType, str | None, str | None, list[str]]]
    options = []
    eligible = set().union(*(groups.prog.eligible[pid] for pid in members))
    for g in groups.prog.types:
        if g.id not in eligible:
            continue
        stage = session_stage(groups, members, g)
        if g.stage_matched and stage is None:
            continue
        topic = fresh_topic(groups, members, g, stage) if g.strict_curriculum else None
        ordered = by_need(groups, members, g)
        for d in drafts:
            if d.gtype is not g or d.stage != stage:
                continue
            joining = pick_members(
                groups, ordered, g, stage, d.topic, d.members, room_left(groups, d, slot)
            )
            if joining:
                score = option_score(groups, members, joining, g) + groups.join_bonus
                options.append((score, len(options), d, g, stage, d.topic, joining))
        cap = g.holds(largest_free_room(groups, slot))
        chosen = pick_members(groups, ordered, g, stage, topic, [], cap)
        if len(chosen) >= g.min_size:
            options.append(
                (
                    option_score(groups, members, chosen, g),
                    len(options),
                    None,
                    g,
                    stage,
                    topic,
                    chosen,
                )
            )
    options.sort(key=lambda o: (whole and len(o[6]) < len(members), -o[0], o[1]))
    for _, _, target, g, stage, topic, chosen in options:
        if target is not None:
            if not grow(groups, target, slot, len(chosen)):
                continue
            target.members += chosen
        else:
            draft = open_group(groups, g, stage, topic, chosen, slot, period)
            if draft is None:
                continue
            drafts.append(draft)
        return [pid for pid in members if pid not in chosen]
    return list(members)


def seat_displaced(
    groups: Groups, displaced: list[str], slot: str, period: PeriodRef, drafts: list[Draft]
) -> None:
    """Members whose class's group did not fit them sit in another group of the period."""
    pool: list[str] = []
    for pid in sorted(displaced, key=lambda p: (not is_critical(groups, p), groups.order[p])):
        target = _best_draft_for(groups, pid, drafts, slot)
        if target is not None and grow(groups, target, slot, 1):
            target.members.append(pid)
        else:
            pool.append(pid)
    while pool and _open_for_pool(groups, pool, slot, period, drafts):
        pass
    for pid in pool:
        if (
            not swap_in(groups, pid, drafts, slot)
            and not borrow_for(groups, pid, drafts, slot, period)
            and not retype_for(groups, pid, drafts, slot, period)
        ):
            raise Stuck(
                f"groups: no group in {slot} {period.start}-{period.end} can seat {pid}",
                "seat",
                pid,
                [slot],
                attended=groups.attend[pid],
            )


def _best_draft_for(groups: Groups, pid: str, drafts: list[Draft], slot: str) -> Draft | None:
    """The group ``pid`` can join that serves them most (most room left among equals)."""
    fitting = [d for d in drafts if can_join(groups, pid, d) and room_left(groups, d, slot) >= 1]
    return min(
        fitting,
        key=lambda d: (-need_value(groups, pid, d.gtype), -room_left(groups, d, slot)),
        default=None,
    )


def _open_for_pool(
    groups: Groups, pool: list[str], slot: str, period: PeriodRef, drafts: list[Draft]
) -> bool:
    """Open one more group for patients nobody could seat; False when none can open."""
    best: tuple[float, int, GroupType, str | None, str | None, list[str]] | None = None
    for n, g in enumerate(groups.prog.types):
        stages = sorted({groups.idx.patient[p].stage for p in pool}) if g.stage_matched else [None]
        for stage in stages:
            topic = fresh_topic(groups, pool, g, stage) if g.strict_curriculum else None
            cap = g.holds(largest_free_room(groups, slot))
            chosen = pick_members(groups, by_need(groups, pool, g), g, stage, topic, [], cap)
            if len(chosen) < g.min_size:
                continue
            option = (option_score(groups, pool, chosen, g), -n, g, stage, topic, chosen)
            if best is None or option[:2] > best[:2]:
                best = option
    if best is None:
        return False
    _, _, g, stage, topic, chosen = best
    draft = open_group(groups, g, stage, topic, chosen, slot, period)
    if draft is None:
        return False
    drafts.append(draft)
    for pid in chosen:
        pool.remove(pid)
    return True
