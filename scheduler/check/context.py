"""What every rule reads and writes: the instance's lookups, the sessions and
appointments that passed the reference checks, and the report being filled in.

The rules (one file per family) are functions of a :class:`Checker`; they add to its
report through :meth:`Checker.violation`, :meth:`Checker.penalty` and the clash helpers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from models import Appointment, Instance, ProgramIndex, Schedule, Screen, Session
from models.index import AppointmentTime
from models.text import printable
from scheduler.check.report import CheckReport, Penalty, Violation


def hours(minutes: int) -> str:
    """Minutes as hours for a message: ``"1.5 h"``."""
    return f"{minutes / 60:.1f} h"


@dataclass(frozen=True)
class Booking:
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


class Checker:
    """One check of one schedule: the instance's lookups, what passed the reference checks
    so far, and the report the rules fill in."""

    def __init__(
        self, instance: Instance, schedule: Schedule, previous: Schedule | None = None
    ) -> None:
        self.inst = instance
        self.idx = ProgramIndex(instance)
        self.schedule = schedule
        self.previous = previous  # last week's schedule, for the stability terms
        self.report = CheckReport(best_effort=schedule.best_effort, stability=previous is not None)
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
        self.appointments: list[tuple[str, str, Appointment]] = []
        self.bookings: list[Booking] = []
        self.screens: list[Screen] = []
        # Each patient's primary counselor: given, or assigned by the schedule (when the
        # patient has none given). Checked by staff.primary_assignment.
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

    # Messages echo the schedule's free text (a session id): printable keeps each one line.
    def violation(self, rule: str, message: str, *ids: str) -> None:
        self.report.violations.append(Violation(rule, printable(message), tuple(ids)))

    def penalty(self, term: str, weight: int, amount: int, message: str, *ids: str) -> None:
        if weight and amount:
            self.report.penalties.append(
                Penalty(term, tuple(ids), amount, weight * amount, printable(message))
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
        owner_of: Callable[[Booking], str],
        message: str,
        who: Callable[[Booking], str],
    ) -> None:
        """Report every owner (room, counselor, patient) in more than one appointment at a time.

        ``message`` is formatted with ``owner``, ``n``, ``label`` and ``who`` (the bookings).
        """
        groups: dict[tuple[str, tuple[str, int]], list[Booking]] = defaultdict(list)
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

    def attended(self, pid: str, day: str) -> list[str]:
        """The slots a patient attends on a day (one in a valid schedule), in week order."""
        slots = {s.slot for s in self.patient_sessions.get(pid, []) if s.day == day}
        return sorted(slots, key=self.idx.slots.index)

    def individuals(self) -> list[Booking]:
        """The individual sessions among the bookings."""
        return [b for b in self.bookings if b.kind == "individual session"]


# -- facts several rule families use -----------------------------------------------------


@dataclass(frozen=True)
class Repeat:
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


def topic_repeats(ck: Checker) -> list[Repeat]:
    """Every session in which a patient hears a topic heard earlier in the week or completed.

    Each patient's sessions are walked in week order (slot, then period); only sessions
    teaching one of their type's topics count (``topics`` reports the others).
    """
    rank = {slot: i for i, slot in enumerate(ck.idx.slots)}
    repeats: list[Repeat] = []
    for p in ck.inst.patients:
        heard: dict[str, Session | None] = dict.fromkeys(p.completed_topics)
        sessions = sorted(ck.patient_sessions.get(p.id, []), key=lambda s: (rank[s.slot], s.period))
        for s in sessions:
            g = ck.idx.group_type[s.group_type]
            if s.topic is None or s.topic not in g.topics:
                continue
            if s.topic in heard:
                strict = s.topic in ck.idx.strict_topics
                repeats.append(Repeat(p.id, s, heard[s.topic], strict))
            else:
                heard[s.topic] = s
    return repeats


def caseload(ck: Checker) -> dict[str, int]:
    """Patients per counselor whose primary (given or assigned) they are."""
    load = dict.fromkeys(ck.idx.counselor, 0)
    for cid in ck.primary.values():
        if cid in load:
            load[cid] += 1
    return load
