"""Last week's timetable as this week's start when a counselor is away: a substitute.

The commonest change to a week is a counselor who cannot come to some block. Last
week's schedule then breaks only there, and CP-SAT, hinted with it, does not always find
its way back to something close (a search far from the hint is stranded by the large
stability weights). Here each session led by a counselor who is gone, unavailable in
its slot or no longer qualified gets a substitute, as a coordinator would: a qualified,
available counselor free in that period, the least loaded first. The result is the
search's hint, closer to this week than last week's; if it is valid it is also the
start, and the search only improves on it.
"""

from __future__ import annotations

from collections import defaultdict

from models import Instance, ProgramIndex, Schedule, Session


def with_substitutes(instance: Instance, previous: Schedule) -> Schedule | None:
    """``previous`` with a substitute for every counselor who cannot lead their session
    this week (other rules may still break: appointments are left as they were); None
    when nobody needs one or some session finds none."""
    idx = ProgramIndex(instance)
    busy: set[tuple[str, str, int]] = set()  # (counselor, slot, period)
    load: dict[str, int] = defaultdict(int)  # group minutes
    for s in previous.sessions:
        for cid in s.counselors:
            busy.add((cid, s.slot, s.period))
            load[cid] += s.minutes
    sessions: list[Session] = []
    changed = False
    for s in previous.sessions:
        g = idx.group_type.get(s.group_type)
        team = list(s.counselors)
        here = False
        for k, cid in enumerate(team):
            c = idx.counselor.get(cid)
            if g is None or (c is not None and g.id in c.qualified and s.slot in c.available):
                continue
            others = [x for j, x in enumerate(team) if j != k]
            role = g.requires_role
            needs_role = role is not None and not any(
                idx.has_role(idx.counselor[x], role) for x in others if x in idx.counselor
            )
            free = [
                o
                for o in instance.counselors
                if g.id in o.qualified
                and s.slot in o.available
                and (o.id, s.slot, s.period) not in busy
                and (not needs_role or idx.has_role(o, role))
            ]
            if not free:
                return None
            sub = min(free, key=lambda o: (load[o.id], o.id))
            team[k] = sub.id
            busy.add((sub.id, s.slot, s.period))
            load[sub.id] += s.minutes
            here = changed = True
        sessions.append(s.model_copy(update={"counselors": sorted(team)}) if here else s)
    if not changed:
        return None
    return previous.model_copy(update={"sessions": sessions})
