"""The search's values as a schedule: split into sessions, seated, topics chosen, the
services read, and the terms the read-back decides recomputed exactly, so that the
objective written is the checker's. The solve reads its final week here, and the
progress reads snapshots of the search with the same function
(``scheduler.progress``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from models import Instance, Schedule, Session
from models.schedule import Status
from scheduler.budget import Budget
from scheduler.check import check
from scheduler.check.cohorts import readback_terms
from scheduler.check.stability import last_week, stability_changes, term_totals
from scheduler.cpsat.lastweek import reseat_for_last_week
from scheduler.cpsat.model import TimetableModel
from scheduler.cpsat.pins import pinned_topics
from scheduler.cpsat.readback import (
    Values,
    primary_missing,
    read_services,
    read_sessions,
    read_shortfalls,
)
from scheduler.cpsat.topics import assign_topics, count_repeats
from scheduler.explain.diagnose import diagnose
from scheduler.progress import Snapshot
from scheduler.result import ProgressEvent
from scheduler.settings import SolveSettings

_STATUS: dict[Any, Status] = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "unknown",
}


def read_week(
    instance: Instance,
    tm: TimetableModel,
    solver: Values,
    code: Any,
    settings: SolveSettings,
    budget: Budget,
    previous: Schedule | None,
    floor: int | None,
    wall: float,
) -> Schedule:
    """The search's week as a schedule: split into sessions, seated, topics chosen, the
    services read, and the terms the read-back decides recomputed exactly."""
    if code == cp_model.MODEL_INVALID:  # a bug in the model builder, never a property of the input
        raise RuntimeError(f"internal error: invalid CP-SAT model: {tm.model.validate()}")
    status = _STATUS[code]
    objective = best_bound = gap = None
    terms: dict[str, int] = {}
    sessions: list[Session] = []
    services: dict[str, Any] = {}
    if status in ("optimal", "feasible"):
        # All that is left: the topics after it fall back to a fast choice when cut short.
        sessions = read_sessions(tm, solver, budget.cap())
        week = None
        if previous is not None:
            week = tm.last_week or last_week(tm.index, previous)
            # The split looked at primaries only: look at last week too. (Not with pins:
            # this reseating does not know them yet, and a pinned patient must stay put.)
            if tm.aggregate and not instance.pins:
                sessions = reseat_for_last_week(
                    tm.index, sessions, week, wall_limit=_half(budget.cap())
                )
        fixed = pinned_topics(instance.pins, sessions)
        assign_topics(tm.index, sessions, wall_limit=budget.cap(), fixed=fixed)
        services = read_services(tm, solver, sessions, settings.seed)
        if settings.best_effort:
            services["shortfalls"] = read_shortfalls(tm, solver, lambda i: _reasons(i, budget))
        terms = {name: w * int(solver.value(expr)) for name, (w, expr) in tm.terms.items()}
        if "topic_repeat" in terms:
            # The model counts only the repeats no choice avoids; the topics chosen for
            # the groups it formed may repeat more.
            terms["topic_repeat"] = instance.weights.topic_repeat * count_repeats(
                tm.index, sessions
            )
        if tm.aggregate and "primary_not_leading" in terms:
            # The model credits a primary counselor who leads any session of the
            # family; the split decides whether the patient sits in theirs.
            terms["primary_not_leading"] = instance.weights.primary_not_leading * primary_missing(
                instance, sessions
            )
        # The read-back seats patients and gives sessions their rooms: its cohort terms are
        # those of the schedule (the model has none of them).
        terms.update(readback_terms(instance, sessions))
        if week is not None:
            # The model sees families; the split decides who sits with whom, in which room.
            found = stability_changes(tm.index, sessions, services["primary_counselors"], week)
            terms.update(term_totals(found, instance.weights))
        objective = sum(terms.values())
        # A search over planned cohorts bounds cohort weeks only: the floor bounds all.
        best_bound = floor or 0 if tm.cohorts else max(solver.best_objective_bound, floor or 0)
        gap = max(0.0, (objective - best_bound) / max(abs(objective), 1e-9))
        # Optimal only when the bound proves it: a lossy split leaves a gap.
        status, gap = ("optimal", 0.0) if gap < 1e-9 else ("feasible", gap)

    return Schedule(
        instance=instance.name,
        status=status,
        objective=objective,
        best_bound=best_bound,
        gap=gap,
        wall_seconds=None if settings.deterministic else round(wall, 3),
        objective_terms=terms,
        sessions=sessions,
        best_effort=settings.best_effort,
        **services,
    )


def week_reader(
    instance: Instance,
    settings: SolveSettings,
    budget: Budget,
    previous: Schedule | None,
    floor: int | None,
    on_progress: Callable[[ProgressEvent], None] | None,
) -> Callable[[TimetableModel], Callable[[Snapshot], Schedule | None] | None]:
    """For a model, how to read a snapshot of its search into a checked week, so that the
    progress reports what would be written; None when nobody listens, or in a
    deterministic or best-effort solve (a thread's timing would change the answer, and a
    shortfall's reasons take a diagnosis)."""
    if on_progress is None or settings.deterministic or settings.best_effort:
        return lambda tm: None

    def for_model(tm: TimetableModel) -> Callable[[Snapshot], Schedule | None]:
        def read(snapshot: Snapshot) -> Schedule | None:
            wall = time.perf_counter() - budget.started
            week = read_week(
                instance, tm, snapshot, cp_model.FEASIBLE, settings, budget, previous, floor, wall
            )
            return valid_as_is(instance, week, previous)

        return read

    return for_model


def valid_as_is(
    instance: Instance, schedule: Schedule, previous: Schedule | None = None
) -> Schedule | None:
    """The schedule, scored by the checker (against ``previous`` when given), if it is a
    valid timetable of ``instance``."""
    if schedule.best_effort:
        return None
    report = check(instance, schedule, previous)
    if not report.ok:
        return None
    terms = report.weighted_terms(instance.weights)
    return schedule.model_copy(
        update={
            "instance": instance.name,
            "objective": report.objective,
            "objective_terms": terms,
            "changes": None,  # a start's own changes were against its own previous week
        }
    )


def _half(cap: float | None) -> float | None:
    """Half of a helper's wall seconds (None: no limit), so that the next step has time."""
    return None if cap is None else cap / 2


def _reasons(instance: Instance, budget: Budget) -> dict[str, str]:
    """Patient id -> why (from the pre-checks and the diagnosis); "" -> a general reason.

    The diagnosis takes at most 10 s, and no more than is left of ``budget`` (at least 1 s).
    """
    seconds = 10.0 if budget.seconds is None else min(10.0, max(budget.left(), 1.0))
    found = diagnose(instance, time_limit=seconds)
    reasons: dict[str, str] = {}
    for f in found.findings:
        for ident in f.ids:
            reasons.setdefault(ident, f.message)
    if found.conflict:
        text = "cannot all hold: " + "; ".join(c.message for c in found.conflict)
        for c in found.conflict:
            for ident in c.ids:
                reasons.setdefault(ident, text)
        reasons[""] = text
    elif found.findings:
        reasons[""] = found.findings[0].message
    return reasons
