"""The objective of an admission: the exact increase of the week's objective, term by term
as the checker counts it (``scheduler.check.objective`` and ``cohorts``), one function a
term. Sessions run, counselors' group load and everyone else's hours stay as they are, so
only these terms can change:

- the new patient's ``excess_minutes``, ``preferred_missed``, ``primary_not_leading``,
  ``individual_extra_trip``, ``topic_repeat``, ``room_change``, ``type_repeat_in_block``
  and ``process_peers_changed``;
- the others' ``process_peers_changed`` (the patient joins one of two consecutive
  meetings of someone's process group: one peer joined or left);
- ``caseload_imbalance``, through the primary counselor (given or chosen); its units here
  are the whole term with the patient, from which ``fit`` takes the published week's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from scheduler.check.cohorts import forced_repeats, peer_change, process_meetings
from scheduler.fit.frame import Option
from scheduler.fit.model import MOVE_WEIGHT, FitModel, LinearExpr

TermUnits = dict[str, LinearExpr]


def objective(fm: FitModel, extra: TermUnits | None = None) -> TermUnits:
    """Every term's units (unweighted) as expressions of the model, plus ``extra`` units
    (the others' rebooked appointments); terms of weight 0 are not built. Sets the
    model's objective to their weighted sum, and ``MOVE_WEIGHT`` per appointment moved."""
    weights = fm.frame.instance.weights
    units: TermUnits = {}
    for term, build in TERMS.items():
        if getattr(weights, term):
            units[term] = sum([build(fm), (extra or {}).get(term, 0)])
    cost = sum(getattr(weights, term) * expr for term, expr in units.items())
    fm.model.minimize(cost + MOVE_WEIGHT * fm.moved)
    return units


def excess_minutes(fm: FitModel) -> LinearExpr:
    """Minutes above min_hours (the hard rule keeps them at least min_hours)."""
    idx = fm.frame.idx
    total = sum(idx.block_minutes(slot) * y for slot, y in fm.block.items())
    return total - fm.frame.patient.min_minutes


def preferred_missed(fm: FitModel) -> LinearExpr:
    """Blocks attended outside the preferred ones, for a patient who names some."""
    preferred = set(fm.frame.patient.preferred)
    return sum(y for slot, y in fm.block.items() if preferred and slot not in preferred)


def primary_not_leading(fm: FitModel) -> LinearExpr:
    """A given primary counselor who leads none of the patient's sessions."""
    cid = fm.frame.given_primary
    if cid is None:
        return 0
    leads = fm.model.new_bool_var("primary_leads")
    fm.model.add(
        leads <= sum(fm.seat[o.number] for o in fm.frame.options if cid in o.session.counselors)
    )
    return 1 - leads


def individual_extra_trip(fm: FitModel) -> LinearExpr:
    """An appointment not within adjacent_minutes of the block attended that day."""
    idx = fm.frame.idx
    trips = []
    for key, t in fm.time.items():
        near = sum(fm.block[s] for s in idx.day_slots(t.day) if s in fm.block and idx.next_to(t, s))
        trip = fm.model.new_bool_var(f"trip_{t.label}")
        fm.model.add(trip + near >= fm.appointments_at(key))
        trips.append(trip)
    return sum(trips)


def topic_repeat(fm: FitModel) -> LinearExpr:
    """A non-strict topic heard again: completed before, or a second time this week."""
    idx = fm.frame.idx
    completed = set(fm.frame.patient.completed_topics)
    by_topic: dict[str, list[Option]] = defaultdict(list)
    for o in fm.frame.options:
        s = o.session
        topics = idx.group_type[s.group_type].topics
        if s.topic is not None and s.topic in topics and s.topic not in idx.strict_topics:
            by_topic[s.topic].append(o)
    repeats: list[LinearExpr] = []
    for topic, options in by_topic.items():
        heard = sum(fm.seat[o.number] for o in options)
        if topic in completed:
            repeats.append(heard)
        elif len(options) > 1:
            first = fm.model.new_bool_var(f"hears_{topic}")
            fm.model.add(first <= heard)
            repeats.append(heard - first)
    return sum(repeats)


def room_change(fm: FitModel) -> LinearExpr:
    """Two consecutive periods of the block attended in different rooms."""
    changes: list[LinearExpr] = []
    for slot, y in fm.block.items():
        periods = fm.frame.idx.periods_of[slot]
        for before, after in zip(periods, periods[1:]):
            first, then = fm.options_at(slot, before.index), fm.options_at(slot, after.index)
            stays = []
            for room in {o.session.room for o in first} & {o.session.room for o in then}:
                same = fm.model.new_bool_var(f"stays_{slot}_{before.index}_{room}")
                for here in (first, then):
                    fm.model.add(
                        same <= sum(fm.seat[o.number] for o in here if o.session.room == room)
                    )
                stays.append(same)
            changes.append(y - sum(stays))
    return sum(changes)


def type_repeat_in_block(fm: FitModel) -> LinearExpr:
    """Sessions of one type sat again in one block, beyond what the requirement rows force
    for the number of blocks attended (``scheduler.check.cohorts.forced_repeats``)."""
    m, f = fm.model, fm.frame
    extras = []
    for slot in fm.block:
        by_type: dict[str, list[Option]] = defaultdict(list)
        for o in fm.options_at(slot):
            by_type[o.session.group_type].append(o)
        for group_type, options in by_type.items():
            if len({o.session.period for o in options}) < 2:
                continue
            extra = m.new_int_var(0, len(options), f"extra_{slot}_{group_type}")
            m.add(extra >= sum(fm.seat[o.number] for o in options) - 1)
            extras.append(extra)
    if not extras:
        return 0
    count = len(fm.block)
    blocks = [m.new_bool_var(f"blocks_{k}") for k in range(count + 1)]
    m.add_exactly_one(blocks)
    m.add(sum(k * b for k, b in enumerate(blocks)) == sum(fm.block.values()))
    allowed = sum(forced_repeats(f.idx, f.patient, k) * b for k, b in enumerate(blocks))
    beyond = m.new_int_var(0, sum(len(fm.frame.idx.periods_of[s]) for s in fm.block), "beyond")
    m.add(beyond >= sum(extras) - allowed)
    return beyond


def process_peers_changed(fm: FitModel) -> LinearExpr:
    """The patient's own process meetings (peers who left or joined between consecutive
    ones), and everyone else's consecutive meetings the patient joins only one of."""
    return sum([*_own_meetings(fm), *_others_meetings(fm)])


def _own_meetings(fm: FitModel) -> list[LinearExpr]:
    idx, pid = fm.frame.idx, fm.frame.patient.id
    by_type: dict[str, list[Option]] = defaultdict(list)
    for o in fm.frame.options:
        if idx.group_type[o.session.group_type].kind == "interpersonal_process":
            by_type[o.session.group_type].append(o)
    changed: list[LinearExpr] = []
    for options in by_type.values():
        options.sort(key=lambda o: (idx.slot_rank[o.session.slot], o.session.period))
        order = [(idx.slot_rank[o.session.slot], o.session.period) for o in options]
        for i, a in enumerate(options):
            for j in range(i + 1, len(options)):
                if order[j] == order[i]:
                    continue  # one period: never both
                b = options[j]
                left, joined = peer_change(pid, a.session, b.session)
                if not left and not joined:
                    continue
                between = [
                    fm.seat[u.number] for u, at in zip(options, order) if order[i] < at < order[j]
                ]
                pair = fm.model.new_bool_var(f"next_{a.session.id}_{b.session.id}")
                fm.model.add(pair >= fm.seat[a.number] + fm.seat[b.number] - 1 - sum(between))
                changed.append((len(left) + len(joined)) * pair)
    return changed


def _others_meetings(fm: FitModel) -> list[LinearExpr]:
    f = fm.frame
    seat = {o.session.id: fm.seat[o.number] for o in f.options}
    mine: dict[str, list] = defaultdict(list)
    for s in f.schedule.sessions:
        for q in s.patients:
            mine[q].append(s)
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    for sessions in mine.values():
        for before, after in process_meetings(f.idx, sessions):
            if before.id in seat or after.id in seat:
                pairs[(before.id, after.id)] += 1
    changed: list[LinearExpr] = []
    for (a, b), n in pairs.items():
        one = fm.model.new_bool_var(f"only_one_{a}_{b}")
        x, y = seat.get(a, 0), seat.get(b, 0)
        fm.model.add(one >= x - y)
        fm.model.add(one >= y - x)
        changed.append(n * one)
    return changed


def caseload_imbalance(fm: FitModel) -> LinearExpr:
    """The whole term with the patient in the caseload of their primary counselor."""
    return sum(_imbalance_with(fm, cid) * chosen for cid, chosen in fm.primary.items())


def _imbalance_with(fm: FitModel, cid: str) -> int:
    load = dict(fm.frame.caseload)
    load[cid] = load.get(cid, 0) + 1
    out = 0
    for _, candidates in fm.frame.idx.caseload_groups():
        if len(candidates) >= 2:
            cases = [load[c.id] for c in candidates]
            out += max(cases) - min(cases)
    return out


TERMS: dict[str, Callable[[FitModel], LinearExpr]] = {
    "excess_minutes": excess_minutes,
    "preferred_missed": preferred_missed,
    "primary_not_leading": primary_not_leading,
    "individual_extra_trip": individual_extra_trip,
    "topic_repeat": topic_repeat,
    "caseload_imbalance": caseload_imbalance,
    "room_change": room_change,
    "type_repeat_in_block": type_repeat_in_block,
    "process_peers_changed": process_peers_changed,
}
