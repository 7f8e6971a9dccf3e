"""A schedule as a text timetable, grouped by slot, room, counselor or patient
(what ``iop-scheduler show`` prints)."""

from __future__ import annotations

from collections import Counter, defaultdict

from models import Appointment, Instance, Schedule, Session
from models.text import printable
from scheduler.check.cohorts import cohort_figures

# (kind, appointment): kind is "individual" or "medication".
Booking = tuple[str, Appointment]
# (kind, appointment, the other person in it).
PersonalBooking = tuple[str, Appointment, str]


def render_timetable(sched: Schedule, view: str, instance: Instance | None = None) -> str:
    """A text timetable of a schedule, grouped by slot, room, counselor or patient.

    The counselor and patient views also list one-to-one appointments (and, per
    patient, screens and an assigned primary counselor).

    Parameters
    ----------
    sched
        The schedule (as solved, or as loaded from a file).
    view
        ``"slot"``, ``"room"``, ``"counselor"`` or ``"patient"`` (any other value
        groups by patient too).
    instance
        The instance the schedule is for: when given, the heading is followed by the
        cohort figures (room changes, type repeats, process peers' overlap).

    Returns
    -------
    str
        The timetable: a heading, then one block per group, ending in a newline.
    """
    lines = [_heading(sched), ""]
    if instance is not None and sched.sessions:
        lines[1:1] = [f"cohorts: {cohort_figures(instance, sched).text()}"]
    appointments = [("individual", a) for a in sched.individual_sessions] + [
        ("medication", a) for a in sched.medication_appointments
    ]
    if view == "slot":
        lines += _by_slot(sched)
    elif view == "room":
        lines += _by_room(sched, appointments)
    elif view == "counselor":
        lines += _by_counselor(sched, appointments)
    else:
        lines += _by_patient(sched, appointments)
    return "\n".join(lines).rstrip() + "\n"


def _heading(sched: Schedule) -> str:
    """Instance, status, how many sessions and appointments, objective."""
    head = f"{printable(sched.instance)}: {sched.status}, {len(sched.sessions)} sessions"
    if sched.individual_sessions or sched.medication_appointments:
        head += (
            f", {len(sched.individual_sessions)} individual sessions, "
            f"{len(sched.medication_appointments)} medication appointments"
        )
    if sched.objective is not None:
        head += f", objective {sched.objective}"
    return head


def _by_slot(sched: Schedule) -> list[str]:
    """One block per day and block of the week, its sessions in schedule order."""
    by: dict[str, list[Session]] = defaultdict(list)
    for s in sched.sessions:  # already in week order
        by[f"{s.day} {s.block}"].append(s)
    lines: list[str] = []
    for key, group in by.items():
        lines.append(key)
        lines += ["  " + _line(s, "time", "what", "room", "counselors", "size") for s in group]
        lines.append("")
    return lines


def _by_room(sched: Schedule, appointments: list[Booking]) -> list[str]:
    """One block per room: its sessions, then its appointments in time order."""
    by: dict[str, list[Session]] = defaultdict(list)
    for s in sched.sessions:
        by[s.room].append(s)
    booked: dict[str, list[Booking]] = defaultdict(list)
    day = _week_order(sched)
    for kind, a in sorted(appointments, key=lambda ka: (day[ka[1].day], ka[1].start)):
        booked[a.room].append((kind, a))
    lines: list[str] = []
    for room in sorted(set(by) | set(booked)):
        lines.append(f"room {room}")
        lines += ["  " + _line(s, "when", "what", "counselors", "size") for s in by[room]]
        lines += [
            "  " + _appointment_line(kind, a, f"{a.patient}, {a.counselor}")
            for kind, a in booked[room]
        ]
        lines.append("")
    return lines


def _by_counselor(sched: Schedule, appointments: list[Booking]) -> list[str]:
    """One block per counselor: hours of groups and appointment counts, then their week."""
    by: dict[str, list[Session]] = defaultdict(list)
    for s in sched.sessions:
        for c in s.counselors:
            by[c].append(s)
    theirs: dict[str, list[PersonalBooking]] = defaultdict(list)
    for kind, a in appointments:
        theirs[a.counselor].append((kind, a, a.patient))
    lines: list[str] = []
    for c in sorted(set(by) | set(theirs)):
        minutes = sum(s.minutes for s in by[c])
        head = f"{c}: {len(by[c])} sessions, {minutes / 60:.1f} h of groups"
        counts = Counter(kind for kind, _, _ in theirs[c])
        for kind in ("individual", "medication"):
            if counts[kind]:
                head += f", {counts[kind]} {kind}"
        lines.append(head)
        lines += _person_rows(sched, by[c], theirs[c])
        lines.append("")
    return lines


def _by_patient(sched: Schedule, appointments: list[Booking]) -> list[str]:
    """One block per patient: hours, days and primary counselor, their week, their screens."""
    by: dict[str, list[Session]] = defaultdict(list)
    for s in sched.sessions:
        for p in s.patients:
            by[p].append(s)
    mine: dict[str, list[PersonalBooking]] = defaultdict(list)
    for kind, a in appointments:
        mine[a.patient].append((kind, a, a.counselor))
    screens: dict[str, list[str]] = defaultdict(list)
    for sc in sched.screens:
        screens[sc.patient].append(f"{sc.day} {sc.block}")
    lines: list[str] = []
    for p in sorted(set(by) | set(mine)):
        minutes = sum(s.minutes for s in by[p])
        days = len({s.day for s in by[p]})
        head = f"{p}: {minutes / 60:.1f} h on {days} days"
        if p in sched.primary_counselors:
            head += f", primary counselor {sched.primary_counselors[p]} (assigned)"
        lines.append(head)
        lines += _person_rows(sched, by[p], mine[p])
        if screens[p]:
            lines.append(f"  screen: {', '.join(screens[p])}")
        lines.append("")
    return lines


def _line(s: Session, *fields: str) -> str:
    """One session as aligned columns, the named ones in the order given."""
    what = s.group_type + (f" [{s.stage}]" if s.stage else "") + (f": {s.topic}" if s.topic else "")
    parts = {
        "when": f"{s.day} {s.block} {s.start}-{s.end}",
        "time": f"{s.start}-{s.end}",
        "what": f"{what:<46}",
        "room": f"room {s.room:<6}",
        "counselors": f"{', '.join(s.counselors):<8}",
        "size": f"{len(s.patients):>2} patients",
    }
    return "  ".join(parts[f] for f in fields).rstrip()


def _appointment_line(kind: str, a: Appointment, who: str) -> str:
    """One appointment: when, what and with whom, room."""
    when = f"{a.day} {a.start}-{a.end}"
    what = f"{kind} with {who}"
    return f"{when:<18}  {what:<46}  room {a.room}"


def _week_order(sched: Schedule) -> dict[str, int]:
    """Days in the order the schedule first mentions them (sessions are in week order)."""
    days: dict[str, int] = {}
    for day in [s.day for s in sched.sessions] + [
        a.day for a in sched.individual_sessions + sched.medication_appointments
    ]:
        days.setdefault(day, len(days))
    return days


def _person_rows(
    sched: Schedule, sessions: list[Session], appointments: list[PersonalBooking]
) -> list[str]:
    """Sessions and appointments of one person in time order."""
    day = _week_order(sched)
    rows = [
        ((day[s.day], s.start), "  " + _line(s, "when", "what", "room", "counselors", "size"))
        for s in sessions
    ]
    rows += [
        ((day[a.day], a.start), "  " + _appointment_line(kind, a, who))
        for kind, a, who in appointments
    ]
    return [text for _, text in sorted(rows)]
