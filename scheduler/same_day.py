"""Same-day repair: re-solve a published week after a change, moving as few people as
possible (``iop-scheduler repair``).

The week as it now is comes from ``scheduler.disrupt`` (counselors away, rooms closed,
patients discharged and admitted, the days already over frozen as pins); it is solved
against the published schedule as last week's (``solve(..., previous=schedule)``), so the
stability terms keep everything they can. The start is the published week with a
substitute for each session of a counselor away (``scheduler.substitute``), their
appointments in that block moved (``scheduler.rebook``) and each admitted patient placed
where they fit without moving anyone (``scheduler.fit``), when that is valid: the solve
then never returns anything worse. After the solve the days that are over get their
published offices back (pins cannot hold an office). The result carries the changed instance: the repaired
schedule is valid for it, not for the published one, so that is what to check it
against (and what ``diff`` and ``export`` take).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from models import Appointment, InputError, Instance, Patient, Schedule
from models.diff import ScheduleDiff
from models.disruption import Disruption
from scheduler.api import check, diff_schedules, solve
from scheduler.disrupt import disrupted_instance, frozen_days
from scheduler.fit import fit
from scheduler.rebook import rebooked
from scheduler.result import ProgressEvent, SolveResult
from scheduler.settings import SolveSettings
from scheduler.substitute import with_substitutes


@dataclass
class RepairResult:
    """A repaired week: the solve, the week it was solved for, and what changed."""

    result: SolveResult  # the solve of ``instance`` against the published schedule
    instance: Instance  # the changed week: check the schedule against this one
    diff: ScheduleDiff | None  # the phone list, when a schedule was found
    frozen: list[str]  # the days kept as published (before from_day)
    stuck: list[str] = field(default_factory=list)  # appointments with no other time

    @property
    def schedule(self) -> Schedule:
        return self.result.schedule

    @property
    def found(self) -> bool:
        return self.result.found

    def past_changes(self) -> list[str]:
        """Any change the diff lists on a frozen day, one line each: none but a discharged
        patient's appointments should be there, yet nothing in an instance can stop the
        solve from adding an appointment on a day that is over (say when a counselor away
        has no other time for a patient)."""
        if self.diff is None:
            return []
        gone = {p.id for p in self.diff.patients if p.status == "discharged"}
        lines = []
        for person in self.diff.patients + self.diff.counselors:
            for c in person.changes:
                if c.before is not None and c.before.patient in gone:
                    continue  # a discharged patient's past appointment leaves the record
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
    settings = settings or SolveSettings()
    changed = disrupted_instance(instance, schedule, disruption)
    frozen = frozen_days(instance, disruption)
    started = time.perf_counter()
    start, stuck = repair_start(changed, schedule, frozen, settings)
    left = max(0.0, settings.time_limit - (time.perf_counter() - started))
    settings = replace(settings, time_limit=left) if not settings.deterministic else settings
    result = solve(changed, settings, on_progress, start_from=start, previous=schedule)
    if result.found:
        result.schedule = with_past_offices(changed, result.schedule, schedule, frozen)
    found = diff_schedules(changed, schedule, result.schedule) if result.found else None
    return RepairResult(result, changed, found, frozen, stuck)


def repair_start(
    changed: Instance,
    published: Schedule,
    frozen: list[str] | None = None,
    settings: SolveSettings | None = None,
) -> tuple[Schedule | None, list[str]]:
    """The published week without the discharged patients, with a substitute for each
    session of a counselor now away, their appointments in that block at another time
    (``scheduler.rebook``) and each admitted patient where they fit without moving anyone
    (``scheduler.fit``, a quarter of the time limit at most, 10 s each), when that is
    valid for the changed week, else None (``solve`` then starts from the published week
    with substitutes alone, or the greedy timetable); and the appointments that found no
    other time."""
    start = _without_discharged(changed, published)
    start = with_substitutes(changed, start) or start
    rebooking = rebooked(changed, start, frozen or [])
    start = rebooking.schedule
    admitted = [p for p in changed.patients if not _in_week(p.id, published)]
    if admitted:
        start = _placed(changed, start, admitted, settings or SolveSettings()) or start
    return (start if check(changed, start).ok else None), rebooking.stuck


def _in_week(patient: str, sched: Schedule) -> bool:
    return any(patient in s.patients for s in sched.sessions)


def _placed(
    changed: Instance, start: Schedule, admitted: list[Patient], settings: SolveSettings
) -> Schedule | None:
    """``start`` with each admitted patient in turn at the best place ``fit`` finds for
    them without moving anyone; None when one fits nowhere as the week stands."""
    ids = {p.id for p in admitted}
    week = changed.model_copy(update={"patients": [p for p in changed.patients if p.id not in ids]})
    each = min(10.0, settings.time_limit / 4 / len(admitted))
    for patient in admitted:
        try:
            found = fit(week, start, patient, top=1, time_limit=each, workers=settings.workers)
        except InputError:  # the start is not a valid week without them
            return None
        if not found.placements or found.placements[0].schedule is None:
            return None
        start = found.placements[0].schedule
        week = week.model_copy(update={"patients": [*week.patients, patient]})
    return start


def _without_discharged(changed: Instance, published: Schedule) -> Schedule:
    """The published week without the patients the changed week no longer has."""
    here = {p.id for p in changed.patients}
    return published.model_copy(
        update={
            "sessions": [
                s.model_copy(update={"patients": [p for p in s.patients if p in here]})
                for s in published.sessions
            ],
            "individual_sessions": [a for a in published.individual_sessions if a.patient in here],
            "medication_appointments": [
                a for a in published.medication_appointments if a.patient in here
            ],
            "screens": [x for x in published.screens if x.patient in here],
            "primary_counselors": {
                p: c for p, c in published.primary_counselors.items() if p in here
            },
        }
    )


def with_past_offices(
    changed: Instance, repaired: Schedule, published: Schedule, frozen: list[str]
) -> Schedule:
    """The published offices back on the frozen days' appointments.

    Pins keep an appointment's time and counselor but not its office (offices are
    assigned after the solve); a day that is over keeps the office it had: each of its
    appointments that is a published one gets that one's office back, kept only if the
    week stays valid (an office does not change the objective)."""
    if not frozen:
        return repaired

    def key(kind: str, a: Appointment) -> tuple[str, str, str, str, str]:
        return (kind, a.patient, a.counselor, a.day, a.start)

    def past(sched: Schedule) -> dict[tuple[str, str, str, str, str], Appointment]:
        return {
            key(kind, a): a
            for kind, appointments in (
                ("individual", sched.individual_sessions),
                ("medication", sched.medication_appointments),
            )
            for a in appointments
            if a.day in frozen
        }

    before, now = past(published), past(repaired)
    if all(before.get(k, a) == a for k, a in now.items()):
        return repaired
    kept = repaired.model_copy(
        update={
            "individual_sessions": [
                before.get(key("individual", a), a) for a in repaired.individual_sessions
            ],
            "medication_appointments": [
                before.get(key("medication", a), a) for a in repaired.medication_appointments
            ],
        }
    )
    return kept if check(changed, kept).ok else repaired
