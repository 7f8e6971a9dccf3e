"""Keep cohorts together in a timetable made elsewhere (the greedy's warm start).

Its sessions are grouped into families as the model's read-back sees them (period, group
type, stage, and site), given rooms and reseated as the read-back does
(``readback.reseat``); the topics of the types without a strict curriculum are chosen
again for the new groups. The result is kept only when the checker finds it valid and
no worse.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from models import Instance, ProgramIndex, Schedule, Session
from scheduler.check import check
from scheduler.cpsat.readback import reseat
from scheduler.cpsat.split import Part
from scheduler.cpsat.topics import assign_topics


def with_cohorts(
    instance: Instance, schedule: Schedule, wall_limit: float | None = None
) -> Schedule:
    """``schedule`` with its sessions' rooms and seats chosen for the cohort terms (and
    primary counselors), or ``schedule`` itself when that is not valid or not better.

    ``wall_limit``: seconds for the reseating (as the read-back's).
    """
    w = instance.weights
    if not (w.room_change or w.process_peers_changed) or not schedule.sessions:
        return schedule
    before = check(instance, schedule)
    if not before.ok:
        return schedule
    index = ProgramIndex(instance)
    families = _families(index, schedule.sessions)
    periods = [index.period_at[(ss[0].slot, ss[0].period)] for ss in families]
    split = reseat(
        index,
        [(index.group_type[ss[0].group_type], [_part(s) for s in ss]) for ss in families],
        periods,
        wall_limit,
    )
    sessions = index.in_week_order(
        s.model_copy(update={"room": part.room, "patients": part.patients})
        for ss, parts in zip(families, split)
        for s, part in zip(ss, parts)
    )
    assign_topics(index, sessions, wall_limit=wall_limit)
    better = schedule.model_copy(update={"sessions": sessions})
    after = check(instance, better)
    if not after.ok or after.objective >= before.objective:
        return schedule
    return better.model_copy(
        update={
            "objective": after.objective,
            "objective_terms": after.weighted_terms(instance.weights),
        }
    )


def _part(s: Session) -> Part:
    return Part(s.room, list(s.counselors), list(s.patients))


def _families(index: ProgramIndex, sessions: list[Session]) -> list[list[Session]]:
    """Sessions among which patients may move without breaking a rule: one period, group
    type, stage and site, one topic for a strict curriculum; a session of a type couples
    share, or of a family holding an avoid pair, stays a family of its own."""
    groups: dict[tuple[Any, ...], list[Session]] = defaultdict(list)
    for s in sessions:
        g = index.group_type[s.group_type]
        key: tuple[Any, ...] = (s.slot, s.period, s.group_type, s.stage)
        key += (index.site_of_room(s.room), s.topic if g.strict_curriculum else None)
        if g.id in index.together_types:
            key += (s.id,)
        groups[key].append(s)
    avoid = set(index.avoid_pairs)
    families: list[list[Session]] = []
    for here in groups.values():
        members = sorted(pid for s in here for pid in s.patients)
        apart = any((a, b) in avoid for i, a in enumerate(members) for b in members[i + 1 :])
        families += [[s] for s in here] if apart else [here]
    return families
