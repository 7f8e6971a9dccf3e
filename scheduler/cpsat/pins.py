"""Pins: the sessions, attendance and appointments the instance fixes hold exactly.

A session pin chooses a candidate that holds it (``pin_picks``: a Boolean per
candidate of its type, slot, period and stage that can seat its patients and has
its room and counselors): the candidate runs, with that room, those counselors
leading and those patients seated (and, for a strict curriculum, that topic). In
the plain model a candidate is one session, so that is exact. In the aggregated
model a candidate is a family of sessions: the split after the solve
(``split.split_family``) puts each pin's room, counselors and patients in one
session, and two pins that cannot share one session get two (or, when they share a
room, a counselor or a patient, cannot both be in the family). Topics of the other
types are chosen after the solve; ``pinned_topics`` keeps the pinned ones.

In a diagnosis each pin is one relaxable rule, ``("pin", "3")`` (1-based).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from models import Session
from models.pins import Pin
from scheduler.cpsat.split import Fixed
from scheduler.cpsat.variables import Candidate, ModelBase, Var


def _hold(tm: ModelBase, i: int, literals: list[Var]) -> None:
    """Pin ``i`` (0-based) holds when one of ``literals`` is true (never with none)."""
    tm.guard(tm.model.add_bool_or(literals), "pin", str(i + 1))


def _capacity(tm: ModelBase, cand: Candidate, room: str | None) -> int:
    """Most patients one session of the candidate seats (in ``room`` when given)."""
    g = cand.group_type
    rooms = [room] if room is not None else list(tm.rooms_at[cand.number])
    return max(
        (g.holds(tm.index.room[r].capacity) for r in rooms),
        default=0,
    )


def _could_hold(tm: ModelBase, pin: Pin, cand: Candidate) -> bool:
    """Whether a session of the candidate could be the pinned one."""
    n = cand.number
    return (
        cand.group_type.id == pin.group_type
        and cand.period.slot == pin.slot
        and (pin.period is None or cand.period.index == pin.period)
        and (pin.stage is None or cand.stage == pin.stage)
        and (pin.room is None or pin.room in tm.rooms_at[n])
        and all(c in tm.leads_at[n] for c in pin.counselors)
        and all((p, n) in tm.seat for p in pin.patients)
        and (pin.topic is None or not _strict(cand) or (n, pin.topic) in tm.topic_on)
        and len(pin.patients) <= _capacity(tm, cand, pin.room)
    )


def _strict(cand: Candidate) -> bool:
    return bool(cand.group_type.topics and cand.group_type.strict_curriculum)


def sessions(tm: ModelBase) -> None:
    """A pinned session runs where it is pinned, in its room, with its counselors leading,
    its patients seated and its topic taught."""
    m = tm.model
    for i, pin in enumerate(tm.instance.pins):
        if pin.kind != "session":
            continue
        picks: dict[int, Var] = {}
        for cand in tm.candidates:
            if not _could_hold(tm, pin, cand):
                continue
            n = cand.number
            pick = picks[n] = m.new_bool_var(f"pin[{i},{n}]")
            m.add(tm.open[n] >= 1).only_enforce_if(pick)
            if pin.room is not None:
                m.add_implication(pick, tm.rooms_at[n][pin.room])
            for cid in pin.counselors:
                m.add_implication(pick, tm.leads_at[n][cid])
            for pid in pin.patients:
                m.add_implication(pick, tm.seat[(pid, n)])
            if pin.topic is not None and (n, pin.topic) in tm.topic_on:
                m.add_implication(pick, tm.topic_on[(n, pin.topic)])
            if tm.aggregate and len(pin.patients) > cand.group_type.min_size:
                # The family's other sessions still reach min_size beside the pinned one.
                size = sum(tm.seat[(p, n)] for p in tm.members[n])
                extra = len(pin.patients) - cand.group_type.min_size
                m.add(size >= cand.group_type.min_size * tm.open[n] + extra).only_enforce_if(pick)
        tm.pin_picks[i] = picks
        _hold(tm, i, list(picks.values()))
    if tm.aggregate:
        _separate_sessions(tm)


def _one_session(tm: ModelBase, a: Pin, b: Pin, cand: Candidate) -> bool:
    """Whether one session of the candidate can hold both pins."""
    g = cand.group_type
    room = a.room or b.room
    return (
        not (a.room and b.room and a.room != b.room)
        and not (a.topic and b.topic and a.topic != b.topic)
        and len(set(a.counselors) | set(b.counselors)) <= g.staff_required
        and len(set(a.patients) | set(b.patients)) <= _capacity(tm, cand, room)
    )


def _separate_sessions(tm: ModelBase) -> None:
    """Aggregated model: two pins in one family that cannot be one session need two
    sessions, or, when they share a room, a counselor or a patient (so they would have
    to be one), cannot both be in the family."""
    pins = tm.instance.pins
    for i, j in combinations(sorted(tm.pin_picks), 2):
        for n in tm.pin_picks[i].keys() & tm.pin_picks[j].keys():
            a, b = tm.pin_picks[i][n], tm.pin_picks[j][n]
            if _one_session(tm, pins[i], pins[j], tm.candidates[n]):
                continue
            if pins[i].shares_with(pins[j]):
                tm.model.add_bool_or([~a, ~b])
            else:
                tm.model.add(tm.open[n] >= a + b)


def attendance(tm: ModelBase) -> None:
    """A patient pinned to a block attends it."""
    for i, pin in enumerate(tm.instance.pins):
        if pin.kind == "attend":
            attend = tm.attend.get((pin.patient or "", pin.slot or ""))
            _hold(tm, i, [] if attend is None else [attend])


def appointments(tm: ModelBase) -> None:
    """A pinned appointment is booked at its time (with its counselor, when given)."""
    starts = [t.start for t in tm.instance.individual_slots]
    for i, pin in enumerate(tm.instance.pins):
        if pin.kind not in ("individual", "medication"):
            continue
        k = starts.index(pin.start) if pin.start in starts else -1
        booked = [
            v
            for (kind, pid, cid, day, time), v in tm.appts.items()
            if (kind, pid, day, time) == (pin.kind, pin.patient, pin.day, k)
            and (pin.counselor is None or cid == pin.counselor)
        ]
        _hold(tm, i, booked)


# -- after the solve -----------------------------------------------------------------


def pinned_parts(tm: ModelBase, solver: Any, n: int, sessions: int) -> list[Fixed]:
    # ``solver``: readback.Values (the solver or a snapshot; readback imports this module).
    """What the split of candidate ``n`` (running ``sessions`` sessions) must keep together:
    the pins it holds that name a room, counselors or patients, those sharing any of them
    merged into one part, then parts merged while there are more than sessions."""
    held = [
        tm.instance.pins[i]
        for i, picks in tm.pin_picks.items()
        if n in picks and solver.boolean_value(picks[n])
    ]
    parts: list[list[Pin]] = []
    for pin in held:
        if not (pin.room or pin.counselors or pin.patients):
            continue
        joined = [part for part in parts if any(pin.shares_with(q) for q in part)]
        merged = [pin] + [q for part in joined for q in part]
        parts = [part for part in parts if part not in joined] + [merged]
    cand = tm.candidates[n]
    while len(parts) > sessions:
        pairs = list(combinations(range(len(parts)), 2))
        x, y = next((p for p in pairs if _fits(tm, cand, parts[p[0]] + parts[p[1]])), pairs[-1])
        parts = [q for k, q in enumerate(parts) if k not in (x, y)] + [parts[x] + parts[y]]
    return [
        Fixed(
            room=next((q.room for q in part if q.room), None),
            counselors=sorted({c for q in part for c in q.counselors}),
            patients=sorted({p for q in part for p in q.patients}),
        )
        for part in parts
    ]


def _fits(tm: ModelBase, cand: Candidate, pins: list[Pin]) -> bool:
    """Whether one session of the candidate can hold all of ``pins``."""
    rooms = {q.room for q in pins if q.room}
    counselors = {c for q in pins for c in q.counselors}
    patients = {p for q in pins for p in q.patients}
    room = next(iter(rooms), None)
    return (
        len(rooms) <= 1
        and len(counselors) <= cand.group_type.staff_required
        and len(patients) <= _capacity(tm, cand, room)
    )


def pinned_topics(pins: list[Pin], sessions: list[Session]) -> dict[str, str]:
    """Session id -> the topic a pin gives it: the first session that holds the pin but
    for its topic, and is not already given another."""
    fixed: dict[str, str] = {}
    for pin in pins:
        if pin.kind != "session" or pin.topic is None:
            continue
        anyhow = pin.model_copy(update={"topic": None})
        for s in sessions:
            if anyhow.held_by(s) and fixed.get(s.id, pin.topic) == pin.topic:
                fixed[s.id] = pin.topic
                break
    return fixed
