"""Steps 1 and 3, the blocks: each patient's fewest blocks that meet their hours and
days, near their stage cohort and the staff of their appointments."""

from __future__ import annotations

import math
import random
from collections import defaultdict

from models import Patient
from models.index import AppointmentTime
from scheduler.greedy.claiming import claim_for, reach_on
from scheduler.greedy.diaries import open_diaries
from scheduler.greedy.hints import Hints, Stuck
from scheduler.greedy.lookups import Program
from scheduler.greedy.primaries import counselors_for

# Block choice costs, in objective units where they have one.
COHORT_COST = 300.0  # joining a block with no patient of one's stage (a lonely seat)
AVOID_COST = 200.0  # a block an avoided patient of one's stage attends
FULL_COST = 1e6  # a block whose rooms or staff are all taken
KEEP_OUT_COST = 1e5  # a block a hint keeps the patient out of
REACH_COST = 1e4  # a day short of those the appointments need
DROP_PLAN_COST = 3000.0  # not attending on the day of a planned appointment
EMPTY_BLOCK_COST = 6000.0  # a block with too few patients for any group (see _empty_block_cost)


class BlockChooser:
    """Each patient's blocks: fewest that meet hours and days, near their cohort and staff."""

    def __init__(
        self, prog: Program, hints: Hints, rng: random.Random, diaries_first: bool = True
    ) -> None:
        """With ``diaries_first``, a first pass chooses blocks for cohorts alone, the
        appointment diaries are planned on those days where they can be, and the blocks
        are chosen again around the diaries."""
        self.prog = prog
        self.idx = prog.idx
        self.hints = hints
        self.rng = rng
        self.stage_count: dict[tuple[str, str], int] = defaultdict(int)
        self.total_count: dict[str, int] = defaultdict(int)
        self.consolidating = False
        self.attend: dict[str, list[str]] = {}
        ideal = None
        if diaries_first:
            sketch = BlockChooser(prog, hints, random.Random(rng.random()), diaries_first=False)
            ideal = sketch.run()
        self.claims = open_diaries(prog, self.attend, hints, ideal)

    def run(self) -> dict[str, list[str]]:
        patients = list(self.prog.inst.patients)
        tie = {p.id: self.rng.random() for p in patients}
        patients.sort(key=lambda p: (self._flexibility(p), tie[p.id]))
        for p in patients:
            self._place(p)
        self._rehome_lonely(patients)
        return self.attend

    def _flexibility(self, p: Patient) -> int:
        """Choices left over: the patients with fewest choose first (blocks, or the days
        their primary counselor can see them)."""
        idx = self.idx
        days = {idx.day_of[s] for s in p.available}
        blocks = len(days) + len(p.available) - 2 * max(p.min_days, 1)
        need = idx.individual_per_week(p)
        primary = p.primary_counselor or self.claims.primary.get(p.id)
        if not need or primary is None:
            return blocks
        return min(blocks, 2 * (self.claims.days_meeting(p, primary) - need))

    def _place(self, p: Patient, bump: bool = True) -> None:
        """Choose the patient's blocks and pencil in their appointments; if a counselor's
        diary is full on those days, ask one of its patients to come on other days."""
        self._choose(p)
        if bump and self._short_of(p) is not None:
            self._bump_for(p)

    def _choose(self, p: Patient) -> None:
        primaries = counselors_for(self.claims, p)
        chosen = self._best_blocks(p, primaries[:1])[1]
        if chosen is None:
            raise Stuck(
                f"blocks: no set of {p.id}'s available blocks meets min_hours, max_hours and "
                "min_days",
                "final",
                p.id,
            )
        self.attend[p.id] = chosen
        for s in chosen:
            self.stage_count[(p.stage, s)] += 1
            self.total_count[s] += 1
        for c in list(self.claims.of_patient.get(p.id, [])):
            if not self._fits_blocks(c.time, chosen):  # a planned day the blocks missed
                self.claims.release_one(p.id, c)
        claim_for(self.claims, p, chosen, primaries)

    def _fits_blocks(self, t: AppointmentTime, chosen: list[str]) -> bool:
        """Whether the patient attends a block on the time's day that it does not overlap."""
        return any(
            self.idx.day_of[s] == t.day and s not in self.prog.clashing[t.key] for s in chosen
        )

    def _remove(self, p: Patient, keep_planned: bool = True) -> None:
        self.claims.release(p, keep_planned=keep_planned)
        for s in self.attend.pop(p.id):
            self.stage_count[(p.stage, s)] -= 1
            self.total_count[s] -= 1

    def _short_of(self, p: Patient) -> str | None:
        """The kind of appointment the patient has no time pencilled in for, if any."""
        mine = self.claims.of_patient.get(p.id, [])
        if sum(1 for c in mine if c.kind == "individual") < self.idx.individual_per_week(p):
            return "individual"
        if self.idx.needs_medication(p) and not any(c.kind == "medication" for c in mine):
            return "medication"
        return None

    def _bump_for(self, p: Patient) -> None:
        """Free a time for ``p`` by re-placing the patient who holds it (once, undone if
        that patient then falls short)."""
        kind = self._short_of(p)
        staff = (
            counselors_for(self.claims, p)[:1]
            if kind == "individual"
            else sorted(c.id for c in self.idx.prescribers)
        )
        holders = []
        for cid in staff:
            for slot in self.attend[p.id]:
                for t in self.claims.times_near(p, slot):
                    q = self.claims.holder.get((cid, t.day, t.index))
                    if q is not None and q != p.id and q not in holders and q in self.attend:
                        holders.append(q)
        for q in holders:
            saved = self._snapshot()
            other = self.idx.patient[q]
            self._remove(other, keep_planned=False)
            self.claims.release(p, kind=kind)
            claim_for(self.claims, p, self.attend[p.id], counselors_for(self.claims, p))
            if self._short_of(p) is None:
                self._place(other, bump=False)
                if self._short_of(other) is None:
                    return
            self._restore(saved)

    def _snapshot(self) -> tuple[object, ...]:
        c = self.claims
        return (
            {k: list(v) for k, v in self.attend.items()},
            dict(self.stage_count),
            dict(c.holder),
            dict(c.office_load),
            dict(c.individual),
            dict(c.prescribed),
            dict(c.caseload),
            dict(c.primary),
            {k: list(v) for k, v in c.of_patient.items()},
        )

    def _restore(self, saved: tuple[object, ...]) -> None:
        c = self.claims
        attend, stage_count, holder, office, individual, prescribed, caseload, primary, of = saved
        self.attend.clear()
        self.attend.update(attend)  # type: ignore[call-overload]
        self.stage_count = defaultdict(int, stage_count)  # type: ignore[call-overload]
        c.holder = dict(holder)  # type: ignore[call-overload]
        c.office_load = defaultdict(int, office)  # type: ignore[call-overload]
        c.individual = defaultdict(int, individual)  # type: ignore[call-overload]
        c.prescribed = defaultdict(int, prescribed)  # type: ignore[call-overload]
        c.caseload = defaultdict(int, caseload)  # type: ignore[call-overload]
        c.primary = dict(primary)  # type: ignore[call-overload]
        c.of_patient = defaultdict(list, of)  # type: ignore[call-overload]

    def _rehome_lonely(self, patients: list[Patient]) -> None:
        """While some stage group of a block is too small, its patients and those who could
        join it choose again (a few rounds; each choice lowers the total lonely cost)."""
        self.consolidating = True  # now a block too empty for any group costs its patients
        few = self.prog.smallest_group
        for _ in range(4):
            moved = False
            for p in patients:
                lonely = [
                    s
                    for s in p.available
                    if 0 < self.stage_count[(p.stage, s)] < self.prog.class_min(p.stage)
                    or 0 < self.total_count[s] < few
                ]
                if not lonely:
                    continue
                before = self.attend[p.id]
                self._remove(p)
                self._place(p)
                moved |= self.attend[p.id] != before
            if not moved:
                break
        self.consolidating = False

    # The groups a block would need with one more patient of the stage.
    def _groups_with(self, slot: str, stage: str) -> int:
        prog = self.prog
        groups = 0
        lonely = 0
        for st in prog.inst.stages:
            n = self.stage_count[(st, slot)] + (1 if st == stage else 0)
            if n >= prog.class_min(st):
                groups += math.ceil(n / prog.class_limit[st])
            else:
                lonely += n
        if lonely >= prog.mixed_min:
            groups += math.ceil(lonely / prog.mixed_limit)
        # Stragglers joining a class as guests make it larger: the block's patients must
        # fit the groups at the largest class size.
        total = self.total_count[slot] + 1
        return max(groups, math.ceil(total / max(prog.class_limit.values())))

    def _slot_cost(self, p: Patient, slot: str) -> float:
        prog = self.prog
        w = prog.inst.weights
        cost = 0.0
        if p.preferred and slot not in p.preferred:
            cost += w.preferred_missed
        cost += self._lonely_cost(p.stage, slot)
        if self.consolidating:
            cost += self._empty_block_cost(slot)
        if self._groups_with(slot, p.stage) > prog.slot_groups[slot] - self.hints.fewer[slot]:
            cost += FULL_COST
        if slot in self.hints.keep_out.get(p.id, ()):
            cost += KEEP_OUT_COST
        if any(
            slot in self.attend.get(q, ()) and prog.idx.patient[q].stage == p.stage
            for q in prog.avoid.get(p.id, ())
        ):
            cost += AVOID_COST
        return cost

    def _empty_block_cost(self, slot: str) -> float:
        """What joining adds to the cost of a block with too few patients for any group:
        each patient it lacks costs (more than an appointment planned that day, which is
        then found again), so a lone patient leaves and one who cannot draws others in."""
        need = self.prog.smallest_group
        n = self.total_count[slot]

        def total(k: int) -> float:
            return EMPTY_BLOCK_COST * (need - k) if 0 < k < need else 0.0

        return total(n + 1) - total(n)

    def _lonely_cost(self, stage: str, slot: str) -> float:
        """What joining adds to the block's lonely cost: every patient of a stage group too
        small for a stage-matched group costs in proportion to the members it lacks, so joining
        a group that is almost large enough is worth more than starting a new one."""
        need = self.prog.class_min(stage)
        n = self.stage_count[(stage, slot)]

        def total(k: int) -> float:
            return COHORT_COST * k * (need - k) / need if k < need else 0.0

        cost = total(n + 1) - total(n)
        if n % self.prog.class_limit[stage] == 0:
            # The first patient of a class: its groups run all block, whoever else comes.
            cost += self.prog.inst.weights.session_run * self.prog.block_periods[slot] / 2
        return cost

    def _best_blocks(self, p: Patient, primaries: list[str]) -> tuple[float, list[str] | None]:
        """One block a day at most, by dynamic programming over the days; with its cost."""
        idx = self.idx
        slots = idx.patient_slots(p)
        # The days of the appointments planned in the diaries are fixed: a block that day
        # that does not overlap them.
        planned: dict[str, list[AppointmentTime]] = defaultdict(list)
        for claim in self.claims.of_patient.get(p.id, []):
            planned[claim.time.day].append(claim.time)
        kinds = [c.kind for c in self.claims.of_patient.get(p.id, [])]
        need_ind = max(0, idx.individual_per_week(p) - kinds.count("individual"))
        need_rx = 1 if idx.needs_medication(p) and "medication" not in kinds else 0
        reach = {s: reach_on(self.claims, p, s, primaries) for s in slots}
        # state: (days, minutes, periods, days the primary reaches, prescriber reaches)
        State = tuple[int, int, int, int, int]
        states: dict[State, tuple[float, tuple[str, ...]]] = {(0, 0, 0, 0, 0): (0.0, ())}
        for day in self.prog.inst.days:
            options = [
                (s, self._slot_cost(p, s) + reach[s][2])
                for s in slots
                if idx.day_of[s] == day
                and not any(s in self.prog.clashing[t.key] for t in planned.get(day, []))
            ]
            # Skipping a planned day costs: its appointment must then be found again.
            skip = DROP_PLAN_COST if options and day in planned else 0.0
            grown = {key: (cost + skip, chosen) for key, (cost, chosen) in states.items()}
            for (d, mins, per, ri, rx), (cost, chosen) in states.items():
                for s, c in options:
                    m2 = mins + self.prog.block_minutes[s]
                    if m2 > p.max_minutes:
                        continue
                    key = (
                        d + 1,
                        m2,
                        per + self.prog.block_periods[s],
                        min(need_ind, ri + reach[s][0]),
                        min(need_rx, rx + reach[s][1]),
                    )
                    value = (cost + c, (*chosen, s))
                    if key not in grown or value < grown[key]:
                        grown[key] = value
            states = grown
        reach_cost = REACH_COST * (10 if p.id in self.hints.near_staff else 1)
        best: tuple[float, tuple[str, ...]] | None = None
        for (d, mins, per, ri, rx), (cost, chosen) in states.items():
            if mins < p.min_minutes or d < max(p.min_days, need_ind) or not chosen:
                continue
            if per < self.prog.need_periods(p):
                continue
            total = cost + self.prog.inst.weights.excess_minutes * (mins - p.min_minutes)
            total += reach_cost * ((need_ind - ri) + (need_rx - rx))
            if best is None or (total, chosen) < best:
                best = (total, chosen)
        return (math.inf, None) if best is None else (best[0], list(best[1]))
