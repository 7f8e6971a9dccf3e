"""The CP-SAT model of a week's timetable.

Candidate sessions are enumerated up front: for every period, group type and
(for stage-matched types) stage, a few interchangeable copies, as many as the
rooms, qualified counselors and eligible patients could ever fill. Booleans say
which copies run, which patient sits in which, and which room and counselor
each gets. Each hard rule and each soft term is one method below; ``build``
calls them in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from models import Counselor, GroupType, Instance, Patient, ProgramIndex, Room
from models.index import AppointmentTime, PeriodRef
from models.schedule import SHORTFALL_TERM

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


class TimetableModel:
    """Builds the CP-SAT model; keeps the variables needed to read a schedule back.

    With ``aggregate=True`` the interchangeable copies of a family (period,
    group type, stage) become one candidate whose ``open`` is a count of
    sessions, and patients are seated in the family rather than in a copy; the
    sessions of a family are split after the solve (``scheduler.split``). This
    model is about four times smaller and finds schedules far sooner. Apart from
    its documented restrictions (avoid pairs out of a whole family, one session
    per period for couples types, one topic for parallel strict-curriculum
    sessions), it is a relaxation of the plain one.
    """

    def __init__(
        self,
        instance: Instance,
        aggregate: bool = False,
        diagnose: bool = False,
        best_effort: bool = False,
    ) -> None:
        self.instance = instance
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
        # Soft terms: name -> (weight, expression). The objective is their weighted sum.
        self.terms: dict[str, tuple[int, cp_model.LinearExprT]] = {}
        self.build()

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

    def _add_candidates(self) -> None:
        """Enumerate candidate sessions and their patient, room and counselor variables."""
        idx = self.index
        m = self.model
        for p in self.instance.patients:
            for slot in idx.patient_slots(p):
                self.attend[(p.id, slot)] = m.new_bool_var(f"attend[{p.id},{slot}]")
        for period in idx.periods:
            present = [p for p in self.instance.patients if (p.id, period.slot) in self.attend]
            for g in self.instance.group_types:
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

    # -- hard rules ----------------------------------------------------------------

    def whole_blocks(self) -> None:
        """A patient in a block is in exactly one session in each of its periods."""
        by_period: dict[tuple[str, str, int], list[Var]] = defaultdict(list)
        for (pid, n), var in self.seat.items():
            by_period[(pid, *self.candidates[n].period.key)].append(var)
        for (pid, slot), attend in self.attend.items():
            for period in self.index.periods_of[slot]:
                self.model.add(sum(by_period.get((pid, *period.key), [])) == attend)

    def one_block_per_day(self) -> None:
        """A patient attends at most one block per day."""
        by_day: dict[tuple[str, str], list[Var]] = defaultdict(list)
        for (pid, slot), attend in self.attend.items():
            by_day[(pid, self.index.day_of[slot])].append(attend)
        for blocks in by_day.values():
            if len(blocks) > 1:
                self.model.add_at_most_one(blocks)

    def hours_and_days(self) -> None:
        """Weekly minutes within [min_hours, max_hours]; at least min_days days (one block a day)."""
        for p in self.instance.patients:
            attended = [(slot, self.attend[(p.id, slot)]) for slot in self.index.patient_slots(p)]
            total = sum(self.index.block_minutes(slot) * var for slot, var in attended)
            self._floor(total, p.min_minutes, "min_hours", p.id)
            self._guard(self.model.add(total <= p.max_minutes), "max_hours", p.id)
            days = sum(var for _, var in attended)
            self._floor(days, p.min_days, "min_days", p.id)

    def requirements(self) -> None:
        """Every requirement row of a patient's stage: sessions of a type or kind in range."""
        for p in self.instance.patients:
            for i, req in self.index.requirements_of(p):
                seats = [
                    self.seat[(p.id, n)]
                    for n in self.seats_of[p.id]
                    if self.index.counts_for(req, self.candidates[n].group_type)
                ]
                high = len(seats) if req.max_sessions is None else req.max_sessions
                if self.best_effort:
                    self.model.add(sum(seats) <= max(high, 0))
                    self._floor(sum(seats), req.min_sessions, "requirement", p.id, str(i))
                    continue
                ct = self.model.add_linear_constraint(sum(seats), req.min_sessions, max(high, 0))
                self._guard(ct, "requirement", p.id, str(i))

    def group_size(self) -> None:
        """A session runs with min_size to max_size members, within its room's capacity."""
        m = self.model
        for cand in self.candidates:
            n = cand.number
            g = cand.group_type
            seats = [self.seat[(pid, n)] for pid in self.members[n]]
            size = sum(seats)
            self._guard(m.add(size >= g.min_size * self.open[n]), "min_size", g.id)
            # Each session is bounded by the smaller of max_size and its room's capacity
            # (in patients: a family group's patients bring relatives).
            seats_per_room = [
                (min(g.max_size, self.index.room[rid].capacity // g.seats_per_patient), v)
                for rid, v in self.rooms_at[n].items()
            ]
            m.add(size <= sum(cap * v for cap, v in seats_per_room))
            for s in seats:  # redundant, but tightens the LP relaxation
                m.add(s <= self.open[n])

    def avoid_pairs(self) -> None:
        """Patients who must be kept apart never share a session.

        The aggregated model keeps them out of the same family (group type and
        stage in one period), so that any split of a family into sessions is valid.
        """
        for a, b in self.index.avoid_pairs:
            for n in set(self.seats_of[a]) & set(self.seats_of[b]):
                self.model.add_at_most_one(self.seat[(a, n)], self.seat[(b, n)])

    def rooms(self) -> None:
        """One room per running session; one session per room per period."""
        by_room_period: dict[tuple[str, str, int], list[Var]] = defaultdict(list)
        for cand in self.candidates:
            rooms = self.rooms_at[cand.number]
            self.model.add(sum(rooms.values()) == self.open[cand.number])
            for rid, v in rooms.items():
                by_room_period[(rid, *cand.period.key)].append(v)
        for vars_ in by_room_period.values():
            if len(vars_) > 1:
                self.model.add_at_most_one(vars_)

    def counselors(self) -> None:
        """staff_required qualified, available counselors per session, one session at a time,
        within max_hours; one of them with the type's required role."""
        by_counselor_period: dict[tuple[str, str, int], list[Var]] = defaultdict(list)
        for cand in self.candidates:
            g = cand.group_type
            leads = self.leads_at[cand.number]
            self.model.add(sum(leads.values()) == g.staff_required * self.open[cand.number])
            if g.requires_role is not None:
                with_role = [
                    v
                    for cid, v in leads.items()
                    if self.index.has_role(self.index.counselor[cid], g.requires_role)
                ]
                self.model.add(sum(with_role) >= self.open[cand.number])
            for cid, v in leads.items():
                by_counselor_period[(cid, *cand.period.key)].append(v)
        for vars_ in by_counselor_period.values():
            if len(vars_) > 1:
                self.model.add_at_most_one(vars_)
        for cid, items in self.minutes_led.items():
            cap = self.index.counselor[cid].max_minutes
            if cap is not None:
                ct = self.model.add(sum(mins * v for mins, v in items) <= cap)
                self._guard(ct, "counselor_max_hours", cid)

    def counselor_availability(self) -> None:
        """In a diagnosis only: a counselor leads nothing outside their available slots."""
        if not self.diagnose:
            return
        for cand in self.candidates:
            for cid, lead in self.leads_at[cand.number].items():
                if cand.period.slot not in self.index.counselor[cid].available:
                    self._guard(self.model.add(lead == 0), "counselor_available", cid)

    def together(self) -> None:
        """Couples share every session of their group type: seated together or not at all."""
        for pair in self.instance.together:
            a, b = pair.patients
            for cand in self.candidates:
                if cand.group_type.id != pair.group_type:
                    continue
                sa = self.seat.get((a, cand.number))
                sb = self.seat.get((b, cand.number))
                if sa is not None and sb is not None:
                    self.model.add(sa == sb)
                elif sa is not None or sb is not None:
                    self.model.add((sa if sa is not None else sb) == 0)  # the partner cannot come

    def strict_curriculum(self) -> None:
        """A running session of a strict_curriculum type teaches one of its topics, and no
        patient hears one twice or one they completed.

        Topics of the other types are chosen after the solve, for the groups it formed
        (``scheduler.topics``); the model only counts the repeats no choice can avoid.
        """
        m = self.model
        heard: dict[tuple[str, str], list[Var]] = defaultdict(list)  # (patient, topic)
        for cand in self.candidates:
            g = cand.group_type
            if not (g.topics and g.strict_curriculum):
                continue
            n = cand.number
            runs = m.new_bool_var(f"runs[{n}]")
            m.add(self.open[n] >= runs)
            m.add(self.open[n] <= self.copies[n] * runs)
            for t in g.topics:
                self.topic_on[(n, t)] = m.new_bool_var(f"topic[{n},{t}]")
            m.add(sum(self.topic_on[(n, t)] for t in g.topics) == runs)
            for pid in self.members[n]:
                seat = self.seat[(pid, n)]
                for t in g.topics:
                    hears = m.new_bool_var(f"hears[{pid},{n},{t}]")
                    m.add_bool_and([seat, self.topic_on[(n, t)]]).only_enforce_if(hears)
                    m.add_bool_or([~seat, ~self.topic_on[(n, t)], hears])
                    heard[(pid, t)].append(hears)
        for (pid, t), times in heard.items():
            done = int(t in self.index.patient[pid].completed_topics)
            m.add(sum(times) + done <= 1)

    def _appointment_var(self, kind: str, p: Patient, c: Counselor, time: AppointmentTime) -> None:
        key = (kind, p.id, c.id, time.day, time.index)
        self.appts[key] = self.model.new_bool_var(f"{kind}[{p.id},{c.id},{time.label}]")

    def appointments(self) -> None:
        """Individual counseling with the primary counselor and medication management with a
        prescriber: the right number each, on a day the patient attends, never overlapping
        their block, on different days for individual sessions."""
        m = self.model
        idx = self.index
        for p in self.instance.patients:
            times = self.index.appointment_times_for(p)
            per_week = idx.individual_per_week(p)
            if per_week:
                counselors = (
                    [idx.counselor[p.primary_counselor]]
                    if p.primary_counselor is not None
                    else idx.primary_candidates
                )
                for c in counselors:
                    for t in times:
                        if t.slot in c.available:
                            self._appointment_var("individual", p, c, t)
            if idx.needs_medication(p):
                for c in idx.prescribers:
                    for t in times:
                        if t.slot in c.available:
                            self._appointment_var("medication", p, c, t)
        by_patient: dict[tuple[str, str], list[Var]] = defaultdict(list)  # (kind, patient)
        by_patient_day: dict[tuple[str, str, str], list[Var]] = defaultdict(list)
        by_patient_time: dict[tuple[str, str, int], list[Var]] = defaultdict(list)
        for (kind, pid, _, day, k), v in self.appts.items():
            by_patient[(kind, pid)].append(v)
            by_patient_day[(kind, pid, day)].append(v)
            by_patient_time[(pid, day, k)].append(v)
        for p in self.instance.patients:
            individual = sum(by_patient[("individual", p.id)])
            self._floor(individual, idx.individual_per_week(p), "individual", p.id, exact=True)
            medication = sum(by_patient[("medication", p.id)])
            self._floor(medication, int(idx.needs_medication(p)), "medication", p.id, exact=True)
        for (kind, _, _), vars_ in by_patient_day.items():
            if kind == "individual" and len(vars_) > 1:
                m.add_at_most_one(vars_)
        for (pid, day, k), vars_ in by_patient_time.items():
            time = idx.appointment_at[(day, k)]
            clashing = idx.blocks_clashing(time)
            # On site that day, in a block the appointment does not overlap.
            fitting = [
                self.attend[(pid, s)]
                for s in self.index.day_slots(day)
                if s not in clashing and (pid, s) in self.attend
            ]
            m.add(sum(vars_) <= sum(fitting))

    def offices(self) -> None:
        """At any appointment time, no more appointments than offices open in its block."""
        by_time: dict[tuple[str, int], list[Var]] = defaultdict(list)
        for (_, _, _, day, k), v in self.appts.items():
            by_time[(day, k)].append(v)
        for key, vars_ in by_time.items():
            time = self.index.appointment_at[key]
            open_offices = sum(
                1 for r in self.index.offices if time.slot in self.index.room_slots(r)
            )
            self.model.add(sum(vars_) <= open_offices)

    def counselors_busy(self) -> None:
        """A counselor is in one appointment at a time, never while leading an overlapping
        group, and within max_individual."""
        m = self.model
        by_time: dict[tuple[str, str, int], list[Var]] = defaultdict(list)
        individual: dict[str, list[Var]] = defaultdict(list)
        for (kind, _, cid, day, k), v in self.appts.items():
            by_time[(cid, day, k)].append(v)
            if kind == "individual":
                individual[cid].append(v)
        leads_in: dict[tuple[str, str, int], list[Var]] = defaultdict(list)
        for cand in self.candidates:
            for cid, v in self.leads_at[cand.number].items():
                leads_in[(cid, *cand.period.key)].append(v)
        for (cid, day, k), vars_ in by_time.items():
            time = self.index.appointment_at[(day, k)]
            m.add_at_most_one(vars_)
            for period in self.index.periods_clashing(time):
                leading = leads_in.get((cid, *period.key), [])
                if leading:
                    m.add(sum(vars_) + sum(leading) <= 1)
        for cid, vars_ in individual.items():
            cap = self.index.counselor[cid].max_individual
            if cap is not None:
                self._guard(m.add(sum(vars_) <= cap), "max_individual", cid)

    def daily_hours(self) -> None:
        """A counselor's groups and appointments on a day fit their max_hours_per_day."""
        minutes: dict[tuple[str, str], list[tuple[int, Var]]] = defaultdict(list)
        for cand in self.candidates:
            for cid, v in self.leads_at[cand.number].items():
                minutes[(cid, cand.period.day)].append((cand.period.minutes, v))
        for (_, _, cid, day, k), v in self.appts.items():
            minutes[(cid, day)].append((self.index.appointment_at[(day, k)].minutes, v))
        for (cid, _), items in minutes.items():
            cap = self.index.counselor[cid].max_minutes_per_day
            if cap is not None:
                ct = self.model.add(sum(mins * v for mins, v in items) <= cap)
                self._guard(ct, "counselor_max_hours_per_day", cid)

    def primary_counselors(self) -> None:
        """Each patient without a primary counselor gets one; caseloads within max_caseload."""
        m = self.model
        idx = self.index
        for p in idx.unassigned:
            choices = []
            for c in idx.primary_candidates:
                var = m.new_bool_var(f"primary[{p.id},{c.id}]")
                self.primary[(p.id, c.id)] = var
                choices.append(var)
            m.add(sum(choices) == 1)
        for (kind, pid, cid, _, _), v in self.appts.items():
            if kind == "individual" and (pid, cid) in self.primary:
                m.add_implication(v, self.primary[(pid, cid)])
        for c in idx.primary_candidates:
            if c.max_caseload is not None:
                self._guard(m.add(self._caseload(c) <= c.max_caseload), "max_caseload", c.id)

    def _caseload(self, c: Counselor) -> cp_model.LinearExprT:
        given = sum(1 for p in self.instance.patients if p.primary_counselor == c.id)
        return given + sum(v for (_, cid), v in self.primary.items() if cid == c.id)

    def screens(self) -> None:
        """per_week specimen collections in different attended blocks, within block capacity.

        The solver only proves a choice exists; which blocks is drawn at random afterwards.
        """
        screening = self.instance.screening
        if screening is None or not screening.per_week:
            return
        by_slot: dict[str, list[Var]] = defaultdict(list)
        for p in self.instance.patients:
            mine = []
            for slot in self.index.patient_slots(p):
                v = self.model.new_bool_var(f"screen[{p.id},{slot}]")
                self.model.add_implication(v, self.attend[(p.id, slot)])
                self.screen[(p.id, slot)] = v
                by_slot[slot].append(v)
                mine.append(v)
            self._floor(sum(mine), screening.per_week, "screens", p.id, exact=True)
        for slot, vars_ in by_slot.items():
            ct = self.model.add(sum(vars_) <= screening.capacity_per_block)
            self._guard(ct, "screen_capacity", slot)

    def break_symmetry(self) -> None:
        """Interchangeable copies open in order: copy k+1 runs only if copy k runs."""
        if self.aggregate:
            return
        first: dict[tuple[str, int, str, str | None], int] = {}
        for cand in self.candidates:
            if cand.copy > 0:
                prev = first[cand.family] + cand.copy - 1
                self.model.add_implication(self.open[cand.number], self.open[prev])
            else:
                first[cand.family] = cand.number

    # -- soft terms ----------------------------------------------------------------

    def sessions_run(self) -> None:
        """Fewer sessions means less staff time."""
        self._term("session_run", self.instance.weights.session_run, sum(self.open.values()))

    def excess_minutes(self) -> None:
        """Minutes a patient attends above their min_hours."""
        attended = [
            self.index.block_minutes(s) * self.attend[(p.id, s)]
            for p in self.instance.patients
            for s in self.index.patient_slots(p)
        ]
        required = sum(p.min_minutes for p in self.instance.patients)
        # In best effort a patient may be below min_hours: adding the shortfall makes each
        # patient's part max(0, attended - min), as the checker counts it.
        short = [v for (rule, *_), v in self.shortfalls.items() if rule == "min_hours"]
        excess = sum(attended) - required + sum(short)
        self._term("excess_minutes", self.instance.weights.excess_minutes, excess)

    def preferred_missed(self) -> None:
        """Blocks a patient attends outside their preferred slots (when they named some)."""
        missed = [
            self.attend[(p.id, s)]
            for p in self.instance.patients
            if p.preferred
            for s in self.index.patient_slots(p)
            if s not in p.preferred
        ]
        self._term("preferred_missed", self.instance.weights.preferred_missed, sum(missed))

    def load_imbalance(self) -> None:
        """Group minutes of the most loaded leader minus those of the least loaded."""
        weight = self.instance.weights.load_imbalance_minutes
        if not weight:
            return
        horizon = sum(p.minutes for p in self.index.periods)
        spreads = []
        for site, leaders in self.index.balance_groups():
            if len(leaders) < 2:
                continue
            loads = {
                c.id: sum(mins * v for mins, v in self.minutes_led.get(c.id, [])) for c in leaders
            }
            spreads.append(self._spread(f"load{site or ''}", loads, horizon))
        if spreads:
            self._term("load_imbalance_minutes", weight, sum(spreads))

    def primary_not_leading(self) -> None:
        """Patients whose primary counselor leads none of their groups."""
        weight = self.instance.weights.primary_not_leading
        if not weight:
            return
        m = self.model
        unreachable = 0  # patients whose primary can lead none of their possible sessions
        not_led: list[cp_model.LinearExprT] = []
        for p in self.instance.patients:
            cid = p.primary_counselor
            if cid is None:
                continue
            together = []
            for n in self.seats_of[p.id]:
                lead = self.leads_at[n].get(cid)
                if lead is None:
                    continue
                both = m.new_bool_var(f"with_primary[{p.id},{n}]")
                m.add_multiplication_equality(both, [self.seat[(p.id, n)], lead])
                together.append(both)
            if not together:
                unreachable += 1
                continue
            led = m.new_bool_var(f"primary_leads[{p.id}]")
            m.add_max_equality(led, together)
            not_led.append(1 - led)
        self._term("primary_not_leading", weight, sum(not_led) + unreachable)

    def individual_extra_trip(self) -> None:
        """Appointments not directly before or after the patient's block that day."""
        weight = self.instance.weights.individual_extra_trip
        if not weight or not self.appts:
            return
        m = self.model
        at_time: dict[tuple[str, str, int], list[Var]] = defaultdict(list)
        for (_, pid, _, day, k), v in self.appts.items():
            at_time[(pid, day, k)].append(v)
        trips = []
        for (pid, day, k), vars_ in at_time.items():
            time = self.index.appointment_at[(day, k)]
            for slot in self.index.day_slots(day):
                attend = self.attend.get((pid, slot))
                if attend is None or self.index.next_to(time, slot):
                    continue
                # Exactly one appointment at a time, so the sum is a Boolean.
                trip = m.new_bool_var(f"trip[{pid},{time.label},{slot}]")
                m.add_multiplication_equality(trip, [sum(vars_), attend])
                trips.append(trip)
        self._term("individual_extra_trip", weight, sum(trips))

    def topic_repeat(self) -> None:
        """Repeats no topic choice can avoid: sessions beyond the topics still new to a patient.

        A lower bound of the term: the topics themselves are chosen after the solve, and the
        schedule reports the repeats of that choice (never fewer than this count).
        """
        weight = self.instance.weights.topic_repeat
        soft = [g for g in self.instance.group_types if g.topics and not g.strict_curriculum]
        if not weight or not any(g.topics for g in self.instance.group_types):
            return
        soft_ids = {g.id for g in soft}
        forced = []
        for p in self.instance.patients:
            seats = [
                self.seat[(p.id, n)]
                for n in self.seats_of[p.id]
                if self.candidates[n].group_type.id in soft_ids
            ]
            new = {t for g in soft if self.index.eligible(p, g) for t in g.topics}
            new -= set(p.completed_topics)
            if len(seats) > len(new):
                repeats = self.model.new_int_var(0, len(seats), f"forced_repeats[{p.id}]")
                self.model.add_max_equality(repeats, [0, sum(seats) - len(new)])
                forced.append(repeats)
        self._term("topic_repeat", weight, sum(forced))

    def caseload_imbalance(self) -> None:
        """Largest minus smallest caseload, when the solver assigns primary counselors."""
        weight = self.instance.weights.caseload_imbalance
        if not weight:
            return
        spreads = []
        for site, candidates in self.index.caseload_groups():
            if len(candidates) >= 2:
                loads = {c.id: self._caseload(c) for c in candidates}
                horizon = len(self.instance.patients)
                spreads.append(self._spread(f"caseload{site or ''}", loads, horizon))
        if spreads:
            self._term("caseload_imbalance", weight, sum(spreads))

    def shortfall(self) -> None:
        """Best effort: minutes below min_hours, days below min_days, and sessions missing
        from requirement rows, appointments and screens."""
        if not self.best_effort:
            return
        w = self.instance.weights
        by_term: dict[str, list[Var]] = defaultdict(list)
        for (rule, *_), short in self.shortfalls.items():
            by_term[SHORTFALL_TERM[rule]].append(short)
        for term in ("shortfall_minutes", "shortfall_days", "shortfall_sessions"):
            self._term(term, getattr(w, term), sum(by_term[term]))

    def _spread(
        self, name: str, values: Mapping[str, cp_model.LinearExprT], horizon: int
    ) -> cp_model.LinearExprT:
        """Largest minus smallest of ``values`` (each within 0..horizon)."""
        m = self.model
        loads = []
        for key, expr in values.items():
            load = m.new_int_var(0, horizon, f"{name}[{key}]")
            m.add(load == expr)
            loads.append(load)
        most = m.new_int_var(0, horizon, f"{name}_max")
        least = m.new_int_var(0, horizon, f"{name}_min")
        # Equalities, not bounds: the term must equal the checker's value in every solution.
        m.add_max_equality(most, loads)
        m.add_min_equality(least, loads)
        return most - least

    # -- assembly ------------------------------------------------------------------

    def _floor(
        self, expr: cp_model.LinearExprT, needed: int, rule: str, *ids: str, exact: bool = False
    ) -> None:
        """``expr >= needed`` (``==`` when ``exact``): a patient-side rule.

        In best effort it may fall short: the shortfall max(0, needed - expr) is kept
        for the objective instead (``exact`` rules still never exceed ``needed``).
        """
        m = self.model
        if not self.best_effort:
            self._guard(m.add(expr == needed) if exact else m.add(expr >= needed), rule, *ids)
            return
        if exact:
            m.add(expr <= needed)
        short = m.new_int_var(0, max(needed, 0), f"short[{rule},{','.join(ids)}]")
        m.add_max_equality(short, [0, needed - expr])
        self.shortfalls[(rule, *ids)] = short

    def _guard(self, ct: cp_model.Constraint, rule: str, *ids: str) -> None:
        """In a diagnosis, make ``ct`` hold only under the assumption of (rule, ids)."""
        if not self.diagnose:
            return
        key = (rule, *ids)
        if key not in self.assumptions:
            self.assumptions[key] = self.model.new_bool_var(f"assume[{','.join(key)}]")
        ct.only_enforce_if(self.assumptions[key])

    def _term(self, name: str, weight: int, expr: cp_model.LinearExprT) -> None:
        if weight:
            self.terms[name] = (weight, expr)

    def build(self) -> None:
        """Variables, then hard rules, then soft terms, then the objective."""
        self._add_candidates()

        # Hard rules.
        self.whole_blocks()
        self.one_block_per_day()
        self.hours_and_days()
        self.requirements()
        self.group_size()
        self.avoid_pairs()
        self.rooms()
        self.counselors()
        self.counselor_availability()
        self.together()
        self.strict_curriculum()
        self.appointments()
        self.offices()
        self.counselors_busy()
        self.daily_hours()
        self.primary_counselors()
        self.screens()
        self.break_symmetry()

        # Soft terms.
        self.sessions_run()
        self.excess_minutes()
        self.preferred_missed()
        self.load_imbalance()
        self.primary_not_leading()
        self.individual_extra_trip()
        self.topic_repeat()
        self.caseload_imbalance()
        self.shortfall()
        if self.terms and not self.diagnose:  # CP-SAT takes assumptions without an objective
            self.model.minimize(sum(w * expr for w, expr in self.terms.values()))

    def stats(self) -> dict[str, int]:
        """Sizes of the model, for logs and benchmarks."""
        proto = self.model.proto
        return {
            "candidates": len(self.candidates),
            "seat_vars": len(self.seat),
            "variables": len(proto.variables),
            "constraints": len(proto.constraints),
        }
