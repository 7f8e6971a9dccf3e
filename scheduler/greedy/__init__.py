"""A greedy timetable: what a program coordinator builds by hand.

Why it exists: the CP-SAT schedules need a yardstick ("how much better than a
week planned by hand?"), and the solver may want a valid first timetable to
start from. So this module does what a coordinator does with a whiteboard and
the counselors' diaries, in the same order, and never searches:

1. **Sketch the blocks.** Each patient gets the fewest blocks that reach
   min_hours and min_days, preferring their preferred slots and blocks that
   patients of their stage already attend (so that stage cohorts form); the
   least flexible patients choose first.
2. **Fill the diaries.** Individual sessions go into each primary counselor's
   diary first (one patient a time, a patient's sessions on different days;
   a matching, so an earlier patient moves to another of their times when that
   lets one more in), on the sketched days where possible and leaving the
   scarce evening times to those who cannot come in the morning; then the
   medication appointments with the prescribers. A patient without a primary
   counselor gets the one with most room in their diary.
3. **Choose the blocks** again around those days; patients left alone in a
   block, or in a stage group too small for its groups, choose again.
4. **Classes.** In every block the patients of one stage form classes of a
   size every group type they need allows; stragglers of small stages form a
   mixed class (a large class lends members) or join one as guests.
5. **Groups, period by period.** Each class runs the group type its members
   need most (a patient about to miss a requirement row counts most) or joins
   another class's group of that type; members the type does not fit sit in
   another group of the period, or one group changes type for them. A group
   gets the smallest free room that fits and the least loaded qualified
   counselors, preferring the members' primary counselors.
6. **Book** the pencilled-in appointments in free offices, **draw** the screens
   at random from the seed (within capacity), choose the **topics** with
   ``scheduler.cpsat.topics.assign_topics``, and let the checker score the result.

When a step gets stuck the greedy learns a hint (keep this patient, or the
stragglers who broke a class, out of that block; fill that block less) and
starts again, a bounded number of times; then it gives up with one line naming
the step and the ids (never a patient's details).
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from models import (
    Appointment,
    GroupType,
    Instance,
    Patient,
    ProgramIndex,
    Schedule,
    Screen,
    Session,
)
from models.index import AppointmentTime, PeriodRef, clock
from scheduler.check import check
from scheduler.cpsat.draw import draw_screens
from scheduler.cpsat.topics import assign_topics
from scheduler.greedy.blocks import BlockChooser
from scheduler.greedy.classes import Class, form_classes
from scheduler.greedy.hints import Hints, Stuck
from scheduler.greedy.lookups import Program, conflicts
from scheduler.greedy.pencil import Claims
from scheduler.organization import floaters, merge, site_instances, spans_sites


@dataclass
class Draft:
    """A group being formed in one period."""

    gtype: GroupType
    stage: str | None
    members: list[str]
    room: str
    team: list[str]
    topic: str | None


@dataclass(frozen=True)
class Held:
    """A group as it was held: what the schedule writes."""

    period: PeriodRef
    gtype: str
    stage: str | None
    room: str
    counselors: tuple[str, ...]
    patients: tuple[str, ...]
    topic: str | None


class Groups:
    """Period by period, every class holds the group its members need most."""

    def __init__(
        self,
        prog: Program,
        attend: dict[str, list[str]],
        classes: dict[str, list[Class]],
        claims: Claims,
    ) -> None:
        self.prog = prog
        self.idx = prog.idx
        self.attend = attend
        self.classes = classes
        # Pencilled-in appointments: their counselors lead no group then, and keep the
        # minutes free within max_hours_per_day.
        self.reserved: dict[tuple[str, str], int] = defaultdict(int)
        self.blocked: set[tuple[str, str, int]] = set()
        for pencilled in claims.of_patient.values():
            for c in pencilled:
                self.reserved[(c.counselor, c.time.day)] += c.time.minutes
                for q in self.prog.periods_clashing[c.time.key]:
                    self.blocked.add((c.counselor, q.slot, q.index))
        patients = prog.inst.patients
        self.order = {p.id: i for i, p in enumerate(patients)}
        self.counts = {p.id: [0] * len(prog.rows[p.stage]) for p in patients}
        # Topics each patient heard of strict curricula (and earlier weeks): never again.
        self.heard = {p.id: set(p.completed_topics) for p in patients}
        self.led_by: dict[str, set[str]] = defaultdict(set)
        self.week_minutes: dict[str, int] = defaultdict(int)
        self.day_minutes: dict[tuple[str, str], int] = defaultdict(int)
        self.leads: set[tuple[str, str, int]] = set()
        self.held: list[Held] = []
        # Periods left (this one included) in all, and in classes of the patient's own stage.
        self.left_all: dict[str, int] = defaultdict(int)
        self.left_own: dict[str, int] = defaultdict(int)
        self.own_class: set[tuple[str, str]] = set()
        for slot, here in classes.items():
            periods = len(self.idx.periods_of[slot])
            for cls in here:
                for pid in cls.members:
                    self.left_all[pid] += periods
                    if cls.stage == self.idx.patient[pid].stage:
                        self.left_own[pid] += periods
                        self.own_class.add((pid, slot))
        self.together_types = self.idx.together_types
        w = prog.inst.weights
        self.w_load = w.load_imbalance_minutes
        self.w_primary = w.primary_not_leading
        self.join_bonus = float(w.session_run)
        # Per period.
        self.busy: set[str] = set()
        self.rooms_taken: set[str] = set()
        self.value_cache: dict[tuple[str, str], float] = {}
        self.free_room_cache: list[tuple[int, str]] | None = None
        self.urgency: dict[str, dict[int, float]] = {}


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
    g = d.gtype
    if not fits(groups, pid, g, d.stage) or pid in d.members:
        return False
    if d.topic is not None and d.topic in groups.heard[pid]:
        return False
    if conflicts(groups.prog, pid, d.members):
        return False
    return groups.prog.partner.get((pid, g.id)) is None


def by_need(groups: Groups, members: Iterable[str], g: GroupType) -> list[str]:
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
    stage_of = groups.idx.patient
    bounded = sum(1 for pid in chosen if groups.prog.bounded(stage_of[pid].stage, g))
    return (
        NEED * sum(need_value(groups, pid, g) for pid in chosen)
        - DISPLACED * (len(members) - len(chosen))
        - 0.01 * bounded  # among equals, keep capped budgets for later
    )


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


def free_rooms(groups: Groups, slot: str) -> list[tuple[int, str]]:
    """(capacity, id) of the group rooms open and free this period, smallest first."""
    if groups.free_room_cache is None:
        groups.free_room_cache = sorted(
            (r.capacity, r.id)
            for r in groups.idx.group_rooms
            if r.id not in groups.rooms_taken and slot in groups.idx.room_slots(r)
        )
    return groups.free_room_cache


def largest_free_room(groups: Groups, slot: str) -> int:
    rooms = free_rooms(groups, slot)
    return rooms[-1][0] if rooms else 0


def room_left(groups: Groups, d: Draft, slot: str) -> int:
    """Patients the group can still take (moving to a larger free room if need be)."""
    seats = max(groups.idx.room[d.room].capacity, largest_free_room(groups, slot))
    return max(0, min(d.gtype.max_size, seats // d.gtype.seats_per_patient) - len(d.members))


def ensure_room(groups: Groups, d: Draft, slot: str, seats: int) -> bool:
    """Keep or find a room with ``seats`` for the group."""
    if groups.idx.room[d.room].capacity >= seats:
        return True
    larger = next((rid for cap, rid in free_rooms(groups, slot) if cap >= seats), None)
    if larger is None:
        return False
    groups.rooms_taken.discard(d.room)
    groups.rooms_taken.add(larger)
    groups.free_room_cache = None
    d.room = larger
    return True


def grow(groups: Groups, d: Draft, slot: str, extra: int) -> bool:
    """Make room for ``extra`` more members; False when no room is large enough."""
    n = len(d.members) + extra
    return n <= d.gtype.max_size and ensure_room(groups, d, slot, n * d.gtype.seats_per_patient)


def open_group(
    groups: Groups,
    g: GroupType,
    stage: str | None,
    topic: str | None,
    members: list[str],
    slot: str,
    period: PeriodRef,
) -> Draft | None:
    """A new group with the smallest free room that fits and a team; None if none."""
    need = len(members) * g.seats_per_patient
    room = next((rid for cap, rid in free_rooms(groups, slot) if cap >= need), None)
    if room is None:
        return None
    team = pick_team(groups, g, slot, period, members)
    if team is None:
        return None
    groups.rooms_taken.add(room)
    groups.free_room_cache = None
    groups.busy.update(team)
    return Draft(g, stage, list(members), room, team, topic)


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
        cap = min(g.max_size, largest_free_room(groups, slot) // g.seats_per_patient)
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
            cap = min(g.max_size, largest_free_room(groups, slot) // g.seats_per_patient)
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


def hold_groups(groups: Groups) -> None:
    for slot in groups.idx.slots:
        for period in groups.idx.periods_of[slot]:
            _hold_period(groups, slot, period)
    _check_requirements(groups)
    let_primaries_lead(groups)


def _hold_period(groups: Groups, slot: str, period: PeriodRef) -> None:
    classes = groups.classes[slot]
    attendees = [pid for cls in classes for pid in cls.members]
    if not attendees:
        return
    groups.value_cache = {}
    groups.urgency = {pid: urgencies(groups, pid) for pid in attendees}
    ranked = sorted(
        classes,
        key=lambda c: (-sum(is_critical(groups, pid) for pid in c.members), -len(c.members)),
    )
    host = {pid: n for n, cls in enumerate(ranked) for pid in cls.members}
    # Classes that must keep all their members this period: a member one of them left
    # out found no other seat, so the period is formed again.
    whole: set[int] = set()
    while True:
        groups.busy = set()
        groups.rooms_taken = set()
        groups.free_room_cache = None
        drafts: list[Draft] = []
        displaced: list[str] = []
        for n, cls in enumerate(ranked):
            displaced += seat_class(groups, cls.members, slot, period, drafts, n in whole)
        try:
            seat_displaced(groups, displaced, slot, period, drafts)
        except Stuck as stuck:
            n = host.get(stuck.patient or "", -1)
            if n < 0 or n in whole:
                raise
            whole.add(n)
            continue
        break
    move_critical(groups, drafts, slot, period)
    _merge_groups(groups, drafts, slot)
    _commit(groups, drafts, slot, period)


def _merge_groups(groups: Groups, drafts: list[Draft], slot: str) -> None:
    """Two groups of one type (and stage) that fit in one room become one: a session
    and a counselor saved, nobody's week changed."""
    merged = True
    while merged:
        merged = False
        for small in sorted(drafts, key=lambda d: len(d.members)):
            into = next(
                (
                    d
                    for d in sorted(drafts, key=lambda d: -len(d.members))
                    if d is not small and _can_merge(groups, small, d)
                ),
                None,
            )
            if into is None or not grow(groups, into, slot, len(small.members)):
                continue
            into.members += small.members
            groups.busy.difference_update(small.team)
            groups.rooms_taken.discard(small.room)
            groups.free_room_cache = None
            drafts.remove(small)
            merged = True
            break


def _can_merge(groups: Groups, d: Draft, e: Draft) -> bool:
    g = d.gtype
    if g is not e.gtype or d.stage != e.stage or d.topic != e.topic:
        return False
    if len(d.members) + len(e.members) > g.max_size:
        return False
    if g.requires_role is not None and not any(
        groups.idx.has_role(groups.idx.counselor[c], g.requires_role) for c in e.team
    ):
        return False
    return not any(conflicts(groups.prog, pid, e.members) for pid in d.members)


def _commit(groups: Groups, drafts: list[Draft], slot: str, period: PeriodRef) -> None:
    for d in drafts:
        members = tuple(sorted(d.members))
        groups.held.append(
            Held(period, d.gtype.id, d.stage, d.room, tuple(d.team), members, d.topic)
        )
        for pid in members:
            stage = groups.idx.patient[pid].stage
            for k in groups.prog.rows_of_type[(stage, d.gtype.id)]:
                groups.counts[pid][k] += 1
            if d.topic is not None:
                groups.heard[pid].add(d.topic)
            groups.led_by[pid].update(d.team)
        for cid in d.team:
            groups.week_minutes[cid] += period.minutes
            groups.day_minutes[(cid, period.day)] += period.minutes
            groups.leads.add((cid, slot, period.index))
    for cls in groups.classes[slot]:
        for pid in cls.members:
            groups.left_all[pid] -= 1
            if (pid, slot) in groups.own_class:
                groups.left_own[pid] -= 1


def _check_requirements(groups: Groups) -> None:
    for p in groups.prog.inst.patients:
        for row, n in zip(groups.prog.rows[p.stage], groups.counts[p.id]):
            if row.low <= n and (row.high is None or n <= row.high):
                continue
            mixed = [s for s in groups.attend[p.id] if (p.id, s) not in groups.own_class]
            raise Stuck(
                f"requirements: {p.id} gets {n} sessions where requirements[{row.number}] "
                f"asks {row.low}" + ("" if row.high is None else f" to {row.high}"),
                "requirement",
                p.id,
                mixed or groups.attend[p.id][-1:],
                _guests_with(groups, p) if row.needs_cohort else (),
                groups.attend[p.id],
            )


def _guests_with(groups: Groups, p: Patient) -> list[tuple[str, str]]:
    """Patients of another stage, too few for a class of their own, in the patient's
    classes: a stage-matched group leaves them without a seat, so their class could not
    run one. Keeping them out of that block frees it."""
    found = []
    for slot in groups.attend[p.id]:
        cls = next(c for c in groups.classes[slot] if p.id in c.members)
        for q in cls.members:
            stage = groups.idx.patient[q].stage
            if stage != p.stage and sum(
                1
                for c in groups.classes[slot]
                for x in c.members
                if groups.idx.patient[x].stage == stage
            ) < groups.prog.class_min(stage):
                found.append((q, slot))
    return found


@dataclass(frozen=True)
class Booking:
    patient: str
    counselor: str
    time: AppointmentTime
    office: str


class Appointments:
    """Primary counselors, individual sessions and medication appointments, one patient at a
    time: the least flexible first, next to the patient's block where possible."""

    def __init__(
        self, prog: Program, attend: dict[str, list[str]], groups: Groups, claims: Claims
    ) -> None:
        self.prog = prog
        self.idx = prog.idx
        self.attend = attend
        self.claims = claims
        self.leads = groups.leads
        self.day_minutes = defaultdict(int, groups.day_minutes)
        self.booked: set[tuple[str, str, int]] = set()  # (person, day, time index)
        self.offices_used: dict[tuple[str, int], set[str]] = defaultdict(set)
        self.individual_count: dict[str, int] = defaultdict(int)
        self.medication_count: dict[str, int] = defaultdict(int)
        self.caseload: dict[str, int] = defaultdict(int)
        for p in prog.inst.patients:
            if p.primary_counselor is not None:
                self.caseload[p.primary_counselor] += 1
        self.assigned: dict[str, str] = {}
        self.individual: list[Booking] = []
        self.medication: list[Booking] = []
        self.times = {p.id: self._patient_times(p) for p in prog.inst.patients}
        # Pencilled-in times not booked yet: nobody else takes them (nor their office).
        self.pending_staff = dict(claims.holder)
        self.pending_offices: dict[tuple[str, int], set[tuple[str, str]]] = defaultdict(set)
        for pid, pencilled in claims.of_patient.items():
            for c in pencilled:
                self.pending_offices[c.time.key].add((pid, c.kind))

    def run(self) -> None:
        idx = self.idx
        given = [p for p in self.prog.inst.patients if p.primary_counselor is not None]
        given.sort(key=lambda p: (self._options(p, p.primary_counselor or ""), p.id))
        for p in given:
            if idx.individual_per_week(p) and not self._book_individual(
                p, p.primary_counselor or ""
            ):
                raise Stuck(
                    f"individual sessions: {p.id} cannot meet primary counselor "
                    f"{p.primary_counselor} at a free time and office on the days {p.id} attends",
                    "reach",
                    p.id,
                    self._slots_without(p, p.primary_counselor or ""),
                    attended=self.attend[p.id],
                )
            self._settle(p, "individual")
        for p in idx.unassigned:
            self._assign_primary(p)
            self._settle(p, "individual")
        on_medication = [p for p in self.prog.inst.patients if idx.needs_medication(p)]
        on_medication.sort(key=lambda p: (len(self.times[p.id]), p.id))
        for p in on_medication:
            self._book_medication(p)
            self._settle(p, "medication")

    def _settle(self, p: Patient, kind: str) -> None:
        """The patient's pencilled-in times of this kind are booked or given up."""
        for c in self.claims.of_patient.get(p.id, []):
            if c.kind == kind:
                self.pending_staff.pop((c.counselor, c.time.day, c.time.index), None)
                self.pending_offices[c.time.key].discard((p.id, kind))

    def _patient_times(self, p: Patient) -> list[AppointmentTime]:
        """Times on the patient's days, in a block they are available in, not overlapping
        the block they attend; those right next to it first."""
        idx = self.idx
        avail = self.prog.patient_available[p.id]
        block_on = {idx.day_of[s]: s for s in self.attend[p.id]}
        times = [
            t
            for t in idx.appointment_times
            if t.day in block_on
            and t.slot in avail
            and block_on[t.day] not in self.prog.clashing[t.key]
        ]
        return sorted(
            times,
            key=lambda t: (
                not self.prog.next_to(t, block_on[t.day]),
                self.prog.day_rank[t.day],
                t.start,
            ),
        )

    def _options(self, p: Patient, cid: str) -> int:
        return sum(1 for t in self.times[p.id] if t.slot in self.prog.staff_available[cid])

    def _slots_without(self, p: Patient, cid: str) -> list[str]:
        """The patient's blocks on days the counselor cannot see them (hint: avoid them)."""
        days = {t.day for t in self.times[p.id] if self._counselor_free(cid, t, p.id)}
        return [s for s in self.attend[p.id] if self.idx.day_of[s] not in days]

    def _counselor_free(self, cid: str, t: AppointmentTime, pid: str) -> bool:
        c = self.idx.counselor[cid]
        if t.slot not in self.prog.staff_available[cid] or (cid, t.day, t.index) in self.booked:
            return False
        if self.pending_staff.get((cid, t.day, t.index), pid) != pid:
            return False
        if any((cid, q.slot, q.index) in self.leads for q in self.prog.periods_clashing[t.key]):
            return False
        cap = c.max_minutes_per_day
        return cap is None or self.day_minutes[(cid, t.day)] + t.minutes <= cap

    def _office(self, t: AppointmentTime, pid: str) -> str | None:
        """A free office, leaving enough for the times others have pencilled in."""
        used = self.offices_used[t.key]
        free = [
            r.id for r in self.idx.offices if r.id not in used and t.slot in self.idx.room_slots(r)
        ]
        held = sum(1 for other, _ in self.pending_offices[t.key] if other != pid)
        return free[0] if len(free) > held else None

    def _free_times(self, p: Patient, cid: str) -> list[AppointmentTime]:
        """The patient's times the counselor and an office are free, best first."""
        free = [
            t
            for t in self.times[p.id]
            if (p.id, t.day, t.index) not in self.booked
            and self._counselor_free(cid, t, p.id)
            and self._office(t, p.id) is not None
        ]
        # Next to the block first (the order of self.times), then the emptiest time.
        rank = {t.key: i for i, t in enumerate(self.times[p.id])}
        return sorted(
            free,
            key=lambda t: (
                not self.prog.next_to(t, self._block_on(p, t.day)),
                len(self.offices_used[t.key]),
                rank[t.key],
            ),
        )

    def _block_on(self, p: Patient, day: str) -> str:
        return next(s for s in self.attend[p.id] if self.idx.day_of[s] == day)

    def _book(self, p: Patient, cid: str, t: AppointmentTime) -> Booking:
        office = self._office(t, p.id)
        assert office is not None, "an office was found free before booking"
        self.booked.add((p.id, t.day, t.index))
        self.booked.add((cid, t.day, t.index))
        self.offices_used[t.key].add(office)
        self.day_minutes[(cid, t.day)] += t.minutes
        return Booking(p.id, cid, t, office)

    def _pencilled(self, p: Patient, kind: str, cid: str) -> list[AppointmentTime]:
        return [
            c.time
            for c in self.claims.of_patient.get(p.id, [])
            if c.kind == kind and c.counselor == cid
        ]

    def _book_individual(self, p: Patient, cid: str) -> bool:
        """The patient's individual sessions with ``cid``, each on another day: the times
        pencilled in first."""
        need = self.idx.individual_per_week(p)
        cap = self.idx.counselor[cid].max_individual
        if cap is not None and self.individual_count[cid] + need > cap:
            return False
        free = self._free_times(p, cid)
        free_keys = {t.key for t in free}
        pencilled = [t for t in self._pencilled(p, "individual", cid) if t.key in free_keys]
        picks: list[AppointmentTime] = []
        for t in pencilled + free:
            if len(picks) == need:
                break
            if all(t.day != q.day for q in picks):
                picks.append(t)
        if len(picks) < need:
            return False
        for t in picks:
            self.individual.append(self._book(p, cid, t))
        self.individual_count[cid] += need
        return True

    def _assign_primary(self, p: Patient) -> None:
        """The counselor or clinician with the smallest caseload who can see the patient."""
        candidates = [
            c
            for c in self.idx.primary_candidates
            if c.max_caseload is None or self.caseload[c.id] < c.max_caseload
        ]
        pencilled = self.claims.primary.get(p.id)
        candidates.sort(
            key=lambda c: (c.id != pencilled, self.caseload[c.id], -self._options(p, c.id), c.id)
        )
        need = self.idx.individual_per_week(p)
        for c in candidates:
            if need == 0 or self._book_individual(p, c.id):
                self.assigned[p.id] = c.id
                self.caseload[c.id] += 1
                return
        raise Stuck(
            f"primary counselors: no counselor or clinician with room in their caseload can see "
            f"{p.id} on the days {p.id} attends",
            "reach",
            p.id,
            self.attend[p.id][:1],
            attended=self.attend[p.id],
        )

    def _book_medication(self, p: Patient) -> None:
        best: tuple[tuple[bool, bool, int, int, int], str, AppointmentTime] | None = None
        rank = {t.key: i for i, t in enumerate(self.times[p.id])}
        for c in self.idx.prescribers:
            pencilled = {t.key for t in self._pencilled(p, "medication", c.id)}
            for t in self._free_times(p, c.id):
                key = (
                    t.key not in pencilled,
                    not self.prog.next_to(t, self._block_on(p, t.day)),
                    self.medication_count[c.id],
                    len(self.offices_used[t.key]),
                    rank[t.key],
                )
                if best is None or key < best[0]:
                    best = (key, c.id, t)
        if best is None:
            raise Stuck(
                f"medication: no prescriber has a free time and office on the days {p.id} attends",
                "reach",
                p.id,
                self.attend[p.id][:1],
                attended=self.attend[p.id],
            )
        _, cid, t = best
        self.medication.append(self._book(p, cid, t))
        self.medication_count[cid] += 1


def draw_screens_by_hand(
    prog: Program, attend: dict[str, list[str]], rng: random.Random
) -> list[Screen]:
    """Screens drawn by hand: patients in a random order, each in random blocks they
    attend that still have room. If that leaves someone without room, the exact draw of
    ``scheduler.cpsat.draw`` (which always finds one when one exists) decides."""
    screening = prog.inst.screening
    if screening is None or not screening.per_week:
        return []
    ordered = {pid: sorted(slots, key=prog.slot_rank.__getitem__) for pid, slots in attend.items()}
    load: dict[str, int] = defaultdict(int)
    picked: list[tuple[str, str]] = []
    patients = sorted(ordered)
    rng.shuffle(patients)
    for pid in patients:
        open_slots = [s for s in ordered[pid] if load[s] < screening.capacity_per_block]
        if len(open_slots) < screening.per_week:
            break
        for slot in rng.sample(open_slots, screening.per_week):
            load[slot] += 1
            picked.append((pid, slot))
    else:
        picked.sort(key=lambda ps: (prog.slot_rank[ps[1]], ps[0]))
        return [
            Screen(patient=pid, day=prog.idx.day_of[slot], block=prog.idx.block_of[slot].id)
            for pid, slot in picked
        ]
    try:
        return draw_screens(prog.idx, ordered, rng.randrange(2**31))
    except RuntimeError:
        raise Stuck(
            "screens: no choice of the attended blocks keeps within capacity_per_block", "final"
        ) from None


def _sessions(prog: Program, held: list[Held]) -> list[Session]:
    return prog.idx.in_week_order(
        Session(
            id="S",  # numbered in week order
            day=h.period.day,
            block=h.period.block,
            period=h.period.index,
            start=h.period.start,
            end=h.period.end,
            group_type=h.gtype,
            stage=h.stage,
            room=h.room,
            counselors=list(h.counselors),
            patients=list(h.patients),
            topic=h.topic,
        )
        for h in held
    )


def _appointments(prog: Program, bookings: list[Booking]) -> list[Appointment]:
    ordered = sorted(
        bookings,
        key=lambda b: (prog.day_rank[b.time.day], b.time.start, b.counselor, b.patient),
    )
    return [
        Appointment(
            patient=b.patient,
            counselor=b.counselor,
            day=b.time.day,
            start=clock(b.time.start),
            end=clock(b.time.end),
            room=b.office,
        )
        for b in ordered
    ]


def build_week(prog: Program, hints: Hints, seed: int) -> Schedule:
    """One pass of the coordinator's steps; raises Stuck where a step cannot go on."""
    rng = random.Random(seed)
    chooser = BlockChooser(prog, hints, rng)
    attend = chooser.run()
    classes = form_classes(prog, attend)
    groups = Groups(prog, attend, classes, chooser.claims)
    hold_groups(groups)
    book = Appointments(prog, attend, groups, chooser.claims)
    book.run()
    screens = draw_screens_by_hand(prog, attend, rng)
    return Schedule(
        instance=prog.inst.name,
        status="feasible",
        sessions=_sessions(prog, groups.held),
        individual_sessions=_appointments(prog, book.individual),
        medication_appointments=_appointments(prog, book.medication),
        screens=screens,
        primary_counselors=dict(sorted(book.assigned.items())),
    )


MAX_ATTEMPTS = 12  # whole rebuilds with learned hints before giving up


@dataclass
class GreedyResult:
    """What :func:`greedy_schedule` returns.

    ``schedule`` passes the checker (status ``feasible``, objective and terms
    from the checker), or is None when the greedy got stuck; ``reason`` then
    says which step failed and for which id.
    """

    schedule: Schedule | None
    reason: str | None
    seconds: float


def greedy_schedule(instance: Instance, seed: int = 0) -> GreedyResult:
    """A valid timetable built the way a coordinator would, or why the greedy got stuck.

    Parameters
    ----------
    instance
        A validated instance.
    seed
        Breaks ties among equally flexible patients and draws the screens; the same
        seed gives the same schedule.

    Returns
    -------
    GreedyResult
        ``schedule`` (checked: status ``feasible``, objective and terms from the
        checker) or None with ``reason``, and the seconds it took.
    """
    started = time.perf_counter()
    if spans_sites(instance):
        schedule, reason = _by_site(instance, seed)
    else:
        schedule, reason = _one_program(instance, seed)
    if schedule is None:
        return GreedyResult(None, reason, time.perf_counter() - started)
    report = check(instance, schedule)
    seconds = time.perf_counter() - started
    if not report.ok:  # a bug here, not a property of the instance
        first = report.violations[0]
        return GreedyResult(
            None, f"internal: the greedy broke rule {first.rule} ({', '.join(first.ids)})", seconds
        )
    schedule.status = "feasible"
    schedule.best_bound = schedule.gap = None
    schedule.objective = report.objective
    schedule.objective_terms = report.weighted_terms(instance.weights)
    schedule.wall_seconds = round(seconds, 3)
    return GreedyResult(schedule, None, seconds)


def _one_program(instance: Instance, seed: int) -> tuple[Schedule | None, str]:
    """The greedy week of one program, rebuilt with what each failure teaches."""
    prog = Program(ProgramIndex(instance))
    hints = Hints()
    reason = "no attempt made"
    for _ in range(MAX_ATTEMPTS):
        try:
            schedule = build_week(prog, hints, seed)
        except Stuck as stuck:
            reason = stuck.reason
            if not hints.learn(stuck):
                break
            continue
        assign_topics(prog.idx, schedule.sessions)
        return schedule, ""
    return None, reason


def _by_site(instance: Instance, seed: int) -> tuple[Schedule | None, str]:
    """A multi-site organization site by site, as each site's coordinator plans it: the
    floaters' days are divided among their sites first (``scheduler.sites``)."""

    parts: dict[str, Schedule] = {}
    for site, sub in site_instances(instance).items():
        schedule, reason = _one_program(sub, seed)
        if schedule is None:
            return None, f"site {site}: {reason}"
        parts[site] = schedule
    return merge(instance, parts, bool(floaters(ProgramIndex(instance)))), ""
