"""Read a schedule back from a solved model: sessions (split and seated), appointments,
screens, primary counselors and best-effort shortfalls."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ortools.sat.python import cp_model

from models import Appointment, GroupType, Instance, ProgramIndex, Session, Shortfall
from models.index import PeriodRef, clock
from scheduler.cpsat.draw import draw_screens
from scheduler.cpsat.model import Candidate, TimetableModel
from scheduler.cpsat.pins import pinned_parts
from scheduler.cpsat.rooming import keep_rooms
from scheduler.cpsat.seating import seat_jointly
from scheduler.cpsat.split import Part, split_family

SEATING_SECONDS = 5.0  # wall seconds at most for reseating the week jointly


def primary_missing(instance: Instance, sessions: list[Session]) -> int:
    """Patients with a primary counselor who leads none of their sessions."""
    led: set[tuple[str, str]] = {(p, c) for s in sessions for p in s.patients for c in s.counselors}
    return sum(
        1
        for p in instance.patients
        if p.primary_counselor is not None and (p.id, p.primary_counselor) not in led
    )


class Values(Protocol):
    """A solution's values: the solver after the search, or a snapshot taken during it
    (``scheduler.progress.Snapshot``)."""

    @property
    def best_objective_bound(self) -> float: ...

    def value(self, expression: cp_model.LinearExprT) -> int: ...

    def boolean_value(self, literal: Any) -> bool: ...


def read_sessions(
    tm: TimetableModel, solver: Values, wall_limit: float | None = None
) -> list[Session]:
    """The running sessions, in week order, numbered S001, S002, ...

    ``wall_limit``: seconds for reseating the week jointly (else the split stands).
    """
    cohort_of = {pid: k for k, c in enumerate(tm.cohorts) for pid in c.patients}
    running: list[tuple[Candidate, str | None]] = []
    families: list[tuple[GroupType, list[Part]]] = []
    with_primary: set[str] = set()
    pinned: list[tuple[int, int, str]] = []  # (family, part, patient) the reseating keeps
    fixed_rooms: set[tuple[int, int]] = set()  # (family, part) whose room a pin names
    for cand in tm.candidates:
        n = cand.number
        if solver.value(tm.open[n]) == 0:
            continue
        rooms = [rid for rid, v in tm.rooms_at[n].items() if solver.boolean_value(v)]
        leaders = [cid for cid, v in tm.leads_at[n].items() if solver.boolean_value(v)]
        members = sorted(pid for pid in tm.members[n] if solver.boolean_value(tm.seat[(pid, n)]))
        # Only strict curricula are decided in the model; the others come after the split.
        topic = next(
            (
                t
                for t in cand.group_type.topics
                if (n, t) in tm.topic_on and solver.boolean_value(tm.topic_on[(n, t)])
            ),
            None,
        )
        fixed = pinned_parts(tm, solver, n, len(rooms))
        parts = split_family(
            tm.index, cand.group_type, rooms, leaders, members, with_primary, fixed, cohort_of
        )
        pinned += [(len(families), k, p) for k, f in enumerate(fixed) for p in f.patients]
        fixed_rooms |= {(len(families), k) for k, f in enumerate(fixed) if f.room is not None}
        running.append((cand, topic))
        families.append((cand.group_type, parts))
    periods = [cand.period for cand, _ in running]
    split = reseat(
        tm.index,
        families,
        periods,
        wall_limit,
        pinned,
        fixed_rooms,
        cohort_of,
        move_rooms=tm.previous is None,
    )
    sessions = [
        Session(
            id="S",  # numbered in week order below
            day=cand.period.day,
            block=cand.period.block,
            period=cand.period.index,
            start=cand.period.start,
            end=cand.period.end,
            group_type=cand.group_type.id,
            stage=cand.stage,
            room=part.room,
            counselors=part.counselors,
            patients=part.patients,
            topic=topic,
        )
        for (cand, topic), parts in zip(running, split)
        for part in parts
    ]
    return tm.index.in_week_order(sessions)


def reseat(
    index: ProgramIndex,
    families: list[tuple[GroupType, list[Part]]],
    periods: list[PeriodRef],
    wall_limit: float | None = None,
    pinned: list[tuple[int, int, str]] | None = None,
    fixed_rooms: set[tuple[int, int]] | None = None,
    cohort_of: Mapping[str, int] | None = None,
    move_rooms: bool = True,
) -> list[list[Part]]:
    """The read-back's choices after the split, for its soft terms: rooms that cohorts
    keep through a block (``keep_rooms``), then the week reseated jointly
    (``seat_jointly``), then the rooms again for the new seating. ``pinned`` (family,
    part, patient) and ``fixed_rooms`` (family, part): what pins keep; ``cohort_of``
    (patient -> planned cohort): members seated together stay together. Without
    ``move_rooms`` the sessions keep the rooms the model gave their family (against last
    week's schedule, whose rooms the model kept at a far higher weight)."""
    weights = index.instance.weights
    rooms = bool(weights.room_change) and move_rooms
    if rooms:
        families = _with(
            families, keep_rooms(index, families, periods, wall_limit=wall_limit, fixed=fixed_rooms)
        )
    seat_terms = weights.primary_not_leading or weights.room_change or weights.process_peers_changed
    if seat_terms and any(len(parts) > 1 for _, parts in families):
        # On 120 patients CP-SAT overran the 2 s of deterministic time (18 s): at most
        # SEATING_SECONDS of the wall budget, the hint (the split) stands otherwise.
        seconds = None if wall_limit is None else min(wall_limit, SEATING_SECONDS)
        families = _with(
            families,
            seat_jointly(
                index,
                families,
                wall_limit=seconds,
                periods=periods,
                pinned=pinned,
                cohort_of=cohort_of,
            ),
        )
        if rooms:
            families = _with(
                families,
                keep_rooms(index, families, periods, wall_limit=wall_limit, fixed=fixed_rooms),
            )
    return [parts for _, parts in families]


def _with(
    families: list[tuple[GroupType, list[Part]]], split: list[list[Part]]
) -> list[tuple[GroupType, list[Part]]]:
    return [(g, parts) for (g, _), parts in zip(families, split)]


def read_services(
    tm: TimetableModel, solver: Values, sessions: list[Session], seed: int
) -> dict[str, Any]:
    """Appointments (with offices), drawn screens and the primary counselors the solver chose."""
    idx = tm.index
    booked: dict[tuple[str, int], list[tuple[str, str, str]]] = defaultdict(list)
    for (kind, pid, cid, day, k), var in tm.appts.items():
        if solver.boolean_value(var):
            booked[(day, k)].append((kind, pid, cid))
    appointments: dict[str, list[Appointment]] = {"individual": [], "medication": []}
    for when in idx.appointment_times:
        here = sorted(booked.get(when.key, []))
        # Offices are interchangeable: the model kept the count within those open.
        offices = sorted(r.id for r in idx.offices if when.slot in idx.room_slots(r))
        for (kind, pid, cid), office in zip(here, offices):
            appointments[kind].append(
                Appointment(
                    patient=pid,
                    counselor=cid,
                    day=when.day,
                    start=clock(when.start),
                    end=clock(when.end),
                    room=office,
                )
            )
    # How many screens each patient gets: per_week, or fewer in a best-effort shortfall.
    screen_counts: dict[str, int] = defaultdict(int)
    for (pid, _), var in tm.screen.items():
        screen_counts[pid] += int(solver.boolean_value(var))
    attended: dict[str, list[str]] = defaultdict(list)
    for s in sessions:
        for pid in s.patients:
            if s.slot not in attended[pid]:
                attended[pid].append(s.slot)
    return {
        "individual_sessions": appointments["individual"],
        "medication_appointments": appointments["medication"],
        "screens": draw_screens(idx, attended, seed, screen_counts),
        "primary_counselors": {
            pid: cid for (pid, cid), var in tm.primary.items() if solver.boolean_value(var)
        },
    }


def read_shortfalls(
    tm: TimetableModel,
    solver: Values,
    explain: Callable[[Instance], dict[str, str]],
) -> list[Shortfall]:
    """What each patient lacks in a best-effort schedule, with the reason when one is known
    (``explain``: patient id -> why, "" -> a general reason; asked only when something lacks)."""
    idx = tm.index
    missing = [(key, int(solver.value(v))) for key, v in tm.shortfalls.items()]
    missing = [(key, short) for key, short in missing if short > 0]
    if not missing:
        return []
    reasons = explain(tm.instance)
    rows = []
    for (rule, pid, *row), short in missing:
        p = idx.patient[pid]
        needed: float
        if rule == "min_hours":
            needed = p.min_hours
            got = round((p.min_minutes - short) / 60, 2)
        elif rule == "min_days":
            needed, got = p.min_days, p.min_days - short
        elif rule == "requirement":
            needed = idx.instance.requirements[int(row[0])].min_sessions
            got = needed - short
        elif rule == "individual":
            needed = idx.individual_per_week(p)
            got = needed - short
        elif rule == "medication":
            needed, got = 1, 1 - short
        else:  # screens
            needed = idx.screens_per_week()
            got = needed - short
        rows.append(
            Shortfall(
                patient=pid,
                rule=rule,  # type: ignore[arg-type]
                requirement=int(row[0]) if row else None,
                needed=needed,
                got=got,
                reason=reasons.get(pid, reasons.get("")),
            )
        )
    return rows
