"""Counselors: who leads a session, their roles and hours, primary counselors and caseloads."""

from __future__ import annotations

from collections import defaultdict

from models import Session
from scheduler.check.context import Checker, caseload, hours


def counselors(ck: Checker) -> None:
    """Exactly staff_required qualified, available counselors per session, each in one session per period, within max_hours."""
    by_counselor_period: dict[tuple[str, str, int], list[Session]] = defaultdict(list)
    for s in ck.sessions:
        need = ck.idx.group_type[s.group_type].staff_required
        if len(s.counselors) != need:
            ck.violation(
                "counselor_count",
                f"session {s.id} has {len(s.counselors)} counselors, needs exactly {need}",
                s.id,
            )
        for cid in s.counselors:
            c = ck.idx.counselor[cid]
            by_counselor_period[(cid, s.slot, s.period)].append(s)
            if s.group_type not in c.qualified:
                ck.violation(
                    "counselor_qualified",
                    f"{cid} is not qualified for {s.group_type} (session {s.id})",
                    cid,
                    s.id,
                )
            if s.slot not in c.available:
                ck.violation(
                    "counselor_available",
                    f"{cid} is not available in {s.slot} (session {s.id})",
                    cid,
                    s.id,
                )
    ck.clashes("counselor_clash", "{} leads", by_counselor_period)
    for cid, minutes in ck.counselor_minutes.items():
        cap = ck.idx.counselor[cid].max_minutes
        if cap is not None and minutes > cap:
            ck.violation(
                "counselor_max_hours",
                f"{cid} leads {hours(minutes)} of groups, above max_hours {ck.idx.counselor[cid].max_hours:g}",
                cid,
            )


def counselor_role(ck: Checker) -> None:
    """A session has a counselor with its type's requires_role; medication is with a prescriber."""
    for s in ck.sessions:
        role = ck.idx.group_type[s.group_type].requires_role
        if role is not None and not any(
            ck.idx.has_role(ck.idx.counselor[c], role) for c in s.counselors
        ):
            ck.violation(
                "counselor_role",
                f"session {s.id} ({s.group_type}) has no counselor with the {role} role",
                s.id,
            )
    for b in ck.bookings:
        if b.kind == "medication appointment" and not ck.idx.has_role(
            ck.idx.counselor[b.counselor], "prescriber"
        ):
            ck.violation(
                "counselor_role",
                f"{b.counselor} is not a prescriber ({b.label})",
                b.counselor,
                b.ref,
            )


def counselor_daily_hours(ck: Checker) -> None:
    """A counselor's groups and appointments of a day last at most max_hours_per_day."""
    worked: dict[tuple[str, str], int] = defaultdict(int)
    for s in ck.sessions:
        for cid in s.counselors:
            worked[(cid, s.day)] += s.minutes
    for b in ck.bookings:
        worked[(b.counselor, b.time.day)] += b.time.minutes
    for (cid, day), total in worked.items():
        c = ck.idx.counselor[cid]
        cap = c.max_minutes_per_day
        if cap is not None and total > cap:
            ck.violation(
                "counselor_max_hours_per_day",
                f"{cid} works {hours(total)} on {day} (groups and appointments), "
                f"above max_hours_per_day {c.max_hours_per_day:g}",
                cid,
                day,
            )


def primary_assignment(ck: Checker) -> None:
    """Each patient without a primary counselor is assigned a counselor or clinician; no other patient is."""
    assigned = ck.schedule.primary_counselors
    for p in ck.inst.patients:
        cid = assigned.get(p.id)
        if p.primary_counselor is not None:
            if cid is not None:
                ck.violation(
                    "primary_assignment",
                    f"{p.id} already has primary counselor {p.primary_counselor} "
                    f"but is assigned {cid}",
                    p.id,
                    cid,
                )
        elif cid is None:
            ck.violation("primary_assignment", f"{p.id} has no primary counselor assigned", p.id)
        elif cid not in ck.idx.counselor:
            ck.violation(
                "primary_assignment",
                f"{p.id} is assigned primary counselor {cid}, who does not exist",
                p.id,
                cid,
            )
        elif not ck.idx.counselor[cid].can_be_primary:
            ck.violation(
                "primary_assignment",
                f"{p.id} is assigned primary counselor {cid}, who is neither a counselor "
                "nor a clinician",
                p.id,
                cid,
            )


def max_caseload(ck: Checker) -> None:
    """A counselor is the primary counselor of at most max_caseload patients."""
    load = caseload(ck)
    for c in ck.inst.counselors:
        if c.max_caseload is not None and load[c.id] > c.max_caseload:
            ck.violation(
                "max_caseload",
                f"{c.id} has a caseload of {load[c.id]} patients, above max_caseload "
                f"{c.max_caseload}",
                c.id,
            )
