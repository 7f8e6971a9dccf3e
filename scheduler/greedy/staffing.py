"""Counselors for the groups: a team of the least loaded qualified counselors, and
primary counselors taking over a group of their patients."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from models import GroupType
from models.index import PeriodRef
from scheduler.greedy.groups import Groups, Held


def pick_team(
    groups: Groups, g: GroupType, slot: str, period: PeriodRef, members: list[str]
) -> list[str] | None:
    """staff_required qualified counselors free now and within their hours, one with the
    required role; the members' own primary counselors first, then the least loaded."""
    minutes = period.minutes
    free = []
    for c in groups.prog.qualified[g.id]:
        if c.id in groups.busy or slot not in groups.prog.staff_available[c.id]:
            continue
        if (c.id, slot, period.index) in groups.blocked:
            continue
        if c.max_minutes is not None and groups.week_minutes[c.id] + minutes > c.max_minutes:
            continue
        cap_day = c.max_minutes_per_day
        day = (c.id, period.day)
        if cap_day is not None and (
            groups.day_minutes[day] + groups.reserved[day] + minutes > cap_day
        ):
            continue
        free.append(c)
    if len(free) < g.staff_required:
        return None
    patient = groups.idx.patient

    def rank(cid: str, qualified: int) -> tuple[float, int, int, str]:
        hits = sum(
            1
            for pid in members
            if patient[pid].primary_counselor == cid and cid not in groups.led_by[pid]
        )
        load = groups.week_minutes[cid]
        return (groups.w_load * load - groups.w_primary * hits, load, qualified, cid)

    ranked = sorted(free, key=lambda c: rank(c.id, len(c.qualified)))
    role = g.requires_role
    lead = next((c for c in ranked if groups.idx.has_role(c, role)), None)
    if lead is None:
        return None
    rest = [c for c in ranked if c is not lead][: g.staff_required - 1]
    return sorted([lead.id, *(c.id for c in rest)])


def let_primaries_lead(groups: Groups) -> None:
    """A patient whose primary counselor leads none of their groups: the counselor takes
    over one of them from a colleague, when free then and within their hours (and the
    colleague is not the only one leading some other member's primary groups)."""
    leading: dict[tuple[str, str], int] = defaultdict(int)  # (patient, counselor) -> groups
    sessions_of: dict[str, list[int]] = defaultdict(list)
    for i, h in enumerate(groups.held):
        for pid in h.patients:
            sessions_of[pid].append(i)
            for cid in h.counselors:
                leading[(pid, cid)] += 1
    for p in groups.prog.inst.patients:
        primary = p.primary_counselor
        if primary is None or leading[(p.id, primary)]:
            continue
        for i in sessions_of[p.id]:
            colleague = _replaceable(groups, groups.held[i], primary, leading)
            if colleague is not None:
                _hand_over(groups, i, colleague, primary, leading)
                break


def _replaceable(
    groups: Groups, h: Held, cid: str, leading: dict[tuple[str, str], int]
) -> str | None:
    """The colleague ``cid`` can take the group over from, if any."""
    c = groups.idx.counselor[cid]
    g = groups.idx.group_type[h.gtype]
    per = h.period
    if cid in h.counselors or g.id not in c.qualified or per.slot not in c.available:
        return None
    if (cid, per.slot, per.index) in groups.leads or (cid, per.slot, per.index) in groups.blocked:
        return None
    if c.max_minutes is not None and groups.week_minutes[cid] + per.minutes > c.max_minutes:
        return None
    day = (cid, per.day)
    cap = c.max_minutes_per_day
    if cap is not None and groups.day_minutes[day] + groups.reserved[day] + per.minutes > cap:
        return None
    for x in h.counselors:
        team = [y for y in h.counselors if y != x] + [cid]
        if not any(groups.idx.has_role(groups.idx.counselor[y], g.requires_role) for y in team):
            continue
        needed = any(
            groups.idx.patient[q].primary_counselor == x and leading[(q, x)] == 1
            for q in h.patients
        )
        if not needed:
            return x
    return None


def _hand_over(
    groups: Groups, i: int, old: str, new: str, leading: dict[tuple[str, str], int]
) -> None:
    """``new`` leads the held group instead of ``old``: their leads and minutes move."""
    h = groups.held[i]
    per = h.period
    team = tuple(sorted([y for y in h.counselors if y != old] + [new]))
    groups.held[i] = dataclasses.replace(h, counselors=team)
    groups.leads.discard((old, per.slot, per.index))
    groups.leads.add((new, per.slot, per.index))
    for cid, sign in ((old, -1), (new, 1)):
        groups.week_minutes[cid] += sign * per.minutes
        groups.day_minutes[(cid, per.day)] += sign * per.minutes
    for q in h.patients:
        leading[(q, old)] -= 1
        leading[(q, new)] += 1
