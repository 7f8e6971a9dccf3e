"""Group rules: session sizes within the type and the room, one room per session and
one session per room, strict curricula, and the order in which interchangeable copies
open."""

from __future__ import annotations

from collections import defaultdict

from scheduler.cpsat.variables import ModelBase, Var


def group_size(tm: ModelBase) -> None:
    """A session runs with min_size to max_size members, within its room's capacity."""
    m = tm.model
    for cand in tm.candidates:
        n = cand.number
        g = cand.group_type
        seats = [tm.seat[(pid, n)] for pid in tm.members[n]]
        size = sum(seats)
        tm.guard(m.add(size >= g.min_size * tm.open[n]), "min_size", g.id)
        # Each session is bounded by the smaller of max_size and its room's capacity
        # (in patients: a family group's patients bring relatives).
        seats_per_room = [
            (g.holds(tm.index.room[rid].capacity), v) for rid, v in tm.rooms_at[n].items()
        ]
        m.add(size <= sum(cap * v for cap, v in seats_per_room))
        for s in seats:  # redundant, but tightens the LP relaxation
            m.add(s <= tm.open[n])


def rooms(tm: ModelBase) -> None:
    """One room per running session; one session per room per period."""
    by_room_period: dict[tuple[str, str, int], list[Var]] = defaultdict(list)
    for cand in tm.candidates:
        rooms = tm.rooms_at[cand.number]
        tm.model.add(sum(rooms.values()) == tm.open[cand.number])
        for rid, v in rooms.items():
            by_room_period[(rid, *cand.period.key)].append(v)
    for vars_ in by_room_period.values():
        if len(vars_) > 1:
            tm.model.add_at_most_one(vars_)


def strict_curriculum(tm: ModelBase) -> None:
    """A running session of a strict_curriculum type teaches one of its topics, and no
    patient hears one twice or one they completed.

    Topics of the other types are chosen after the solve, for the groups it formed
    (``scheduler.cpsat.topics``); the model only counts the repeats no choice can avoid.
    """
    m = tm.model
    heard: dict[tuple[str, str], list[Var]] = defaultdict(list)  # (patient, topic)
    for cand in tm.candidates:
        g = cand.group_type
        if not (g.topics and g.strict_curriculum):
            continue
        n = cand.number
        runs = m.new_bool_var(f"runs[{n}]")
        m.add(tm.open[n] >= runs)
        m.add(tm.open[n] <= tm.copies[n] * runs)
        for t in g.topics:
            tm.topic_on[(n, t)] = m.new_bool_var(f"topic[{n},{t}]")
        m.add(sum(tm.topic_on[(n, t)] for t in g.topics) == runs)
        for pid in tm.members[n]:
            seat = tm.seat[(pid, n)]
            for t in g.topics:
                hears = m.new_bool_var(f"hears[{pid},{n},{t}]")
                m.add_bool_and([seat, tm.topic_on[(n, t)]]).only_enforce_if(hears)
                m.add_bool_or([~seat, ~tm.topic_on[(n, t)], hears])
                heard[(pid, t)].append(hears)
    for (pid, t), times in heard.items():
        done = int(t in tm.index.patient[pid].completed_topics)
        m.add(sum(times) + done <= 1)


def break_symmetry(tm: ModelBase) -> None:
    """Interchangeable copies open in order: copy k+1 runs only if copy k runs."""
    if tm.aggregate:
        return
    first: dict[tuple[str, int, str, str | None], int] = {}
    for cand in tm.candidates:
        if cand.copy > 0:
            prev = first[cand.family] + cand.copy - 1
            tm.model.add_implication(tm.open[cand.number], tm.open[prev])
        else:
            first[cand.family] = cand.number
