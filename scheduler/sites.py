"""Solve a multi-site organization: one program's solve per site, in turn, merged.

The division into site programs and the merge are ``scheduler.organization``; each
site is solved by ``scheduler.program`` (an organization uses a program, never the
reverse).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from models import Instance, ProgramIndex, Schedule
from models.schedule import Status
from scheduler.budget import Budget
from scheduler.explain.bound import objective_floor
from scheduler.greedy import greedy_schedule
from scheduler.interrupt import ctrl_c_owner
from scheduler.organization import floaters, merge, site_instances, split_schedule
from scheduler.program import solve_program
from scheduler.read_week import valid_as_is
from scheduler.result import ProgressEvent, SolveResult
from scheduler.settings import SolveSettings


def solve_by_site(
    instance: Instance,
    settings: SolveSettings,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    start_from: Schedule | None = None,
    previous: Schedule | None = None,
) -> SolveResult:
    """Solve the sites in turn, in two lanes side by side (``_lanes``: with 4 workers or
    more, not deterministic; each lane with half the workers), each site with an equal
    share of what is left of ``settings.time_limit`` to its lane (which is for the whole
    organization, greedy timetables included).

    Each site's search starts from its part of ``start_from`` (``split_schedule``), or,
    for a site it has nothing for or without it, from the site's greedy timetable, all
    built first: so the organization has a first schedule within a second or two.
    Progress is reported then and after each site (objective: finished sites' plus the
    others' starting timetables; bound: finished sites' bounds plus the others'
    patient-by-patient bounds).

    With ``previous`` (last week's schedule) each site is solved against its part of it
    (``previous_parts``) and starts from its part, as with ``start_from``.
    """
    with ctrl_c_owner() as ctrl_c:  # one owner for every site's solve
        budget = Budget.of(settings, ctrl_c)
        return _by_site(instance, settings, on_progress, start_from, budget, previous)


def _lanes(sites: list[str], settings: SolveSettings) -> list[list[str]]:
    """The sites in two lanes solved side by side (each with half the workers and twice
    a one-lane share of the time), or one lane: with one site, fewer than four workers
    (a lane of one worker found no cohort week in its share: XL at 60 s kept every
    site's greedy week), or ``deterministic`` (a thread's timing must not change the
    schedules). Presolve is single-threaded, and on 8 sites and 60 s a one-lane share
    of 7.5 s left some sites with the greedy's week: two lanes gave 138395 where one
    gave 148495 (8 workers, one run each)."""
    if len(sites) < 2 or settings.workers < 4 or settings.deterministic:
        return [sites]
    return [sites[0::2], sites[1::2]]


def previous_parts(instance: Instance, previous: Schedule) -> dict[str, Schedule]:
    """Each site's part of last week's schedule, to measure its changes against: the
    sessions in its rooms and every session of its patients (one who moved site keeps
    last week's blocks and seats), and its patients' assigned primary counselors."""
    room_site = {r.id: r.site for r in instance.rooms}
    patient_site = {p.id: p.site for p in instance.patients}
    parts = {}
    for site in ProgramIndex(instance).sites:
        sessions = [
            s
            for s in previous.sessions
            if room_site.get(s.room) == site or any(patient_site.get(p) == site for p in s.patients)
        ]
        primaries = {
            pid: cid
            for pid, cid in previous.primary_counselors.items()
            if patient_site.get(pid) == site
        }
        parts[site] = Schedule(
            instance=f"{instance.name}@{site}",
            status=previous.status,
            sessions=sessions,
            primary_counselors=primaries,
        )
    return parts


def _by_site(
    instance: Instance,
    settings: SolveSettings,
    on_progress: Callable[[ProgressEvent], None] | None,
    start_from: Schedule | None,
    budget: Budget,
    previous: Schedule | None = None,
) -> SolveResult:
    """The organization's solve, site by site, within ``budget``."""
    started = budget.started
    subs = site_instances(instance, previous)
    moving = floaters(ProgramIndex(instance))
    start = start_from if start_from is not None else previous
    given = split_schedule(instance, start) if start is not None else {}
    lasts = previous_parts(instance, previous) if previous is not None else {}
    starts: dict[str, Schedule | None] = dict.fromkeys(subs)
    for site, sub in subs.items():
        if site in given:
            # A valid part is scored (and never made worse); any part is still a hint.
            starts[site] = valid_as_is(sub, given[site], lasts.get(site)) or given[site]
        elif settings.warm_start == "greedy" and not settings.best_effort:
            greedy = greedy_schedule(sub, settings.seed, budget)
            starts[site] = greedy.schedule or greedy.draft  # a draft breaking pins: a hint
    first = None
    if all(start is not None and start.objective is not None for start in starts.values()):
        first = time.perf_counter() - started
    # For progress only (each site's solve works out its own again): a bound for the sites
    # not solved yet, after ``first`` so that it does not delay the first schedule.
    listening = on_progress is not None and not settings.best_effort
    floors = {s: (objective_floor(sub) or 0) if listening else 0 for s, sub in subs.items()}
    done: dict[str, SolveResult] = {}

    def report() -> None:
        if on_progress is None or first is None:
            return
        objective = 0
        for s in subs:
            best = done[s].schedule if s in done else starts[s]
            objective += (best.objective or 0) if best is not None else 0
        bound = sum(max(0.0, done[s].best_bound or 0.0) if s in done else floors[s] for s in subs)
        on_progress(ProgressEvent(time.perf_counter() - started, objective, bound, len(done) + 1))

    report()
    lanes = _lanes(list(subs), settings)
    lane_settings = replace(settings, workers=max(1, settings.workers // len(lanes)))
    lock = threading.Lock()  # the lanes report one at a time
    # Side by side, the sites' Python (build, read-back) shares one interpreter lock: on
    # XL at 60 s the last sites ended 2.5 s late with whole shares, 1.4 s with 93 % of
    # them, 0.5 s with 88 %.
    lane_margin = 1.0 if len(lanes) == 1 else 0.88

    def run(lane: list[str]) -> None:
        overhead = 0.0  # deterministic: per site, beyond its search (see below)
        for k, site in enumerate(lane):
            # Each site's solve keeps within its share (its model and read-back included).
            share = max(0.0, budget.left() / (len(lane) - k)) * lane_margin
            began = time.perf_counter()
            if budget.seconds is None:
                # Deterministic time, shared as it always was (kept so that schedules stay
                # the same): what is left after the wall seconds spent so far, less the
                # last site's overrun, at least 0.5.
                left = settings.time_limit - (began - started)
                share = max(0.5, left / (len(lane) - k) - overhead)
            result = solve_program(
                subs[site],
                replace(lane_settings, time_limit=share),
                start_from=starts[site],
                previous=lasts.get(site),
            )
            overhead = max(0.0, time.perf_counter() - began - share)
            with lock:
                done[site] = result
                if result.found:
                    report()

    if len(lanes) == 1:
        run(lanes[0])
    else:
        with ThreadPoolExecutor(max_workers=len(lanes), thread_name_prefix="site") as pool:
            for future in [pool.submit(run, lane) for lane in lanes]:
                future.result()  # a lane's error is raised here
    done = {site: done[site] for site in subs}  # in the instance's order
    wall = time.perf_counter() - started
    schedules = {s: r.schedule for s, r in done.items()}
    missing = [s for s, sched in schedules.items() if not sched.found]
    if missing:
        status: Status = (
            "infeasible" if any(schedules[s].status == "infeasible" for s in missing) else "unknown"
        )
        merged = Schedule(instance=instance.name, status=status)
    else:
        merged = merge(instance, schedules, bool(moving))
    merged.wall_seconds = None if settings.deterministic else round(wall, 3)
    if first is None and not missing:
        first = max(r.first_solution_seconds or 0.0 for r in done.values())
    return SolveResult(
        merged,
        wall,
        {"sites": len(subs), "floaters": len(moving)},
        None if first is None else round(first, 3),
        sum(r.solutions for r in done.values()),
        interrupted=any(r.interrupted for r in done.values()),
        site_statuses={s: sched.status for s, sched in schedules.items()},
    )
