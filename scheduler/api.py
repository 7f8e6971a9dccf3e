"""The public entry points: solve, check, score, diagnose and the pre-checks.

``solve`` sends an organization of several sites to ``scheduler.sites`` and one
program to ``scheduler.program``; the others judge or explain (``scheduler.check``,
``scheduler.explain``).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from models import Instance, Schedule, load_instance
from scheduler.check import CheckReport, Penalty, Violation, check
from scheduler.check.cohorts import cohort_figures
from scheduler.check.score import ScoreBreakdown, TermScore, score
from scheduler.check.stability import change_counts
from scheduler.diff import diff_schedules
from scheduler.explain.diagnose import Conflict, Diagnosis, diagnose
from scheduler.explain.precheck import Finding, prechecks
from scheduler.organization import spans_sites
from scheduler.program import solve_program
from scheduler.result import ProgressEvent, SolveResult
from scheduler.rolling import roll
from scheduler.settings import SettingsError, SolveSettings
from scheduler.sites import solve_by_site

__all__ = [
    "CheckReport",
    "Conflict",
    "Diagnosis",
    "Finding",
    "Penalty",
    "ProgressEvent",
    "ScoreBreakdown",
    "SettingsError",
    "SolveResult",
    "SolveSettings",
    "TermScore",
    "Violation",
    "check",
    "diagnose",
    "diff_schedules",
    "prechecks",
    "roll",
    "score",
    "solve",
]


def solve(
    instance: Instance | str | os.PathLike[str],
    settings: SolveSettings | None = None,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    start_from: Schedule | None = None,
    previous: Schedule | None = None,
) -> SolveResult:
    """Find a timetable for a week.

    Parameters
    ----------
    instance
        A validated :class:`models.Instance`, or the path of an instance JSON file.
    settings
        Solver settings; defaults to a 60 s limit on 8 workers.
    on_progress
        Called with a :class:`ProgressEvent` each time the search finds a better
        schedule (from the solver's thread: keep it short).
    start_from
        A timetable to start the search from (a hint for every variable: say last
        week's schedule, or one edited by hand). Entries the instance no longer has
        are ignored; it need not be valid, CP-SAT repairs it.
    previous
        Last week's schedule: the objective gets the stability terms (a returning
        patient's blocks and stage-matched seats, last week's sessions and assigned
        primary counselors kept; see ``scheduler.check.stability``), the search starts
        from it (unless ``start_from`` is given), a valid one is returned unchanged
        unless the search finds a strictly better schedule, and the schedule's
        ``changes`` counts what moved. For a multi-site instance, each site against
        its part of it. When not given, the instance's own ``previous`` (recorded by
        :func:`scheduler.roll`); to solve such a week from scratch, copy the instance
        with ``previous=None``.

    Returns
    -------
    SolveResult
        Status, schedule, objective, best bound, gap, wall time and the
        objective broken down by term. When no schedule was found the schedule
        has status ``infeasible`` or ``unknown`` and no sessions.
    """
    if not isinstance(instance, Instance):
        instance = load_instance(instance)
    settings = settings or SolveSettings()
    if instance.previous is not None:
        # Given once, as the argument: the parts below see no other previous week.
        previous = instance.previous if previous is None else previous
        instance = instance.model_copy(update={"previous": None})
    if spans_sites(instance):
        result = solve_by_site(instance, settings, on_progress, start_from, previous)
    else:
        result = solve_program(instance, settings, on_progress, start_from, previous)
    if result.found:
        result.cohorts = cohort_figures(instance, result.schedule).text()
    if previous is not None and result.found:
        changes = change_counts(instance, result.schedule, previous)
        result.schedule = result.schedule.model_copy(update={"changes": changes})
    return result
