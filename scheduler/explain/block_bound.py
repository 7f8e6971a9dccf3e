"""A lower bound on the objective from the linear relaxation of a patient-side model
with whole blocks: stronger than the patient-by-patient floor, and still fast.

The patient-by-patient floor (:mod:`scheduler.explain.bound`) prices each seat at the
cheapest share of a session and each patient alone. This bound keeps what ties the
patients of a block together, in one linear program (GLOP), and its optimal value,
rounded up, is the bound. Its variables:

- ``x[p, s]``: patient ``p`` attends slot ``s`` (0..1), at most one block a day, within
  their hours and days;
- ``y[p, s, g]``: the periods of slot ``s`` in which ``p`` sits in a group of type ``g``
  (0..periods), as many as the block has periods when ``p`` attends, within the
  patient's requirement rows; only types the patient may join and that can run in
  the slot (a room that seats ``min_size``, enough qualified staff available there);
- ``k[g, stage, s]``: sessions of ``g`` in the slot, all periods together, one family
  per stage for a stage-matched type (a stage-matched session holds one stage);
- ``N[s]``: sessions in the slot, and ``z[s, i]``: the slot needs ``i`` or more sessions
  in each of its periods.

What every timetable the checker accepts satisfies (each a rule of the checker), so
that its objective is at least the LP's:

- ``k * capacity >= seats`` and ``k * min_size <= seats``, ``capacity`` the most the
  type holds in a room open in the slot (``GroupType.holds``);
- ``k >= y[p, s, g]``: a patient who sits a type in ``j`` periods of a block is in ``j``
  sessions of it (the disaggregated form, which makes the LP see whole sessions);
- each period of an attended block holds all of the block's patients (whole blocks),
  each session in a room of its own (one session a room a period), so a period of
  ``P`` patients has at least the fewest sessions whose rooms' capacities (the largest
  first) add up to ``P``, and at least one when anyone attends (``z[s, 0] >= x[p, s]``);
- ``N[s] >= sum of k`` and ``N[s] >= periods * sum of z``; at most ``periods`` times
  the rooms (or counselors) open in the slot.

Its objective is ``session_run * sum N`` plus each patient's ``excess_minutes`` and
``preferred_missed`` (exact in ``x``), ``type_repeat_in_block`` (a type sat ``y`` times
in a block is ``y - 1`` repeats, less the most repeats the rows can force:
:func:`scheduler.check.cohorts.forced_repeats`), ``topic_repeat`` (sessions of types
with topics beyond the topics the patient has not heard yet) and ``primary_not_leading``
(1 less the seats in slots and types their primary counselor could lead). Every other
term (the cohort terms between patients, balance, appointments) is at least 0.

With sites, the sessions are counted per site (a session's patients all attend the
site of its room). Pins and last week are left out: a relaxation of the pinned week,
and the stability terms are at least 0. A best-effort solve is not bounded (its
patient-side rules are soft).

It is a relaxation of the checker's rules, so it holds for every valid timetable;
what it leaves out is the rounding that fractional patients avoid (a patient half in
two slots fills two half sessions), staff (who leads, hours, primaries) and the
cohort terms. The LP is solved to optimality or not used: a bound from an
unfinished LP would not be valid.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from ortools.linear_solver import pywraplp

from models import GroupType, Instance, Patient, ProgramIndex, Room
from scheduler.check.cohorts import forced_repeats
from scheduler.explain.precheck import can_run_in

# pywraplp.Variable: its natural API (x <= y, 2 * x) is untyped.
Var: TypeAlias = Any
# The LP's value is exact only to GLOP's tolerances, and every objective is an integer:
# a little is taken off before rounding up (1613.99 and 1614.02 both give 1614).
_SLACK = 0.05
_RELATIVE_SLACK = 1e-6


def block_bound(instance: Instance, deterministic_time: float | None = None) -> int | None:
    """The bound: the LP's optimal value rounded up.

    Parameters
    ----------
    instance
        Any valid instance (best-effort solves are not bounded by it: their
        patient-side rules are soft).
    deterministic_time
        GLOP's deterministic time limit (about a second of wall time each, on the
        development machine); None: no limit. The same instance and limit give the
        same answer on any machine.

    Returns
    -------
    int | None
        A lower bound on the objective of every timetable the checker accepts; None
        when the LP did not finish within the limit or has no solution (then the
        instance has no timetable; the pre-checks and ``explain`` say why).
    """
    relaxation = _Relaxation(instance)
    relaxation.build()
    return relaxation.solve(deterministic_time)


@dataclass
class _Relaxation:
    """The LP: variables keyed as in the module docstring, and the objective's parts."""

    instance: Instance
    lp: pywraplp.Solver = field(init=False)
    index: ProgramIndex = field(init=False)
    x: dict[tuple[str, str], Var] = field(default_factory=dict)
    y: dict[tuple[str, str, str], Var] = field(default_factory=dict)
    # Each patient's (slot, type, seats), in the order of ``y``.
    mine: dict[str, list[tuple[str, GroupType, Var]]] = field(default_factory=dict)
    cost: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.index = ProgramIndex(self.instance)

    def total(self, terms: Iterable[Any]) -> Any:
        """The sum of variables or expressions, as the LP's expression."""
        return self.lp.Sum(list(terms))

    def var(self, upper: float) -> Var:
        return self.lp.NumVar(0.0, upper, "")

    def build(self) -> None:
        for p in self.instance.patients:
            self.patient_week(p)
            self.requirements(p)
            self.type_repeats(p)
            self.topic_repeats(p)
            self.primary_not_leading(p)
        sites: list[str | None] = [*self.index.sites] or [None]
        for site in sites:
            for slot in self.index.slots:
                self.sessions(site, slot)

    def solve(self, deterministic_time: float | None) -> int | None:
        if deterministic_time is not None:
            self.lp.SetSolverSpecificParametersAsString(
                f"max_deterministic_time: {deterministic_time}"
            )
        self.lp.Minimize(self.total(self.cost))
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        value = self.lp.Objective().Value()
        return math.ceil(value - _SLACK - _RELATIVE_SLACK * abs(value))

    # -- where groups can run -----------------------------------------------------------

    def rooms(self, site: str | None, slot: str) -> list[Room]:
        """Group rooms open in the slot (at the site, with sites)."""
        here = self.index.group_rooms if site is None else self.index.group_rooms_at(site)
        return [r for r in here if slot in self.index.room_slots(r)]

    def runs(self, site: str | None, slot: str, g: GroupType) -> bool:
        """A session of ``g`` can run in the slot: a room seats its minimum size, and
        enough qualified counselors (one with its role) are available there."""
        if not any(g.holds(r.capacity) >= g.min_size for r in self.rooms(site, slot)):
            return False
        staff = [c for c in self.instance.counselors if self.index.works_at(c, site)]
        return can_run_in(self.index, g, staff, slot)

    # -- the patients ---------------------------------------------------------------------

    def patient_week(self, p: Patient) -> None:
        """Blocks (at most one a day, hours, days) and a seat in every period of them."""
        idx, w = self.index, self.instance.weights
        slots = idx.patient_slots(p)
        types = [g for g in self.instance.group_types if idx.eligible(p, g)]
        by_day: dict[str, list[Var]] = defaultdict(list)
        for s in slots:
            self.x[p.id, s] = x = self.var(1)
            by_day[idx.day_of[s]].append(x)
            periods = len(idx.periods_of[s])
            seats = []
            for g in types:
                if self.runs(p.site, s, g):
                    self.y[p.id, s, g.id] = y = self.var(periods)
                    self.mine.setdefault(p.id, []).append((s, g, y))
                    seats.append(y)
            self.lp.Add(self.total(seats) == periods * x)
        for day in by_day.values():
            self.lp.Add(self.total(day) <= 1)
        minutes = self.total(idx.block_minutes(s) * self.x[p.id, s] for s in slots)
        self.lp.Add(minutes >= p.min_minutes)
        self.lp.Add(minutes <= p.max_minutes)
        self.lp.Add(self.total(self.x[p.id, s] for s in slots) >= p.min_days)
        if w.excess_minutes:
            self.cost.append(w.excess_minutes * (minutes - p.min_minutes))
        if p.preferred and w.preferred_missed:
            missed = [self.x[p.id, s] for s in slots if s not in p.preferred]
            self.cost.append(w.preferred_missed * self.total(missed))

    def seats(self, p: Patient) -> list[tuple[str, GroupType, Var]]:
        """(slot, type, seats) of the patient."""
        return self.mine.get(p.id, [])

    def requirements(self, p: Patient) -> None:
        """Every requirement row of the patient's stage."""
        mine = self.seats(p)
        for _, req in self.index.requirements_of(p):
            got = self.total((y for _, g, y in mine if self.index.counts_for(req, g)))
            self.lp.Add(got >= req.min_sessions)
            if req.max_sessions is not None:
                self.lp.Add(got <= req.max_sessions)

    def type_repeats(self, p: Patient) -> None:
        """A type sat ``y`` times in a block is ``y - 1`` repeats; the rows force at most
        the most :func:`forced_repeats` gives for any number of blocks they can attend."""
        w = self.instance.weights.type_repeat_in_block
        if not w:
            return
        extras = []
        for s, _, y in self.seats(p):
            periods = len(self.index.periods_of[s])
            if periods > 1:
                extra = self.var(periods - 1)
                self.lp.Add(extra >= y - self.x[p.id, s])
                extras.append(extra)
        if not extras:
            return
        slots = self.index.patient_slots(p)
        longest = max(self.index.block_minutes(s) for s in slots)
        fewest = max(p.min_days, math.ceil(p.min_minutes / longest))
        most = len({self.index.day_of[s] for s in slots})
        allowed = max(
            (forced_repeats(self.index, p, b) for b in range(fewest, most + 1)), default=0
        )
        penalty = self.var(self.lp.infinity())
        self.lp.Add(penalty >= self.total(extras) - allowed)
        self.cost.append(w * penalty)

    def topic_repeats(self, p: Patient) -> None:
        """Sessions of types with topics beyond the topics the patient has not heard: each
        is a repeat (a repeat of a strict curriculum's topic is not valid at all)."""
        w = self.instance.weights.topic_repeat
        mine = [(g, y) for _, g, y in self.seats(p) if g.topics]
        if not w or not mine:
            return
        fresh = {t for g, _ in mine for t in g.topics} - set(p.completed_topics)
        repeats = self.var(self.lp.infinity())
        self.lp.Add(repeats >= self.total((y for _, y in mine)) - len(fresh))
        self.cost.append(w * repeats)

    def primary_not_leading(self, p: Patient) -> None:
        """The given primary counselor leads one of the patient's groups only in a seat of
        a type they are qualified for, in a slot they are available in."""
        w = self.instance.weights.primary_not_leading
        c = self.index.counselor.get(p.primary_counselor or "")
        if not w or c is None:
            return
        met = self.var(1)
        could = [
            y
            for s, g, y in self.seats(p)
            if g.id in c.qualified and s in c.available and self.index.works_at(c, p.site)
        ]
        self.lp.Add(met <= self.total(could))
        self.cost.append(w * (1 - met))

    # -- the sessions ---------------------------------------------------------------------

    def sessions(self, site: str | None, slot: str) -> None:
        """Sessions in the slot (at the site): enough for every family's seats and for
        every period's patients."""
        idx, w = self.index, self.instance.weights
        patients = [p for p in self.instance.patients if (p.id, slot) in self.x and p.site == site]
        if not patients:
            return
        periods = len(idx.periods_of[slot])
        rooms = self.rooms(site, slot)
        if not rooms:  # no group can run: nobody attends
            for p in patients:
                self.lp.Add(self.x[p.id, slot] == 0)
            return
        most = periods * len(rooms)
        counts = []
        for g in self.instance.group_types:
            cap = max((g.holds(r.capacity) for r in rooms), default=0)
            # A stage-matched session holds one stage: a family per stage.
            stages = sorted({p.stage for p in patients}) if g.stage_matched else [None]
            for stage in stages:
                seats = [
                    self.y[p.id, slot, g.id]
                    for p in patients
                    if (p.id, slot, g.id) in self.y and stage in (None, p.stage)
                ]
                if not seats:
                    continue
                k = self.var(most)
                total = self.total(seats)
                self.lp.Add(cap * k >= total)
                self.lp.Add(g.min_size * k <= total)
                for y in seats:
                    self.lp.Add(k >= y)
                counts.append(k)
        leaders = [
            c for c in self.instance.counselors if slot in c.available and idx.works_at(c, site)
        ]
        n = self.var(periods * min(len(rooms), len(leaders)))
        self.lp.Add(n >= self.total(counts))
        # Each period: the fewest rooms, largest first, that seat everyone attending.
        caps = sorted(
            (max(g.holds(r.capacity) for g in self.instance.group_types) for r in rooms),
            reverse=True,
        )
        z = [self.var(1) for _ in caps]
        for wider, narrower in zip(z, z[1:]):
            self.lp.Add(narrower <= wider)
        attending = [self.x[p.id, slot] for p in patients]
        self.lp.Add(self.total(attending) <= self.total((c * v for c, v in zip(caps, z))))
        for x in attending:
            self.lp.Add(x <= z[0])
        self.lp.Add(n >= periods * self.total(z))
        if w.session_run:
            self.cost.append(w.session_run * n)
