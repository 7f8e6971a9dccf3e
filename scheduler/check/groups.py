"""Group sessions: size, eligibility, stage matching, rooms, topics and the curriculum."""

from __future__ import annotations

from collections import defaultdict

from models import Session
from scheduler.check.context import Checker, topic_repeats


def group_size(ck: Checker) -> None:
    """Group size within [min_size, max_size] of its type and within the room capacity."""
    for s in ck.sessions:
        g = ck.idx.group_type[s.group_type]
        n = len(s.patients)
        if n < g.min_size:
            ck.violation(
                "group_size",
                f"session {s.id} ({g.id}) has {n} patients, below min_size {g.min_size}",
                s.id,
            )
        if n > g.max_size:
            ck.violation(
                "group_size",
                f"session {s.id} ({g.id}) has {n} patients, above max_size {g.max_size}",
                s.id,
            )
        cap = ck.idx.room[s.room].capacity
        seats = n * g.seats_per_patient
        if seats > cap:
            taking = (
                f" taking {seats} seats (family group: {g.seats_per_patient} each)"
                if g.family
                else ""
            )
            ck.violation(
                "room_capacity",
                f"session {s.id} has {n} patients{taking} in room {s.room} of capacity {cap}",
                s.id,
                s.room,
            )


def eligibility(ck: Checker) -> None:
    """Every member is eligible for the group type (stages, genders, tracks, flags)."""
    for s in ck.sessions:
        g = ck.idx.group_type[s.group_type]
        for pid in s.patients:
            if not ck.idx.eligible(ck.idx.patient[pid], g):
                ck.violation(
                    "eligibility",
                    f"{pid} is not eligible for {g.id} (session {s.id})",
                    pid,
                    s.id,
                )


def stage_matching(ck: Checker) -> None:
    """A stage-matched session holds patients of its one stage; others have no stage."""
    for s in ck.sessions:
        g = ck.idx.group_type[s.group_type]
        if not g.stage_matched:
            if s.stage is not None:
                ck.violation(
                    "stage_matched",
                    f"session {s.id} has stage {s.stage} but {g.id} is not stage-matched",
                    s.id,
                )
            continue
        if s.stage is None:
            ck.violation(
                "stage_matched", f"session {s.id} of stage-matched {g.id} has no stage", s.id
            )
            continue
        for pid in s.patients:
            stage = ck.idx.patient[pid].stage
            if stage != s.stage:
                ck.violation(
                    "stage_matched",
                    f"{pid} (stage {stage}) is in stage-matched session {s.id} of stage {s.stage}",
                    pid,
                    s.id,
                )


def room_type(ck: Checker) -> None:
    """Groups meet in group rooms, appointments in offices."""
    for s in ck.sessions:
        room = ck.idx.room[s.room]
        if room.type != "group":
            ck.violation(
                "room_type",
                f"session {s.id} ({s.group_type}) is in {room.type} {room.id}; "
                "groups meet in group rooms",
                room.id,
                s.id,
            )
    for b in ck.bookings:
        room = ck.idx.room[b.room]
        if room.type != "office":
            ck.violation(
                "room_type",
                f"{b.label} is in {room.type} room {room.id}; appointments are in offices",
                room.id,
                b.ref,
            )


def rooms(ck: Checker) -> None:
    """One session per room per period, only in the room's available slots."""
    by_room_period: dict[tuple[str, str, int], list[Session]] = defaultdict(list)
    for s in ck.sessions:
        by_room_period[(s.room, s.slot, s.period)].append(s)
        if s.slot not in ck.idx.room_slots(ck.idx.room[s.room]):
            ck.violation(
                "room_available",
                f"room {s.room} is not available in {s.slot} (session {s.id})",
                s.room,
                s.id,
            )
    ck.clashes("room_clash", "room {} holds", by_room_period)


def topics(ck: Checker) -> None:
    """A session of a type with topics teaches one of them; other sessions teach none."""
    for s in ck.sessions:
        g = ck.idx.group_type[s.group_type]
        if not g.topics:
            if s.topic is not None:
                ck.violation(
                    "topic",
                    f"session {s.id} ({g.id}) has topic {s.topic} but {g.id} has no topics",
                    s.id,
                )
        elif s.topic is None:
            ck.violation(
                "topic",
                f"session {s.id} ({g.id}) has no topic; it must teach one of {', '.join(g.topics)}",
                s.id,
            )
        elif s.topic not in g.topics:
            ck.violation(
                "topic",
                f"session {s.id} ({g.id}) teaches {s.topic}, not one of {', '.join(g.topics)}",
                s.id,
            )


def curriculum(ck: Checker) -> None:
    """With strict_curriculum a patient never hears a topic twice nor a completed one."""
    for r in topic_repeats(ck):
        if r.strict:
            ck.violation(
                "curriculum",
                f"{r.message}; {r.session.topic} is in a strict curriculum",
                r.patient,
                r.session.id,
            )
