"""What the checker found, in words: the verdict of ``iop-scheduler check``."""

from __future__ import annotations

from models import Schedule
from scheduler.check import CheckReport


def check_lines(sched: Schedule, report: CheckReport) -> list[str]:
    """The verdict on a checked schedule: its objective term by term, or its violations."""
    if not report.ok:
        return [f"invalid: {len(report.violations)} violations"] + [
            f"  {v.rule}: {v.message}" for v in report.violations
        ]
    lines = [f"valid: {len(sched.sessions)} sessions, objective {report.objective}"]
    if sched.shortfalls:
        lines.append(f"best effort: {len(sched.shortfalls)} shortfalls, as listed")
    lines += [f"  {term:<24} {value}" for term, value in report.terms.items()]
    if sched.objective is not None and sched.objective != report.objective:
        lines.append(f"note: the file says objective {sched.objective}")
    return lines
