"""Whether primary counselors can still see their caseloads once cohorts are planned.

A cohort's members come in on the cohort's days only, and each of them needs individual
sessions with their primary counselor on those days, at times the counselor keeps
(two a day around a block, one patient at a time). A member's own times may be plenty
while the counselor's are not: ten patients of one counselor planned into cohorts that
meet on the same two days need ten of that counselor's four times there. The search then
has no cohort week at all (on a 400-patient program, five of 42 planned cohorts broke
this way). The plan asks :class:`Caseloads` before a patient joins a cohort.

The test is a maximum flow per counselor: each patient of the caseload sends their
individual sessions through one of their days (one a day) to one of the counselor's
appointment times they can come to (one patient each), within the counselor's
``max_individual``. A patient planned into a cohort can come on the cohort's blocks'
days only; any other patient on all the days they are available. Offices, medication
and the counselor's group sessions are left to the search.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ortools.graph.python import max_flow

from models import ProgramIndex

Blocks = frozenset[str]


class Caseloads:
    """The primary counselors' appointment times against the cohorts planned so far."""

    def __init__(self, index: ProgramIndex) -> None:
        self.index = index
        self.caseload: dict[str, list[str]] = defaultdict(list)  # counselor -> patients
        for p in index.instance.patients:
            if p.primary_counselor is not None and index.individual_per_week(p):
                self.caseload[p.primary_counselor].append(p.id)
        self.planned: dict[str, Blocks] = {}  # patient -> the blocks of their cohort
        self._seen: dict[tuple[str, tuple[tuple[str, Blocks | None], ...]], bool] = {}

    def plan(self, members: Iterable[str], blocks: Blocks) -> None:
        """Record ``members`` as a cohort meeting within ``blocks``."""
        for pid in members:
            self.planned[pid] = blocks

    def unplan(self, members: Iterable[str]) -> None:
        """``members`` are free again (their cohort was given up)."""
        for pid in members:
            self.planned.pop(pid, None)

    def fit(self, members: Iterable[str], blocks: Blocks) -> bool:
        """Whether ``members``, as a cohort within ``blocks``, leave every primary counselor
        of theirs enough times for their whole caseload."""
        trial = dict.fromkeys(members, blocks)
        primaries = {self.index.patient[pid].primary_counselor for pid in trial}
        return all(self._fits(cid, trial) for cid in primaries if cid in self.caseload)

    def _fits(self, cid: str, trial: dict[str, Blocks]) -> bool:
        patients = self.caseload[cid]
        key = (cid, tuple((pid, trial.get(pid, self.planned.get(pid))) for pid in patients))
        if key not in self._seen:
            self._seen[key] = self._flow(cid, dict(key[1]))
        return self._seen[key]

    def _flow(self, cid: str, blocks_of: dict[str, Blocks | None]) -> bool:
        """The maximum flow of the caseload's sessions into the counselor's times."""
        index = self.index
        counselor = index.counselor[cid]
        flow = max_flow.SimpleMaxFlow()
        nodes: dict[object, int] = {}

        def node(key: object) -> int:
            return nodes.setdefault(key, len(nodes))

        source, sink, desk = node("source"), node("sink"), node("desk")
        days: set[tuple[str, str]] = set()  # (patient, day): one session a day
        times: set[int] = set()
        needed = 0
        for pid, blocks in blocks_of.items():
            p = index.patient[pid]
            per_week = index.individual_per_week(p)
            needed += per_week
            flow.add_arc_with_capacity(source, node(pid), per_week)
            for t in index.appointment_times_for(p, blocks):
                if t.slot not in counselor.available:
                    continue
                if (pid, t.day) not in days:
                    days.add((pid, t.day))
                    flow.add_arc_with_capacity(node(pid), node((pid, t.day)), 1)
                times.add(node(t.key))
                flow.add_arc_with_capacity(node((pid, t.day)), node(t.key), 1)
        for time in times:
            flow.add_arc_with_capacity(time, desk, 1)  # one patient at a time
        cap = counselor.max_individual if counselor.max_individual is not None else needed
        flow.add_arc_with_capacity(desk, sink, cap)
        return flow.solve(source, sink) == flow.OPTIMAL and flow.optimal_flow() >= needed
