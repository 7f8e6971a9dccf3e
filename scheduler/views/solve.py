"""What ``iop-scheduler solve`` prints after the search, beyond ``SolveResult.summary()``:
best-effort shortfalls, or why the checker rejects the solver's schedule."""

from __future__ import annotations

from models import Schedule
from scheduler.check import CheckReport


def disagreement_lines(report: CheckReport, objective: int | None) -> list[str]:
    """Why the checker rejects the solver's schedule (an internal error): each violation,
    and the objective when the checker computes another."""
    lines = ["internal error: the solver's schedule fails the checker:"]
    lines += [f"  {v.rule}: {v.message}" for v in report.violations]
    if report.objective != objective:
        lines.append(f"  objective {objective} but the checker computes {report.objective}")
    return lines


def shortfall_lines(sched: Schedule) -> list[str]:
    """A best-effort schedule's shortfalls: patient, rule, got of needed, and why."""
    lines = []
    for short in sched.shortfalls:
        what = short.rule if short.requirement is None else f"requirements[{short.requirement}]"
        lines.append(
            f"short: {short.patient} {what}: {short.got:g} of {short.needed:g}"
            + (f" ({short.reason})" if short.reason else "")
        )
    return lines
