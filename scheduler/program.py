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

from models import Instance, ProgramIndex, Schedule
from scheduler.budget import Budget, Stopped
from scheduler.cpsat.cohort_plan import Cohort, plan_cohorts
from scheduler.cpsat.hint import add_hint
from scheduler.cpsat.model import TimetableModel
from scheduler.cpsat.reseat import with_cohorts
from scheduler.explain.bound import objective_floor
from scheduler.greedy import greedy_schedule
from scheduler.interrupt import ctrl_c_owner, quiet_solver, run_search
from scheduler.late_bound import LateBound
from scheduler.progress import SearchProgress, Snapshot
from scheduler.read_week import read_week, valid_as_is, week_reader
from scheduler.result import ProgressEvent, SolveResult
from scheduler.settings import SolveSettings
from scheduler.substitute import with_substitutes


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
    lp: LateBound | None = None  # the whole-block LP bound, when the limit allows it
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
            # The whole-block LP bound, beside the build and the search (seconds on 120
            # patients); it raises the floor before the result is read.
            lp = LateBound(instance, BLOCK_BOUND_SHARE * settings.time_limit)
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
        return _stopped(instance, warm, progress, _so_far(lp, floor), settings, budget)
    reading = week_reader(instance, settings, budget, previous, floor, on_progress)
    solver, code, seen = _search(tm, settings, budget, progress, building, draft, reading(tm))
    warm = _better_of(warm, seen)
    if tm.cohorts and code in (cp_model.INFEASIBLE, cp_model.OPTIMAL) and _time_left(budget):
        # The cohort week is the best there is (or there is none: rooms, staff): search
        # without cohorts from it, for a valid bound or a better week.
        if code == cp_model.OPTIMAL:
            wall = time.perf_counter() - started
            read = read_week(instance, tm, solver, code, settings, budget, previous, floor, wall)
            week = valid_as_is(instance, read, previous)
            if week is not None and _better_of(warm, week) is week:
                warm = start_from = week
                progress.incumbent(week.objective or 0)
        try:
            building = time.perf_counter()
            tm = _build(instance, settings, budget, previous, [], start_from)
        except Stopped:
            return _stopped(instance, warm, progress, _so_far(lp, floor), settings, budget)
        solver, code, seen = _search(tm, settings, budget, progress, building, draft, reading(tm))
        warm = _better_of(warm, seen)
    if lp is not None:
        floor = lp.raised(floor)
        progress.floor = floor or 0
    wall = time.perf_counter() - started
    schedule = read_week(instance, tm, solver, code, settings, budget, previous, floor, wall)
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


def _better_of(warm: Schedule | None, seen: Schedule | None) -> Schedule | None:
    """The better of two checked weeks (a tie keeps ``warm``)."""
    if seen is None or seen.objective is None:
        return warm
    if warm is None or warm.objective is None or seen.objective < warm.objective:
        return seen
    return warm


def _so_far(lp: LateBound | None, floor: int | None) -> int | None:
    """The floor, raised by the LP's bound if it is done (a stop does not wait for it)."""
    return floor if lp is None else lp.raised(floor, wait=False)


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
# The whole-block LP bound (scheduler/explain/block_bound.py) runs, beside the build and
# the search (scheduler.late_bound), with a time limit of at least BLOCK_BOUND_FROM
# seconds, within a tenth of it (GLOP's deterministic time: about
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
