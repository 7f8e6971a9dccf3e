"""Faults on the way out: nothing the user gave is lost, nothing is half-written, every
refusal is one line with a documented exit code (bad options: ``test_options.py``).

* An output that is an input (by any name: ``./x.json``, a symbolic link, a hard link)
  is bad input: exit 2, nothing written.
* Overwriting keeps the old file's permission bits; a new file gets 0666 less the umask;
  an output that is a symbolic link is written through to its target.
* An output directory that is read-only is bad input before any work (exit 2); a write
  that fails after the solve (a full disk) is one line and exit 4, the old file untouched
  and no temporary file left; a progress log that cannot be written is a warning.

Read-only and full file systems: a small tmpfs is mounted where the tests run as root and
may mount (as root, ``chmod`` does not stop writes, so a read-only mount is the only
honest read-only directory); as another user a ``chmod 555`` directory is read-only. A
test that needs a mount it cannot make is skipped with the reason. The full disk is also
simulated, everywhere, by a failing ``os.fsync``.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from test_bad_input import invoke  # CliRunner with stderr apart, on any click

from conftest import ROOT, instance_path, load
from models import OutputError, dump, output_problems, write_text_atomic
from scheduler import SolveSettings, solve
from scheduler.views import ProgressWriter

TINY = instance_path("tiny")


def refused(result: Result, code: int = 2) -> list[str]:
    """The exit code, no traceback; returns stderr's lines."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    return result.stderr.splitlines()


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (temporary files of an atomic write included) and its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b""
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture
def inst(tmp_path: Path) -> Path:
    path = tmp_path / "x.json"
    shutil.copy(TINY, path)
    return path


@pytest.fixture(scope="module")
def tiny_schedule(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sched") / "tiny.schedule.json"
    dump(solve(load("tiny"), SolveSettings(time_limit=5, workers=1)).schedule, path)
    return path


# -- never destroy what the user gave ----------------------------------------------------


@pytest.mark.parametrize("spelling", ["same", "dot", "symlink", "hardlink"])
def test_solve_output_that_is_the_instance_is_refused(
    tmp_path: Path, inst: Path, spelling: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    if spelling == "symlink":
        Path("link.json").symlink_to("x.json")
    if spelling == "hardlink":
        os.link("x.json", "hard.json")
    out = {"same": "x.json", "dot": "./x.json", "symlink": "link.json", "hardlink": "hard.json"}
    before = listing(tmp_path)
    lines = refused(invoke("solve", "x.json", "-o", out[spelling], "--time-limit", "5"))
    assert lines == [f"{out[spelling]}: is the input x.json; writing it would destroy the input"]
    assert listing(tmp_path) == before


def test_solve_output_that_is_the_start_schedule_is_refused(
    tmp_path: Path, inst: Path, tiny_schedule: Path
) -> None:
    start = tmp_path / "last-week.json"
    shutil.copy(tiny_schedule, start)
    before = listing(tmp_path)
    lines = refused(invoke("solve", inst, "--start-from", start, "-o", start))
    assert lines == [f"{start}: is the input {start}; writing it would destroy the input"]
    assert listing(tmp_path) == before


def test_log_that_is_the_instance_or_the_output_is_refused(tmp_path: Path, inst: Path) -> None:
    before = listing(tmp_path)
    out = tmp_path / "out.json"
    [line] = refused(invoke("solve", inst, "-o", out, "--log-json", inst))
    assert line == f"{inst}: is the input {inst}; writing it would destroy the input"
    [line] = refused(invoke("solve", inst, "-o", out, "--log-json", tmp_path / "." / "out.json"))
    assert (
        line
        == f"{tmp_path / '.' / 'out.json'}: is also the output {out}; choose two different files"
    )
    assert listing(tmp_path) == before


def test_generate_output_and_witness_the_same_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    lines = refused(invoke("generate", "--patients", "10", "-o", "g.json", "--witness", "./g.json"))
    assert lines == ["./g.json: is also the output g.json; choose two different files"]
    assert listing(tmp_path) == {}


def test_batch_output_that_links_to_an_input_is_refused(tmp_path: Path, inst: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "x.schedule.json").symlink_to(inst)
    before = listing(tmp_path)
    lines = refused(invoke("batch", inst, "-o", out, "--time-limit", "5"))
    assert lines == [
        f"{out / 'x.schedule.json'}: is the input {inst}; writing it would destroy the input"
    ]
    assert listing(tmp_path) == before


def test_output_is_the_input_in_a_real_process(tmp_path: Path, inst: Path) -> None:
    """The installed way: a fresh process, exit 2, the instance byte for byte as it was."""
    original = inst.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", "solve", "x.json", "-o", "x.json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == "x.json: is the input x.json; writing it would destroy the input\n"
    assert proc.stdout == ""
    assert inst.read_bytes() == original


# -- permissions and symbolic links ------------------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600, 0o664])
def test_overwriting_keeps_the_permission_bits(tmp_path: Path, mode: int) -> None:
    out = tmp_path / "out.json"
    out.write_text("old\n")
    out.chmod(mode)
    write_text_atomic(out, "new\n")
    assert out.read_text() == "new\n"
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert listing(tmp_path) == {"out.json": b"new\n"}


def test_solve_overwriting_keeps_the_permission_bits(tmp_path: Path, inst: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text("last week\n")
    out.chmod(0o644)
    assert refused(invoke("solve", inst, "-o", out, "--time-limit", "5"), code=0) == []
    assert json.loads(out.read_text())["status"] == "optimal"
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_a_new_file_gets_0666_less_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "new.json", "{}\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may keep another user's ownership")
def test_overwriting_as_root_keeps_the_owner(tmp_path: Path) -> None:
    out = tmp_path / "theirs.json"
    out.write_text("old\n")
    os.chown(out, 12345, 12345)
    write_text_atomic(out, "new\n")
    assert (out.stat().st_uid, out.stat().st_gid) == (12345, 12345)


def test_symlink_output_is_written_through_to_its_target(tmp_path: Path, inst: Path) -> None:
    """The link stays a link; the target is replaced atomically in its own directory."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "current.json"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert refused(invoke("solve", inst, "-o", link, "--time-limit", "5"), code=0) == []
    assert link.is_symlink() and link.resolve() == target
    assert json.loads(target.read_text())["instance"] == "tiny"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in elsewhere.iterdir()) == ["current.json"]  # no temp file


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_an_output_that_is_not_a_regular_file_is_refused(
    tmp_path: Path, inst: Path, kind: str
) -> None:
    """Replacing /dev/null or a FIFO by a file would break whatever uses it."""
    out = {"fifo": tmp_path / "pipe", "device": Path("/dev/null"), "directory": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(out)
    message = (
        "is a directory" if kind == "directory" else "not a regular file; the output must be a file"
    )
    assert output_problems([out], [inst]) == [f"{out}: {message}"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any file (os.access says so)")
def test_a_read_only_existing_output_is_refused(tmp_path: Path, inst: Path) -> None:
    out = tmp_path / "kept.json"
    out.write_text("keep me\n")
    out.chmod(0o444)
    [line] = refused(invoke("solve", inst, "-o", out))
    assert line == f"{out}: the file is read-only; make it writable or choose another file"
    assert out.read_text() == "keep me\n"


def test_output_under_a_file_is_refused(tmp_path: Path, inst: Path) -> None:
    """A path through a file: no directory there, whoever runs it (root too)."""
    out = inst / "out.json"
    [line] = refused(invoke("solve", inst, "-o", out))
    assert line == f"{out}: {inst} is not a directory"


# -- read-only and full file systems ------------------------------------------------------


def _mount_tmpfs(where: Path, options: str) -> str | None:
    """Mount a tmpfs; None when done, else why not."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return "mounting a tmpfs needs root and mount(8)"
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    return None if done.returncode == 0 else f"cannot mount a tmpfs here: {done.stderr.strip()}"


def _unmount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


@pytest.fixture
def readonly_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory where no file can be made: a read-only tmpfs as root, else chmod 555."""
    where = tmp_path / "readonly"
    if os.geteuid() != 0:
        where.mkdir()
        where.chmod(0o555)
        yield where
        where.chmod(0o755)
        return
    why = _mount_tmpfs(where, "size=64k,ro")
    if why is not None:
        pytest.skip(f"a read-only directory as root needs a read-only mount: {why}")
    try:
        yield where
    finally:
        _unmount(where)


@pytest.fixture
def full_dir(tmp_path: Path) -> Iterator[Path]:
    """A tiny tmpfs filled up, holding an old ``out.json``: a file can be made there
    (it takes no blocks), but nothing can be written into it."""
    where = tmp_path / "full"
    why = _mount_tmpfs(where, "size=64k")
    if why is not None:
        pytest.skip(f"a full file system: {why} (the fsync tests simulate it instead)")
    try:
        (where / "out.json").write_text("last week\n")
        with open(where / "padding", "wb", buffering=0) as pad:
            try:
                while True:
                    pad.write(b"\0" * 4096)
            except OSError as err:
                assert err.errno == errno.ENOSPC
        yield where
    finally:
        _unmount(where)


def test_read_only_output_directory_is_refused_before_solving(
    readonly_dir: Path, inst: Path
) -> None:
    out = readonly_dir / "out.json"
    [line] = refused(invoke("solve", inst, "-o", out, "--time-limit", "5"))
    assert line.startswith(f"{out}: cannot create a file in {readonly_dir}: ")
    assert line.endswith(("Read-only file system", "Permission denied"))


def test_read_only_batch_and_generate_outputs_are_refused(readonly_dir: Path, inst: Path) -> None:
    [line] = refused(invoke("batch", inst, "-o", readonly_dir / "b", "--time-limit", "5"))
    assert line.startswith(f"{readonly_dir / 'b'}: cannot create the directory: ")
    [line] = refused(invoke("generate", "--patients", "10", "-o", readonly_dir / "g.json"))
    assert line.startswith(f"{readonly_dir / 'g.json'}: cannot create a file in ")


def test_full_disk_after_the_solve_is_one_line_exit_4(full_dir: Path, inst: Path) -> None:
    before = listing(full_dir)
    out = full_dir / "out.json"
    lines = refused(invoke("solve", inst, "-o", out, "--time-limit", "5"), code=4)
    assert lines == [f"{out}: cannot write: No space left on device; nothing written"]
    assert listing(full_dir) == before  # the old file untouched, no temporary file


def test_full_disk_generate_is_exit_4(full_dir: Path) -> None:
    out = full_dir / "g.json"
    lines = refused(invoke("generate", "--patients", "10", "-o", out), code=4)
    assert lines == [f"{out}: cannot write: No space left on device; nothing written"]
    assert not out.exists()


def test_full_disk_in_a_real_process(full_dir: Path, inst: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", "solve", str(inst)]
        + ["-o", str(full_dir / "out.json"), "--time-limit", "5", "--workers", "1"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr.splitlines() == [
        f"{full_dir / 'out.json'}: cannot write: No space left on device; nothing written"
    ]
    assert (full_dir / "out.json").read_text() == "last week\n"


@pytest.fixture
def disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fsync fails as on a full disk (written data is only known to fit at fsync)."""

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)


def test_library_write_on_a_full_disk_raises_output_error(tmp_path: Path, disk_full: None) -> None:
    out = tmp_path / "out.json"
    out.write_text("old\n")
    with pytest.raises(OutputError) as caught:
        dump(load("tiny"), out)
    assert str(caught.value) == f"{out}: cannot write: No space left on device; nothing written"
    assert isinstance(caught.value, OSError)
    assert listing(tmp_path) == {"out.json": b"old\n"}


def test_cli_write_on_a_full_disk_is_exit_4(tmp_path: Path, inst: Path, disk_full: None) -> None:
    out = tmp_path / "out.json"
    lines = refused(invoke("solve", inst, "-o", out, "--time-limit", "5"), code=4)
    assert lines == [f"{out}: cannot write: No space left on device; nothing written"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json"]


def test_batch_write_failures_are_reported_and_exit_4(
    tmp_path: Path, inst: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A schedule that cannot be written does not stop the batch; summary.csv says so."""
    import scheduler.batch.run

    def fail_schedules(path: Path, text: str) -> None:
        if path.name.endswith(".schedule.json"):
            raise OutputError(path, "No space left on device")
        write_text_atomic(path, text)

    monkeypatch.setattr(scheduler.batch.run, "write_text_atomic", fail_schedules)
    out = tmp_path / "out"
    result = invoke("batch", inst, "-o", out, "--time-limit", "5", "--jobs", "1")
    refused(result, code=4)
    problem = f"{out / 'x.schedule.json'}: cannot write: No space left on device; nothing written"
    assert f"x: optimal objective 480, gap 0.0 % ({problem})" in result.stdout
    assert problem in (out / "summary.csv").read_text()
    assert sorted(p.name for p in out.iterdir()) == ["summary.csv"]


def test_batch_summary_that_cannot_be_written_is_exit_4(
    tmp_path: Path, inst: Path, disk_full: None
) -> None:
    out = tmp_path / "out"
    result = invoke("batch", inst, "-o", out, "--time-limit", "5", "--jobs", "1")
    lines = refused(result, code=4)
    assert (
        lines[-1]
        == f"{out / 'summary.csv'}: cannot write: No space left on device; nothing written"
    )
    assert "wrote" not in result.stdout
    assert list(out.iterdir()) == []


# -- the progress log never stops the solve ---------------------------------------------


def test_log_json_that_cannot_be_written_warns_and_the_schedule_is_written(
    tmp_path: Path, inst: Path
) -> None:
    out = tmp_path / "out.json"
    result = invoke("solve", inst, "-o", out, "--time-limit", "5", "--log-json", "/dev/full")
    assert refused(result, code=0) == [
        "warning: /dev/full: cannot write the progress log: No space left on device; going on without it"
    ]
    assert json.loads(out.read_text())["status"] == "optimal"


def test_log_json_in_a_read_only_directory_warns(readonly_dir: Path, inst: Path) -> None:
    out = readonly_dir.parent / "out.json"
    log = readonly_dir / "log.jsonl"
    lines = refused(invoke("solve", inst, "-o", out, "--log-json", log, "--time-limit", "5"), 0)
    [line] = lines
    assert line.startswith(f"warning: {log}: cannot write the progress log: ")
    assert out.exists()


def test_progress_writer_drops_a_log_it_cannot_open(tmp_path: Path) -> None:
    warnings: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            warnings.append(text)

        def flush(self) -> None:
            pass

    with ProgressWriter(None, str(tmp_path), warnings=Sink()) as writer:  # type: ignore[arg-type]
        assert writer.on_progress is None  # nothing to write to: the solve needs no callback
    assert warnings == [
        f"warning: {tmp_path}: cannot write the progress log: Is a directory; going on without it\n"
    ]
