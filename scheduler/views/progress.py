"""Progress of a search: the live terminal line and the ``--log-json`` records, and
``ProgressWriter``, which writes them as the search runs."""

from __future__ import annotations

import contextlib
import json
import sys
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
        The log never stops the solve: if it cannot be opened or written (a read-only
        or full disk), one warning line goes to ``warnings`` and the log is dropped.
    warnings
        Where that warning goes (default: standard error).
    """

    def __init__(
        self, terminal: TextIO | None, log_path: str | None, warnings: TextIO | None = None
    ) -> None:
        self.terminal = terminal
        self.log_path = log_path
        self.warnings = warnings if warnings is not None else sys.stderr
        self.log: TextIO | None = None
        self._live = False  # a live line is on the terminal, not yet ended
        if log_path is not None:
            try:
                self.log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115
            except OSError as err:
                self._drop_log(err)

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
            self._live = True
        self._write_log(json.dumps(progress_record(event)) + "\n")

    def done(self, result: SolveResult) -> None:
        """Log how the search ended, and close (what is printed next has lines of its own)."""
        self._write_log(json.dumps(done_record(result)) + "\n")
        self.close()

    def close(self) -> None:
        """End the live line (the next output starts on a line of its own); close the log.
        Once: the block's end does nothing after an explicit close."""
        if self.terminal is not None:
            self.terminal.write("\n")
            self.terminal.flush()
            self._live = False
        if self.log is not None:
            log, self.log = self.log, None
            try:
                log.close()  # writes what is still buffered
            except OSError as err:
                self._drop_log(err)
        self.terminal = None

    def _write_log(self, line: str) -> None:
        if self.log is None:
            return
        try:
            self.log.write(line)
            self.log.flush()
        except OSError as err:
            self._drop_log(err)

    def _drop_log(self, err: OSError) -> None:
        """Warn once (on a line of its own) that the log is not written; go on without it."""
        if self.log is not None:
            log, self.log = self.log, None
            with contextlib.suppress(OSError):  # the same fault again: being reported
                log.close()
        lead = "\n" if self._live and self.terminal is self.warnings else ""
        self._live = False
        why = err.strerror or str(err)
        self.warnings.write(
            f"{lead}warning: {self.log_path}: cannot write the progress log: {why}; going on without it\n"
        )
        self.warnings.flush()
