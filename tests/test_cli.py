"""Tests of the ``iop-scheduler`` command line (cli.py).

Most tests run the click group in-process with :class:`click.testing.CliRunner`;
one test runs the installed console script in a subprocess, end to end.
Exit codes (cli.py docstring): 0 success, 1 no schedule / violations,
2 bad input, 3 internal error.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import scheduler
from cli import main
from conftest import instance_path, load
from models import load_instance, load_schedule
from scheduler import check

TINY = str(instance_path("tiny"))
SMALL = str(instance_path("small"))
INFEASIBLE = str(instance_path("infeasible"))
TINY_OPTIMUM = 480


def runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout (the default from click 8.2 on)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        return CliRunner()


def invoke(*args: str | Path) -> Result:
    return runner().invoke(main, [str(a) for a in args])


def one_line(text: str) -> str:
    """Help text with click's line wrapping undone."""
    return " ".join(text.split())


def summary(text: str) -> dict[str, str]:
    """The ``key  value`` lines of a solve summary (aligned with two or more spaces)."""
    rows = {}
    for line in text.splitlines():
        parts = re.split(r"\s{2,}", line.strip(), maxsplit=1)
        if len(parts) == 2:
            rows[parts[0]] = parts[1]
    return rows


def solve_file(instance: str, out: Path, *options: str) -> Result:
    return invoke("solve", instance, "-o", out, *options)


@pytest.fixture(scope="module")
def tiny_schedule(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tiny.json solved to optimality by the CLI, written once for the module."""
    out = tmp_path_factory.mktemp("tiny") / "tiny-schedule.json"
    result = solve_file(TINY, out, "--time-limit", "10", "--workers", "2")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    """small.json (30 patients) solved with a 10 s limit on 2 workers."""
    out = tmp_path_factory.mktemp("small") / "small-schedule.json"
    result = solve_file(SMALL, out, "--time-limit", "10", "--workers", "2")
    return result, out


# -- solve -------------------------------------------------------------------------------


def test_solve_tiny_is_optimal_and_checked(tmp_path: Path) -> None:
    out = tmp_path / "schedule.json"
    result = solve_file(TINY, out, "--time-limit", "10", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    rows = summary(result.stdout)
    assert rows["status"] == "optimal"
    assert rows["objective"] == str(TINY_OPTIMUM)
    assert rows["gap"] == "0.00 %"
    assert f"wrote {out}" in result.stdout

    sched = load_schedule(out)
    assert sched.instance == "tiny"
    assert sched.status == "optimal"
    assert sched.objective == TINY_OPTIMUM
    assert sum(sched.objective_terms.values()) == TINY_OPTIMUM
    report = check(load("tiny"), sched)
    assert report.violations == []
    assert report.objective == TINY_OPTIMUM
    # no temporary file of the atomic write is left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schedule.json"]


def test_solve_infeasible_writes_empty_schedule_and_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "schedule.json"
    result = solve_file(INFEASIBLE, out, "--time-limit", "10", "--workers", "2")
    assert result.exit_code == 1, result.output
    assert summary(result.stdout)["status"] == "infeasible"
    assert "objective" not in summary(result.stdout)
    data = json.loads(out.read_text())
    assert data["status"] == "infeasible"
    assert data["sessions"] == []
    assert data["objective"] is None
    sched = load_schedule(out)
    assert sched.status == "infeasible" and sched.sessions == []


def test_solve_small_within_limits(small_run: tuple[Result, Path]) -> None:
    result, out = small_run
    assert result.exit_code == 0, result.output
    rows = summary(result.stdout)
    assert rows["status"] in ("optimal", "feasible")
    sched = load_schedule(out)
    report = check(load("small"), sched)
    assert report.violations == []
    assert report.objective == sched.objective == int(rows["objective"])
    assert {k: v for k, v in report.terms.items() if k in sched.objective_terms} == (
        sched.objective_terms
    )


def test_solve_deterministic_is_byte_identical(tmp_path: Path) -> None:
    # A generated 16-patient program with every service (screens drawn from the seed
    # too); one deterministic unit stops the search before it proves optimality.
    instance = tmp_path / "g16.json"
    assert invoke("generate", "--patients", 16, "--seed", 3, "-o", instance).exit_code == 0
    options = ["--workers", "1", "--deterministic", "--time-limit", "1", "--seed", "3"]
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    r1 = solve_file(instance, first, *options)
    r2 = solve_file(instance, second, *options)
    assert r1.exit_code == 0, r1.output
    assert r2.exit_code == 0, r2.output
    assert first.read_bytes() == second.read_bytes()
    written = json.loads(first.read_text())
    assert written["wall_seconds"] is None
    assert written["screens"] and written["individual_sessions"]
    assert check(load_instance(instance), load_schedule(first)).ok


def test_solve_help_documents_determinism() -> None:
    result = invoke("solve", "--help")
    assert result.exit_code == 0
    text = one_line(result.stdout)
    assert "--deterministic" in text
    assert "--workers 1" in text
    assert "byte for byte" in text
    assert "wall_seconds is then null" in text


def test_solve_internal_error_exits_3_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the checker rejects the solver's schedule, exit 3 and keep the output unwritten."""
    real_check = scheduler.check

    def rejecting(instance: Any, schedule: Any) -> Any:
        report = real_check(instance, schedule)
        report.violations.append(scheduler.Violation("test", "planted by the test", ()))
        return report

    monkeypatch.setattr(scheduler, "check", rejecting)
    out = tmp_path / "schedule.json"
    result = solve_file(TINY, out, "--time-limit", "10", "--workers", "2")
    assert result.exit_code == 3, result.output
    assert "internal error" in result.stderr
    assert "test: planted by the test" in result.stderr
    assert not out.exists()


# -- check -------------------------------------------------------------------------------


def test_check_valid_schedule(tiny_schedule: Path) -> None:
    result = invoke("check", TINY, tiny_schedule)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.splitlines()[0] == f"valid: 8 sessions, objective {TINY_OPTIMUM}"
    assert re.search(r"^\s+session_run\s+480$", out, re.M)
    assert "note:" not in out


def test_check_reports_objective_mismatch_in_file(tiny_schedule: Path, tmp_path: Path) -> None:
    data = json.loads(tiny_schedule.read_text())
    data["objective"] = 999
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data))
    result = invoke("check", TINY, edited)
    assert result.exit_code == 0, result.output
    assert f"objective {TINY_OPTIMUM}" in result.stdout
    assert "note: the file says objective 999" in result.stdout


def test_check_broken_schedule_lists_violations(tiny_schedule: Path, tmp_path: Path) -> None:
    data = json.loads(tiny_schedule.read_text())
    session = data["sessions"][0]
    removed = session["patients"].pop(0)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data, indent=2))

    result = invoke("check", TINY, broken)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    match = re.fullmatch(r"invalid: (\d+) violations", lines[0])
    assert match, lines[0]
    violations = lines[1:]
    assert len(violations) == int(match.group(1)) >= 1
    # one violation per line: "  rule: message"
    assert all(re.fullmatch(r"  [a-z_]+: \S.*", v) for v in violations), violations
    named = [v for v in violations if re.search(rf"\b{removed}\b", v)]
    assert named, violations
    # The patient now misses a period of a block they attend.
    assert any(v.startswith("  whole_block: ") for v in named), named


def test_check_schedule_of_another_instance_is_bad_input(tiny_schedule: Path) -> None:
    result = invoke("check", SMALL, tiny_schedule)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"{tiny_schedule}: instance: the schedule is for 'tiny', not 'small-clinic'"
    )


# -- generate ----------------------------------------------------------------------------


def generate(tmp_path: Path, seed: int, tag: str) -> tuple[Result, Path, Path]:
    inst, wit = tmp_path / f"gen-{tag}.json", tmp_path / f"wit-{tag}.json"
    result = invoke(
        "generate", "--patients", "40", "--seed", str(seed), "-o", inst, "--witness", wit
    )
    return result, inst, wit


def test_generate_with_witness(tmp_path: Path) -> None:
    result, inst_path, wit_path = generate(tmp_path, 5, "a")
    assert result.exit_code == 0, result.output
    assert f"wrote {inst_path}: 40 patients" in result.stdout
    assert f"wrote {wit_path}: a valid schedule" in result.stdout
    inst = load_instance(inst_path)
    assert len(inst.patients) == 40
    assert inst.name == "generated-40p-seed5"
    witness = load_schedule(wit_path)
    assert witness.sessions
    assert check(inst, witness).violations == []
    # and through the CLI
    checked = invoke("check", inst_path, wit_path)
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith(f"valid: {len(witness.sessions)} sessions")


def test_generate_is_reproducible_by_seed(tmp_path: Path) -> None:
    _, inst_a, wit_a = generate(tmp_path, 5, "a")
    _, inst_b, wit_b = generate(tmp_path, 5, "b")
    _, inst_c, wit_c = generate(tmp_path, 6, "c")
    assert inst_a.read_bytes() == inst_b.read_bytes()
    assert wit_a.read_bytes() == wit_b.read_bytes()
    assert inst_a.read_bytes() != inst_c.read_bytes()
    # not only the name differs
    a, c = json.loads(inst_a.read_text()), json.loads(inst_c.read_text())
    assert a["patients"] != c["patients"]


# -- show --------------------------------------------------------------------------------


def show(path: Path, by: str) -> list[str]:
    result = invoke("show", path, "--by", by)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def headings(lines: list[str]) -> list[str]:
    """The unindented lines after the title line."""
    return [ln for ln in lines[1:] if ln and not ln.startswith(" ")]


def test_show_by_slot(tiny_schedule: Path) -> None:
    sched = load_schedule(tiny_schedule)
    lines = show(tiny_schedule, "slot")
    assert lines[0] == f"tiny: optimal, {len(sched.sessions)} sessions, objective 480"
    expected = list(dict.fromkeys(f"{s.day} {s.block}" for s in sched.sessions))
    assert headings(lines) == expected  # week order
    session_lines = [ln for ln in lines if ln.startswith("  ")]
    assert len(session_lines) == len(sched.sessions)
    for s in sched.sessions:
        assert any(
            f"{s.start}-{s.end}" in ln and s.group_type in ln and f"room {s.room}" in ln
            for ln in session_lines
        ), s


def test_show_by_room(tiny_schedule: Path) -> None:
    sched = load_schedule(tiny_schedule)
    lines = show(tiny_schedule, "room")
    assert headings(lines) == [f"room {r}" for r in sorted({s.room for s in sched.sessions})]
    assert len([ln for ln in lines if ln.startswith("  ")]) == len(sched.sessions)


def test_show_by_counselor(small_run: tuple[Result, Path]) -> None:
    _, path = small_run
    sched = load_schedule(path)
    lines = show(path, "counselor")
    appointments = sched.individual_sessions + sched.medication_appointments
    working = sorted(
        {c for s in sched.sessions for c in s.counselors} | {a.counselor for a in appointments}
    )
    heads = headings(lines)
    assert [h.split(":")[0] for h in heads] == working
    for c, head in zip(working, heads):
        mine = [s for s in sched.sessions if c in s.counselors]
        hours = sum(s.minutes for s in mine) / 60
        expected = f"{c}: {len(mine)} sessions, {hours:.1f} h of groups"
        for kind, booked in (
            ("individual", sched.individual_sessions),
            ("medication", sched.medication_appointments),
        ):
            count = sum(1 for a in booked if a.counselor == c)
            if count:
                expected += f", {count} {kind}"
        assert head == expected
    # One row per session a counselor is in and per appointment.
    rows = [ln for ln in lines if ln.startswith("  ")]
    assert len(rows) == sum(len(s.counselors) for s in sched.sessions) + len(appointments)


def test_show_by_patient(small_run: tuple[Result, Path]) -> None:
    _, path = small_run
    sched = load_schedule(path)
    lines = show(path, "patient")
    heads = headings(lines)
    attending = sorted({p for s in sched.sessions for p in s.patients})
    # small.json: every one of its 30 patients attends
    assert attending == sorted(p.id for p in load("small").patients)
    assert [h.split(":")[0] for h in heads] == attending
    for p, head in zip(attending, heads):
        mine = [s for s in sched.sessions if p in s.patients]
        hours = sum(s.minutes for s in mine) / 60
        days = len({s.day for s in mine})
        expected = f"{p}: {hours:.1f} h on {days} days"
        if p in sched.primary_counselors:
            expected += f", primary counselor {sched.primary_counselors[p]} (assigned)"
        assert head == expected
    # One row per session and appointment of each patient, one screen line per screened patient.
    rows = [ln for ln in lines if ln.startswith("  ")]
    appointments = sched.individual_sessions + sched.medication_appointments
    screened = {sc.patient for sc in sched.screens}
    assert len(rows) == sum(len(s.patients) for s in sched.sessions) + len(appointments) + len(
        screened
    )


def test_show_empty_schedule(tmp_path: Path) -> None:
    out = tmp_path / "none.json"
    assert solve_file(INFEASIBLE, out, "--time-limit", "5", "--workers", "1").exit_code == 1
    for by in ("slot", "room", "counselor", "patient"):
        lines = show(out, by)
        # (the output ends with a blank line: render_timetable() ends in a newline and echo adds one)
        assert [ln for ln in lines if ln] == ["infeasible: infeasible, 0 sessions"]


# -- schema, version ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "fields"),
    [
        (
            "instance",
            {
                "patients",
                "counselors",
                "rooms",
                "group_types",
                "days",
                "blocks",
                "individual",
                "individual_slots",
                "screening",
                "together",
            },
        ),
        (
            "schedule",
            {
                "sessions",
                "status",
                "objective",
                "instance",
                "individual_sessions",
                "medication_appointments",
                "screens",
                "primary_counselors",
            },
        ),
    ],
)
def test_schema(which: str, fields: set[str]) -> None:
    result = invoke("schema", which)
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema["type"] == "object"
    assert fields <= set(schema["properties"])
    assert schema["$schema"].startswith("https://json-schema.org/")


def test_schema_rejects_unknown_kind() -> None:
    result = invoke("schema", "patients")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert re.fullmatch(r"\S+, version \d+\.\d+\.\d+\S*\n", result.stdout), result.stdout


def test_main_help_lists_commands_and_exit_codes() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    text = one_line(result.stdout)
    for command in ("solve", "check", "generate", "show", "schema"):
        assert command in text
    assert "Exit codes: 0 success; 1" in text


# -- the installed console script, end to end --------------------------------------------


def test_console_script_end_to_end(tmp_path: Path) -> None:
    """generate -> check witness -> solve tiny -> check -> show, via the installed script."""
    script = Path(sys.executable).with_name("iop-scheduler")
    assert script.exists(), f"console script not installed next to {sys.executable}"

    def run(*args: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(script), *map(str, args)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
        )

    version = run("--version")
    assert version.returncode == 0 and "version" in version.stdout

    out = tmp_path / "tiny-schedule.json"
    solved = run("solve", TINY, "-o", out, "--time-limit", "10", "--workers", "2")
    assert solved.returncode == 0, solved.stderr
    assert summary(solved.stdout)["objective"] == "480"
    assert "Traceback" not in solved.stderr

    checked = run("check", TINY, out)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("valid: 8 sessions, objective 480")

    shown = run("show", out, "--by", "patient")
    assert shown.returncode == 0
    for p in ("P1", "P2", "P3", "P4"):
        assert f"{p}: 9.0 h on 3 days" in shown.stdout

    bad = run("solve", tmp_path / "missing.json", "-o", tmp_path / "never.json")
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert (
        bad.stderr == f"{tmp_path / 'missing.json'}: cannot read file: No such file or directory\n"
    )
    assert not (tmp_path / "never.json").exists()

    infeasible = run("solve", INFEASIBLE, "-o", tmp_path / "inf.json", "--time-limit", "5")
    assert infeasible.returncode == 1
    assert json.loads((tmp_path / "inf.json").read_text())["status"] == "infeasible"
