"""Same-day repair: re-solve a published week after a change, moving as few people as
possible (``iop-scheduler repair``).

The week as it now is comes from ``scheduler.disrupt`` (counselors away, rooms closed,
patients discharged and admitted, the days already over frozen as pins); it is solved
against the published schedule as last week's (``solve(..., previous=schedule)``), so the
stability terms keep everything they can and the published week, patched with
substitutes, is the start. The result carries the changed instance: the repaired
schedule is valid for it, not for the published one, so that is what to check it
against (and what ``diff`` and ``export`` take).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from models import Instance, Schedule
from models.diff import ScheduleDiff
from models.disruption import Disruption
from scheduler.api import diff_schedules, solve
from scheduler.disrupt import disrupted_instance, frozen_days
from scheduler.result import ProgressEvent, SolveResult
from scheduler.settings import SolveSettings


@dataclass
class RepairResult:
    """A repaired week: the solve, the week it was solved for, and what changed."""

    result: SolveResult  # the solve of ``instance`` against the published schedule
    instance: Instance  # the changed week: check the schedule against this one
    diff: ScheduleDiff | None  # the phone list, when a schedule was found
    frozen: list[str]  # the days kept as published (before from_day)

    @property
    def schedule(self) -> Schedule:
        return self.result.schedule

    @property
    def found(self) -> bool:
        return self.result.found

    def past_changes(self) -> list[str]:
        """Any change the diff lists on a frozen day (there should be none): one line each."""
        if self.diff is None:
            return []
        lines = []
        for person in self.diff.patients + self.diff.counselors:
            for c in person.changes:
                days = {m.day for m in (c.before, c.after) if m is not None}
                if days & set(self.frozen):
                    lines.append(f"{person.id}: {c.kind} {c.action} on {', '.join(sorted(days))}")
        return lines


def repair(
    instance: Instance,
    schedule: Schedule,
    disruption: Disruption,
    settings: SolveSettings | None = None,
    on_progress: Callable[[ProgressEvent], None] | None = None,
) -> RepairResult:
    """Repair a published week after a same-day change.

    Parameters
    ----------
    instance
        The week as published.
    schedule
        Its published schedule (holding a timetable).
    disruption
        What changed: counselors away and rooms closed for a block, patients discharged
        and admitted, and ``from_day``, the first day that may change.
    settings, on_progress
        As for :func:`scheduler.solve`.

    Returns
    -------
    RepairResult
        The solve (its schedule's ``changes`` count what moved), the changed instance,
        the phone list (``diff``) and the frozen days. The schedule is not checked
        here: check it against ``result.instance`` with ``previous=schedule``.

    Raises
    ------
    models.InputError
        When the disruption names something the week does not have (see
        :func:`scheduler.disrupt.disrupted_instance`).
    """
    changed = disrupted_instance(instance, schedule, disruption)
    result = solve(changed, settings, on_progress, previous=schedule)
    found = diff_schedules(changed, schedule, result.schedule) if result.found else None
    return RepairResult(result, changed, found, frozen_days(instance, disruption))
