"""Random draws the model only proves possible: which blocks a patient gives a specimen in.

Drug screens are meant to be unpredictable (Matrix Model: weekly, at random).
The model guarantees that some choice within block capacity exists; here one
is drawn from the seed: a maximum-weight assignment under random weights, so
every valid choice can come out, patients cannot predict it, and the same seed
repeats it.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from ortools.sat.python import cp_model

from models import ProgramIndex, Screen
from scheduler.interrupt import quiet_solver, run_search


def draw_screens(
    index: ProgramIndex,
    attended: dict[str, list[str]],
    seed: int,
    counts: dict[str, int] | None = None,
) -> list[Screen]:
    """Screens for every patient in the slots they attend, drawn at random from ``seed``.

    Parameters
    ----------
    index
        Lookups of the instance (its ``screening`` settings are used).
    attended
        Patient id -> the slots they attend, in week order.
    seed
        Seed of the draw; the same seed and attendance give the same screens.
    counts
        Screens per patient (default ``screening.per_week`` each); a best-effort
        schedule may give a patient fewer.

    Returns
    -------
    list[Screen]
        In week order, then by patient. Empty when the instance has no screening.
    """
    screening = index.instance.screening
    if screening is None or not screening.per_week:
        return []
    rng = np.random.default_rng(seed)
    model = cp_model.CpModel()
    chosen: dict[tuple[str, str], cp_model.IntVar] = {}
    weights = []
    by_slot: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for pid in sorted(attended):
        mine = []
        for slot in attended[pid]:
            var = model.new_bool_var(f"screen[{pid},{slot}]")
            chosen[(pid, slot)] = var
            weights.append(int(rng.integers(1, 1_000_000)) * var)
            by_slot[slot].append(var)
            mine.append(var)
        model.add(sum(mine) == (screening.per_week if counts is None else counts.get(pid, 0)))
    for vars_ in by_slot.values():
        model.add(sum(vars_) <= screening.capacity_per_block)
    model.maximize(sum(weights))
    solver = quiet_solver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    # Deterministic time, so that the same seed gives the same screens on any machine.
    solver.parameters.max_deterministic_time = 5.0
    code = run_search(solver, model)  # Ctrl-C is handled while it runs
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError("internal error: no screen draw although the timetable allows one")
    order = {slot: i for i, slot in enumerate(index.slots)}
    picked = sorted(
        (key for key, var in chosen.items() if solver.boolean_value(var)),
        key=lambda ps: (order[ps[1]], ps[0]),
    )
    return [
        Screen(patient=pid, day=index.day_of[slot], block=index.block_of[slot].id)
        for pid, slot in picked
    ]
