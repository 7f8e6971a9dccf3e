"""What a solve reports while it runs: each better schedule, and its objective.

The search's own objective is not the written one: rooms, seats and topics are chosen
after it (the read-back), and the cohort and stability terms are only then counted
exactly (on 120 patients the search's can be a third lower). So when someone listens,
and the solve is neither deterministic nor best effort, a :class:`WeekReader` thread
reads back the search's newest better week while the search goes on and reports that
week's checked objective: the progress lines and ``--log-json`` then show objectives of
schedules that exist, and the best week read is a candidate for the answer. It leaves
the search at least as much time as each read took (about 3 s on 120 patients), so it
costs the search at most half of one core.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model
from ortools.sat.python import cp_model_helper as cmh

from models import Schedule
from scheduler.result import ProgressEvent


class Snapshot:
    """A solution the search reported, read like the solver after the search."""

    def __init__(self, response: Any) -> None:
        self._response = response

    @property
    def best_objective_bound(self) -> float:
        return float(self._response.best_objective_bound)

    def value(self, expression: cp_model.LinearExprT) -> int:
        return int(cmh.ResponseHelper.value(self._response, expression))

    def boolean_value(self, literal: Any) -> bool:
        return bool(cmh.ResponseHelper.boolean_value(self._response, literal))


class WeekReader:
    """Reads back the newest week it is offered, one at a time, in a thread of its own;
    reports each that is better than any before (``report(objective)``) and keeps it."""

    def __init__(
        self,
        read: Callable[[Snapshot], Schedule | None],
        report: Callable[[float], None],
        pause: float = 1.0,
    ) -> None:
        self._read = read  # a snapshot -> its checked schedule (None: not valid)
        self._report = report
        self._pause = pause  # the least rest between two reads, in seconds
        self._lock = threading.Lock()
        self._newest: Snapshot | None = None
        self._offered = threading.Event()
        self._stopping = threading.Event()
        self.best: Schedule | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="read-back", daemon=True)
        self._thread.start()

    def offer(self, snapshot: Snapshot) -> None:
        """The newest better solution (the one waiting, if any, is dropped)."""
        with self._lock:
            self._newest = snapshot
        self._offered.set()

    def stop(self) -> Schedule | None:
        """Stop after the read under way, if any; the best week read (None if none)."""
        self._stopping.set()
        self._offered.set()
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self.best

    def _run(self) -> None:
        try:
            while True:
                self._offered.wait()
                if self._stopping.is_set():
                    return
                with self._lock:
                    snapshot, self._newest = self._newest, None
                    self._offered.clear()
                if snapshot is None:
                    continue
                took = time.perf_counter()
                week = self._read(snapshot)
                took = time.perf_counter() - took
                if _better(week, self.best):
                    assert week is not None and week.objective is not None
                    self.best = week
                    self._report(week.objective)
                if self._stopping.wait(max(took, self._pause)):  # the search's turn
                    return
        except BaseException as err:  # handed to the caller of stop()
            self.error = err


def _better(week: Schedule | None, best: Schedule | None) -> bool:
    if week is None or week.objective is None:
        return False
    return best is None or best.objective is None or week.objective < best.objective


class SearchProgress(cp_model.CpSolverSolutionCallback):
    """Records when the first schedule was found and reports each better one: a schedule
    found before the search (:meth:`incumbent`), then the search's, through a
    :class:`WeekReader` when one watches (:meth:`watch`), else by the search's own
    objective.

    O(1) per solution when nobody listens, as callbacks slow the search.
    """

    def __init__(
        self,
        started: float,
        listener: Callable[[ProgressEvent], None] | None = None,
        floor: float = 0.0,
        relative_gap: float = 0.0,
    ) -> None:
        super().__init__()
        self.started = started
        self.listener = listener
        self.first_seconds: float | None = None
        self.count = 0
        self.best = math.inf  # the best objective reported
        self.searched = math.inf  # the search's best objective (its own)
        self.close_enough = False  # the best schedule is within the gap limit of ``floor``
        self.floor = floor  # a bound known before the search (scheduler.explain.bound)
        self.relative_gap = relative_gap
        self.search_bounds = True  # False when the search's bound holds for cohort weeks only
        self.reader: WeekReader | None = None
        self._bound = floor

    def incumbent(self, objective: float) -> None:
        """A schedule with this (written) objective: an event when it is better than the
        best so far."""
        if objective >= self.best:
            return
        self.best = objective
        self.count += 1
        elapsed = time.perf_counter() - self.started
        if self.first_seconds is None:
            self.first_seconds = elapsed
        self.close_enough = self.close_enough or self._within_gap(objective)
        if self.listener is not None:
            bound = min(max(self._bound, self.floor), objective)
            self.listener(ProgressEvent(elapsed, objective, bound, self.count))

    def watch(self, read: Callable[[Snapshot], Schedule | None]) -> None:
        """Report the search's weeks by their read-back (``read``) from now on."""
        self.searched = math.inf
        self.reader = WeekReader(read, self.incumbent)

    def unwatch(self) -> Schedule | None:
        """Stop reading back; the best week read (None if none)."""
        reader, self.reader = self.reader, None
        return None if reader is None else reader.stop()

    def on_solution_callback(self) -> None:
        self.count += 1
        elapsed = time.perf_counter() - self.started
        if self.first_seconds is None:
            self.first_seconds = elapsed
        if self.search_bounds:
            self._bound = max(self._bound, self.best_objective_bound)
        objective = self.objective_value
        if self.reader is not None:
            if objective < self.searched:
                self.searched = objective
                self.reader.offer(Snapshot(self.response_proto))
        elif objective < self.best:
            self.best = objective
            if self.listener is not None:
                bound = max(self._bound, self.floor)
                self.listener(ProgressEvent(elapsed, objective, bound, self.count))
        if self._within_gap(objective):  # CP-SAT's own limit knows only its bound
            self.close_enough = True
            self.stop_search()

    def _within_gap(self, objective: float) -> bool:
        return self.relative_gap > 0 and objective - self.floor <= self.relative_gap * abs(
            objective
        )
