"""The judge: checks a schedule against an instance and recomputes its objective.

Pure Python; imports no solver. Every rule the CP-SAT model enforces is checked
here independently, from the instance and the schedule alone, and reported as
a :class:`Violation` with a message a coordinator understands. The objective is
recomputed term by term (:class:`Penalty` per entity), so it also scores
hand-made or hand-edited timetables.
"""

from __future__ import annotations

from collections.abc import Callable

from models import Instance, Schedule
from scheduler.check import (
    appointments,
    cohorts,
    groups,
    objective,
    patients,
    pins,
    references,
    sites,
    stability,
    staff,
)
from scheduler.check.context import Checker
from scheduler.check.report import CheckReport

# Every rule, in the order it runs: violations and penalties are reported in this order.
# The reference checks come first: the later rules see only what passed them.
RULES: tuple[Callable[[Checker], None], ...] = (
    references.session_references,
    references.appointment_references,
    references.appointment_times,
    references.screen_references,
    references.primary_references,
    patients.whole_blocks,
    patients.patient_availability,
    patients.one_block_per_day,
    patients.hours_and_days,
    patients.requirements,
    groups.group_size,
    groups.eligibility,
    groups.stage_matching,
    patients.avoid,
    groups.room_type,
    groups.rooms,
    appointments.offices,
    staff.counselors,
    staff.counselor_role,
    staff.counselor_daily_hours,
    appointments.appointment_counselors,
    patients.together,
    groups.topics,
    groups.curriculum,
    appointments.appointment_patients,
    appointments.individual_count,
    appointments.individual_counselor,
    appointments.max_individual,
    staff.primary_assignment,
    sites.primary_site,
    staff.max_caseload,
    appointments.medication_count,
    appointments.screen_count,
    appointments.screen_block,
    appointments.screen_capacity,
    sites.session_site,
    sites.appointment_site,
    sites.counselor_site,
    pins.pins,
    objective.shortfalls,
    objective.soft_terms,
    cohorts.cohort_terms,
    stability.stability,
)


def check(instance: Instance, schedule: Schedule, previous: Schedule | None = None) -> CheckReport:
    """Check every hard rule and recompute the objective of a schedule.

    Parameters
    ----------
    instance
        The validated instance the schedule is for.
    schedule
        A schedule from the solver, a file, or made by hand.
    previous
        Last week's schedule: adds the stability terms (``scheduler.check.stability``);
        the instance's own ``previous`` when not given; without either they are left out.

    Returns
    -------
    CheckReport
        ``violations`` (empty when the schedule is valid), ``objective`` and
        ``terms`` recomputed from scratch, and one ``Penalty`` per entity.
    """
    if previous is None:
        previous = instance.previous  # a rolled week's (scheduler.roll)
    ck = Checker(instance, schedule, previous)
    for rule in RULES:
        rule(ck)
    return ck.report
