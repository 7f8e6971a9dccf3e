"""One program's solve: the greedy start, the CP-SAT model, the search, the read-back.

An organization of several sites is solved site by site with this
(``scheduler.sites``); the public entry point is ``scheduler.solve``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from models import Instance, ProgramIndex, Schedule, Session
from models.schedule import Status
from scheduler.budget import Budget, Stopped
from scheduler.check import check
from scheduler.check.cohorts import readback_terms
from scheduler.check.stability import last_week, stability_changes, term_totals
from scheduler.cpsat.cohort_plan import Cohort, plan_cohorts
from scheduler.cpsat.hint import add_hint
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
from scheduler.cpsat.reseat import with_cohorts
from scheduler.cpsat.topics import assign_topics, count_repeats
from scheduler.explain.block_bound import block_bound
from scheduler.explain.bound import objective_floor
from scheduler.explain.diagnose import diagnose
from scheduler.greedy import greedy_schedule
from scheduler.interrupt import ctrl_c_owner, quiet_solver, run_search
from scheduler.progress import SearchProgress, Snapshot
from scheduler.result import ProgressEvent, SolveResult
from scheduler.settings import SolveSettings
from scheduler.substitute import with_substitutes

_STATUS: dict[Any, Status] = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "unknown",
}


def _parameters(settings: SolveSettings) -> cp_model.CpSolver:
    solver = quiet_solver()  # Ctrl-C is ours (scheduler.interrupt)
    p = solver.parameters
    p.num_workers = settings.workers
    p.random_seed = settings.seed
    if settings.deterministic:
        p.max_deterministic_time = settings.time_limit
        if settings.workers != 1:
            p.interleave_search = True  # deterministic for any number of workers
    else:
        p.max_time_in_seconds = settings.time_limit
    p.relative_gap_limit = settings.relative_gap
    for name, value in settings.parameters.items():
        setattr(p, name, value)
    return solver


def solve_program(
    instance: Instance,
    settings: SolveSettings,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    start_from: Schedule | None = None,
    previous: Schedule | None = None,
) -> SolveResult:
    """Solve one program (one site): greedy start, model, search, read-back.

    The parameters are those of :func:`scheduler.solve`, with ``instance`` already
    validated and not spanning sites (``scheduler.organization.spans_sites``).
    ``settings.time_limit`` is the budget of the whole solve (``scheduler.budget``);
    Ctrl-C is handled as ``scheduler.interrupt`` says, by the command's owner of SIGINT
    or, without one, by this solve's own (in the main thread).
    """
    with ctrl_c_owner() as ctrl_c:
        budget = Budget.of(settings, ctrl_c)
        return _solve_one(instance, settings, on_progress, start_from, budget, previous)


def _solve_one(
    instance: Instance,
    settings: SolveSettings,
    on_progress: Callable[[ProgressEvent], None] | None,
    start_from: Schedule | None,
    budget: Budget,
    previous: Schedule | None = None,
) -> SolveResult:
    """One program (one site): build, warm start, search, read back.

    With ``previous`` (last week's schedule) the stability terms are in the objective,
    and the search starts from ``start_from`` or else from ``previous``: a valid start
    is returned unchanged unless the search finds a strictly better schedule.
    """
    started = budget.started
    aggregate = settings.formulation == "aggregated"
    progress = SearchProgress(started, on_progress, 0, settings.relative_gap)
    warm: Schedule | None = None
    from_greedy = False  # the warm start is the greedy's timetable
    draft = False  # the hint is a greedy timetable that breaks pins
    floor: int | None = None
    if start_from is None:
        start_from = previous  # last week's timetable is this week's start
    try:
        # A valid timetable from the greedy construction is the first incumbent: reported
        # at once, returned if the search finds nothing better, and the search's hint.
        if start_from is not None and not settings.best_effort:
            # A valid start is kept if nothing beats it.
            warm = valid_as_is(instance, start_from, previous)
            if warm is None and start_from is previous:
                # A counselor away: last week's with a substitute is the hint, and the
                # start if valid.
                repaired = with_substitutes(instance, previous)
                if repaired is not None:
                    start_from = repaired
                    warm = valid_as_is(instance, repaired, previous)
        elif start_from is None and settings.warm_start == "greedy" and not settings.best_effort:
            greedy = greedy_schedule(instance, settings.seed, budget)
            warm = greedy.schedule
            start_from = warm or greedy.draft  # one that breaks a pin is still a hint
            draft = warm is None and start_from is not None
            from_greedy = warm is not None
        greedy_fallback = previous is not None and settings.warm_start == "greedy"
        if warm is None and greedy_fallback and not settings.best_effort:
            # Last week's no longer fits: the greedy's is a fallback (still hinted from it).
            fallback = greedy_schedule(instance, settings.seed, budget).schedule
            warm = None if fallback is None else valid_as_is(instance, fallback, previous)
        # The patient-by-patient bound (reported, and for the gap limit; as a constraint in
        # the model it did not help the search). Ours, not the plain baseline's. Before the
        # budget's check: a tenth of a second on 120 patients, and reported even then.
        floor = objective_floor(instance) if aggregate and not settings.best_effort else None
        budget.check()
        progress.floor = floor or 0
        if warm is not None and warm.objective is not None:
            progress.incumbent(warm.objective)  # the first schedule, as soon as there is one
        if floor is not None and settings.time_limit >= BLOCK_BOUND_FROM:
            # The whole-block LP bound, after the first schedule: seconds on 120 patients.
            floor = max(floor, block_bound(instance, BLOCK_BOUND_SHARE * settings.time_limit) or 0)
            progress.floor = floor
            budget.check()
        planned = _plans_cohorts(instance, settings, previous)
        if from_greedy and warm is not None and not planned and _time_for_cohorts(budget):
            # The greedy's rooms and seats chosen for the cohort terms, if that is better
            # (seconds on 120 patients: reported again when it is). Not when the search
            # plans cohorts: it finds cohort weeks in those seconds.
            warm = start_from = with_cohorts(instance, warm, budget.cap())
            budget.check()
            if warm.objective is not None:
                progress.incumbent(warm.objective)
        building = time.perf_counter()
        cohorts = plan_cohorts(ProgramIndex(instance)) if planned else []
        tm = _build(instance, settings, budget, previous, cohorts, start_from)
    except Stopped:  # out of time or Ctrl-C before the search: keep what there is
        return _stopped(instance, warm, progress, floor, settings, budget)
    reading = _reading(instance, settings, budget, previous, floor, on_progress)
    solver, code, seen = _search(tm, settings, budget, progress, building, draft, reading(tm))
    warm = _better_of(warm, seen)
    if tm.cohorts and code in (cp_model.INFEASIBLE, cp_model.OPTIMAL) and _time_left(budget):
        # The cohort week is the best there is (or there is none: rooms, staff): search
        # without cohorts from it, for a valid bound or a better week.
        if code == cp_model.OPTIMAL:
            wall = time.perf_counter() - started
            read = _read_back(instance, tm, solver, code, settings, budget, previous, floor, wall)
            week = valid_as_is(instance, read, previous)
            if week is not None and _better_of(warm, week) is week:
                warm = start_from = week
                progress.incumbent(week.objective or 0)
        try:
            building = time.perf_counter()
            tm = _build(instance, settings, budget, previous, [], start_from)
        except Stopped:
            return _stopped(instance, warm, progress, floor, settings, budget)
        solver, code, seen = _search(tm, settings, budget, progress, building, draft, reading(tm))
        warm = _better_of(warm, seen)
    wall = time.perf_counter() - started
    schedule = _read_back(instance, tm, solver, code, settings, budget, previous, floor, wall)
    objective = schedule.objective
    # The greedy's timetable when the search found nothing better. (The aggregated model can
    # be infeasible where the greedy is not: its documented restrictions, e.g. an avoid pair
    # kept out of a whole family. Then it proves nothing.)
    # Against last week a tie keeps the start: a week with nothing to gain stays as it was.
    better = warm is not None and (
        objective is None
        or (warm.objective or 0) < objective
        or (previous is not None and (warm.objective or 0) <= objective)
    )
    if warm is not None and warm.objective is not None and better:
        searched = code != cp_model.INFEASIBLE and not tm.cohorts
        bound = solver.best_objective_bound if searched else 0.0
        schedule = _warm_result(warm, bound, settings, wall, floor)
    if schedule.objective is not None:
        progress.incumbent(schedule.objective)  # the last event is the schedule written
    return SolveResult(
        schedule, wall, tm.stats(), progress.first_seconds, progress.count, budget.interrupted
    )


def _read_back(
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
        sessions = read_sessions(tm, solver, _half(budget.cap()))  # the topics come next
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


def _build(
    instance: Instance,
    settings: SolveSettings,
    budget: Budget,
    previous: Schedule | None,
    cohorts: list[Cohort],
    start_from: Schedule | None,
) -> TimetableModel:
    """The model, hinted from ``start_from`` (``budget.check`` may stop it)."""
    tm = TimetableModel(
        instance,
        aggregate=settings.formulation == "aggregated",
        best_effort=settings.best_effort,
        budget=budget,
        previous=previous,
        cohorts=cohorts,
    )
    if start_from is not None:
        add_hint(tm, start_from)
    budget.check()
    return tm


def _search(
    tm: TimetableModel,
    settings: SolveSettings,
    budget: Budget,
    progress: SearchProgress,
    building: float,
    draft: bool,
    read: Callable[[Snapshot], Schedule | None] | None = None,
) -> tuple[cp_model.CpSolver, Any, Schedule | None]:
    """The search, in what is left of the budget after room for the read-back: the
    solver, its status code, and with ``read`` (a snapshot's checked week) the best week
    read back while it ran (``scheduler.progress``)."""
    solver = _parameters(settings)
    progress.search_bounds = not tm.cohorts  # a cohort search bounds cohort weeks only
    if draft and "repair_hint" not in settings.parameters:
        solver.parameters.repair_hint = True  # medium, 10 pins: first schedule 4.4 -> 2.9 s
    if not settings.deterministic:
        # What is left, less as long as the build took for the read-back (at most half);
        # against last week, 2 s more for reseating towards it (scheduler.cpsat.lastweek).
        left = budget.left()
        reseat = 2.0 if tm.previous is not None and tm.aggregate else 0.0
        search = left - min(time.perf_counter() - building + reseat, left / 2)
        solver.parameters.max_time_in_seconds = min(solver.parameters.max_time_in_seconds, search)
    if progress.close_enough:  # skip the search, keep what we have
        solver.parameters.max_time_in_seconds = 0.0
    if read is not None:
        progress.watch(read)
    try:
        code = run_search(solver, tm.model, progress, stop=lambda: budget.interrupted)
    finally:
        seen = progress.unwatch()
    return solver, code, seen


def _reading(
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
            week = _read_back(
                instance, tm, snapshot, cp_model.FEASIBLE, settings, budget, previous, floor, wall
            )
            return valid_as_is(instance, week, previous)

        return read

    return for_model


def _better_of(warm: Schedule | None, seen: Schedule | None) -> Schedule | None:
    """The better of two checked weeks (a tie keeps ``warm``)."""
    if seen is None or seen.objective is None:
        return warm
    if warm is None or warm.objective is None or seen.objective < warm.objective:
        return seen
    return warm


def _half(cap: float | None) -> float | None:
    """Half of a helper's wall seconds (None: no limit), so that the next step has time."""
    return None if cap is None else cap / 2


def _time_left(budget: Budget) -> bool:
    """Whether a second search is worth starting: no budget, or a second left of it."""
    return budget.seconds is None or budget.left() > 1.0


def _plans_cohorts(instance: Instance, settings: SolveSettings, previous: Schedule | None) -> bool:
    """Whether the search seats planned cohorts as one: the aggregated model with a cohort
    term on, and neither best effort nor last week's schedule (which keeps its own)."""
    w = instance.weights
    cohort_terms = w.room_change or w.process_peers_changed
    return bool(
        cohort_terms
        and settings.formulation == "aggregated"
        and not settings.best_effort
        and previous is None
    )


COHORT_SECONDS = 10.0  # choosing the greedy's rooms and seats: about 7 s on 120 patients
# The whole-block LP bound (scheduler/explain/block_bound.py) runs with a time limit of at
# least BLOCK_BOUND_FROM seconds, within a tenth of it (GLOP's deterministic time: about
# 2.5 on 120 patients, 7-9 on 400; a second each, or two on a loaded machine).
BLOCK_BOUND_FROM = 20.0
BLOCK_BOUND_SHARE = 0.1


def _time_for_cohorts(budget: Budget) -> bool:
    """Whether the greedy's rooms and seats may be chosen for the cohorts: at least
    ``COHORT_SECONDS`` left of the budget, or no budget."""
    return budget.seconds is None or budget.left() >= COHORT_SECONDS


def _stopped(
    instance: Instance,
    warm: Schedule | None,
    progress: SearchProgress,
    floor: int | None,
    settings: SolveSettings,
    budget: Budget,
) -> SolveResult:
    """The result when the time ran out, or Ctrl-C came, before the search: the starting
    timetable if there is one (bounded by ``floor`` alone), else status ``unknown``."""
    wall = time.perf_counter() - budget.started
    if warm is not None and warm.objective is not None:
        if progress.first_seconds is None:
            progress.incumbent(warm.objective)
        schedule = _warm_result(warm, 0.0, settings, wall, floor)
    else:
        schedule = Schedule(
            instance=instance.name,
            status="unknown",
            wall_seconds=None if settings.deterministic else round(wall, 3),
            best_effort=settings.best_effort,
        )
    return SolveResult(
        schedule, wall, {}, progress.first_seconds, progress.count, budget.interrupted
    )


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


def _warm_result(
    warm: Schedule, bound: float, settings: SolveSettings, wall: float, floor: int | None
) -> Schedule:
    """The greedy timetable, when the search found nothing better, with the search's
    ``bound`` (or the patient-by-patient one, ``floor``, if higher)."""
    assert warm.objective is not None
    if not math.isfinite(bound) or bound > warm.objective:
        bound = 0.0  # every term is a count or a spread: 0 is always a bound
    bound = max(bound, floor or 0)
    gap = max(0.0, (warm.objective - bound) / max(abs(warm.objective), 1e-9))
    return warm.model_copy(
        update={
            "status": "optimal" if gap < 1e-9 else "feasible",
            "best_bound": bound,
            "gap": 0.0 if gap < 1e-9 else gap,
            "wall_seconds": None if settings.deterministic else round(wall, 3),
        }
    )


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
