"""Seat the whole week jointly after the split of the aggregated model.

``split.split_family`` divides each family on its own and cannot look ahead to
later days: a patient seated away from their primary counselor on Monday may
never meet them. Here a small exact model reseats the members of every family
among its sessions (rooms and teams stay, sizes stay within limits) for the
read-back's soft terms, each with its weight:

- ``primary_not_leading``: the most patients meet their primary counselor somewhere
  in the week;
- ``room_change``: a patient stays in the room of the session before, from one
  period of a block to the next, where a session of their next family is there;
- ``process_peers_changed``: from one meeting of a patient's interpersonal-process
  group type to the next, the fewest peers leave or join.

The greedy split is its hint, so the result is never worse.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from ortools.sat.python import cp_model

from models import GroupType, ProgramIndex
from models.index import PeriodRef
from scheduler.cpsat.split import Part
from scheduler.interrupt import quiet_solver, run_search

Family = tuple[GroupType, list[Part]]


class _Seating:
    """The reseating model: ``seat[(f, i, pid)]`` puts a member of family ``f`` in its
    session ``i``; ``costs`` are the weighted terms it minimizes."""

    def __init__(self, index: ProgramIndex, families: list[Family]) -> None:
        self.index = index
        self.families = families
        self.model = cp_model.CpModel()
        self.seat: dict[tuple[int, int, str], cp_model.IntVar] = {}
        self.costs: list[cp_model.LinearExprT] = []
        # A linear expression, or a constant 0/1 where the family has one session.
        self._together: dict[tuple[int, str, str], Any] = {}
        for f, (g, parts) in enumerate(families):
            members = self.members(f)
            for i, part in enumerate(parts):
                cap = g.holds(index.room[part.room].capacity)
                here = []
                for pid in members:
                    var = self.model.new_bool_var(f"seat[{f},{i},{pid}]")
                    self.model.add_hint(var, pid in part.patients)
                    self.seat[(f, i, pid)] = var
                    here.append(var)
                self.model.add_linear_constraint(sum(here), g.min_size, cap)
            for pid in members:
                self.model.add_exactly_one(self.seat[(f, i, pid)] for i in range(len(parts)))

    def room_now(self, f: int, pid: str) -> str:
        """The room of the session member ``pid`` of family ``f`` sits in before reseating."""
        return next(part.room for part in self.families[f][1] if pid in part.patients)

    def members(self, f: int) -> list[str]:
        return [pid for part in self.families[f][1] for pid in part.patients]

    def together(self, f: int, a: str, b: str) -> Any:
        """1 when members ``a`` and ``b`` of family ``f`` sit in the same session."""
        key = (f, min(a, b), max(a, b))
        if key not in self._together:
            parts = self.families[f][1]
            if len(parts) == 1:
                self._together[key] = 1
            else:
                both = []
                for i, part in enumerate(parts):
                    sa, sb = self.seat[(f, i, a)], self.seat[(f, i, b)]
                    z = self.model.new_bool_var(f"together[{f},{i},{a},{b}]")
                    self.model.add_bool_and([sa, sb]).only_enforce_if(z)
                    self.model.add_bool_or([sa.Not(), sb.Not()]).only_enforce_if(z.Not())
                    self.model.add_hint(z, a in part.patients and b in part.patients)
                    both.append(z)
                self._together[key] = sum(both)
        return self._together[key]

    def solve(self, time_limit: float, wall_limit: float | None) -> list[list[Part]]:
        """The reseated parts of every family (the given ones when nothing was found)."""
        if not self.costs:
            return [parts for _, parts in self.families]
        self.model.minimize(sum(self.costs))
        solver = quiet_solver()
        solver.parameters.num_workers = 1
        # Deterministic time: the same solve gives the same sessions on any machine.
        solver.parameters.max_deterministic_time = time_limit
        if wall_limit is not None:
            solver.parameters.max_time_in_seconds = wall_limit
        if run_search(solver, self.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return [parts for _, parts in self.families]  # out of time before the hint
        return [
            [
                Part(
                    part.room,
                    part.counselors,
                    sorted(
                        pid
                        for pid in self.members(f)
                        if solver.boolean_value(self.seat[(f, i, pid)])
                    ),
                )
                for i, part in enumerate(parts)
            ]
            for f, (_, parts) in enumerate(self.families)
        ]


def seat_jointly(
    index: ProgramIndex,
    families: list[Family],
    time_limit: float = 2.0,
    wall_limit: float | None = None,
    periods: list[PeriodRef] | None = None,
    pinned: list[tuple[int, int, str]] | None = None,
    cohort_of: Mapping[str, int] | None = None,
) -> list[list[Part]]:
    """Reseat the members of every family among its sessions (rooms and teams stay),
    within each session's size limits, for the read-back's soft terms: patients who
    meet their primary counselor, and, with ``periods`` (the period of each family),
    patients who keep their room through a block and their process peers from meeting
    to meeting.

    Families of one session have no choice but still count. Returns the parts of each
    family in the order given; the given split is kept when nothing is better (or
    nothing is found in ``time_limit``, deterministic time, or ``wall_limit`` seconds).
    ``pinned`` (family, part, patient): patients a pin keeps in that part.
    ``cohort_of`` (patient -> planned cohort): members of a cohort who sit in one session
    stay together (the reseating moves them as one).
    """
    seating = _Seating(index, families)
    for f, i, pid in pinned or []:
        seating.model.add(seating.seat[(f, i, pid)] == 1)
    if cohort_of:
        _cohorts_stay(seating, cohort_of)
    weights = index.instance.weights
    if weights.primary_not_leading:
        _primary(seating, weights.primary_not_leading)
    if periods is not None:
        if weights.room_change:
            _room_stays(seating, periods, weights.room_change)
        if weights.process_peers_changed:
            _process_peers(seating, periods, weights.process_peers_changed)
    return seating.solve(time_limit, wall_limit)


def _cohorts_stay(seating: _Seating, cohort_of: Mapping[str, int]) -> None:
    """Members of a planned cohort seated in one session move only together."""
    for f, (_, parts) in enumerate(seating.families):
        if len(parts) < 2:
            continue
        for part in parts:
            by_cohort: dict[int, list[str]] = defaultdict(list)
            for pid in part.patients:
                if pid in cohort_of:
                    by_cohort[cohort_of[pid]].append(pid)
            for first, *others in by_cohort.values():
                for pid in others:
                    for i in range(len(parts)):
                        seating.model.add(seating.seat[(f, i, pid)] == seating.seat[(f, i, first)])


def _primary(seating: _Seating, weight: int) -> None:
    """Patients who meet their primary counselor in none of their sessions."""
    meets: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (f, i, pid), var in seating.seat.items():
        if seating.index.patient[pid].primary_counselor in seating.families[f][1][i].counselors:
            meets[pid].append(var)
    for pid, options in meets.items():
        met = seating.model.new_bool_var(f"meets_primary[{pid}]")
        seating.model.add(met <= sum(options))
        seating.costs.append(weight * (1 - met))


def _where(seating: _Seating, periods: list[PeriodRef]) -> dict[str, list[tuple[PeriodRef, int]]]:
    """Each patient's families with their periods, in week order."""
    rank = seating.index.slot_rank
    mine: dict[str, list[tuple[PeriodRef, int]]] = defaultdict(list)
    for f, period in enumerate(periods):
        for pid in seating.members(f):
            mine[pid].append((period, f))
    for here in mine.values():
        here.sort(key=lambda pf: (rank[pf[0].slot], pf[0].index))
    return mine


def _room_stays(seating: _Seating, periods: list[PeriodRef], weight: int) -> None:
    """A patient changing rooms from one period of a block to the next."""
    m = seating.model
    for pid, here in _where(seating, periods).items():
        for (pa, fa), (pb, fb) in zip(here, here[1:]):
            if pa.slot != pb.slot or pb.index != pa.index + 1:
                continue
            after = {part.room: j for j, part in enumerate(seating.families[fb][1])}
            parts = seating.families[fa][1]
            if not any(part.room in after for part in parts):
                continue  # a change whatever the seating: the rooms decide it
            stay = m.new_bool_var(f"stay[{pid},{fa},{fb}]")
            m.add_hint(stay, seating.room_now(fa, pid) == seating.room_now(fb, pid))
            for i, part in enumerate(parts):
                there = seating.seat[(fa, i, pid)]
                if part.room in after:
                    # Staying from session i means sitting in the next family's session there.
                    m.add_implication(
                        stay, seating.seat[(fb, after[part.room], pid)]
                    ).only_enforce_if(there)
                else:
                    m.add_implication(there, stay.Not())
            seating.costs.append(weight * (1 - stay))


def _process_peers(seating: _Seating, periods: list[PeriodRef], weight: int) -> None:
    """Peers who leave or join between consecutive meetings of a patient's process type."""
    m = seating.model
    for pid, here in _where(seating, periods).items():
        meetings: dict[str, list[int]] = defaultdict(list)
        for _, f in here:
            g = seating.families[f][0]
            if g.kind == "interpersonal_process":
                meetings[g.id].append(f)
        for fs in meetings.values():
            for fa, fb in zip(fs, fs[1:]):
                if len(seating.families[fa][1]) == 1 and len(seating.families[fb][1]) == 1:
                    continue  # the model decided these peers
                was, now = set(seating.members(fa)), set(seating.members(fb))
                for q in sorted((was | now) - {pid}):
                    a = seating.together(fa, pid, q) if q in was else 0
                    b = seating.together(fb, pid, q) if q in now else 0
                    if isinstance(a, int) and isinstance(b, int):
                        continue
                    diff = m.new_bool_var(f"peer_changed[{pid},{fa},{fb},{q}]")
                    was_with = q in was and seating.room_now(fa, q) == seating.room_now(fa, pid)
                    now_with = q in now and seating.room_now(fb, q) == seating.room_now(fb, pid)
                    m.add_hint(diff, was_with != now_with)
                    m.add(diff >= a - b)
                    m.add(diff >= b - a)
                    seating.costs.append(weight * diff)
