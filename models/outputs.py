"""Writing outputs without losing anything: never over an input, never half a file, the
old file's permissions kept; and the checks a command makes before it starts to work.

An output that is a symbolic link is written through: its target is replaced (the
temporary file is made in the target's directory, so the rename stays atomic) and the
link stays a link.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

PathLike = str | os.PathLike[str]


class OutputError(OSError):
    """An output could not be written (a full disk, an I/O error): nothing was written,
    an old file of that name is untouched and no temporary file is left."""

    def __init__(self, path: PathLike, reason: str) -> None:
        super().__init__(f"{path}: cannot write: {reason}; nothing written")
        self.path = str(path)
        self.reason = reason

    def __reduce__(self) -> tuple[type[OutputError], tuple[str, str]]:
        return type(self), (self.path, self.reason)


def write_text_atomic(path: PathLike, text: str) -> None:
    """Write a text file (UTF-8) atomically: see :func:`write_bytes_atomic`."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: PathLike, data: bytes) -> None:
    """Write a file so that readers see the old content or the new, never half of it.

    A symbolic link is written through to its target. An existing file keeps its
    permission bits (and, where the process may, its owner); a new file gets the
    usual ``0o666`` less the umask.

    Raises
    ------
    OutputError
        When the file cannot be written; the old file is then untouched and no
        temporary file is left.
    """
    target = Path(os.path.realpath(path))
    try:
        old: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        old = None
    except OSError as err:
        raise OutputError(path, err.strerror or str(err)) from None
    named: list[Path] = []  # the temporary file's name, known before the file exists
    try:
        fd, tmp = _create_temp(target, named)
        with os.fdopen(fd, "wb") as fh:
            if old is not None:
                _keep_mode_and_owner(fh.fileno(), old)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as err:
        _remove(named)
        raise OutputError(path, err.strerror or str(err)) from None
    except BaseException:  # Ctrl-C in the middle, even just as the file was made: none left
        _remove(named)
        raise


def _create_temp(target: Path, named: list[Path] | None = None) -> tuple[int, Path]:
    """A new file next to ``target``, created with ``0o666`` (less the umask), as
    ``open`` would; ``tempfile.mkstemp`` would make it ``0o600``. Its name goes into
    ``named`` before the file is made, so a clean-up can find it whenever it is interrupted."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        if named is not None:
            named[:] = [tmp]
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue


def _keep_mode_and_owner(fd: int, old: os.stat_result) -> None:
    os.fchmod(fd, stat.S_IMODE(old.st_mode))
    if (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            os.fchown(fd, old.st_uid, old.st_gid)


def _remove(paths: list[Path]) -> None:
    for tmp in paths:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def output_problems(
    outputs: Iterable[PathLike | None],
    inputs: Iterable[PathLike | None] = (),
    logs: Iterable[PathLike | None] = (),
) -> list[str]:
    """What would keep a command from writing its outputs, found before it starts.

    Parameters
    ----------
    outputs
        Files to be written with :func:`write_text_atomic` (None entries are skipped).
        Each must be a regular file or not exist yet, in an existing directory where a
        file can be created (tried: a temporary file is made and removed there), and
        not read-only.
    inputs
        Files the command reads: no output or log may be one of them, by any name
        (the same path spelled differently, a symbolic link, a hard link).
    logs
        Files written as the command runs (such as a progress log, or ``/dev/stderr``):
        only their directory must exist, and they must be neither an input nor an output.

    Returns
    -------
    list[str]
        One line per problem, starting with the path as given; empty when all is well.
    """
    outs = [p for p in outputs if p is not None]
    ins = [p for p in inputs if p is not None]
    extra = [p for p in logs if p is not None]
    problems = [line for p in outs if (line := _location_problem(p))]
    problems += [line for p in extra if (line := _directory_problem(p))]
    written: list[PathLike] = []
    for p in [*outs, *extra]:
        if (same := next((i for i in ins if _same_file(p, i)), None)) is not None:
            problems.append(f"{p}: is the input {same}; writing it would destroy the input")
        elif (other := next((o for o in written if _same_file(p, o)), None)) is not None:
            problems.append(f"{p}: is also the output {other}; choose two different files")
        written.append(p)
    return problems


def _directory_problem(path: PathLike) -> str | None:
    parent = Path(os.path.realpath(path)).parent
    if not parent.exists():
        return f"{path}: directory {parent} does not exist"
    if not parent.is_dir():
        return f"{path}: {parent} is not a directory"
    return None


def _location_problem(path: PathLike) -> str | None:
    """Why ``path`` cannot be written with :func:`write_text_atomic`, or None."""
    if (problem := _directory_problem(path)) is not None:
        return problem
    target = Path(os.path.realpath(path))
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as err:  # a loop of symbolic links, a path through a file
        return f"{path}: cannot write: {err.strerror}"
    if mode is not None and stat.S_ISDIR(mode):
        return f"{path}: is a directory"
    if mode is not None and not stat.S_ISREG(mode):
        # Replacing a device, FIFO or socket by a file would break whatever uses it.
        return f"{path}: not a regular file; the output must be a file"
    if mode is not None and not os.access(target, os.W_OK):
        return f"{path}: the file is read-only; make it writable or choose another file"
    try:
        fd, tmp = _create_temp(target)
    except OSError as err:
        return f"{path}: cannot create a file in {target.parent}: {err.strerror}"
    os.close(fd)
    _remove([tmp])
    return None


def _same_file(a: PathLike, b: PathLike) -> bool:
    """Whether two paths name one file: the same real path, or the same inode."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False
