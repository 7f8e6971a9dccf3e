"""The variables of the CP-SAT model, and the helpers its rules share.

Candidate sessions are enumerated up front: for every period, group type and
(for stage-matched types) stage, a few interchangeable copies, as many as the
rooms, qualified counselors and eligible patients could ever fill. Booleans say
which copies run, which patient sits in which, and which room and counselor
each gets. :class:`ModelBase` holds them; the rule families (``patients``,
``groups``, ``staff``, ``appointments``, ``objective``) add constraints and soft
terms to it, and ``model.TimetableModel`` calls them in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from models import Counselor, GroupType, Instance, Patient, ProgramIndex, Room, Schedule
from models.index import PeriodRef
from scheduler.check.stability import LastWeek
from scheduler.cpsat.cohort_plan import Cohort

Var = cp_model.IntVar


@dataclass(frozen=True)
class Candidate:
    """A session that may run: one copy of a group type (and stage) in one period."""

    number: int
    period: PeriodRef
    group_type: GroupType
    stage: str | None
    copy: int

    @property
    def family(self) -> tuple[str, int, str, str | None]:
        """Candidates that differ only by ``copy`` are interchangeable."""
        return (self.period.slot, self.period.index, self.group_type.id, self.stage)


class ModelBase:
    """The model's variables, keyed by patient, candidate, room and counselor.

    ``add_candidates`` creates the session variables; the rules create the rest
    (appointments, primary counselors, screens, topics) as they need them.
    """

    def __init__(
        self,
        instance: Instance,
        aggregate: bool = False,
        diagnose: bool = False,
        best_effort: bool = False,
        previous: Schedule | None = None,
        cohorts: Sequence[Cohort] = (),
    ) -> None:
        self.instance = instance
        # Planned cohorts (scheduler.cpsat.cohort_plan), seated as one by
        # cohorts.members_together: a restriction of the search, not a clinical rule.
        self.cohorts = list(cohorts)
        self.cohort_sits: dict[tuple[int, int], Var] = {}  # (cohort, candidate) -> it sits there
        # Last week's schedule: the stability terms count changes against it.
        self.previous = previous
        self.last_week: LastWeek | None = None  # read by scheduler.cpsat.stability
        self.aggregate = aggregate
        # Diagnosis: the relaxable rules hold only under an assumption literal each, one
        # per rule and entity, e.g. ("min_hours", "P017"); no objective is set.
        self.diagnose = diagnose
        self.assumptions: dict[tuple[str, ...], Var] = {}
        # Best effort: a patient's floors (hours, days, requirement rows, appointments,
        # screens) become shortfalls, (rule, patient[, row]) -> how much is missing.
        self.best_effort = best_effort
        self.shortfalls: dict[tuple[str, ...], Var] = {}
        self.index = ProgramIndex(instance)
        self.model = cp_model.CpModel()
        self.candidates: list[Candidate] = []
        self.open: dict[int, Var] = {}
        self.copies: dict[int, int] = {}  # candidate -> most sessions it can run
        self.attend: dict[tuple[str, str], Var] = {}  # (patient, slot)
        self.seat: dict[tuple[str, int], Var] = {}  # (patient, candidate)
        self.rooms_at: dict[int, dict[str, Var]] = defaultdict(dict)  # candidate -> room -> var
        self.leads_at: dict[int, dict[str, Var]] = defaultdict(
            dict
        )  # candidate -> counselor -> var
        # counselor -> (minutes, lead var) of every session they could lead: their group load.
        self.minutes_led: dict[str, list[tuple[int, Var]]] = defaultdict(list)
        self.members: dict[int, list[str]] = defaultdict(list)  # candidate -> patient ids
        self.seats_of: dict[str, list[int]] = defaultdict(list)  # patient -> candidates
        # Curriculum: (candidate, topic) -> whether its sessions teach it.
        self.topic_on: dict[tuple[int, str], Var] = {}
        # One-to-one appointments: (kind, patient, counselor, day, time index) -> var,
        # kind "individual" or "medication".
        self.appts: dict[tuple[str, str, str, str, int], Var] = {}
        # Primary counselors the solver chooses: (patient, counselor) -> var.
        self.primary: dict[tuple[str, str], Var] = {}
        self.screen: dict[tuple[str, str], Var] = {}  # (patient, slot)
        # Session pins: pin index -> candidate -> whether it holds the pin (cpsat.pins).
        self.pin_picks: dict[int, dict[int, Var]] = {}
        # Soft terms: name -> (weight, expression). The objective is their weighted sum.
        self.terms: dict[str, tuple[int, cp_model.LinearExprT]] = {}

    # -- variables -----------------------------------------------------------------

    def _rooms_for(self, period: PeriodRef, g: GroupType) -> list[Room]:
        """Group rooms open in the period that seat at least a minimum-size group."""
        return [
            r
            for r in self.index.group_rooms
            if period.slot in self.index.room_slots(r)
            and r.capacity >= g.min_size * g.seats_per_patient
        ]

    def _leaders_for(self, period: PeriodRef, g: GroupType) -> list[Counselor]:
        """Qualified counselors available in the period (in a diagnosis, also the unavailable
        ones: their availability is then an assumption, see ``counselor_availability``)."""
        return [
            c
            for c in self.instance.counselors
            if g.id in c.qualified and (self.diagnose or period.slot in c.available)
        ]

    def _copies(self, period: PeriodRef, g: GroupType, patients: list[Patient]) -> int:
        """How many parallel sessions of this type could run in the period, at most."""
        leaders = self._leaders_for(period, g)
        with_role = [c for c in leaders if self.index.has_role(c, g.requires_role)]
        copies = min(
            len(patients) // g.min_size,
            len(self._rooms_for(period, g)),
            len(leaders) // g.staff_required,
            len(with_role),
        )
        if self.aggregate and g.id in self.index.together_types:
            # A family holding couples runs one session, so the split never parts a pair.
            copies = min(copies, 1)
        return copies

    def add_candidates(self, checkpoint: Callable[[], None] = lambda: None) -> None:
        """Enumerate candidate sessions and their patient, room and counselor variables
        (``checkpoint`` is called before each period's group type: what it raises ends
        the build)."""
        idx = self.index
        m = self.model
        for p in self.instance.patients:
            for slot in idx.patient_slots(p):
                self.attend[(p.id, slot)] = m.new_bool_var(f"attend[{p.id},{slot}]")
        for period in idx.periods:
            present = [p for p in self.instance.patients if (p.id, period.slot) in self.attend]
            for g in self.instance.group_types:
                checkpoint()
                eligible = [p for p in present if idx.eligible(p, g)]
                stages = (
                    [s for s in self.instance.stages if any(p.stage == s for p in eligible)]
                    if g.stage_matched
                    else [None]
                )
                for stage in stages:
                    members = [p for p in eligible if stage is None or p.stage == stage]
                    copies = self._copies(period, g, members)
                    if self.aggregate and copies:
                        cand = Candidate(len(self.candidates), period, g, stage, 0)
                        self._add_candidate(cand, members, copies)
                        continue
                    for k in range(copies):
                        cand = Candidate(len(self.candidates), period, g, stage, k)
                        self._add_candidate(cand, members, 1)

    def _add_candidate(self, cand: Candidate, members: list[Patient], copies: int) -> None:
        """One candidate (of at most ``copies`` sessions): its open, seat, room and lead vars."""
        m = self.model
        n = cand.number
        self.candidates.append(cand)
        self.open[n] = m.new_int_var(0, copies, f"open[{n}]")
        self.copies[n] = copies
        for p in members:
            self.seat[(p.id, n)] = m.new_bool_var(f"seat[{p.id},{n}]")
            self.members[n].append(p.id)
            self.seats_of[p.id].append(n)
        for r in self._rooms_for(cand.period, cand.group_type):
            self.rooms_at[n][r.id] = m.new_bool_var(f"room[{n},{r.id}]")
        for c in self._leaders_for(cand.period, cand.group_type):
            lead = m.new_bool_var(f"lead[{n},{c.id}]")
            self.leads_at[n][c.id] = lead
            self.minutes_led[c.id].append((cand.period.minutes, lead))

    # -- helpers the rules share ------------------------------------------------------

    def caseload(self, c: Counselor) -> cp_model.LinearExprT:
        """A counselor's caseload: the patients given to them plus those the solver assigns."""
        given = sum(1 for p in self.instance.patients if p.primary_counselor == c.id)
        return given + sum(v for (_, cid), v in self.primary.items() if cid == c.id)

    def floor(
        self, expr: cp_model.LinearExprT, needed: int, rule: str, *ids: str, exact: bool = False
    ) -> None:
        """``expr >= needed`` (``==`` when ``exact``): a patient-side rule.

        In best effort it may fall short: the shortfall max(0, needed - expr) is kept
        for the objective instead (``exact`` rules still never exceed ``needed``).
        """
        m = self.model
        if not self.best_effort:
            self.guard(m.add(expr == needed) if exact else m.add(expr >= needed), rule, *ids)
            return
        if exact:
            m.add(expr <= needed)
        short = m.new_int_var(0, max(needed, 0), f"short[{rule},{','.join(ids)}]")
        m.add_max_equality(short, [0, needed - expr])
        self.shortfalls[(rule, *ids)] = short

    def guard(self, ct: cp_model.Constraint, rule: str, *ids: str) -> None:
        """In a diagnosis, make ``ct`` hold only under the assumption of (rule, ids)."""
        if not self.diagnose:
            return
        key = (rule, *ids)
        if key not in self.assumptions:
            self.assumptions[key] = self.model.new_bool_var(f"assume[{','.join(key)}]")
        ct.only_enforce_if(self.assumptions[key])

    def term(self, name: str, weight: int, expr: cp_model.LinearExprT) -> None:
        """Keep a soft term for the objective, unless its weight is 0."""
        if weight:
            self.terms[name] = (weight, expr)
