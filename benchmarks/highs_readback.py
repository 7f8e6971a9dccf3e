"""HiGHS's solutions as schedules: read back as the solve reads CP-SAT's, then checked.

The MIP's objective is the model's: the terms the read-back decides (topics, seating,
rooms: ``scheduler.program``) are not in it, so it understates the written objective
as CP-SAT's search objective does. To compare HiGHS with the best known (written)
objectives, each of its solutions is

1. fixed in the CP-SAT model, which CP-SAT then solves (so CP-SAT itself accepts the
   point: the translation's exactness, checked each time), and
2. read back from that solver exactly as a solve reads its own search (split into
   sessions, seats and rooms, topics, services), then scored by the checker.
"""

from __future__ import annotations

from collections.abc import Sequence

from ortools.sat.python import cp_model

from models import Instance, Schedule
from scheduler.budget import Budget
from scheduler.cpsat.model import TimetableModel
from scheduler.read_week import read_week, valid_as_is
from scheduler.settings import SolveSettings


def fixed_solver(tm: TimetableModel, values: Sequence[float]) -> cp_model.CpSolver | None:
    """A CP-SAT solver holding ``values`` as the solution of ``tm``'s model, or None if
    CP-SAT finds the point infeasible (or not integral)."""
    fixed = tm.model.clone()
    for i, v in enumerate(values):
        if abs(v - round(v)) > 1e-6:
            return None
        fixed.add(fixed.get_int_var_from_proto_index(i) == round(v))
    fixed.clear_hints()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30.0
    if solver.solve(fixed) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return solver


def read_back(
    instance: Instance,
    tm: TimetableModel,
    values: Sequence[float],
    settings: SolveSettings | None = None,
) -> Schedule | None:
    """The checked schedule of a MIP solution of ``tm``'s model (columns indexed like
    its variables), or None when CP-SAT or the checker refuses it.

    Parameters
    ----------
    instance
        The instance ``tm`` was built for (without ``previous``).
    tm
        The model that was translated for HiGHS (``highs_translate.to_highs``).
    values
        The solution's first ``len(tm.model.proto.variables)`` columns.
    settings
        The solve's settings (seed of the services); the default settings if None.
    """
    solver = fixed_solver(tm, values)
    if solver is None:
        return None
    settings = settings or SolveSettings()
    # No time limit: the read-back's own helpers cap themselves (deterministic time).
    week = read_week(
        instance, tm, solver, cp_model.FEASIBLE, settings, Budget(None), None, None, 0.0
    )
    return valid_as_is(instance, week)
