"""The entry point: the greedy week of one program, rebuilt with what each failure
teaches, or of a multi-site organization site by site; checked by the checker."""

from __future__ import annotations

import time
from dataclasses import dataclass

from models import Instance, ProgramIndex, Schedule
from scheduler.budget import Budget, Stopped
from scheduler.check import check
from scheduler.cpsat.topics import assign_topics
from scheduler.greedy.hints import Hints, Stuck
from scheduler.greedy.lookups import Program
from scheduler.greedy.week import build_week
from scheduler.organization import floaters, merge, site_instances, spans_sites

MAX_ATTEMPTS = 12  # whole rebuilds with learned hints before giving up


@dataclass
class GreedyResult:
    """What :func:`greedy_schedule` returns.

    ``schedule`` passes the checker (status ``feasible``, objective and terms
    from the checker), or is None when the greedy got stuck; ``reason`` then
    says which step failed and for which id.
    """

    schedule: Schedule | None
    reason: str | None
    seconds: float
    # A timetable that keeps every rule but some pins (the greedy does not read pins): no
    # valid start, but still a hint for the search.
    draft: Schedule | None = None


def greedy_schedule(
    instance: Instance, seed: int = 0, budget: Budget | None = None
) -> GreedyResult:
    """A valid timetable built the way a coordinator would, or why the greedy got stuck.

    Parameters
    ----------
    instance
        A validated instance.
    seed
        Breaks ties among equally flexible patients and draws the screens; the same
        seed gives the same schedule.
    budget
        The time it may take: checked between attempts and between the steps of one
        (a step is not cut short), and the cap of its topic solve. When it runs out
        (or Ctrl-C is pressed) there is no schedule, and ``reason`` says so.

    Returns
    -------
    GreedyResult
        ``schedule`` (checked: status ``feasible``, objective and terms from the
        checker) or None with ``reason``, and the seconds it took.
    """
    started = time.perf_counter()
    budget = budget or Budget(None)
    try:
        if spans_sites(instance):
            schedule, reason = _by_site(instance, seed, budget)
        else:
            schedule, reason = _one_program(instance, seed, budget)
    except Stopped as stop:
        schedule, reason = None, f"stopped: {stop}"
    if schedule is None:
        return GreedyResult(None, reason, time.perf_counter() - started)
    report = check(instance, schedule)
    seconds = time.perf_counter() - started
    broken = {v.rule for v in report.violations}
    if broken == {"pin"}:
        n = len(report.violations)
        return GreedyResult(None, f"the greedy timetable breaks {n} pin(s)", seconds, schedule)
    if not report.ok:  # a bug here, not a property of the instance
        first = report.violations[0]
        return GreedyResult(
            None, f"internal: the greedy broke rule {first.rule} ({', '.join(first.ids)})", seconds
        )
    schedule.status = "feasible"
    schedule.best_bound = schedule.gap = None
    schedule.objective = report.objective
    schedule.objective_terms = report.weighted_terms(instance.weights)
    schedule.wall_seconds = round(seconds, 3)
    return GreedyResult(schedule, None, seconds)


def _one_program(instance: Instance, seed: int, budget: Budget) -> tuple[Schedule | None, str]:
    """The greedy week of one program, rebuilt with what each failure teaches."""
    prog = Program(ProgramIndex(instance))
    hints = Hints()
    reason = "no attempt made"
    for _ in range(MAX_ATTEMPTS):
        budget.check()
        try:
            schedule = build_week(prog, hints, seed, budget.check)
        except Stuck as stuck:
            reason = stuck.reason
            if not hints.learn(stuck):
                break
            continue
        assign_topics(prog.idx, schedule.sessions, wall_limit=budget.cap())
        return schedule, ""
    return None, reason


def _by_site(instance: Instance, seed: int, budget: Budget) -> tuple[Schedule | None, str]:
    """A multi-site organization site by site, as each site's coordinator plans it: the
    floaters' days are divided among their sites first (``scheduler.sites``)."""

    parts: dict[str, Schedule] = {}
    for site, sub in site_instances(instance).items():
        schedule, reason = _one_program(sub, seed, budget)
        if schedule is None:
            return None, f"site {site}: {reason}"
        parts[site] = schedule
    return merge(instance, parts, bool(floaters(ProgramIndex(instance)))), ""
