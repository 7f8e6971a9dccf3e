"""Ctrl-C (SIGINT): one owner for a whole solve, and what each press means.

* The first press ends the work early and keeps the best checked schedule so far: the
  search is asked to stop (``CpSolver.stop_search``), and the phases before it (the
  greedy, the model) stop at their next checkpoint (``ctrl_c.pressed``).
* Any press after the first raises :class:`Interrupted` (a ``KeyboardInterrupt``) in
  the main thread: the command gives up and writes nothing (the CLI exits 130).
* Once the schedule is written (the atomic rename), a press changes nothing.

CP-SAT's own handler (``catch_sigint_signal``) is off in every solve (:func:`quiet_solver`):
it keeps its callback in a thread-local variable, so a SIGINT that the kernel delivered to
one of the search's threads called an empty ``std::function`` and aborted the process
(``terminate called ... std::bad_function_call``); and it left SIGINT at its default
action (death) after each solve, so a second press killed the process even after the
write had begun. Instead each search runs in a thread of its own (:func:`run_search`)
while the main thread, the only one where Python runs signal handlers, waits for it and
stops it when asked.

Signal handlers can only be set in the main thread: elsewhere (a Dask worker's thread)
no press is ever seen, and the search runs to its limits.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from ortools.sat.python import cp_model

from models import write_text_atomic


class Interrupted(KeyboardInterrupt):
    """A press after the first: give up at once, write nothing."""


class CtrlC:
    """The owner of SIGINT while in a ``with`` block (in the main thread).

    ``presses`` counts the presses; ``pressed`` says whether there was one. The first
    only asks the work to end (code checks ``pressed``); the next raises
    :class:`Interrupted`, once; after :meth:`write` has renamed the file into place,
    presses are only counted.
    """

    def __init__(self) -> None:
        self.presses = 0
        self.written = False
        self._aborted = False
        self._previous: Any = None
        self._installed = False
        self._wakeup: tuple[int, int] | None = None  # a pipe: one byte per signal
        self._previous_wakeup = -1

    @property
    def pressed(self) -> bool:
        return self.presses > 0

    def __enter__(self) -> CtrlC:
        if threading.current_thread() is threading.main_thread():
            # Python runs a handler once for however many signals came while the main
            # thread was in C code (a large JSON, a helper solve): two presses would count
            # as one. The wake-up pipe gets a byte for each, so _press counts them all.
            self._wakeup = os.pipe()
            for fd in self._wakeup:
                os.set_blocking(fd, False)
            self._previous_wakeup = signal.set_wakeup_fd(self._wakeup[1], warn_on_full_buffer=False)
            self._previous = signal.signal(signal.SIGINT, self._press)
            self._installed = True
            _owners.append(self)
            # A press the command held while it loaded (see cli.main) counts from here.
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if self._installed:
            _owners.remove(self)
            # Once the output is written, or the command exits, a press can change nothing:
            # it is ignored from then on, also while Python shuts down (which resets a
            # Python handler to the default action, so the process was killed by it).
            ending = self.written or (kind is not None and issubclass(kind, SystemExit))
            signal.signal(signal.SIGINT, signal.SIG_IGN if ending else self._previous)
            signal.set_wakeup_fd(self._previous_wakeup)
            for fd in self._wakeup or ():
                os.close(fd)
            self._installed = False

    def _press(self, signum: int, frame: FrameType | None) -> None:
        self.presses += max(1, self._pending())
        if self.presses > 1 and not (self.written or self._aborted):
            self._aborted = True  # raised once: the clean-up it starts is not cut short
            raise Interrupted

    def _pending(self) -> int:
        """SIGINTs the wake-up pipe saw since the last call."""
        count = 0
        while self._wakeup is not None:
            try:
                data = os.read(self._wakeup[0], 512)
            except BlockingIOError:
                break
            count += data.count(signal.SIGINT)
            if len(data) < 512:
                break
        return count

    def write(self, path: str | os.PathLike[str], text: str) -> None:
        """Write ``text`` to ``path`` atomically, unless a second press comes first.

        A second press before the rename raises :class:`Interrupted` and leaves no file
        behind: the old file, if any, is untouched, and ``write_text_atomic`` removes its
        temporary file. If the press lands after the rename (the new file is in place: a
        new inode holding ``text``), the write stands and it is ignored.
        """
        if self._aborted:
            raise Interrupted
        before = _inode(path)
        try:
            write_text_atomic(path, text)
        except Interrupted:
            if not _replaced(path, before, text):
                raise
        self.written = True


_owners: list[CtrlC] = []


def write_schedule(path: str | os.PathLike[str], text: str) -> None:
    """Write a command's output: through the owner of SIGINT in force (:meth:`CtrlC.write`:
    a second press before the rename writes nothing), else atomically as usual."""
    owner = current_owner()
    if owner is None:
        write_text_atomic(path, text)
    else:
        owner.write(path, text)


def current_owner() -> CtrlC | None:
    """The owner of SIGINT in force, if any."""
    return _owners[-1] if _owners else None


@contextmanager
def ctrl_c_owner() -> Iterator[CtrlC]:
    """The owner of SIGINT in force (the command's), or a new one for this block."""
    if _owners:
        yield _owners[-1]
    else:
        with CtrlC() as owner:
            yield owner


def _inode(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _replaced(path: str | os.PathLike[str], before: tuple[int, int] | None, text: str) -> bool:
    """Whether the atomic rename put ``text`` at ``path`` (a new inode with that content)."""
    after = _inode(path)
    if after is None or after == before:
        return False
    try:
        return Path(path).read_text(encoding="utf-8") == text
    except OSError:
        return False


def quiet_solver() -> cp_model.CpSolver:
    """A CP-SAT solver that leaves SIGINT alone (see the module's docstring)."""
    solver = cp_model.CpSolver()
    solver.parameters.catch_sigint_signal = False
    return solver


def run_search(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    callback: cp_model.CpSolverSolutionCallback | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> Any:
    """``solver.solve(model, callback)``, stopped early when ``stop()`` becomes true.

    The search runs in a thread of its own while the caller polls ``stop`` every 50 ms:
    in the main thread, so that it keeps running Python's signal handlers; in another
    (sites solved side by side), so that Ctrl-C stops that search too. An exception
    while polling (a KeyboardInterrupt) stops the search and waits for its thread before
    it propagates, so no search outlives its caller.
    """
    box: dict[str, Any] = {}
    # Not Thread.join: interrupted by an exception, it can mark a running thread as ended
    # (Python 3.11), and the process then exited under CP-SAT's running threads.
    finished = threading.Event()

    def search() -> None:
        try:
            box["code"] = solver.solve(model, callback)
        except BaseException as err:  # handed to the caller's thread
            box["error"] = err
        finally:
            finished.set()

    thread = threading.Thread(target=search, name="cp-sat search")
    thread.start()
    try:
        while not finished.wait(0.05):
            if stop():
                solver.stop_search()
    finally:
        while not finished.is_set():  # left by an exception: end the search first
            try:
                solver.stop_search()  # again each time: it may not have started yet
                finished.wait(0.05)
            except BaseException:  # another Ctrl-C: the first exception is on its way
                continue
        thread.join()
    if "error" in box:
        raise box["error"]
    return box["code"]
