"""Progress of a search: the live terminal line and the ``--log-json`` records, and
``ProgressWriter``, which writes them as the search runs."""

from __future__ import annotations

import json
from typing import TextIO

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


class ProgressWriter:
    """Writes a search's progress as it runs: a live line on a terminal, JSON lines in a log.

    Use it in a ``with`` block and pass ``on_progress`` to the solve; after the search,
    ``done`` logs how it ended. Leaving the block ends the live line and closes the log.

    Parameters
    ----------
    terminal
        Where the live line goes (each better schedule overwrites it), or None.
    log_path
        A file (created or emptied) that gets one JSON line per better schedule
        (:func:`progress_record`) and one at the end (:func:`done_record`), or None.
    """

    def __init__(self, terminal: TextIO | None, log_path: str | None) -> None:
        self.terminal = terminal
        self.log = open(log_path, "w", encoding="utf-8") if log_path is not None else None  # noqa: SIM115

    def __enter__(self) -> ProgressWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def on_progress(self) -> ProgressWriter | None:
        """What to give the solve as ``on_progress``: this writer, or None if it writes nowhere."""
        return self if self.terminal is not None or self.log is not None else None

    def __call__(self, event: ProgressEvent) -> None:
        """Show a better schedule on the live line and log it (flushed: a reader may follow)."""
        if self.terminal is not None:
            # Padded: a shorter line must cover the previous one.
            self.terminal.write("\r" + progress_line(event).ljust(72))
            self.terminal.flush()
        if self.log is not None:
            self.log.write(json.dumps(progress_record(event)) + "\n")
            self.log.flush()

    def done(self, result: SolveResult) -> None:
        """Log how the search ended."""
        if self.log is not None:
            self.log.write(json.dumps(done_record(result)) + "\n")

    def close(self) -> None:
        """End the live line (the next output starts on a line of its own); close the log."""
        if self.terminal is not None:
            self.terminal.write("\n")
            self.terminal.flush()
        if self.log is not None:
            self.log.close()
