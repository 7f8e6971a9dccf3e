"""Progress of a search: the live terminal line and the ``--log-json`` records."""

from __future__ import annotations

from scheduler.result import ProgressEvent, SolveResult


def progress_line(event: ProgressEvent) -> str:
    """One terminal line of live progress."""
    return (
        f"{event.elapsed:7.1f} s  objective {event.objective:g}  bound {event.best_bound:g}  "
        f"gap {100 * event.gap:.1f} %"
    )


def progress_record(event: ProgressEvent) -> dict[str, float | int | str]:
    """One ``--log-json`` line."""
    return {
        "event": "solution",
        "elapsed": round(event.elapsed, 3),
        "objective": event.objective,
        "best_bound": event.best_bound,
        "gap": round(event.gap, 6),
        "solutions": event.solutions,
    }


def done_record(result: SolveResult) -> dict[str, object]:
    """The last ``--log-json`` line: how the search ended."""
    return {
        "event": "done",
        "status": result.status,
        "objective": result.objective,
        "interrupted": result.interrupted,
        "best_bound": result.best_bound,
    }
