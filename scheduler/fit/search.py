"""The best few placements: solve the admission model, cut the seats found off, solve again.

Each solve is exact (the model is small: one patient), so the placements come best first
and each is the cheapest whose seats differ from those listed before it (``proven``),
unless the time ran out first.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.fit.costs import objective
from scheduler.fit.frame import Frame
from scheduler.fit.model import MOVE_WEIGHT, FitModel, build

AppointmentKey = tuple[str, tuple[str, int]]  # (counselor, (day, individual slot index))


@dataclass(frozen=True)
class Choice:
    """One solution of the model: what the patient gets."""

    seats: tuple[int, ...]  # option numbers: positions in schedule.sessions
    blocks: tuple[str, ...]
    individual: tuple[AppointmentKey, ...]
    medication: tuple[AppointmentKey, ...]
    screens: tuple[str, ...]
    primary: str | None
    rebooked: tuple[tuple[str, int, tuple[str, int]], ...]  # others' appointments moved
    cost: int  # the model's objective (caseload_imbalance whole, see scheduler.fit.costs)
    proven: bool


@dataclass
class Search:
    """The outcome of the search: the choices found and whether the last solve said
    there is no (further) placement."""

    choices: list[Choice]
    exhausted: bool  # no placement (beyond those found) exists
    timed_out: bool


def placement_model(frame: Frame) -> FitModel:
    """The admission model with its objective."""
    fm = build(frame)
    objective(fm)
    return fm


def best_choices(
    frame: Frame,
    top: int,
    time_limit: float,
    workers: int = 1,
    seed: int = 0,
    make: Callable[[Frame], FitModel] = placement_model,
) -> Search:
    """Up to ``top`` placements, best first, within ``time_limit`` seconds in all, of the
    model ``make`` builds."""
    deadline = time.perf_counter() + time_limit
    fm = make(frame)
    found: list[Choice] = []
    while len(found) < top:
        left = deadline - time.perf_counter()
        if left <= 0:
            return Search(found, exhausted=False, timed_out=True)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = left
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        status = solver.solve(fm.model)
        if status == cp_model.INFEASIBLE:
            return Search(found, exhausted=True, timed_out=False)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Search(found, exhausted=False, timed_out=True)
        choice = _read(fm, solver, proven=status == cp_model.OPTIMAL)
        found.append(choice)
        _cut(fm, choice)
    return Search(found, exhausted=False, timed_out=False)


def _read(fm: FitModel, solver: cp_model.CpSolver, proven: bool) -> Choice:
    def on(v: cp_model.IntVar) -> bool:
        return bool(solver.value(v))

    primary = next((cid for cid, v in fm.primary.items() if on(v)), None)
    rebooked = tuple(k for k, v in fm.rebooked.items() if on(v) and k[2] != _was(fm, k))
    return Choice(
        seats=tuple(n for n, v in fm.seat.items() if on(v)),
        blocks=tuple(slot for slot, v in fm.block.items() if on(v)),
        individual=tuple(k for k, v in fm.individual.items() if on(v)),
        medication=tuple(k for k, v in fm.medication.items() if on(v)),
        screens=tuple(slot for slot, v in fm.screen.items() if on(v)),
        primary=primary,
        rebooked=rebooked,
        cost=round(solver.objective_value) - MOVE_WEIGHT * len(rebooked),
        proven=proven,
    )


def _was(fm: FitModel, key: tuple[str, int, tuple[str, int]]) -> tuple[str, int] | None:
    """Where the others' appointment ``key`` names was published."""
    kind, n, _ = key
    booked = (
        fm.frame.schedule.individual_sessions
        if kind == "individual"
        else (fm.frame.schedule.medication_appointments)
    )
    a = booked[n]
    t = fm.frame.idx.appointment_time(a.day, a.start, a.end)
    return None if t is None else t.key


def _cut(fm: FitModel, choice: Choice) -> None:
    """No-good: the next placement differs in at least one seat."""
    chosen = set(choice.seats)
    fm.model.add(
        sum(1 - v for n, v in fm.seat.items() if n in chosen)
        + sum(v for n, v in fm.seat.items() if n not in chosen)
        >= 1
    )
