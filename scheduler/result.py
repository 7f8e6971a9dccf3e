"""What a solve gives back: the result and its statistics, and the progress events."""

from __future__ import annotations

from dataclasses import dataclass, field

from models import Schedule
from models.schedule import Status
from models.text import printable


@dataclass
class SolveResult:
    """What a solve returns: the schedule and its statistics.

    Status, objective, bound, gap and terms are read from the schedule, so the
    result and the JSON it writes cannot disagree.
    """

    schedule: Schedule
    wall_seconds: float
    model_stats: dict[str, int]
    first_solution_seconds: float | None = None
    solutions: int = 0
    # The search was stopped before its limit (Ctrl-C, or SIGINT to the process): the
    # schedule is the best found so far, status feasible (or unknown when none was).
    interrupted: bool = False
    # Multi-site: each site's status (the organization's schedule merges the sites').
    site_statuses: dict[str, Status] = field(default_factory=dict)
    # The cohort figures of the schedule, one line (``scheduler.check.cohorts``); "" if none.
    cohorts: str = ""

    @property
    def status(self) -> Status:
        return self.schedule.status

    @property
    def objective(self) -> int | None:
        return self.schedule.objective

    @property
    def best_bound(self) -> float | None:
        return self.schedule.best_bound

    @property
    def gap(self) -> float | None:
        return self.schedule.gap

    @property
    def terms(self) -> dict[str, int]:
        """The objective by term (terms with weight 0 are left out)."""
        return self.schedule.objective_terms

    @property
    def found(self) -> bool:
        """Whether a schedule (optimal or not) was found."""
        return self.schedule.found

    def summary(self) -> str:
        """Aligned text lines for a person: status, objective, bound, gap, time, sizes."""
        sessions = self.schedule.sessions
        rows: list[tuple[str, str]] = [
            ("instance", printable(self.schedule.instance)),
            ("status", self.status),
        ]
        if self.found:
            rows += [
                ("objective", str(self.objective)),
                ("best bound", _num(self.best_bound)),
                ("gap", f"{100 * self.gap:.2f} %" if self.gap is not None else "-"),
            ]
        rows.append(("time", f"{self.wall_seconds:.2f} s"))
        if self.first_solution_seconds is not None:
            rows.append(("first schedule at", f"{self.first_solution_seconds:.2f} s"))
        if self.interrupted:
            rows.append(("stopped", "interrupted (Ctrl-C): the best schedule found so far"))
        if self.found:
            minutes: dict[str, int] = {}
            for s in sessions:
                mins = s.minutes
                for p in s.patients:
                    minutes[p] = minutes.get(p, 0) + mins
            rows.append(("sessions", str(len(sessions))))
            sched = self.schedule
            for label, count in (
                ("individual sessions", len(sched.individual_sessions)),
                ("medication appointments", len(sched.medication_appointments)),
                ("screens", len(sched.screens)),
                ("primaries assigned", len(sched.primary_counselors)),
                ("shortfalls", len(sched.shortfalls)),
            ):
                if count:
                    rows.append((label, str(count)))
            if minutes:
                low, high = min(minutes.values()) / 60, max(minutes.values()) / 60
                rows.append(("hours per patient", f"{low:.1f} - {high:.1f}"))
            if self.cohorts:
                rows.append(("cohorts", self.cohorts))
            if sched.changes is not None:  # solved against last week's schedule
                rows += [
                    ("patients moved", str(sched.changes.patients_moved)),
                    ("sessions moved", str(sched.changes.sessions_moved)),
                    ("counselors changed", str(sched.changes.counselors_changed)),
                ]
            for name, value in self.terms.items():
                rows.append((f"  {name}", str(value)))
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:g}"


@dataclass(frozen=True)
class ProgressEvent:
    """A better schedule was found: its objective as it would be written, when someone
    listens (the search's weeks are read back while it runs, ``scheduler.progress``);
    in a deterministic or best-effort solve, the search's own objective, which the
    read-back can raise."""

    elapsed: float
    objective: float
    best_bound: float
    solutions: int

    @property
    def gap(self) -> float:
        return max(0.0, (self.objective - self.best_bound) / max(abs(self.objective), 1e-9))
