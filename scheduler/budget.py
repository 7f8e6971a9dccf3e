"""The time a solve may still spend, shared by its phases, and where they stop.

``--time-limit`` is the user's budget for the whole solve, not for the search alone:
the greedy, the model, the search, the read-back and any diagnosis come out of it.
Each phase asks what is left (:meth:`Budget.left`), and the phases that cannot be
given a limit stop at checkpoints (:meth:`Budget.check`: between the greedy's attempts
and steps, between the model's rules), where Ctrl-C's first press stops them too.

With ``deterministic`` the limit is CP-SAT's deterministic time for the search, so
that the result does not depend on the machine: then nothing else is cut by the wall
clock (only Ctrl-C stops a phase early).
"""

from __future__ import annotations

import math
import time

from scheduler.interrupt import CtrlC
from scheduler.result import SolveResult
from scheduler.settings import SolveSettings


class Stopped(Exception):
    """Raised at a checkpoint: the time is up, or Ctrl-C asked the work to end."""


class Budget:
    """Wall-clock seconds from ``started`` (default: now); None: no limit.

    ``ctrl_c``: the owner of SIGINT whose first press also stops the work.
    """

    def __init__(
        self, seconds: float | None, ctrl_c: CtrlC | None = None, started: float | None = None
    ) -> None:
        self.seconds = seconds
        self.ctrl_c = ctrl_c
        self.started = time.perf_counter() if started is None else started

    @classmethod
    def of(cls, settings: SolveSettings, ctrl_c: CtrlC | None = None) -> Budget:
        """The budget of a solve with ``settings``: its time limit, or none when the limit
        is deterministic time (which only the search counts)."""
        return cls(None if settings.deterministic else settings.time_limit, ctrl_c)

    def left(self) -> float:
        """Seconds left (``inf`` without a limit; negative once overdrawn)."""
        if self.seconds is None:
            return math.inf
        return self.seconds - (time.perf_counter() - self.started)

    @property
    def interrupted(self) -> bool:
        return self.ctrl_c is not None and self.ctrl_c.pressed

    def check(self) -> None:
        """A checkpoint: raise :class:`Stopped` if Ctrl-C was pressed or the time is up."""
        if self.interrupted:
            raise Stopped("interrupted")
        if self.left() <= 0:
            raise Stopped("out of time")

    def cap(self, at_least: float = 0.1) -> float | None:
        """Wall seconds for a helper solve that has a fallback: what is left, at least
        ``at_least``; None without a limit (the helper keeps its deterministic limit)."""
        return None if self.seconds is None else max(self.left(), at_least)


def time_left(settings: SolveSettings, result: SolveResult, at_most: float = 30.0) -> float:
    """Seconds for a diagnosis after the solve ``result``: what is left of the time limit
    (at least 1 s), at most ``at_most``; with ``deterministic``, the limit itself (at most
    ``at_most``), as the diagnosis does not change the schedule."""
    if settings.deterministic:
        return min(settings.time_limit, at_most)
    return min(max(settings.time_limit - result.wall_seconds, 1.0), at_most)
