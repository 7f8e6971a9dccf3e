"""The printable views of a week as plain data, shared by the HTML page and the XLSX.

Both layouts (:mod:`scheduler.export.page`, :mod:`scheduler.export.sheets`) only arrange
what is computed here, so they always show the same thing:

- :func:`room_grids`, :func:`counselor_grids`: the week grid (periods by days) of each
  room and each counselor; ids only, never a patient's name;
- :func:`rosters`: each group session's sign-in sheet (display names allowed);
- :func:`patient_weeks`: each patient's own week, nothing about any other patient;
- :func:`scheduler.export.summary.summary`: hours, sizes, loads, rooms, the objective;
- :func:`timetable`: all of them, in the order they are printed.

The views are robust to a schedule that breaks rules (the summary lists the
violations): an entry at a time or day the instance does not have gets a row or column
of its own rather than being dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from models import Appointment, Instance, Schedule, Session
from scheduler.export.summary import Summary, summary
from scheduler.export.week import APPOINTMENTS, BLOCKS, Week

KIND_LABEL = {"individual": "individual counseling", "medication": "medication management"}


@dataclass(frozen=True)
class Entry:
    """One thing in a grid cell: a group session (``ref`` is its id) or an appointment."""

    kind: str  # "session", "individual" or "medication"
    ref: str  # the session id; "" for an appointment
    title: str  # the group type, or the appointment's kind
    details: tuple[str, ...]  # stage, topic, room or counselors, size; office or counselor, patient


@dataclass(frozen=True)
class GridRow:
    """One time of day across the week: a period of a block, or an appointment time."""

    band: str  # the block id, or APPOINTMENTS
    time: str  # "09:00-10:00"
    cells: tuple[tuple[Entry, ...], ...]  # one cell per day of the grid


@dataclass(frozen=True)
class Grid:
    """The week of one room or one counselor: rows of times, a column per day."""

    kind: str  # "room" or "counselor"
    id: str
    label: str  # "Room R1", "Office O1", "Counselor C01 (A. Name)"
    site: str | None  # "S1 Downtown" (a counselor: the sites of their week)
    note: str  # what the week holds, in one line
    days: tuple[str, ...]
    day_labels: tuple[str, ...]  # the column headings: "mon 7 Dec" with week_of, else "mon"
    rows: tuple[GridRow, ...]

    @property
    def anchor(self) -> str:
        return f"{self.kind}-{self.id}"

    @property
    def entries(self) -> list[Entry]:
        return [e for row in self.rows for cell in row.cells for e in cell]


@dataclass(frozen=True)
class RosterLine:
    """One patient on a sign-in sheet: the name to print (display name, else id) and id."""

    name: str
    patient: str


@dataclass(frozen=True)
class Roster:
    """The sign-in sheet of one group session."""

    session: str
    group_type: str
    stage: str | None
    topic: str | None
    day: str
    block: str
    time: str
    room: str
    site: str | None
    counselors: tuple[str, ...]
    lines: tuple[RosterLine, ...]

    @property
    def anchor(self) -> str:
        return f"roster-{self.session}"


@dataclass(frozen=True)
class WeekItem:
    """One line of a patient's own week: a group session or an appointment."""

    day: str
    time: str
    what: str
    room: str
    counselors: str


@dataclass(frozen=True)
class PatientWeek:
    """One patient's own week, with nothing about any other patient."""

    patient: str
    name: str | None  # the display name, when given
    site: str | None
    stage: str
    primary: str | None
    items: tuple[WeekItem, ...]
    minutes: int
    min_hours: float
    max_hours: float
    days: int
    min_days: int

    @property
    def anchor(self) -> str:
        return f"patient-{self.patient}"

    @property
    def hours(self) -> float:
        return self.minutes / 60


def _grid(
    week: Week,
    kind: str,
    ident: str,
    label: str,
    site: str | None,
    note: str,
    bands: Iterable[str],
    placed: list[tuple[tuple[str, str, str], str, Entry]],
) -> Grid:
    """A grid of the rows of ``bands`` (plus any row an entry needs), ``placed`` being
    ((band, start, end), day, entry)."""
    keys = dict.fromkeys(week.base_rows(bands))
    keys.update(dict.fromkeys(key for key, _, _ in placed))
    order = sorted(keys, key=lambda k: (k[1], k[2], week.block_rank(k[0])))
    cells: dict[tuple[tuple[str, str, str], str], list[Entry]] = defaultdict(list)
    for key, day, entry in placed:
        cells[(key, day)].append(entry)
    rows = tuple(
        GridRow(k[0], f"{k[1]}-{k[2]}", tuple(tuple(cells[(k, d)]) for d in week.days))
        for k in order
    )
    labels = tuple(week.day_label(d) for d in week.days)
    return Grid(kind, ident, label, site, note, week.days, labels, rows)


def _size(s: Session) -> str:
    n = len(s.patients)
    return f"{n} patient{'' if n == 1 else 's'}"


def _session_entry(s: Session, where: str) -> Entry:
    details = [f"stage {s.stage}"] if s.stage else []
    details += [f"topic {s.topic}"] if s.topic else []
    return Entry("session", s.id, s.group_type, (*details, where, _size(s)))


def _appointment_key(a: Appointment) -> tuple[str, str, str]:
    return (APPOINTMENTS, a.start, a.end)


def _placed_appointment(
    kind: str, a: Appointment, where: str
) -> tuple[tuple[str, str, str], str, Entry]:
    """An appointment in a staff grid: when, which day, and the entry (the patient's id,
    never a name: grids are pinned on walls)."""
    return (
        _appointment_key(a),
        a.day,
        Entry(kind, "", KIND_LABEL[kind], (where, f"patient {a.patient}")),
    )


def room_grids(week: Week) -> list[Grid]:
    """The week grid of every room: group rooms by period, offices by appointment time.

    By site (multi-site), then group rooms before offices, each in instance order.
    """
    rooms = sorted(week.inst.rooms, key=lambda r: (week.site_rank(r.site), r.type != "group"))
    grids = []
    for r in rooms:
        placed = [
            ((s.block, s.start, s.end), s.day, _session_entry(s, ", ".join(s.counselors)))
            for s in week.sessions
            if s.room == r.id
        ]
        booked = [(k, a) for k, a in week.appointments if a.room == r.id]
        placed += [_placed_appointment(k, a, a.counselor) for k, a in booked]
        held = len(placed) - len(booked)
        uses = f"{held} sessions" if r.type == "group" else f"{len(booked)} appointments"
        note = f"{r.type}, {r.capacity} seats; {uses}"
        band = BLOCKS if r.type == "group" else APPOINTMENTS
        label = f"{'Room' if r.type == 'group' else 'Office'} {r.id}"
        grids.append(
            _grid(week, "room", r.id, label, week.site_label(r.site), note, [band], placed)
        )
    return grids


def counselor_grids(week: Week) -> list[Grid]:
    """The week grid of every counselor: their groups and their appointments (patient ids)."""
    grids = []
    for c in week.inst.counselors:
        theirs = [s for s in week.sessions if c.id in s.counselors]
        placed = [
            ((s.block, s.start, s.end), s.day, _session_entry(s, week.room_text(s.room)))
            for s in theirs
        ]
        booked = [(k, a) for k, a in week.appointments if a.counselor == c.id]
        placed += [_placed_appointment(k, a, f"office {a.room}") for k, a in booked]
        group_minutes = sum(s.minutes for s in theirs)
        limit = f" of max {c.max_hours:g} h" if c.max_hours is not None else ""
        kinds = [k for k, _ in booked]
        note = (
            f"{len(theirs)} sessions, {group_minutes / 60:.1f} h of groups{limit}; "
            f"{kinds.count('individual')} individual, {kinds.count('medication')} medication"
        )
        rooms = [s.room for s in theirs] + [a.room for _, a in booked]
        sites = dict.fromkeys(x for x in map(week.room_site, rooms) if x)
        bands = [BLOCKS, APPOINTMENTS] if week.inst.individual_slots else [BLOCKS]
        site = ", ".join(sites) or None
        label = f"Counselor {week.counselor_label(c.id)}"
        grids.append(_grid(week, "counselor", c.id, label, site, note, bands, placed))
    return grids


def rosters(week: Week) -> list[Roster]:
    """A sign-in sheet per group session: by site, then in week order."""

    def site_of(s: Session) -> int:
        room = week.idx.room.get(s.room)
        return week.site_rank(room.site if room is not None else None)

    out = []
    for s in sorted(week.sessions, key=lambda s: (site_of(s), week.session_key(s))):
        lines = []
        for pid in s.patients:
            p = week.idx.patient.get(pid)
            lines.append(RosterLine(p.display_name if p and p.display_name else pid, pid))
        out.append(
            Roster(
                s.id,
                s.group_type,
                s.stage,
                s.topic,
                week.day_label(s.day),
                s.block,
                f"{s.start}-{s.end}",
                s.room,
                week.room_site(s.room),
                tuple(week.counselor_label(c) for c in s.counselors),
                tuple(lines),
            )
        )
    return out


def patient_weeks(week: Week) -> list[PatientWeek]:
    """Each patient's own week: their groups and appointments, hours and days.

    Drug screens are left out on purpose: they are unannounced, and a page the patient
    may see must not tell them when. Nothing about other patients: no head counts.
    """
    sessions: dict[str, list[Session]] = defaultdict(list)
    for s in week.sessions:
        for pid in s.patients:
            sessions[pid].append(s)
    booked: dict[str, list[tuple[str, Appointment]]] = defaultdict(list)
    for k, a in week.appointments:
        booked[a.patient].append((k, a))
    out = []
    for p in week.inst.patients:
        theirs = sessions[p.id]
        items = [
            (
                (week.day_rank[s.day], s.start),
                WeekItem(
                    week.day_label(s.day),
                    f"{s.start}-{s.end}",
                    week.what(s),
                    week.room_text(s.room),
                    ", ".join(week.counselor_label(c) for c in s.counselors),
                ),
            )
            for s in theirs
        ]
        items += [
            (
                (week.day_rank[a.day], a.start),
                WeekItem(
                    week.day_label(a.day),
                    f"{a.start}-{a.end}",
                    KIND_LABEL[k],
                    f"office {a.room}",
                    week.counselor_label(a.counselor),
                ),
            )
            for k, a in booked[p.id]
        ]
        primary = p.primary_counselor or week.schedule.primary_counselors.get(p.id)
        out.append(
            PatientWeek(
                p.id,
                p.display_name,
                week.site_label(p.site),
                p.stage,
                week.counselor_label(primary) if primary else None,
                tuple(item for _, item in sorted(items, key=lambda ki: ki[0])),
                sum(s.minutes for s in theirs),
                p.min_hours,
                p.max_hours,
                len({s.day for s in theirs}),
                p.min_days,
            )
        )
    return out


@dataclass(frozen=True)
class Timetable:
    """Every view of a week, in the order they are printed."""

    instance: str
    status: str
    sites: tuple[str, ...]  # site labels of a multi-site organization
    room_grids: tuple[Grid, ...]
    counselor_grids: tuple[Grid, ...]
    rosters: tuple[Roster, ...]
    patients: tuple[PatientWeek, ...]
    summary: Summary


def timetable(instance: Instance, schedule: Schedule) -> Timetable:
    """Every printable view of a schedule, as plain data.

    Parameters
    ----------
    instance
        The validated instance the schedule is for.
    schedule
        A schedule with a timetable (status optimal or feasible); one that breaks rules
        is shown as it is, and its summary lists the violations.

    Returns
    -------
    Timetable
        The room and counselor grids, the sign-in sheets, each patient's week and the
        summary.
    """
    week = Week(instance, schedule)
    return Timetable(
        instance.name,
        schedule.status,
        tuple(x for x in map(week.site_label, week.idx.sites) if x),
        tuple(room_grids(week)),
        tuple(counselor_grids(week)),
        tuple(rosters(week)),
        tuple(patient_weeks(week)),
        summary(week),
    )
