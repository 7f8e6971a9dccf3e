"""The summary view as plain data: is the week valid, who is below their hours, group
sizes, counselor loads, room use, unmet preferences and the objective by term."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from scheduler.check.score import score
from scheduler.export.week import Week

# ASAM level 2.1 (adult intensive outpatient): at least 9 hours of services a week.
ASAM_FLOOR_HOURS = 9
ASAM_FLAG = f"below {ASAM_FLOOR_HOURS} h, the ASAM level 2.1 adult IOP minimum"


@dataclass(frozen=True)
class PatientHours:
    """One patient's hours and days against their minimums (display name allowed here)."""

    patient: str
    name: str | None
    site: str | None
    stage: str
    minutes: int
    min_hours: float
    max_hours: float
    days: int
    min_days: int
    flags: tuple[str, ...]  # "below min_hours 9", ASAM_FLAG, "below min_days 3"

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass(frozen=True)
class GroupSize:
    """One session's size against its type's limits."""

    session: str
    day: str
    time: str
    group_type: str
    site: str | None
    room: str
    size: int
    min_size: int | None
    max_size: int | None
    flag: str  # "below min_size", "above max_size" or ""


@dataclass(frozen=True)
class CounselorLoad:
    """One counselor's week: group hours against max_hours, and appointments."""

    counselor: str
    sessions: int
    minutes: int
    max_hours: float | None
    individual: int
    medication: int
    flag: str  # "above max_hours" or ""

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass(frozen=True)
class RoomUse:
    """One room's use: sessions (or appointments) held, and seats used of those offered."""

    room: str
    site: str | None
    type: str
    capacity: int
    uses: int
    seats_used: int  # a family group's patients take their relatives' seats too
    seats_offered: int  # capacity times the sessions held

    @property
    def fill(self) -> float | None:
        return self.seats_used / self.seats_offered if self.seats_offered else None


@dataclass(frozen=True)
class MissedPreference:
    """A patient attending blocks they did not prefer."""

    patient: str
    slots: tuple[str, ...]
    preferred: tuple[str, ...]


@dataclass(frozen=True)
class TermCost:
    """One objective term: weight, units and cost."""

    term: str
    weight: int
    units: int
    cost: int


@dataclass(frozen=True)
class Summary:
    """The whole summary: validity first, then the tables."""

    instance: str
    status: str
    objective: int  # the checker's
    stated_objective: int | None  # what the schedule says
    violations: tuple[str, ...]
    patients: tuple[PatientHours, ...]
    groups: tuple[GroupSize, ...]
    counselors: tuple[CounselorLoad, ...]
    rooms: tuple[RoomUse, ...]
    preferences: tuple[MissedPreference, ...]
    terms: tuple[TermCost, ...]

    @property
    def flagged(self) -> list[PatientHours]:
        return [p for p in self.patients if p.flags]


def patient_hours(week: Week) -> list[PatientHours]:
    """Every patient's group hours and days, flagged when below a minimum or the ASAM floor."""
    minutes: dict[str, int] = defaultdict(int)
    days: dict[str, set[str]] = defaultdict(set)
    for s in week.sessions:
        for pid in s.patients:
            minutes[pid] += s.minutes
            days[pid].add(s.day)
    out = []
    for p in week.inst.patients:
        total, n = minutes[p.id], len(days[p.id])
        flags = []
        if total < p.min_minutes:
            flags.append(f"below min_hours {p.min_hours:g}")
        if total < ASAM_FLOOR_HOURS * 60:
            flags.append(ASAM_FLAG)
        if n < p.min_days:
            flags.append(f"below min_days {p.min_days}")
        out.append(
            PatientHours(
                p.id,
                p.display_name,
                week.site_label(p.site),
                p.stage,
                total,
                p.min_hours,
                p.max_hours,
                n,
                p.min_days,
                tuple(flags),
            )
        )
    return out


def group_sizes(week: Week) -> list[GroupSize]:
    """Every session's size against its group type's min_size and max_size."""
    out = []
    for s in week.sessions:
        g = week.idx.group_type.get(s.group_type)
        size = len(s.patients)
        flag = ""
        if g is not None and size < g.min_size:
            flag = "below min_size"
        elif g is not None and size > g.max_size:
            flag = "above max_size"
        out.append(
            GroupSize(
                s.id,
                s.day,
                f"{s.start}-{s.end}",
                s.group_type,
                week.room_site(s.room),
                s.room,
                size,
                g.min_size if g else None,
                g.max_size if g else None,
                flag,
            )
        )
    return out


def counselor_loads(week: Week) -> list[CounselorLoad]:
    """Every counselor's group hours (against max_hours) and appointments."""
    out = []
    for c in week.inst.counselors:
        theirs = [s for s in week.sessions if c.id in s.counselors]
        kinds = [k for k, a in week.appointments if a.counselor == c.id]
        total = sum(s.minutes for s in theirs)
        over = c.max_minutes is not None and total > c.max_minutes
        out.append(
            CounselorLoad(
                week.counselor_label(c.id),
                len(theirs),
                total,
                c.max_hours,
                kinds.count("individual"),
                kinds.count("medication"),
                "above max_hours" if over else "",
            )
        )
    return out


def room_use(week: Week) -> list[RoomUse]:
    """Every room's sessions (offices: appointments) and the seats they used."""
    out = []
    for r in week.inst.rooms:
        held = [s for s in week.sessions if s.room == r.id]
        seats = 0
        for s in held:
            g = week.idx.group_type.get(s.group_type)
            seats += len(s.patients) * (g.seats_per_patient if g else 1)
        booked = sum(1 for _, a in week.appointments if a.room == r.id)
        uses = len(held) + booked
        seats += booked
        out.append(
            RoomUse(
                r.id, week.site_label(r.site), r.type, r.capacity, uses, seats, uses * r.capacity
            )
        )
    return out


def missed_preferences(week: Week) -> list[MissedPreference]:
    """Patients who list preferred blocks and attend others."""
    attended: dict[str, set[str]] = defaultdict(set)
    for s in week.sessions:
        for pid in s.patients:
            attended[pid].add(s.slot)
    rank = {slot: i for i, slot in enumerate(week.inst.slots)}
    out = []
    for p in week.inst.patients:
        missed = attended[p.id] - set(p.preferred) if p.preferred else set()
        if missed:
            slots = tuple(sorted(missed, key=lambda x: rank.get(x, len(rank))))
            out.append(MissedPreference(p.id, slots, tuple(p.preferred)))
    return out


def summary(week: Week) -> Summary:
    """The summary of a week, its validity and objective recomputed by the checker."""
    breakdown = score(week.inst, week.schedule)
    return Summary(
        week.inst.name,
        week.schedule.status,
        breakdown.objective,
        week.schedule.objective,
        tuple(v.message for v in breakdown.violations),
        tuple(patient_hours(week)),
        tuple(group_sizes(week)),
        tuple(counselor_loads(week)),
        tuple(room_use(week)),
        tuple(missed_preferences(week)),
        tuple(TermCost(t.term, t.weight, t.units, t.cost) for t in breakdown.terms),
    )
