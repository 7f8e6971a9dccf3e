"""When a member has no seat or misses an urgent need: swap them in, open a group
with members others can spare, or change a group's type."""

from __future__ import annotations

from models import GroupType
from models.index import PeriodRef
from scheduler.greedy.groups import Draft, Groups
from scheduler.greedy.lookups import conflicts
from scheduler.greedy.needs import can_join, fits, is_critical, need_value
from scheduler.greedy.rooms import ensure_room, grow, open_group, room_left
from scheduler.greedy.staffing import pick_team


def swap_in(groups: Groups, pid: str, drafts: list[Draft], slot: str) -> bool:
    """Seat ``pid`` in a full group by moving one of its members to another group."""
    for d in drafts:
        g = d.gtype
        if not fits(groups, pid, g, d.stage) or groups.prog.partner.get((pid, g.id)):
            continue
        if d.topic is not None and d.topic in groups.heard[pid]:
            continue
        for x in d.members:
            if groups.prog.partner.get((x, g.id)) or (
                is_critical(groups, x) and need_value(groups, x, g) > 0
            ):
                continue
            rest = [y for y in d.members if y != x]
            if conflicts(groups.prog, pid, rest):
                continue
            other = next(
                (
                    e
                    for e in drafts
                    if e is not d and can_join(groups, x, e) and room_left(groups, e, slot) >= 1
                ),
                None,
            )
            if other is not None and grow(groups, other, slot, 1):
                d.members.remove(x)
                other.members.append(x)
                d.members.append(pid)
                return True
    return False


def borrow_for(
    groups: Groups,
    pid: str,
    drafts: list[Draft],
    slot: str,
    period: PeriodRef,
    serving: bool = False,
) -> bool:
    """Open a new group for ``pid`` with members other groups can spare (a type that
    serves ``pid``'s needs if ``serving``); ``pid`` may sit in one of ``drafts``."""
    types = groups.prog.types
    if serving:
        types = sorted(
            (g for g in types if need_value(groups, pid, g) > 0),
            key=lambda g: -need_value(groups, pid, g),
        )
    for g in types:
        stage = groups.idx.patient[pid].stage if g.stage_matched else None
        if not fits(groups, pid, g, stage) or groups.prog.partner.get((pid, g.id)):
            continue
        if g.strict_curriculum:
            continue
        group = [pid]
        takes: list[tuple[str, Draft]] = []
        spare = {id(d): len(d.members) - (pid in d.members) - d.gtype.min_size for d in drafts}
        if any(pid in d.members and spare[id(d)] < 0 for d in drafts):
            return False  # pid's own group would fall below its minimum
        # Those the new group serves first, then anyone who fits it.
        donors = sorted(
            ((x, d) for d in drafts for x in d.members if x != pid),
            key=lambda xd: (-need_value(groups, xd[0], g), groups.order[xd[0]]),
        )
        for x, d in donors:
            if len(group) >= g.min_size:
                break
            if spare[id(d)] <= 0:
                continue
            if (
                groups.prog.partner.get((x, d.gtype.id))
                or groups.prog.partner.get((x, g.id))
                or not fits(groups, x, g, stage)
                or conflicts(groups.prog, x, group)
                or (is_critical(groups, x) and need_value(groups, x, d.gtype) > 0)
            ):
                continue
            group.append(x)
            takes.append((x, d))
            spare[id(d)] -= 1
        if len(group) < g.min_size:
            continue
        draft = open_group(groups, g, stage, None, group, slot, period)
        if draft is None:
            continue
        for x, d in takes:
            d.members.remove(x)
        for d in drafts:
            if pid in d.members:
                d.members.remove(pid)
        drafts.append(draft)
        return True
    return False


def retype_for(groups: Groups, pid: str, drafts: list[Draft], slot: str, period: PeriodRef) -> bool:
    """Change one group's type to one that ``pid`` may join too (a stage-matched group
    becomes, say, a process group), losing as little of what its members need as
    possible and never what one of them must get now."""
    best: tuple[float, int, Draft, GroupType, list[str]] | None = None
    for n, d in enumerate(drafts):
        members = [*d.members, pid]
        if any(groups.prog.partner.get((x, d.gtype.id)) for x in d.members):
            continue
        if conflicts(groups.prog, pid, d.members):
            continue
        for g in groups.prog.types:
            if g is d.gtype or g.stage_matched or g.strict_curriculum or g.topics and d.topic:
                continue
            if not g.min_size <= len(members) <= g.max_size:
                continue
            if any(
                not fits(groups, x, g, None) or groups.prog.partner.get((x, g.id)) for x in members
            ):
                continue
            if any(
                is_critical(groups, x)
                and need_value(groups, x, d.gtype) > 0 >= need_value(groups, x, g)
                for x in d.members
            ):
                continue
            loss = sum(need_value(groups, x, d.gtype) - need_value(groups, x, g) for x in d.members)
            if best is None or (loss, n) < best[:2]:
                best = (loss, n, d, g, members)
    if best is None:
        return False
    _, _, d, g, members = best
    old_team = d.team
    groups.busy.difference_update(old_team)
    team = pick_team(groups, g, slot, period, members)
    if team is None or not ensure_room(groups, d, slot, len(members) * g.seats_per_patient):
        groups.busy.update(old_team)
        return False
    groups.busy.update(team)
    d.gtype, d.stage, d.team, d.topic = g, None, team, None
    d.members.append(pid)
    return True


def move_critical(groups: Groups, drafts: list[Draft], slot: str, period: PeriodRef) -> None:
    """A patient who must get a type now leaves a group that does not give it, if one
    with a free seat does and the group they leave stays large enough."""
    for d in drafts:
        for pid in list(d.members):
            if not is_critical(groups, pid) or need_value(groups, pid, d.gtype) > 0:
                continue
            if len(d.members) <= d.gtype.min_size or groups.prog.partner.get((pid, d.gtype.id)):
                continue
            target = next(
                (
                    e
                    for e in drafts
                    if e is not d
                    and need_value(groups, pid, e.gtype) > 0
                    and can_join(groups, pid, e)
                    and room_left(groups, e, slot) >= 1
                ),
                None,
            )
            if target is not None and grow(groups, target, slot, 1):
                d.members.remove(pid)
                target.members.append(pid)
    for d in drafts:
        for pid in list(d.members):
            if is_critical(groups, pid) and need_value(groups, pid, d.gtype) == 0:
                _swap_for_need(groups, pid, d, drafts)
    for d in list(drafts):
        for pid in list(d.members):
            if is_critical(groups, pid) and need_value(groups, pid, d.gtype) == 0:
                borrow_for(groups, pid, drafts, slot, period, serving=True)


def _swap_for_need(groups: Groups, pid: str, d: Draft, drafts: list[Draft]) -> None:
    """Trade places with a member of a group that serves ``pid``'s urgent need and who
    can sit in ``d`` instead."""
    if groups.prog.partner.get((pid, d.gtype.id)):
        return
    stay = [y for y in d.members if y != pid]
    for e in drafts:
        if (
            e is d
            or need_value(groups, pid, e.gtype) <= 0
            or groups.prog.partner.get((pid, e.gtype.id))
        ):
            continue
        if not fits(groups, pid, e.gtype, e.stage):
            continue
        if e.topic is not None and e.topic in groups.heard[pid]:
            continue
        for y in e.members:
            rest = [x for x in e.members if x != y]
            if (
                groups.prog.partner.get((y, e.gtype.id))
                or (is_critical(groups, y) and need_value(groups, y, e.gtype) > 0)
                or conflicts(groups.prog, pid, rest)
                or conflicts(groups.prog, y, stay)
                or not fits(groups, y, d.gtype, d.stage)
                or (d.topic is not None and d.topic in groups.heard[y])
                or groups.prog.partner.get((y, d.gtype.id))
            ):
                continue
            e.members[e.members.index(y)] = pid
            d.members[d.members.index(pid)] = y
            return
