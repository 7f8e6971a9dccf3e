"""Where a new admission fits this week without moving anyone (``iop-scheduler fit``).

The steps, a module each: ``frame`` reads what the published week leaves free for the
patient; ``model`` is a small exact CP-SAT model of their seats, blocks, appointments,
screens and primary counselor, and ``costs`` its objective, the exact increase of the
week's; ``search`` finds the best few placements (no-good cuts between solves);
``placement`` builds each placed week and has the checker judge and price it; ``rebook``
lets others' appointments move when that is enough; ``moves``
re-solves the week against the published one when the patient fits nowhere as it stands;
``reasons`` says why it fits nowhere; ``text`` prints the answer.
"""

from __future__ import annotations

import time

from models import InputError, Instance, Patient, Schedule
from models.admission import admit
from models.fit import FitResult, Moves
from scheduler.api import CheckReport, check, diagnose
from scheduler.check.stability import change_counts
from scheduler.fit.frame import read_frame
from scheduler.fit.moves import make_room
from scheduler.fit.placement import checked_placement
from scheduler.fit.reasons import why_not
from scheduler.fit.rebook import rebooking_model
from scheduler.fit.search import best_choices

__all__ = ["fit"]


def fit(
    instance: Instance,
    schedule: Schedule,
    patient: Patient,
    top: int = 5,
    time_limit: float = 30.0,
    workers: int = 1,
    seed: int = 0,
) -> FitResult:
    """Where ``patient`` fits in the published ``schedule`` without moving anyone.

    Parameters
    ----------
    instance
        The week's instance, without the new patient.
    schedule
        The published week: a valid schedule of ``instance``.
    patient
        The new admission (its id must not be one of the instance's patients).
    top
        How many placements to return at most, best first.
    time_limit
        Seconds for the whole search, the re-solve when the patient fits nowhere, and
        the diagnosis when not even that finds a week.
    workers, seed
        CP-SAT's search workers and random seed (1 worker: the same answer every run).

    Returns
    -------
    FitResult
        ``verdict`` ``fits`` with the placements (each checked by the checker, its cost
        the checker's increase of the objective), else ``moves`` with the fewest moves
        that make room (``moves.schedule`` the re-solved week), else ``none`` with the
        reasons.

    Raises
    ------
    InputError
        The patient's problems (one line each, naming the field), or a schedule that is
        not a valid timetable of ``instance``.
    """
    started = time.perf_counter()
    published = _published(instance, schedule)
    whole = admit(patient.model_dump(mode="json"), instance, "patient")
    here = read_frame(whole, schedule, patient.id)
    search = best_choices(here, top, time_limit, workers, seed)
    result = FitResult(
        instance=instance.name,
        patient=patient.id,
        verdict="fits" if search.choices else "moves",
        objective=published.objective,
        proven=bool(search.choices) and all(c.proven for c in search.choices),
    )
    placed = [
        checked_placement(here, c, rank, published) for rank, c in enumerate(search.choices, 1)
    ]
    # The checker's cost decides the order (the model's equals it; ties keep the model's).
    result.placements = sorted(placed, key=lambda p: p.cost)
    for rank, p in enumerate(result.placements, 1):
        p.rank = rank
    if not placed:
        result.reasons = why_not(here)
        if search.timed_out:
            result.reasons.append(f"{patient.id}: no placement found in {time_limit:g} s")
        left = max(1.0, time_limit - (time.perf_counter() - started))
        result.moves = rebooked(whole, schedule, published, left / 2, workers, seed)
        if result.moves is None:
            left = max(1.0, time_limit - (time.perf_counter() - started))
            result.moves = make_room(whole, schedule, published.objective, left, workers, seed)
        if result.moves.schedule is None:
            result.verdict = "none"
            left = max(1.0, time_limit - (time.perf_counter() - started))
            result.reasons += diagnose(whole, time_limit=left).lines()
    result.wall_seconds = round(time.perf_counter() - started, 3)
    return result


def rebooked(
    whole: Instance,
    schedule: Schedule,
    published: CheckReport,
    time_limit: float,
    workers: int,
    seed: int,
) -> Moves | None:
    """The best placement when only others' appointments move (the fewest of them), if
    that is enough (``scheduler.fit.rebook``)."""
    here = read_frame(whole, schedule, whole.patients[-1].id, rebook=True)
    found = best_choices(here, 1, time_limit, workers, seed, make=rebooking_model)
    if not found.choices:
        return None
    best = checked_placement(here, found.choices[0], 1, published)
    assert best.schedule is not None
    return Moves(
        status="feasible",
        placement=best,
        objective=best.objective,
        cost=best.cost,
        changes=change_counts(whole, best.schedule, schedule),
        schedule=best.schedule,
    )


def _published(instance: Instance, schedule: Schedule) -> CheckReport:
    """The checker's report of the published week, which must be a valid timetable."""
    if schedule.instance != instance.name:
        raise InputError(
            "schedule",
            [f"instance: the schedule is for '{schedule.instance}', not '{instance.name}'"],
        )
    if not schedule.found:
        raise InputError("schedule", [f"status: '{schedule.status}': it holds no timetable"])
    report = check(instance, schedule)
    if not report.ok:
        n = len(report.violations)
        raise InputError(
            "schedule",
            [
                f"breaks {n} rule{'s' if n > 1 else ''} of the instance (first: "
                f"{report.violations[0].message}); fit places a patient in a valid week"
            ],
        )
    return report
