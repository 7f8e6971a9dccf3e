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
from dataclasses import dataclass

from ortools.sat.python import cp_model

from models import GroupType, Instance, Patient, ProgramIndex
from models.index import PeriodRef

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
    keeping avoid pairs out of a whole family, it is a relaxation of the plain
    one: every plain schedule maps onto it with the same or a lower objective.
    """

    def __init__(self, instance: Instance, aggregate: bool = False) -> None:
        self.instance = instance
        self.aggregate = aggregate
        self.index = ProgramIndex(instance)
        self.model = cp_model.CpModel()
        self.candidates: list[Candidate] = []
        self.open: dict[int, Var] = {}
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
        # Soft terms: name -> (weight, expression). The objective is their weighted sum.
        self.terms: dict[str, tuple[int, cp_model.LinearExprT]] = {}
        self.build()

    # -- variables -----------------------------------------------------------------

    def _copies(self, period: PeriodRef, g: GroupType, patients: list[Patient]) -> int:
        """How many parallel sessions of this type could run in the period, at most."""
        rooms = [r for r in self.instance.rooms if period.slot in self.index.room_slots(r)]
        leaders = [
            c
            for c in self.instance.counselors
            if g.id in c.qualified and period.slot in c.available
        ]
        return min(len(patients) // g.min_size, len(rooms), len(leaders))

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
        for p in members:
            self.seat[(p.id, n)] = m.new_bool_var(f"seat[{p.id},{n}]")
            self.members[n].append(p.id)
            self.seats_of[p.id].append(n)
        for r in self.instance.rooms:
            if (
                cand.period.slot in self.index.room_slots(r)
                and r.capacity >= cand.group_type.min_size
            ):
                self.rooms_at[n][r.id] = m.new_bool_var(f"room[{n},{r.id}]")
        for c in self.instance.counselors:
            if cand.group_type.id in c.qualified and cand.period.slot in c.available:
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
            self.model.add_linear_constraint(total, p.min_minutes, p.max_minutes)
            self.model.add(sum(var for _, var in attended) >= p.min_days)

    def requirements(self) -> None:
        """Every requirement row of a patient's stage: sessions of a type or kind in range."""
        for p in self.instance.patients:
            for _, req in self.index.requirements_of(p):
                seats = [
                    self.seat[(p.id, n)]
                    for n in self.seats_of[p.id]
                    if self.index.counts_for(req, self.candidates[n].group_type)
                ]
                high = len(seats) if req.max_sessions is None else req.max_sessions
                self.model.add_linear_constraint(sum(seats), req.min_sessions, max(high, 0))

    def group_size(self) -> None:
        """A session runs with min_size to max_size members, within its room's capacity."""
        m = self.model
        for cand in self.candidates:
            n = cand.number
            g = cand.group_type
            seats = [self.seat[(pid, n)] for pid in self.members[n]]
            size = sum(seats)
            m.add(size >= g.min_size * self.open[n])
            # Each session is bounded by the smaller of max_size and its room's capacity.
            seats_per_room = [
                (min(g.max_size, self.index.room[rid].capacity), v)
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
        """One qualified, available counselor per session, one session at a time, within max_hours."""
        by_counselor_period: dict[tuple[str, str, int], list[Var]] = defaultdict(list)
        for cand in self.candidates:
            leads = self.leads_at[cand.number]
            self.model.add(sum(leads.values()) == self.open[cand.number])
            for cid, v in leads.items():
                by_counselor_period[(cid, *cand.period.key)].append(v)
        for vars_ in by_counselor_period.values():
            if len(vars_) > 1:
                self.model.add_at_most_one(vars_)
        for cid, items in self.minutes_led.items():
            cap = self.index.counselor[cid].max_minutes
            if cap is not None:
                self.model.add(sum(mins * v for mins, v in items) <= cap)

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
        self._term("excess_minutes", self.instance.weights.excess_minutes, sum(attended) - required)

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
        leaders = self.index.group_leaders
        weight = self.instance.weights.load_imbalance_minutes
        if len(leaders) < 2 or not weight:
            return
        horizon = sum(p.minutes for p in self.index.periods)
        loads = []
        for c in leaders:
            load = self.model.new_int_var(0, horizon, f"load[{c.id}]")
            self.model.add(load == sum(mins * v for mins, v in self.minutes_led.get(c.id, [])))
            loads.append(load)
        most = self.model.new_int_var(0, horizon, "load_max")
        least = self.model.new_int_var(0, horizon, "load_min")
        # Equalities, not bounds: the term must equal the checker's value in every solution.
        self.model.add_max_equality(most, loads)
        self.model.add_min_equality(least, loads)
        self._term("load_imbalance_minutes", weight, most - least)

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

    # -- assembly ------------------------------------------------------------------

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
        self.break_symmetry()

        # Soft terms.
        self.sessions_run()
        self.excess_minutes()
        self.preferred_missed()
        self.load_imbalance()
        self.primary_not_leading()
        if self.terms:
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
