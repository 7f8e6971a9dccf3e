"""The whole-block LP bound (``scheduler.explain.block_bound``), computed in a thread
beside the model's build and the search, so that it takes no time from them.

GLOP lets go of Python's lock while it solves, so the LP runs on the core the
build leaves idle (the build is Python). Its limit is GLOP's deterministic time,
so a ``--deterministic`` solve reports the same bound on any machine.
"""

from __future__ import annotations

import threading

from models import Instance
from scheduler.explain.block_bound import block_bound


class LateBound:
    """``block_bound(instance, deterministic_time)``, started at once in a daemon thread."""

    def __init__(self, instance: Instance, deterministic_time: float) -> None:
        self._value: int | None = None
        self._thread = threading.Thread(
            target=self._run, args=(instance, deterministic_time), daemon=True
        )
        self._thread.start()

    def _run(self, instance: Instance, deterministic_time: float) -> None:
        self._value = block_bound(instance, deterministic_time)

    def raised(self, floor: int | None, wait: bool = True) -> int | None:
        """``floor``, or the LP's bound if higher; without ``wait`` (out of time, Ctrl-C)
        only if it is already there."""
        if wait:
            self._thread.join()
        if floor is None or self._value is None:
            return floor
        return max(floor, self._value)
