"""A patient's week: whole blocks, availability, one block a day, hours and days,
requirements, and the pairs (avoid, together)."""

from __future__ import annotations

from collections import defaultdict

from models import Session
from scheduler.check.context import Checker, hours


def whole_blocks(ck: Checker) -> None:
    """In a block they attend, a patient is in exactly one session in every period."""
    for pid, sessions in ck.patient_sessions.items():
        by_period: dict[tuple[str, int], list[Session]] = defaultdict(list)
        for s in sessions:
            by_period[(s.slot, s.period)].append(s)
        for slot in sorted({s.slot for s in sessions}, key=ck.idx.slots.index):
            for period in ck.idx.periods_of[slot]:
                here = by_period.get(period.key, [])
                if not here:
                    ck.violation(
                        "whole_block",
                        f"{pid} attends {slot} but is in no session at {period.start}-{period.end}",
                        pid,
                        slot,
                    )
                elif len(here) > 1:
                    ids = ", ".join(s.id for s in here)
                    ck.violation(
                        "double_booked",
                        f"{pid} is in {len(here)} sessions at once ({ids}) in {period.label}",
                        pid,
                        *(s.id for s in here),
                    )


def patient_availability(ck: Checker) -> None:
    """A patient attends only slots they are available for."""
    for pid, sessions in ck.patient_sessions.items():
        available = set(ck.idx.patient[pid].available)
        for slot in sorted({s.slot for s in sessions} - available, key=ck.idx.slots.index):
            ck.violation("patient_available", f"{pid} is not available in {slot}", pid, slot)


def one_block_per_day(ck: Checker) -> None:
    """A patient attends at most one block per day."""
    for pid, sessions in ck.patient_sessions.items():
        by_day: dict[str, set[str]] = defaultdict(set)
        for s in sessions:
            by_day[s.day].add(s.block)
        for day, blocks in by_day.items():
            if len(blocks) > 1:
                ck.violation(
                    "one_block_per_day",
                    f"{pid} attends {len(blocks)} blocks on {day} ({', '.join(sorted(blocks))})",
                    pid,
                    day,
                )


def hours_and_days(ck: Checker) -> None:
    """Weekly hours between min_hours and max_hours; at least min_days days."""
    for p in ck.inst.patients:
        sessions = ck.patient_sessions.get(p.id, [])
        total = ck.patient_minutes.get(p.id, 0)
        if total < p.min_minutes and not ck.short(
            "min_hours", p.id, p.min_hours, round(total / 60, 2), p.min_minutes - total
        ):
            ck.violation(
                "min_hours",
                f"{p.id} has {hours(total)}, below min_hours {p.min_hours:g}",
                p.id,
            )
        if total > p.max_minutes:
            ck.violation(
                "max_hours",
                f"{p.id} has {hours(total)}, above max_hours {p.max_hours:g}",
                p.id,
            )
        days = len({s.day for s in sessions})
        if days < p.min_days and not ck.short(
            "min_days", p.id, p.min_days, days, p.min_days - days
        ):
            ck.violation(
                "min_days", f"{p.id} attends on {days} days, below min_days {p.min_days}", p.id
            )


def requirements(ck: Checker) -> None:
    """Each patient meets every requirement row of their stage."""
    for p in ck.inst.patients:
        sessions = ck.patient_sessions.get(p.id, [])
        for i, req in ck.idx.requirements_of(p):
            got = sum(
                1 for s in sessions if ck.idx.counts_for(req, ck.idx.group_type[s.group_type])
            )
            if got < req.min_sessions and not ck.short(
                "requirement", p.id, req.min_sessions, got, req.min_sessions - got, row=i
            ):
                ck.violation(
                    "requirement",
                    f"{p.id} has {got} sessions of {req.target}, needs at least {req.min_sessions} "
                    f"(requirements[{i}])",
                    p.id,
                    f"requirements[{i}]",
                )
            if req.max_sessions is not None and got > req.max_sessions:
                ck.violation(
                    "requirement",
                    f"{p.id} has {got} sessions of {req.target}, allows at most {req.max_sessions} "
                    f"(requirements[{i}])",
                    p.id,
                    f"requirements[{i}]",
                )


def avoid(ck: Checker) -> None:
    """No avoid pair shares a session."""
    for s in ck.sessions:
        members = set(s.patients)
        for a, b in ck.idx.avoid_pairs:
            if a in members and b in members:
                ck.violation(
                    "avoid",
                    f"{a} and {b} must not share a session but are both in {s.id}",
                    a,
                    b,
                    s.id,
                )


def together(ck: Checker) -> None:
    """A together pair shares every session of their group type: both in it or neither."""
    for pair in ck.inst.together:
        a, b = pair.patients
        for s in ck.sessions:
            if s.group_type != pair.group_type:
                continue
            inside = [p for p in (a, b) if p in s.patients]
            if len(inside) == 1:
                ck.violation(
                    "together",
                    f"{a} and {b} must share every {pair.group_type} session, "
                    f"but only {inside[0]} is in {s.id}",
                    a,
                    b,
                    s.id,
                )
