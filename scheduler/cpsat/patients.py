"""Patient rules: whole blocks, one block a day, hours and days, requirement rows, and
who may or must share a session (avoid and together pairs)."""

from __future__ import annotations

from collections import defaultdict

from scheduler.cpsat.variables import ModelBase, Var


def whole_blocks(tm: ModelBase) -> None:
    """A patient in a block is in exactly one session in each of its periods."""
    by_period: dict[tuple[str, str, int], list[Var]] = defaultdict(list)
    for (pid, n), var in tm.seat.items():
        by_period[(pid, *tm.candidates[n].period.key)].append(var)
    for (pid, slot), attend in tm.attend.items():
        for period in tm.index.periods_of[slot]:
            tm.model.add(sum(by_period.get((pid, *period.key), [])) == attend)


def one_block_per_day(tm: ModelBase) -> None:
    """A patient attends at most one block per day."""
    by_day: dict[tuple[str, str], list[Var]] = defaultdict(list)
    for (pid, slot), attend in tm.attend.items():
        by_day[(pid, tm.index.day_of[slot])].append(attend)
    for blocks in by_day.values():
        if len(blocks) > 1:
            tm.model.add_at_most_one(blocks)


def hours_and_days(tm: ModelBase) -> None:
    """Weekly minutes within [min_hours, max_hours]; at least min_days days (one block a day)."""
    for p in tm.instance.patients:
        attended = [(slot, tm.attend[(p.id, slot)]) for slot in tm.index.patient_slots(p)]
        total = sum(tm.index.block_minutes(slot) * var for slot, var in attended)
        tm.floor(total, p.min_minutes, "min_hours", p.id)
        tm.guard(tm.model.add(total <= p.max_minutes), "max_hours", p.id)
        days = sum(var for _, var in attended)
        tm.floor(days, p.min_days, "min_days", p.id)


def requirements(tm: ModelBase) -> None:
    """Every requirement row of a patient's stage: sessions of a type or kind in range."""
    for p in tm.instance.patients:
        for i, req in tm.index.requirements_of(p):
            seats = [
                tm.seat[(p.id, n)]
                for n in tm.seats_of[p.id]
                if tm.index.counts_for(req, tm.candidates[n].group_type)
            ]
            high = len(seats) if req.max_sessions is None else req.max_sessions
            if tm.best_effort:
                tm.model.add(sum(seats) <= max(high, 0))
                tm.floor(sum(seats), req.min_sessions, "requirement", p.id, str(i))
                continue
            ct = tm.model.add_linear_constraint(sum(seats), req.min_sessions, max(high, 0))
            tm.guard(ct, "requirement", p.id, str(i))


def avoid_pairs(tm: ModelBase) -> None:
    """Patients who must be kept apart never share a session.

    The aggregated model keeps them out of the same family (group type and
    stage in one period), so that any split of a family into sessions is valid.
    """
    for a, b in tm.index.avoid_pairs:
        for n in set(tm.seats_of[a]) & set(tm.seats_of[b]):
            tm.model.add_at_most_one(tm.seat[(a, n)], tm.seat[(b, n)])


def together(tm: ModelBase) -> None:
    """Couples share every session of their group type: seated together or not at all."""
    for pair in tm.instance.together:
        a, b = pair.patients
        for cand in tm.candidates:
            if cand.group_type.id != pair.group_type:
                continue
            sa = tm.seat.get((a, cand.number))
            sb = tm.seat.get((b, cand.number))
            if sa is not None and sb is not None:
                tm.model.add(sa == sb)
            elif sa is not None or sb is not None:
                tm.model.add((sa if sa is not None else sb) == 0)  # the partner cannot come
