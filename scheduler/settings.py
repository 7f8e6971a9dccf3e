"""How to run a solve: the settings every entry point takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class SolveSettings:
    """How to run the solver.

    Parameters
    ----------
    time_limit
        Seconds of wall clock; with ``deterministic``, units of CP-SAT's
        deterministic time instead (reproducible, roughly seconds).
    workers
        CP-SAT search workers. More workers than cores still help on 2 cores
        (a wider portfolio moves the bound); 0 lets CP-SAT choose.
    seed
        Random seed of the search, and of the drug-screen draw: the same seed and
        the same attendance give the same screens.
    deterministic
        Stop on deterministic time, not wall clock, so that the same instance,
        seed and ``workers=1`` give the same schedule byte for byte.
    relative_gap
        Stop once (objective - bound) / objective is at most this.
    formulation
        ``"aggregated"`` (default): interchangeable sessions of a group type in
        a period are one counted family, split into sessions after the solve;
        ``"plain"``: every possible session is its own set of variables (slower;
        kept as a reference and benchmark baseline).
    warm_start
        ``"greedy"``: build a timetable the way a coordinator would
        (``scheduler.greedy``) and start the search from it, so a first schedule
        comes at once; ``"none"``: search from scratch. A ``start_from`` schedule
        given to ``solve`` takes its place.
    best_effort
        Turn each patient's hours, days, requirement rows, appointments and screens
        into penalties (``shortfall_*`` weights), so that a timetable for everyone
        who can be placed always comes back, with the ``shortfalls`` listed.
    parameters
        Any other CP-SAT parameter by name, passed through as given.
    """

    time_limit: float = 60.0
    workers: int = 8
    seed: int = 0
    deterministic: bool = False
    relative_gap: float = 0.0
    formulation: Literal["aggregated", "plain"] = "aggregated"
    warm_start: Literal["greedy", "none"] = "greedy"
    best_effort: bool = False
    parameters: dict[str, Any] = field(default_factory=dict)
