"""Why an instance has no timetable: pre-checks first, then a small conflict of rules.

When no pre-check explains it, the exact (plain) model is solved for feasibility
with every relaxable rule of every entity (a patient's hours, days and
requirement rows, a group type's minimum size, a counselor's availability and
limits, ...) under an assumption literal of its own. CP-SAT returns a sufficient set of assumptions
for infeasibility, which is small but not always minimal, so a deletion filter
shrinks it within the time budget: a rule is dropped when the others still
conflict without it. Patients' availability, qualifications, rooms and
appointment times stay as given; the conflict is among the rules that could be
relaxed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

from ortools.sat.python import cp_model

from models import Instance, ProgramIndex
from models.text import printable
from scheduler.budget import Budget, Stopped
from scheduler.cpsat.model import TimetableModel
from scheduler.explain.precheck import Finding, prechecks
from scheduler.interrupt import current_owner, quiet_solver, run_search
from scheduler.organization import site_instances, spans_sites

Verdict = Literal["feasible", "infeasible", "unknown"]


@dataclass(frozen=True)
class Conflict:
    """One rule of one entity that takes part in the conflict."""

    rule: str
    ids: tuple[str, ...]
    message: str


@dataclass
class Diagnosis:
    """The answer to "why is there no timetable?", as data.

    ``findings`` are pre-check reasons (each alone proves infeasibility). Without
    them, ``conflict`` lists rules that cannot all hold together; ``minimal`` says
    whether every one of them was shown necessary within the time budget.
    """

    verdict: Verdict
    findings: list[Finding] = field(default_factory=list)
    conflict: list[Conflict] = field(default_factory=list)
    minimal: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        """The JSON form: verdict, findings, conflict (rule, ids, message), minimal."""
        return {
            "verdict": self.verdict,
            "findings": [
                {"rule": f.rule, "ids": list(f.ids), "message": f.message} for f in self.findings
            ],
            "conflict": [
                {"rule": c.rule, "ids": list(c.ids), "message": c.message} for c in self.conflict
            ],
            "minimal": self.minimal,
        }

    def lines(self) -> list[str]:
        """Sentences for a coordinator, one line each (:func:`~models.text.printable`)."""
        return [printable(line) for line in self._sentences()]

    def _sentences(self) -> list[str]:
        if self.verdict == "feasible":
            return ["a timetable exists: nothing to explain"]
        if self.findings:
            return [f.message for f in self.findings]
        if self.verdict == "unknown":
            return ["no reason found within the time limit (try a longer --time-limit)"]
        if not self.conflict:
            return [
                "availability, qualifications, rooms and appointment times alone leave no timetable"
            ]
        head = "these rules cannot all hold" + (
            "" if self.minimal else " (some may not be needed: the time ran out)"
        )
        return [f"{head}, given the patients' availability, qualifications and rooms:"] + [
            f"  - {c.message}" for c in self.conflict
        ]


def describe(index: ProgramIndex, key: tuple[str, ...]) -> str:
    """A relaxable rule of one entity, in a coordinator's words."""
    rule, *ids = key
    if rule in ("min_hours", "max_hours", "min_days"):
        p = index.patient[ids[0]]
        if rule == "min_hours":
            return f"{p.id} attends at least {p.min_hours:g} h (min_hours)"
        if rule == "max_hours":
            return f"{p.id} attends at most {p.max_hours:g} h (max_hours)"
        return f"{p.id} comes on at least {p.min_days} days (min_days)"
    if rule == "requirement":
        p = index.patient[ids[0]]
        i = int(ids[1])
        req = index.instance.requirements[i]
        span = (
            f"at least {req.min_sessions}"
            if req.max_sessions is None
            else f"{req.min_sessions} to {req.max_sessions}"
        )
        return f"{p.id} has {span} sessions of {req.target} (requirements[{i}])"
    if rule == "min_size":
        g = index.group_type[ids[0]]
        stage = " of one stage" if g.stage_matched else ""
        return f"'{g.id}' groups have at least {g.min_size} patients{stage} (min_size)"
    if rule == "counselor_max_hours":
        c = index.counselor[ids[0]]
        return f"{c.id} leads at most {c.max_hours:g} h of groups a week (max_hours)"
    if rule == "counselor_max_hours_per_day":
        c = index.counselor[ids[0]]
        return f"{c.id} works at most {c.max_hours_per_day:g} h a day (max_hours_per_day)"
    if rule == "individual":
        p = index.patient[ids[0]]
        return f"{p.id} has {index.individual_per_week(p)} individual sessions with their primary"
    if rule == "counselor_available":
        c = index.counselor[ids[0]]
        return f"{c.id} leads groups only in {', '.join(c.available) or 'no slot'} (available)"
    if rule == "medication":
        return f"{ids[0]} has a medication appointment with a prescriber"
    if rule == "max_individual":
        c = index.counselor[ids[0]]
        return f"{c.id} holds at most {c.max_individual} individual sessions (max_individual)"
    if rule == "max_caseload":
        c = index.counselor[ids[0]]
        return f"{c.id} carries at most {c.max_caseload} patients (max_caseload)"
    if rule == "screens":
        return f"{ids[0]} gives {index.screens_per_week()} specimens in blocks they attend"
    if rule == "pin":
        return f"pin {ids[0]} holds ({index.instance.pins[int(ids[0]) - 1].label})"
    if rule == "screen_capacity":
        screening = index.instance.screening
        cap = screening.capacity_per_block if screening else 0
        return f"at most {cap} screens in {ids[0]} (capacity_per_block)"
    return " ".join(key)


def _solve(
    tm: TimetableModel, keys: list[tuple[str, ...]], seconds: float, budget: Budget
) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
    """Feasibility under the assumptions ``keys`` (the other rules are free)."""
    tm.model.clear_assumptions()
    tm.model.add_assumptions([tm.assumptions[k] for k in keys])
    solver = quiet_solver()
    solver.parameters.num_workers = 1  # assumptions are honoured by one worker
    solver.parameters.max_time_in_seconds = max(seconds, 0.05)
    return run_search(solver, tm.model, stop=lambda: budget.interrupted), solver


def _diagnose_by_site(instance: Instance, budget: Budget) -> Diagnosis:
    """Several sites are solved one by one (``scheduler.sites``): diagnose each site as it
    is solved, floaters on the days chosen for them; the first site without a timetable
    is the answer. Each site gets an equal share of what is left."""
    subs = site_instances(instance)
    verdict = "feasible"
    for k, sub in enumerate(subs.values()):
        found = _diagnose(sub, Budget(budget.left() / (len(subs) - k), budget.ctrl_c))
        if found.verdict == "infeasible":
            found.seconds = time.perf_counter() - budget.started
            return found
        if found.verdict == "unknown":
            verdict = "unknown"
    return Diagnosis(verdict, seconds=time.perf_counter() - budget.started)  # type: ignore[arg-type]


def diagnose(instance: Instance, time_limit: float = 30.0) -> Diagnosis:
    """Explain why ``instance`` has no timetable (or say that it has one).

    Parameters
    ----------
    instance
        A validated instance.
    time_limit
        Seconds for the whole diagnosis: its models are built and solved within it
        (a model's build stops at the next rule once it is over; verdict ``unknown``),
        and the conflict may be left unshrunk when it runs out (``Diagnosis.minimal`` is
        then False). Under a command's owner of Ctrl-C (``scheduler.interrupt``), its
        first press ends the diagnosis the same way.
    """
    return _diagnose(instance, Budget(time_limit, current_owner()))


def _diagnose(instance: Instance, budget: Budget) -> Diagnosis:
    started = budget.started
    findings = prechecks(instance)
    if findings:
        return Diagnosis("infeasible", findings, seconds=time.perf_counter() - started)
    if spans_sites(instance):
        return _diagnose_by_site(instance, budget)

    def undecided() -> Diagnosis:
        return Diagnosis("unknown", seconds=time.perf_counter() - started)

    try:
        # Any schedule of the aggregated model is valid, and it finds one fastest.
        quick = TimetableModel(instance, aggregate=True, budget=budget)
        budget.check()
    except Stopped:
        return undecided()
    quick.model.clear_objective()
    solver = quiet_solver()
    solver.parameters.num_workers = 8
    solver.parameters.max_time_in_seconds = max(min(budget.left() / 3, 10.0), 0.05)
    code = run_search(solver, quick.model, stop=lambda: budget.interrupted)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Diagnosis("feasible", seconds=time.perf_counter() - started)

    try:
        tm = TimetableModel(instance, aggregate=False, diagnose=True, budget=budget)  # exact
        budget.check()
    except Stopped:
        return undecided()
    keys = list(tm.assumptions)
    code, solver = _solve(tm, keys, budget.left(), budget)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Diagnosis("feasible", seconds=time.perf_counter() - started)
    if code != cp_model.INFEASIBLE:
        return undecided()
    index_of = {tm.assumptions[k].index: k for k in keys}
    core = [index_of[i] for i in solver.sufficient_assumptions_for_infeasibility()]

    # Deletion filter: drop each rule the others still conflict without.
    minimal = True
    for key in list(core):
        if key not in core:
            continue
        if budget.left() <= 0 or budget.interrupted:
            minimal = False
            break
        trial = [k for k in core if k != key]
        code, solver = _solve(tm, trial, budget.left() / max(len(core), 1) * 2, budget)
        if code == cp_model.INFEASIBLE:
            smaller = {index_of[i] for i in solver.sufficient_assumptions_for_infeasibility()}
            core = [k for k in trial if k in smaller] or trial
        elif code not in (cp_model.FEASIBLE, cp_model.OPTIMAL):
            minimal = False  # undecided: keep the rule
    conflict = [Conflict(k[0], tuple(k[1:]), describe(tm.index, k)) for k in sorted(core)]
    return Diagnosis(
        "infeasible", conflict=conflict, minimal=minimal, seconds=time.perf_counter() - started
    )
