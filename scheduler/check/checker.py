"""The judge: checks a schedule against an instance and recomputes its objective.

Pure Python; imports no solver. Every rule the CP-SAT model enforces is checked
here independently, from the instance and the schedule alone, and reported as
a :class:`Violation` with a message a coordinator understands. The objective is
recomputed term by term (:class:`Penalty` per entity), so it also scores
hand-made or hand-edited timetables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from models import Appointment, Instance, ProgramIndex, Schedule, Screen, Session, Weights
from models.index import AppointmentTime, clock
from models.schedule import SHORTFALL_TERM

TERMS = (
    "session_run",
    "excess_minutes",
    "preferred_missed",
    "load_imbalance_minutes",
    "primary_not_leading",
    "individual_extra_trip",
    "topic_repeat",
    "caseload_imbalance",
    "shortfall_minutes",
    "shortfall_days",
    "shortfall_sessions",
)


@dataclass(frozen=True)
class Violation:
    """A broken hard rule."""

    rule: str
    message: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class Penalty:
    """One soft-term cost of one entity: ``amount`` units times the term's weight."""

    term: str
    ids: tuple[str, ...]
    amount: int
    cost: int
    message: str


@dataclass
class CheckReport:
    """What the checker found: violations (empty when valid) and the objective."""

    violations: list[Violation] = field(default_factory=list)
    penalties: list[Penalty] = field(default_factory=list)
    best_effort: bool = False  # the schedule's: only then are shortfall terms reported

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def terms(self) -> dict[str, int]:
        shortfall_terms = set(SHORTFALL_TERM.values())
        totals = {term: 0 for term in TERMS if self.best_effort or term not in shortfall_terms}
        for p in self.penalties:
            totals[p.term] += p.cost
        return totals

    @property
    def objective(self) -> int:
        return sum(p.cost for p in self.penalties)

    def weighted_terms(self, weights: Weights) -> dict[str, int]:
        """The terms with a non-zero weight: what a schedule's ``objective_terms`` lists."""
        return {term: cost for term, cost in self.terms.items() if getattr(weights, term)}

    def rules(self) -> list[str]:
        """The broken rules, one entry per violation, in order found."""
        return [v.rule for v in self.violations]


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} h"


@dataclass(frozen=True)
class _Booking:
    """An appointment that names a real patient, counselor, room and appointment time."""

    kind: str  # "individual session" or "medication appointment"
    ref: str  # where it is in the schedule, e.g. "individual_sessions[0]"
    patient: str
    counselor: str
    room: str
    time: AppointmentTime

    @property
    def a_kind(self) -> str:
        """The kind with its article: "an individual session"."""
        return f"{'an' if self.kind[0] in 'aeiou' else 'a'} {self.kind}"

    @property
    def label(self) -> str:
        return f"{self.kind} of {self.patient} with {self.counselor} at {self.time.label}"


@dataclass(frozen=True)
class _Repeat:
    """A session in which a patient hears a topic again (``before`` is None: completed)."""

    patient: str
    session: Session
    before: Session | None
    strict: bool

    @property
    def message(self) -> str:
        s = self.session
        where = (
            f"already heard in {self.before.id}"
            if self.before is not None
            else "completed in an earlier week"
        )
        return f"{self.patient} hears topic {s.topic} again in {s.id} ({where})"


class _Checker:
    def __init__(self, instance: Instance, schedule: Schedule) -> None:
        self.inst = instance
        self.idx = ProgramIndex(instance)
        self.schedule = schedule
        self.report = CheckReport(best_effort=schedule.best_effort)
        # Sessions that reference only known objects; the others are reported once.
        self.sessions: list[Session] = []
        self.patient_sessions: dict[str, list[Session]] = defaultdict(list)
        # Group minutes per patient and per counselor, over those sessions.
        self.patient_minutes: dict[str, int] = defaultdict(int)
        self.counselor_minutes: dict[str, int] = defaultdict(int)
        # Best effort: (patient, rule, requirement row) -> (needed, got, units short).
        self.found_short: dict[tuple[str, str, int | None], tuple[float, float, int]] = {}
        # Appointments and screens that reference only known objects (and, for
        # appointments, an appointment time); the others are reported once.
        self._appointments: list[tuple[str, str, Appointment]] = []
        self.bookings: list[_Booking] = []
        self.screens: list[Screen] = []
        # Each patient's primary counselor: given, or assigned by the schedule (when the
        # patient has none given). Checked by check_primary_assignment.
        self.primary: dict[str, str] = {
            p.id: p.primary_counselor for p in instance.patients if p.primary_counselor
        }
        for pid, cid in schedule.primary_counselors.items():
            if pid in self.idx.patient and pid not in self.primary:
                self.primary[pid] = cid

    def short(
        self, rule: str, pid: str, needed: float, got: float, units: int, row: int | None = None
    ) -> bool:
        """In a best-effort schedule a patient-side floor not met is a shortfall (scored and
        compared with the listed ones), not a violation. Returns whether it was taken."""
        if not self.schedule.best_effort:
            return False
        self.found_short[(pid, rule, row)] = (needed, got, units)
        return True

    def violation(self, rule: str, message: str, *ids: str) -> None:
        self.report.violations.append(Violation(rule, message, tuple(ids)))

    def penalty(self, term: str, weight: int, amount: int, message: str, *ids: str) -> None:
        if weight and amount:
            self.report.penalties.append(
                Penalty(term, tuple(ids), amount, weight * amount, message)
            )

    def clashes(
        self, rule: str, owner_verb: str, groups: dict[tuple[str, str, int], list[Session]]
    ) -> None:
        """Report every (owner, slot, period) with more than one session.

        ``owner_verb`` phrases the message, e.g. ``"room {} holds"``.
        """
        for (owner, slot, period), here in groups.items():
            if len(here) > 1:
                label = self.idx.period_at[(slot, period)].label
                ids = ", ".join(s.id for s in here)
                self.violation(
                    rule,
                    f"{owner_verb.format(owner)} {len(here)} sessions in {label} ({ids})",
                    owner,
                    *(s.id for s in here),
                )

    def booking_clashes(
        self,
        rule: str,
        owner_of: Callable[[_Booking], str],
        message: str,
        who: Callable[[_Booking], str],
    ) -> None:
        """Report every owner (room, counselor, patient) in more than one appointment at a time.

        ``message`` is formatted with ``owner``, ``n``, ``label`` and ``who`` (the bookings).
        """
        groups: dict[tuple[str, tuple[str, int]], list[_Booking]] = defaultdict(list)
        for b in self.bookings:
            groups[(owner_of(b), b.time.key)].append(b)
        for (owner, _), here in groups.items():
            if len(here) > 1:
                text = message.format(
                    owner=owner,
                    n=len(here),
                    label=here[0].time.label,
                    who=", ".join(who(b) for b in here),
                )
                self.violation(rule, text, owner, *(b.ref for b in here))

    # -- structure ---------------------------------------------------------------

    def check_references(self) -> None:
        """Every session names a real slot, period, group type, room, counselors and patients."""
        seen: set[str] = set()
        idx = self.idx
        for s in self.schedule.sessions:
            if s.id in seen:
                self.violation("session_id", f"session id {s.id} is used twice", s.id)
            seen.add(s.id)
            problems = []
            if s.slot not in idx.block_of:
                problems.append(f"slot {s.slot} does not exist")
            elif (s.slot, s.period) not in idx.period_at:
                problems.append(f"block {s.block} has no period {s.period}")
            else:
                ref = idx.period_at[(s.slot, s.period)]
                if (s.start, s.end) != (ref.start, ref.end):
                    problems.append(
                        f"times {s.start}-{s.end} differ from period {s.period} ({ref.start}-{ref.end})"
                    )
            if s.group_type not in idx.group_type:
                problems.append(f"group type {s.group_type} does not exist")
            if s.room not in idx.room:
                problems.append(f"room {s.room} does not exist")
            problems += [
                f"counselor {c} does not exist" for c in s.counselors if c not in idx.counselor
            ]
            problems += [f"patient {p} does not exist" for p in s.patients if p not in idx.patient]
            if len(set(s.patients)) != len(s.patients):
                problems.append("a patient is listed twice")
            if len(set(s.counselors)) != len(s.counselors):
                problems.append("a counselor is listed twice")
            if s.stage is not None and s.stage not in idx.stage_rank:
                problems.append(f"stage {s.stage} does not exist")
            if problems:
                for msg in problems:
                    self.violation("reference", f"session {s.id}: {msg}", s.id)
                continue
            # From here on s.minutes is the period's length: the times were checked above.
            self.sessions.append(s)
            for pid in s.patients:
                self.patient_sessions[pid].append(s)
                self.patient_minutes[pid] += s.minutes
            for cid in s.counselors:
                self.counselor_minutes[cid] += s.minutes

    def check_appointment_references(self) -> None:
        """Every appointment names a real patient, counselor, room and day."""
        idx = self.idx
        lists = (
            ("individual session", "individual_sessions", self.schedule.individual_sessions),
            (
                "medication appointment",
                "medication_appointments",
                self.schedule.medication_appointments,
            ),
        )
        for kind, field_name, appointments in lists:
            for i, a in enumerate(appointments):
                ref = f"{field_name}[{i}]"
                problems = []
                if a.patient not in idx.patient:
                    problems.append(f"patient {a.patient} does not exist")
                if a.counselor not in idx.counselor:
                    problems.append(f"counselor {a.counselor} does not exist")
                if a.room not in idx.room:
                    problems.append(f"room {a.room} does not exist")
                if a.day not in self.inst.days:
                    problems.append(f"day {a.day} does not exist")
                for msg in problems:
                    self.violation("reference", f"{ref} ({kind}): {msg}", ref)
                if not problems:
                    self._appointments.append((kind, ref, a))

    def check_appointment_times(self) -> None:
        """Every appointment is at one of the day's appointment times (individual_slots)."""
        first_day = self.inst.days[0]
        times = ", ".join(
            f"{clock(t.start)}-{clock(t.end)}"
            for t in self.idx.appointment_times
            if t.day == first_day
        )
        offered = f"they are at {times} every day" if times else "the instance has none"
        for kind, ref, a in self._appointments:
            time = self.idx.appointment_time(a.day, a.start, a.end)
            if time is None:
                self.violation(
                    "appointment_time",
                    f"{kind} of {a.patient} with {a.counselor} at {a.day} {a.start}-{a.end} "
                    f"is not an appointment time ({offered})",
                    ref,
                )
                continue
            self.bookings.append(_Booking(kind, ref, a.patient, a.counselor, a.room, time))

    def check_screen_references(self) -> None:
        """Every screen names a real patient and slot."""
        for i, screen in enumerate(self.schedule.screens):
            ref = f"screens[{i}]"
            problems = []
            if screen.patient not in self.idx.patient:
                problems.append(f"patient {screen.patient} does not exist")
            if screen.slot not in self.idx.block_of:
                problems.append(f"slot {screen.slot} does not exist")
            for msg in problems:
                self.violation("reference", f"{ref}: {msg}", ref)
            if not problems:
                self.screens.append(screen)

    def check_primary_references(self) -> None:
        """Every patient the schedule assigns a primary counselor to exists."""
        for pid in self.schedule.primary_counselors:
            if pid not in self.idx.patient:
                self.violation(
                    "reference", f"primary_counselors: patient {pid} does not exist", pid
                )

    def attended(self, pid: str, day: str) -> list[str]:
        """The slots a patient attends on a day (one in a valid schedule), in week order."""
        slots = {s.slot for s in self.patient_sessions.get(pid, []) if s.day == day}
        return sorted(slots, key=self.idx.slots.index)

    # -- rule 1: whole blocks ------------------------------------------------------

    def check_whole_blocks(self) -> None:
        """In a block they attend, a patient is in exactly one session in every period."""
        for pid, sessions in self.patient_sessions.items():
            by_period: dict[tuple[str, int], list[Session]] = defaultdict(list)
            for s in sessions:
                by_period[(s.slot, s.period)].append(s)
            for slot in sorted({s.slot for s in sessions}, key=self.idx.slots.index):
                for period in self.idx.periods_of[slot]:
                    here = by_period.get(period.key, [])
                    if not here:
                        self.violation(
                            "whole_block",
                            f"{pid} attends {slot} but is in no session at {period.start}-{period.end}",
                            pid,
                            slot,
                        )
                    elif len(here) > 1:
                        ids = ", ".join(s.id for s in here)
                        self.violation(
                            "double_booked",
                            f"{pid} is in {len(here)} sessions at once ({ids}) in {period.label}",
                            pid,
                            *(s.id for s in here),
                        )

    def check_patient_availability(self) -> None:
        """A patient attends only slots they are available for."""
        for pid, sessions in self.patient_sessions.items():
            available = set(self.idx.patient[pid].available)
            for slot in sorted({s.slot for s in sessions} - available, key=self.idx.slots.index):
                self.violation("patient_available", f"{pid} is not available in {slot}", pid, slot)

    def check_one_block_per_day(self) -> None:
        """A patient attends at most one block per day."""
        for pid, sessions in self.patient_sessions.items():
            by_day: dict[str, set[str]] = defaultdict(set)
            for s in sessions:
                by_day[s.day].add(s.block)
            for day, blocks in by_day.items():
                if len(blocks) > 1:
                    self.violation(
                        "one_block_per_day",
                        f"{pid} attends {len(blocks)} blocks on {day} ({', '.join(sorted(blocks))})",
                        pid,
                        day,
                    )

    # -- rule 2: hours and days --------------------------------------------------

    def check_hours_and_days(self) -> None:
        """Weekly hours between min_hours and max_hours; at least min_days days."""
        for p in self.inst.patients:
            sessions = self.patient_sessions.get(p.id, [])
            total = self.patient_minutes.get(p.id, 0)
            if total < p.min_minutes and not self.short(
                "min_hours", p.id, p.min_hours, round(total / 60, 2), p.min_minutes - total
            ):
                self.violation(
                    "min_hours",
                    f"{p.id} has {_hours(total)}, below min_hours {p.min_hours:g}",
                    p.id,
                )
            if total > p.max_minutes:
                self.violation(
                    "max_hours",
                    f"{p.id} has {_hours(total)}, above max_hours {p.max_hours:g}",
                    p.id,
                )
            days = len({s.day for s in sessions})
            if days < p.min_days and not self.short(
                "min_days", p.id, p.min_days, days, p.min_days - days
            ):
                self.violation(
                    "min_days", f"{p.id} attends on {days} days, below min_days {p.min_days}", p.id
                )

    # -- rule 3: requirements ------------------------------------------------------

    def check_requirements(self) -> None:
        """Each patient meets every requirement row of their stage."""
        for p in self.inst.patients:
            sessions = self.patient_sessions.get(p.id, [])
            for i, req in self.idx.requirements_of(p):
                got = sum(
                    1
                    for s in sessions
                    if self.idx.counts_for(req, self.idx.group_type[s.group_type])
                )
                if got < req.min_sessions and not self.short(
                    "requirement", p.id, req.min_sessions, got, req.min_sessions - got, row=i
                ):
                    self.violation(
                        "requirement",
                        f"{p.id} has {got} sessions of {req.target}, needs at least {req.min_sessions} "
                        f"(requirements[{i}])",
                        p.id,
                        f"requirements[{i}]",
                    )
                if req.max_sessions is not None and got > req.max_sessions:
                    self.violation(
                        "requirement",
                        f"{p.id} has {got} sessions of {req.target}, allows at most {req.max_sessions} "
                        f"(requirements[{i}])",
                        p.id,
                        f"requirements[{i}]",
                    )

    # -- rule 4: group composition -----------------------------------------------

    def check_group_size(self) -> None:
        """Group size within [min_size, max_size] of its type and within the room capacity."""
        for s in self.sessions:
            g = self.idx.group_type[s.group_type]
            n = len(s.patients)
            if n < g.min_size:
                self.violation(
                    "group_size",
                    f"session {s.id} ({g.id}) has {n} patients, below min_size {g.min_size}",
                    s.id,
                )
            if n > g.max_size:
                self.violation(
                    "group_size",
                    f"session {s.id} ({g.id}) has {n} patients, above max_size {g.max_size}",
                    s.id,
                )
            cap = self.idx.room[s.room].capacity
            seats = n * g.seats_per_patient
            if seats > cap:
                taking = (
                    f" taking {seats} seats (family group: {g.seats_per_patient} each)"
                    if g.family
                    else ""
                )
                self.violation(
                    "room_capacity",
                    f"session {s.id} has {n} patients{taking} in room {s.room} of capacity {cap}",
                    s.id,
                    s.room,
                )

    def check_eligibility(self) -> None:
        """Every member is eligible for the group type (stages, genders, tracks, flags)."""
        for s in self.sessions:
            g = self.idx.group_type[s.group_type]
            for pid in s.patients:
                if not self.idx.eligible(self.idx.patient[pid], g):
                    self.violation(
                        "eligibility",
                        f"{pid} is not eligible for {g.id} (session {s.id})",
                        pid,
                        s.id,
                    )

    def check_stage_matching(self) -> None:
        """A stage-matched session holds patients of its one stage; others have no stage."""
        for s in self.sessions:
            g = self.idx.group_type[s.group_type]
            if not g.stage_matched:
                if s.stage is not None:
                    self.violation(
                        "stage_matched",
                        f"session {s.id} has stage {s.stage} but {g.id} is not stage-matched",
                        s.id,
                    )
                continue
            if s.stage is None:
                self.violation(
                    "stage_matched", f"session {s.id} of stage-matched {g.id} has no stage", s.id
                )
                continue
            for pid in s.patients:
                stage = self.idx.patient[pid].stage
                if stage != s.stage:
                    self.violation(
                        "stage_matched",
                        f"{pid} (stage {stage}) is in stage-matched session {s.id} of stage {s.stage}",
                        pid,
                        s.id,
                    )

    def check_avoid(self) -> None:
        """No avoid pair shares a session."""
        for s in self.sessions:
            members = set(s.patients)
            for a, b in self.idx.avoid_pairs:
                if a in members and b in members:
                    self.violation(
                        "avoid",
                        f"{a} and {b} must not share a session but are both in {s.id}",
                        a,
                        b,
                        s.id,
                    )

    # -- rule 5: rooms -------------------------------------------------------------

    def check_room_type(self) -> None:
        """Groups meet in group rooms, appointments in offices."""
        for s in self.sessions:
            room = self.idx.room[s.room]
            if room.type != "group":
                self.violation(
                    "room_type",
                    f"session {s.id} ({s.group_type}) is in {room.type} {room.id}; "
                    "groups meet in group rooms",
                    room.id,
                    s.id,
                )
        for b in self.bookings:
            room = self.idx.room[b.room]
            if room.type != "office":
                self.violation(
                    "room_type",
                    f"{b.label} is in {room.type} room {room.id}; appointments are in offices",
                    room.id,
                    b.ref,
                )

    def check_rooms(self) -> None:
        """One session per room per period, only in the room's available slots."""
        by_room_period: dict[tuple[str, str, int], list[Session]] = defaultdict(list)
        for s in self.sessions:
            by_room_period[(s.room, s.slot, s.period)].append(s)
            if s.slot not in self.idx.room_slots(self.idx.room[s.room]):
                self.violation(
                    "room_available",
                    f"room {s.room} is not available in {s.slot} (session {s.id})",
                    s.room,
                    s.id,
                )
        self.clashes("room_clash", "room {} holds", by_room_period)

    def check_offices(self) -> None:
        """One appointment per office per time, only in the office's available blocks."""
        for b in self.bookings:
            if b.time.slot not in self.idx.room_slots(self.idx.room[b.room]):
                self.violation(
                    "room_available",
                    f"room {b.room} is not available in {b.time.slot} ({b.label})",
                    b.room,
                    b.ref,
                )
        self.booking_clashes(
            "room_clash",
            lambda b: b.room,
            "room {owner} holds {n} appointments at {label} ({who})",
            lambda b: f"{b.patient} with {b.counselor}",
        )

    # -- rule 6: counselors --------------------------------------------------------

    def check_counselors(self) -> None:
        """Exactly staff_required qualified, available counselors per session, each in one session per period, within max_hours."""
        by_counselor_period: dict[tuple[str, str, int], list[Session]] = defaultdict(list)
        for s in self.sessions:
            need = self.idx.group_type[s.group_type].staff_required
            if len(s.counselors) != need:
                self.violation(
                    "counselor_count",
                    f"session {s.id} has {len(s.counselors)} counselors, needs exactly {need}",
                    s.id,
                )
            for cid in s.counselors:
                c = self.idx.counselor[cid]
                by_counselor_period[(cid, s.slot, s.period)].append(s)
                if s.group_type not in c.qualified:
                    self.violation(
                        "counselor_qualified",
                        f"{cid} is not qualified for {s.group_type} (session {s.id})",
                        cid,
                        s.id,
                    )
                if s.slot not in c.available:
                    self.violation(
                        "counselor_available",
                        f"{cid} is not available in {s.slot} (session {s.id})",
                        cid,
                        s.id,
                    )
        self.clashes("counselor_clash", "{} leads", by_counselor_period)
        for cid, minutes in self.counselor_minutes.items():
            cap = self.idx.counselor[cid].max_minutes
            if cap is not None and minutes > cap:
                self.violation(
                    "counselor_max_hours",
                    f"{cid} leads {_hours(minutes)} of groups, above max_hours {self.idx.counselor[cid].max_hours:g}",
                    cid,
                )

    def check_counselor_role(self) -> None:
        """A session has a counselor with its type's requires_role; medication is with a prescriber."""
        for s in self.sessions:
            role = self.idx.group_type[s.group_type].requires_role
            if role is not None and not any(
                self.idx.has_role(self.idx.counselor[c], role) for c in s.counselors
            ):
                self.violation(
                    "counselor_role",
                    f"session {s.id} ({s.group_type}) has no counselor with the {role} role",
                    s.id,
                )
        for b in self.bookings:
            if b.kind == "medication appointment" and not self.idx.has_role(
                self.idx.counselor[b.counselor], "prescriber"
            ):
                self.violation(
                    "counselor_role",
                    f"{b.counselor} is not a prescriber ({b.label})",
                    b.counselor,
                    b.ref,
                )

    def check_counselor_daily_hours(self) -> None:
        """A counselor's groups and appointments of a day last at most max_hours_per_day."""
        worked: dict[tuple[str, str], int] = defaultdict(int)
        for s in self.sessions:
            for cid in s.counselors:
                worked[(cid, s.day)] += s.minutes
        for b in self.bookings:
            worked[(b.counselor, b.time.day)] += b.time.minutes
        for (cid, day), total in worked.items():
            c = self.idx.counselor[cid]
            cap = c.max_minutes_per_day
            if cap is not None and total > cap:
                self.violation(
                    "counselor_max_hours_per_day",
                    f"{cid} works {_hours(total)} on {day} (groups and appointments), "
                    f"above max_hours_per_day {c.max_hours_per_day:g}",
                    cid,
                    day,
                )

    def check_appointment_counselors(self) -> None:
        """An appointment's counselor is available in its block, leads no group overlapping it and has no other appointment then."""
        leading: dict[tuple[str, str, int], list[Session]] = defaultdict(list)
        for s in self.sessions:
            for cid in s.counselors:
                leading[(cid, s.slot, s.period)].append(s)
        for b in self.bookings:
            if b.time.slot not in self.idx.counselor[b.counselor].available:
                self.violation(
                    "counselor_available",
                    f"{b.counselor} is not available in {b.time.slot} ({b.label})",
                    b.counselor,
                    b.ref,
                )
            for period in self.idx.periods_clashing(b.time):
                for s in leading.get((b.counselor, period.slot, period.index), []):
                    self.violation(
                        "counselor_clash",
                        f"{b.counselor} leads {s.id} ({period.label}) during the {b.label}",
                        b.counselor,
                        b.ref,
                        s.id,
                    )
        self.booking_clashes(
            "counselor_clash",
            lambda b: b.counselor,
            "{owner} has {n} appointments at {label} ({who})",
            lambda b: f"{b.kind} of {b.patient}",
        )

    # -- rule 7: pairs -------------------------------------------------------------

    def check_together(self) -> None:
        """A together pair shares every session of their group type: both in it or neither."""
        for pair in self.inst.together:
            a, b = pair.patients
            for s in self.sessions:
                if s.group_type != pair.group_type:
                    continue
                inside = [p for p in (a, b) if p in s.patients]
                if len(inside) == 1:
                    self.violation(
                        "together",
                        f"{a} and {b} must share every {pair.group_type} session, "
                        f"but only {inside[0]} is in {s.id}",
                        a,
                        b,
                        s.id,
                    )

    # -- rule 8: curriculum --------------------------------------------------------

    def check_topics(self) -> None:
        """A session of a type with topics teaches one of them; other sessions teach none."""
        for s in self.sessions:
            g = self.idx.group_type[s.group_type]
            if not g.topics:
                if s.topic is not None:
                    self.violation(
                        "topic",
                        f"session {s.id} ({g.id}) has topic {s.topic} but {g.id} has no topics",
                        s.id,
                    )
            elif s.topic is None:
                self.violation(
                    "topic",
                    f"session {s.id} ({g.id}) has no topic; it must teach one of {', '.join(g.topics)}",
                    s.id,
                )
            elif s.topic not in g.topics:
                self.violation(
                    "topic",
                    f"session {s.id} ({g.id}) teaches {s.topic}, not one of {', '.join(g.topics)}",
                    s.id,
                )

    def topic_repeats(self) -> list[_Repeat]:
        """Every session in which a patient hears a topic heard earlier in the week or completed.

        Each patient's sessions are walked in week order (slot, then period); only sessions
        teaching one of their type's topics count (check_topics reports the others).
        """
        rank = {slot: i for i, slot in enumerate(self.idx.slots)}
        repeats: list[_Repeat] = []
        for p in self.inst.patients:
            heard: dict[str, Session | None] = dict.fromkeys(p.completed_topics)
            sessions = sorted(
                self.patient_sessions.get(p.id, []), key=lambda s: (rank[s.slot], s.period)
            )
            for s in sessions:
                g = self.idx.group_type[s.group_type]
                if s.topic is None or s.topic not in g.topics:
                    continue
                if s.topic in heard:
                    strict = s.topic in self.idx.strict_topics
                    repeats.append(_Repeat(p.id, s, heard[s.topic], strict))
                else:
                    heard[s.topic] = s
        return repeats

    def check_curriculum(self) -> None:
        """With strict_curriculum a patient never hears a topic twice nor a completed one."""
        for r in self.topic_repeats():
            if r.strict:
                self.violation(
                    "curriculum",
                    f"{r.message}; {r.session.topic} is in a strict curriculum",
                    r.patient,
                    r.session.id,
                )

    # -- rule 9: individual counseling (and every appointment) -----------------------

    def check_appointment_patients(self) -> None:
        """A patient has one appointment at a time, on a day they attend a block, not overlapping it, available in its block."""
        self.booking_clashes(
            "double_booked",
            lambda b: b.patient,
            "{owner} has {n} appointments at once at {label} ({who})",
            lambda b: f"{b.kind} with {b.counselor}",
        )
        for b in self.bookings:
            attended = self.attended(b.patient, b.time.day)
            if not attended:
                self.violation(
                    "appointment_day",
                    f"{b.patient} has {b.a_kind} on {b.time.day} but attends no block that day",
                    b.patient,
                    b.ref,
                )
            clashing = self.idx.blocks_clashing(b.time)
            for slot in attended:
                if slot in clashing:
                    self.violation(
                        "appointment_day",
                        f"{b.patient}'s {b.kind} at {b.time.label} overlaps their block {slot}",
                        b.patient,
                        b.ref,
                    )
            if b.time.slot not in self.idx.patient[b.patient].available:
                self.violation(
                    "patient_available",
                    f"{b.patient} is not available in {b.time.slot} ({b.kind} at {b.time.label})",
                    b.patient,
                    b.ref,
                )

    def individuals(self) -> list[_Booking]:
        return [b for b in self.bookings if b.kind == "individual session"]

    def check_individual_count(self) -> None:
        """Each patient has exactly their individual sessions per week, on different days."""
        by_patient: dict[str, list[_Booking]] = defaultdict(list)
        for b in self.individuals():
            by_patient[b.patient].append(b)
        for p in self.inst.patients:
            mine = by_patient.get(p.id, [])
            need = self.idx.individual_per_week(p)
            if len(mine) < need and self.short(
                "individual", p.id, need, len(mine), need - len(mine)
            ):
                pass
            elif len(mine) != need:
                self.violation(
                    "individual_count",
                    f"{p.id} has {len(mine)} individual sessions, needs {need}",
                    p.id,
                )
            for day in self.inst.days:
                n = sum(1 for b in mine if b.time.day == day)
                if n > 1:
                    self.violation(
                        "individual_count",
                        f"{p.id} has {n} individual sessions on the same day ({day}); "
                        "they must be on different days",
                        p.id,
                        day,
                    )

    def check_individual_counselor(self) -> None:
        """Individual sessions are with the patient's primary counselor (given or assigned)."""
        for b in self.individuals():
            primary = self.primary.get(b.patient)
            if primary is not None and b.counselor != primary:
                self.violation(
                    "individual_counselor",
                    f"{b.patient}'s individual session at {b.time.label} is with {b.counselor}, "
                    f"not their primary counselor {primary}",
                    b.patient,
                    b.ref,
                )

    def check_max_individual(self) -> None:
        """A counselor holds at most max_individual individual sessions a week."""
        count: dict[str, int] = defaultdict(int)
        for b in self.individuals():
            count[b.counselor] += 1
        for c in self.inst.counselors:
            if c.max_individual is not None and count[c.id] > c.max_individual:
                self.violation(
                    "max_individual",
                    f"{c.id} has {count[c.id]} individual sessions, above max_individual "
                    f"{c.max_individual}",
                    c.id,
                )

    # -- rule 10: primary counselors -------------------------------------------------

    def check_primary_assignment(self) -> None:
        """Each patient without a primary counselor is assigned a counselor or clinician; no other patient is."""
        assigned = self.schedule.primary_counselors
        for p in self.inst.patients:
            cid = assigned.get(p.id)
            if p.primary_counselor is not None:
                if cid is not None:
                    self.violation(
                        "primary_assignment",
                        f"{p.id} already has primary counselor {p.primary_counselor} "
                        f"but is assigned {cid}",
                        p.id,
                        cid,
                    )
            elif cid is None:
                self.violation(
                    "primary_assignment", f"{p.id} has no primary counselor assigned", p.id
                )
            elif cid not in self.idx.counselor:
                self.violation(
                    "primary_assignment",
                    f"{p.id} is assigned primary counselor {cid}, who does not exist",
                    p.id,
                    cid,
                )
            elif not self.idx.counselor[cid].can_be_primary:
                self.violation(
                    "primary_assignment",
                    f"{p.id} is assigned primary counselor {cid}, who is neither a counselor "
                    "nor a clinician",
                    p.id,
                    cid,
                )

    def caseload(self) -> dict[str, int]:
        """Patients per counselor whose primary (given or assigned) they are."""
        load = dict.fromkeys(self.idx.counselor, 0)
        for cid in self.primary.values():
            if cid in load:
                load[cid] += 1
        return load

    def check_max_caseload(self) -> None:
        """A counselor is the primary counselor of at most max_caseload patients."""
        load = self.caseload()
        for c in self.inst.counselors:
            if c.max_caseload is not None and load[c.id] > c.max_caseload:
                self.violation(
                    "max_caseload",
                    f"{c.id} has a caseload of {load[c.id]} patients, above max_caseload "
                    f"{c.max_caseload}",
                    c.id,
                )

    def check_primary_site(self) -> None:
        """A primary counselor the schedule assigns may work at the patient's site (a given
        one is checked when the instance is read)."""
        for pid, cid in self.schedule.primary_counselors.items():
            p = self.idx.patient.get(pid)
            c = self.idx.counselor.get(cid)
            if p is None or c is None or p.primary_counselor is not None:
                continue  # reported by check_primary_references or check_primary_assignment
            if not self.idx.works_at(c, p.site):
                self.violation(
                    "primary_assignment",
                    f"{pid} is assigned primary counselor {cid}, who does not work at "
                    f"{pid}'s site {p.site}",
                    pid,
                    cid,
                )

    # -- rule 11: medication management ----------------------------------------------

    def check_medication_count(self) -> None:
        """Patients with medication_management have one medication appointment, others none."""
        count: dict[str, int] = defaultdict(int)
        for b in self.bookings:
            if b.kind == "medication appointment":
                count[b.patient] += 1
        for p in self.inst.patients:
            need = 1 if self.idx.needs_medication(p) else 0
            if count[p.id] < need and self.short("medication", p.id, need, count[p.id], 1):
                pass
            elif count[p.id] != need:
                self.violation(
                    "medication_count",
                    f"{p.id} has {count[p.id]} medication appointments, needs {need}",
                    p.id,
                )

    # -- rule 12: screens ------------------------------------------------------------

    def check_screen_count(self) -> None:
        """Each patient has exactly screening.per_week screens, in different blocks."""
        by_patient: dict[str, list[str]] = defaultdict(list)
        for screen in self.screens:
            by_patient[screen.patient].append(screen.slot)
        need = self.idx.screens_per_week()
        for p in self.inst.patients:
            slots = by_patient.get(p.id, [])
            if len(slots) < need and self.short(
                "screens", p.id, need, len(slots), need - len(slots)
            ):
                pass
            elif len(slots) != need:
                self.violation(
                    "screen_count", f"{p.id} has {len(slots)} screens, needs {need}", p.id
                )
            for slot in sorted(set(slots), key=self.idx.slots.index):
                if slots.count(slot) > 1:
                    self.violation(
                        "screen_count",
                        f"{p.id} has {slots.count(slot)} screens in {slot}; "
                        "they must be in different blocks",
                        p.id,
                        slot,
                    )

    def check_screen_block(self) -> None:
        """A screen is in a block the patient attends."""
        for screen in self.screens:
            if screen.slot not in self.attended(screen.patient, screen.day):
                self.violation(
                    "screen_block",
                    f"{screen.patient} has a screen in {screen.slot} but attends no session there",
                    screen.patient,
                    screen.slot,
                )

    def check_screen_capacity(self) -> None:
        """At most screening.capacity_per_block screens per block."""
        screening = self.inst.screening
        if screening is None:
            return
        # With sites the capacity is per site (the patient's) and block.
        count: dict[tuple[str, str | None], int] = defaultdict(int)
        for screen in self.screens:
            count[(screen.slot, self.idx.site_of_patient(screen.patient))] += 1
        site_rank = {site: i for i, site in enumerate(self.idx.sites)}
        for slot, site in sorted(
            count, key=lambda k: (self.idx.slots.index(k[0]), site_rank.get(k[1] or "", 0))
        ):
            n = count[(slot, site)]
            if n > screening.capacity_per_block:
                at = "" if site is None else f" at site {site}"
                self.violation(
                    "screen_capacity",
                    f"{slot}{at} has {n} screens, above capacity_per_block "
                    f"{screening.capacity_per_block}",
                    slot,
                    *([] if site is None else [site]),
                )

    # -- sites (multi-site organizations) --------------------------------------------

    def check_session_site(self) -> None:
        """Every patient of a session attends the site of the session's room."""
        if not self.idx.multi_site:
            return
        for s in self.sessions:
            site = self.idx.site_of_room(s.room)
            for pid in s.patients:
                mine = self.idx.site_of_patient(pid)
                if mine != site:
                    self.violation(
                        "session_site",
                        f"{pid} (site {mine}) is in session {s.id}, in room {s.room} at site {site}",
                        pid,
                        s.id,
                    )

    def check_appointment_site(self) -> None:
        """An appointment is in an office at the patient's site."""
        if not self.idx.multi_site:
            return
        for b in self.bookings:
            site = self.idx.site_of_room(b.room)
            mine = self.idx.site_of_patient(b.patient)
            if mine != site:
                self.violation(
                    "appointment_site",
                    f"{b.label} is in room {b.room} at site {site}, not at {b.patient}'s "
                    f"site {mine}",
                    b.patient,
                    b.ref,
                )

    def check_counselor_site(self) -> None:
        """A counselor works at one site a day (the sites of the rooms of their groups and
        appointments), and only at their ``sites`` when they list some."""
        if not self.idx.multi_site:
            return
        # (counselor, day) -> site -> the sessions and appointments there
        work: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for s in self.sessions:
            site = self.idx.site_of_room(s.room)
            for cid in s.counselors:
                if site is not None:
                    work[(cid, s.day)][site].append(s.id)
        for b in self.bookings:
            site = self.idx.site_of_room(b.room)
            if site is not None:
                work[(b.counselor, b.time.day)][site].append(b.ref)
        staff_rank = {cid: i for i, cid in enumerate(self.idx.counselor)}
        day_rank = {day: i for i, day in enumerate(self.inst.days)}
        site_rank = {site: i for i, site in enumerate(self.idx.sites)}
        for cid, day in sorted(work, key=lambda k: (staff_rank[k[0]], day_rank[k[1]])):
            c = self.idx.counselor[cid]
            here = sorted(work[(cid, day)].items(), key=lambda kv: site_rank[kv[0]])
            for site, refs in here:
                if not self.idx.works_at(c, site):
                    self.violation(
                        "counselor_site",
                        f"{cid} works at site {site} on {day} ({', '.join(refs)}), not one of "
                        f"their sites ({', '.join(c.sites or [])})",
                        cid,
                        day,
                        site,
                    )
            if len(here) > 1:
                where = "; ".join(f"{site} ({', '.join(refs)})" for site, refs in here)
                self.violation(
                    "counselor_site",
                    f"{cid} works at {len(here)} sites on {day}: {where}; a counselor works at "
                    "one site a day",
                    cid,
                    day,
                )

    # -- objective -----------------------------------------------------------------

    def check_shortfalls(self) -> None:
        """A best-effort schedule lists exactly the shortfalls it has, with the right figures;
        any other schedule lists none."""
        listed = {(f.patient, f.rule, f.requirement): f for f in self.schedule.shortfalls}
        for key, (needed, got, _) in self.found_short.items():
            pid, rule, row = key
            what = rule if row is None else f"requirements[{row}]"
            entry = listed.get(key)  # type: ignore[arg-type]  # rule names match
            if entry is None:
                self.violation(
                    "shortfall_unlisted",
                    f"{pid} falls short of {what} ({got:g} of {needed:g}) but the schedule "
                    "does not list it",
                    pid,
                )
            elif abs(entry.needed - needed) > 0.01 or abs(entry.got - got) > 0.01:
                self.violation(
                    "shortfall_listed",
                    f"{pid}'s shortfall of {what} is listed as {entry.got:g} of "
                    f"{entry.needed:g}, but is {got:g} of {needed:g}",
                    pid,
                )
        for key, entry in listed.items():
            if key not in self.found_short:
                what = (
                    entry.rule
                    if entry.requirement is None
                    else f"requirements[{entry.requirement}]"
                )
                self.violation(
                    "shortfall_listed",
                    f"{entry.patient} is listed as short of {what}, but is not"
                    + (
                        ""
                        if self.schedule.best_effort
                        else " (and the schedule is not best effort)"
                    ),
                    entry.patient,
                )

    def score(self) -> None:
        """Recompute every soft term, entity by entity."""
        w = self.inst.weights
        for s in self.sessions:
            self.penalty(
                "session_run", w.session_run, 1, f"session {s.id} ({s.group_type}, {s.slot})", s.id
            )
        for p in self.inst.patients:
            sessions = self.patient_sessions.get(p.id, [])
            total = self.patient_minutes.get(p.id, 0)
            self.penalty(
                "excess_minutes",
                w.excess_minutes,
                max(0, total - p.min_minutes),
                f"{p.id} attends {_hours(total)}, {total - p.min_minutes} min above min_hours {p.min_hours:g}",
                p.id,
            )
            if p.preferred:
                for slot in sorted(
                    {s.slot for s in sessions} - set(p.preferred), key=self.idx.slots.index
                ):
                    self.penalty(
                        "preferred_missed",
                        w.preferred_missed,
                        1,
                        f"{p.id} attends {slot}, not a preferred slot",
                        p.id,
                        slot,
                    )
            if p.primary_counselor is not None and not any(
                p.primary_counselor in s.counselors for s in sessions
            ):
                self.penalty(
                    "primary_not_leading",
                    w.primary_not_leading,
                    1,
                    f"{p.id}'s primary counselor {p.primary_counselor} leads none of their groups",
                    p.id,
                    p.primary_counselor,
                )
        for (pid, rule, row), (needed, got, units) in self.found_short.items():
            term = SHORTFALL_TERM[rule]
            what = rule if row is None else f"requirements[{row}]"
            self.penalty(
                term,
                getattr(w, term),
                units,
                f"{pid} falls short of {what}: {got:g} of {needed:g}",
                pid,
            )
        for _, leaders in self.idx.balance_groups():
            if len(leaders) < 2:
                continue
            load = {c.id: self.counselor_minutes.get(c.id, 0) for c in leaders}
            most = max(load, key=lambda c: (load[c], c))
            least = min(load, key=lambda c: (load[c], c))
            self.penalty(
                "load_imbalance_minutes",
                w.load_imbalance_minutes,
                load[most] - load[least],
                f"{most} leads {_hours(load[most])} of groups, {least} {_hours(load[least])}",
                most,
                least,
            )
        for r in self.topic_repeats():
            if not r.strict:
                self.penalty("topic_repeat", w.topic_repeat, 1, r.message, r.patient, r.session.id)
        for b in self.bookings:
            attended = self.attended(b.patient, b.time.day)
            # No attended block that day is an appointment_day violation, not a trip.
            if attended and not any(self.idx.next_to(b.time, slot) for slot in attended):
                self.penalty(
                    "individual_extra_trip",
                    w.individual_extra_trip,
                    1,
                    f"{b.patient}'s {b.kind} at {b.time.label} is not within "
                    f"{self.inst.individual.adjacent_minutes} min of their block {attended[0]}",
                    b.patient,
                    b.time.day,
                )
        load = self.caseload()
        for _, candidates in self.idx.caseload_groups():
            if len(candidates) < 2:
                continue
            cases = {c.id: load[c.id] for c in candidates}
            most = max(cases, key=lambda c: (cases[c], c))
            least = min(cases, key=lambda c: (cases[c], c))
            self.penalty(
                "caseload_imbalance",
                w.caseload_imbalance,
                cases[most] - cases[least],
                f"{most} has a caseload of {cases[most]} patients, {least} {cases[least]}",
                most,
                least,
            )

    def run(self) -> CheckReport:
        self.check_references()
        self.check_appointment_references()
        self.check_appointment_times()
        self.check_screen_references()
        self.check_primary_references()
        self.check_whole_blocks()
        self.check_patient_availability()
        self.check_one_block_per_day()
        self.check_hours_and_days()
        self.check_requirements()
        self.check_group_size()
        self.check_eligibility()
        self.check_stage_matching()
        self.check_avoid()
        self.check_room_type()
        self.check_rooms()
        self.check_offices()
        self.check_counselors()
        self.check_counselor_role()
        self.check_counselor_daily_hours()
        self.check_appointment_counselors()
        self.check_together()
        self.check_topics()
        self.check_curriculum()
        self.check_appointment_patients()
        self.check_individual_count()
        self.check_individual_counselor()
        self.check_max_individual()
        self.check_primary_assignment()
        self.check_primary_site()
        self.check_max_caseload()
        self.check_medication_count()
        self.check_screen_count()
        self.check_screen_block()
        self.check_screen_capacity()
        self.check_session_site()
        self.check_appointment_site()
        self.check_counselor_site()
        self.check_shortfalls()
        self.score()
        return self.report


def check(instance: Instance, schedule: Schedule) -> CheckReport:
    """Check every hard rule and recompute the objective of a schedule.

    Parameters
    ----------
    instance
        The validated instance the schedule is for.
    schedule
        A schedule from the solver, a file, or made by hand.

    Returns
    -------
    CheckReport
        ``violations`` (empty when the schedule is valid), ``objective`` and
        ``terms`` recomputed from scratch, and one ``Penalty`` per entity.
    """
    return _Checker(instance, schedule).run()
