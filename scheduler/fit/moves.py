"""When the patient fits nowhere as the week stands: the fewest moves that make room.

The week is solved again with the patient, against the published schedule
(``scheduler.solve(..., previous=schedule)``): the stability terms make every moved
block, seat, session and assigned primary counselor costly, so the solve moves as few as
it must. What moved is read with ``scheduler.check.stability``, as ``solve`` counts it.
"""

from __future__ import annotations

from models import Instance, ProgramIndex, Schedule
from models.fit import Moves
from scheduler.api import check, solve
from scheduler.check.stability import counselors_changed, last_week, stability_changes
from scheduler.settings import SolveSettings


class MovesError(RuntimeError):
    """The re-solved week fails the checker: a bug, never the input's fault."""


def make_room(
    instance: Instance,
    published: Schedule,
    published_objective: int,
    time_limit: float,
    workers: int,
    seed: int,
) -> Moves:
    """Solve ``instance`` (the week with the new patient) against the ``published``
    schedule (whose objective, as the checker computes it, is ``published_objective``);
    the moves, or a status saying none were found."""
    settings = SolveSettings(time_limit=time_limit, workers=workers, seed=seed)
    result = solve(instance, settings, previous=published)
    if not result.found:
        return Moves(status=result.status)
    week = result.schedule
    report = check(instance, week, published)
    if not report.ok or report.objective != week.objective:
        raise MovesError(f"fit: the re-solved week fails the checker: {report.rules()[:3]}")
    objective = check(instance, week).objective
    idx = ProgramIndex(instance)
    changes = stability_changes(
        idx, week.sessions, week.primary_counselors, last_week(idx, published)
    )
    moved = {c.patient for c in changes if c.patient is not None}
    return Moves(
        status=week.status,
        objective=objective,
        cost=objective - published_objective,
        changes=week.changes,
        patients_moved=[p.id for p in instance.patients if p.id in moved],
        sessions_moved=[c.ids[0] for c in changes if c.term == "session_moved"],
        counselors_changed=counselors_changed(idx, week.sessions, published.sessions),
        schedule=week,
    )
