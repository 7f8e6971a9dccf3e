"""The CP-SAT model of a week's timetable.

Candidate sessions are enumerated up front (``variables``): for every period, group
type and (for stage-matched types) stage, a few interchangeable copies, as many as
the rooms, qualified counselors and eligible patients could ever fill. Booleans say
which copies run, which patient sits in which, and which room and counselor each
gets. Each hard rule and each soft term is one function in a family module
(``patients``, ``groups``, ``staff``, ``appointments``, ``pins``, ``objective``); ``RULES``
lists them in the order ``build`` calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from models import Instance, Schedule
from scheduler.budget import Budget
from scheduler.cpsat import (
    appointments,
    cohorts,
    groups,
    objective,
    patients,
    pins,
    stability,
    staff,
)
from scheduler.cpsat.cohort_plan import Cohort
from scheduler.cpsat.variables import Candidate, ModelBase

__all__ = ["RULES", "Candidate", "TimetableModel"]

# The order matters: CP-SAT's deterministic search depends on the order in which
# variables and constraints are created.
RULES: tuple[Callable[[ModelBase], None], ...] = (
    # Hard rules.
    patients.whole_blocks,
    patients.one_block_per_day,
    patients.hours_and_days,
    patients.requirements,
    groups.group_size,
    patients.avoid_pairs,
    groups.rooms,
    staff.counselors,
    staff.counselor_availability,
    patients.together,
    cohorts.members_together,
    groups.strict_curriculum,
    appointments.appointments,
    appointments.offices,
    staff.counselors_busy,
    staff.daily_hours,
    staff.primary_counselors,
    appointments.screens,
    pins.sessions,
    pins.attendance,
    pins.appointments,
    groups.break_symmetry,
    # Soft terms.
    objective.sessions_run,
    objective.excess_minutes,
    objective.preferred_missed,
    objective.load_imbalance,
    objective.primary_not_leading,
    objective.individual_extra_trip,
    objective.topic_repeat,
    objective.caseload_imbalance,
    cohorts.type_repeat_in_block,
    cohorts.room_change,
    objective.shortfall,
    # Against last week's schedule, when there is one.
    stability.blocks_changed,
    stability.seats_changed,
    stability.sessions_moved,
    stability.primaries_changed,
)


class TimetableModel(ModelBase):
    """Builds the CP-SAT model; keeps the variables needed to read a schedule back.

    With ``aggregate=True`` the interchangeable copies of a family (period,
    group type, stage) become one candidate whose ``open`` is a count of
    sessions, and patients are seated in the family rather than in a copy; the
    sessions of a family are split after the solve (``scheduler.cpsat.split``). This
    model is about four times smaller and finds schedules far sooner. Apart from
    its documented restrictions (avoid pairs out of a whole family, one session
    per period for couples types, one topic for parallel strict-curriculum
    sessions), it is a relaxation of the plain one.

    Parameters
    ----------
    instance
        The program's week to schedule.
    aggregate
        Seat patients in families of interchangeable sessions (see above).
    diagnose
        Make the relaxable rules hold only under assumption literals
        (``assumptions``) and set no objective, to explain an infeasible instance.
    best_effort
        Turn a patient's floors into shortfalls (``shortfalls``) the objective
        minimizes, so that some schedule is always found.
    budget
        Checked before the candidates of each period and group type and before each rule
        (``Budget.check``): when the time is up or Ctrl-C was pressed,
        ``scheduler.budget.Stopped`` ends the build. A rule is not cut short.
    previous
        Last week's schedule: adds the stability terms (``scheduler.cpsat.stability``).
    cohorts
        Planned cohorts (``scheduler.cpsat.cohort_plan``): each attends the same blocks
        and sits the same families (``cohorts.members_together``). A restriction of the
        search: the model's bound then holds for cohort weeks only.
    """

    def __init__(
        self,
        instance: Instance,
        aggregate: bool = False,
        diagnose: bool = False,
        best_effort: bool = False,
        budget: Budget | None = None,
        previous: Schedule | None = None,
        cohorts: Sequence[Cohort] = (),
    ) -> None:
        super().__init__(instance, aggregate, diagnose, best_effort, previous, cohorts)
        self.build(budget or Budget(None))

    def build(self, budget: Budget) -> None:
        """Variables, then hard rules, then soft terms, then the objective."""
        self.add_candidates(budget.check)
        for rule in RULES:
            budget.check()
            rule(self)
        if self.terms and not self.diagnose:  # CP-SAT takes assumptions without an objective
            self.model.minimize(sum(w * expr for w, expr in self.terms.values()))

    def stats(self) -> dict[str, int]:
        """Sizes of the model, for logs and benchmarks."""
        proto = self.model.proto
        return {
            "candidates": len(self.candidates),
            "seat_vars": len(self.seat),
            "variables": len(proto.variables),
            "constraints": len(proto.constraints),
        }
