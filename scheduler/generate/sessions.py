"""The witness's group sessions: each cohort sits its planned week in a room, with a
qualified counselor."""

from __future__ import annotations

from collections import defaultdict

from models import Session
from scheduler.generate.draft import Cohort, Witness
from scheduler.generate.frame import PERIOD_MINUTES, STAGE_MATCHED, TIMES, TOPIC_TYPE
from scheduler.generate.slots import all_slots, stretch


def witness_sessions(
    w: Witness,
    cohorts: list[Cohort],
    rooms: list[dict],
    staff: list[dict],
    topics: dict[tuple[str, int], str],
) -> bool:
    """Each cohort sits its planned week of nine sessions, three per block."""
    by_slot: dict[str, list[Cohort]] = defaultdict(list)
    for c in cohorts:
        for s in c.slots:
            by_slot[s].append(c)
    for slot in all_slots():
        day, block = slot.split(".")
        here = sorted(by_slot[slot], key=lambda c: -len(c.members))
        free_rooms = sorted(rooms, key=lambda r: -r["capacity"])
        if len(here) > len(free_rooms):
            return False
        for c, room in zip(here, free_rooms):
            room["_used"].add(slot)
            for period in range(3):
                gtype = c.week[(slot, period)]
                leader = _pick_leader(w, staff, gtype, slot, period)
                if leader is None:
                    return False
                leader["_load"] += PERIOD_MINUTES
                w.leads.add((leader["id"], slot, period))
                w.day_minutes[(leader["id"], day)] += PERIOD_MINUTES
                times = TIMES[block]
                w.sessions.append(
                    Session(
                        id=f"W{len(w.sessions) + 1:04d}",
                        day=day,
                        block=block,
                        period=period,
                        start=times[period],
                        end=times[period + 1],
                        group_type=gtype,
                        stage=c.stage if gtype in STAGE_MATCHED else None,
                        room=room["id"],
                        counselors=[leader["id"]],
                        patients=sorted(c.members),
                        topic=topics[(slot, period)] if gtype == TOPIC_TYPE else None,
                    )
                )
    return True


def _pick_leader(w: Witness, staff: list[dict], gtype: str, slot: str, period: int) -> dict | None:
    """The least loaded counselor free in the period, preferring those who work then (a
    floater, pinned to their days at this site, only then)."""
    free = [
        c
        for c in staff
        if (c["id"], slot, period) not in w.leads
        and (slot in c["available"] or not c.get("_pinned"))
    ]
    if not free:
        return None

    def rank(c: dict) -> tuple[int, int, int]:
        return (slot not in c["available"], gtype not in c["qualified"], c["_load"])

    leader = min(free, key=rank)
    # The witness may stretch a counselor's week: then that is their availability and skill.
    stretch(leader, slot)
    if gtype not in leader["qualified"]:
        leader["qualified"].append(gtype)
    return leader
