"""What a group type is worth to a patient now: the urgency of their requirement
rows, who fits a group, and the members a group takes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from models import GroupType
from scheduler.greedy.groups import Draft, Groups
from scheduler.greedy.lookups import conflicts

CRITICAL = 1000.0  # urgency of a requirement row that must be served now
# Group choice: weights of a period's options (a served need is worth NEED per unit urgency).
NEED = 300.0
DISPLACED = 40.0  # a member who must sit in another group this period


def urgencies(groups: Groups, pid: str) -> dict[int, float]:
    """Row position -> how urgent its deficit is (CRITICAL: serve it now or miss it)."""
    rows = groups.prog.rows[groups.idx.patient[pid].stage]
    deficits = [max(0, r.low - n) for r, n in zip(rows, groups.counts[pid])]
    # Each period that serves none of the rows uses up one period of slack.
    slack = groups.left_all[pid] - sum(deficits)
    out = {}
    for k, (row, short) in enumerate(zip(rows, deficits)):
        if short <= 0:
            continue
        chances = groups.left_own[pid] if row.needs_cohort else groups.left_all[pid]
        if short >= chances or slack <= 0:
            # Must be served now (some row, when there is no slack left): the row with
            # the fewest chances left first, e.g. a stage group before a mixed one.
            out[k] = CRITICAL * (1 + min(1.0, short / max(chances, 1)))
        else:  # grows steeply as the chances left run out (short / spare chances)
            out[k] = short / (chances - short + 1) + 1 / (slack + 1)
    return out


def need_value(groups: Groups, pid: str, g: GroupType) -> float:
    """How much a session of the type serves the patient's requirement rows now."""
    urgent = groups.urgency[pid]
    if not urgent:
        return 0.0
    key = (pid, g.id)
    if key not in groups.value_cache:  # the urgencies change only when a period is committed
        stage = groups.idx.patient[pid].stage
        rows = groups.prog.rows_of_type[(stage, g.id)]
        groups.value_cache[key] = sum(urgent.get(k, 0.0) for k in rows)
    return groups.value_cache[key]


def is_critical(groups: Groups, pid: str) -> bool:
    """Whether one of the patient's requirement rows must be served now or be missed."""
    return any(u >= CRITICAL for u in groups.urgency[pid].values())


def fits(groups: Groups, pid: str, g: GroupType, stage: str | None) -> bool:
    """Eligible, of the session's stage, and below every maximum the type counts for."""
    if g.id not in groups.prog.eligible[pid]:
        return False
    own = groups.idx.patient[pid].stage
    if g.stage_matched and own != stage:
        return False
    rows = groups.prog.rows[own]
    counts = groups.counts[pid]
    for k in groups.prog.rows_of_type[(own, g.id)]:
        high = rows[k].high
        if high is not None and counts[k] >= high:
            return False
    return True


def can_join(groups: Groups, pid: str, d: Draft) -> bool:
    """Whether ``pid`` may join the group: not in it yet, fits its type and stage, has not
    heard its topic, avoids none of its members and has no partner who must sit with them."""
    g = d.gtype
    if not fits(groups, pid, g, d.stage) or pid in d.members:
        return False
    if d.topic is not None and d.topic in groups.heard[pid]:
        return False
    if conflicts(groups.prog, pid, d.members):
        return False
    return groups.prog.partner.get((pid, g.id)) is None


def by_need(groups: Groups, members: Iterable[str], g: GroupType) -> list[str]:
    """The members the type serves most first, then in the instance's order."""
    return sorted(members, key=lambda pid: (-need_value(groups, pid, g), groups.order[pid]))


def pick_members(
    groups: Groups,
    ordered: list[str],
    g: GroupType,
    stage: str | None,
    topic: str | None,
    base: list[str],
    room_for: int,
) -> list[str]:
    """Members from ``ordered`` who fit next to ``base``: no avoid pair, a fresh topic,
    couples of the type both or neither."""
    chosen: list[str] = []
    taken = set(base)
    for pid in ordered:
        if len(chosen) >= room_for:
            break
        if not fits(groups, pid, g, stage) or (topic is not None and topic in groups.heard[pid]):
            continue
        if conflicts(groups.prog, pid, taken):
            continue
        chosen.append(pid)
        taken.add(pid)
    if g.id in groups.together_types:
        while True:
            alone = [
                pid for pid in chosen if groups.prog.partner.get((pid, g.id), pid) not in taken
            ]
            if not alone:
                break
            for pid in alone:
                chosen.remove(pid)
                taken.discard(pid)
    return chosen


def fresh_topic(groups: Groups, members: list[str], g: GroupType, stage: str | None) -> str | None:
    """The strict topic the most members have not heard."""
    fitting = [pid for pid in members if fits(groups, pid, g, stage)]
    best = max(
        g.topics,
        key=lambda t: (
            sum(1 for pid in fitting if t not in groups.heard[pid]),
            -g.topics.index(t),
        ),
        default=None,
    )
    return best


def session_stage(groups: Groups, members: list[str], g: GroupType) -> str | None:
    """The stage of a stage-matched session: the one most members fitting it share."""
    if not g.stage_matched:
        return None
    count: dict[str, int] = defaultdict(int)
    for pid in members:
        if g.id in groups.prog.eligible[pid]:
            count[groups.idx.patient[pid].stage] += 1
    return max(count, key=lambda st: (count[st], -groups.prog.inst.stages.index(st)), default=None)


def option_score(groups: Groups, members: list[str], chosen: list[str], g: GroupType) -> float:
    """What an option of the period is worth: the needs it serves, less the members it
    leaves to sit elsewhere."""
    stage_of = groups.idx.patient
    bounded = sum(1 for pid in chosen if groups.prog.bounded(stage_of[pid].stage, g))
    return (
        NEED * sum(need_value(groups, pid, g) for pid in chosen)
        - DISPLACED * (len(members) - len(chosen))
        - 0.01 * bounded  # among equals, keep capped budgets for later
    )
