"""The coordinator's commands end to end: ``solve --export``, ``export``, ``convert``,
``template``, and ``batch`` over workbooks; and that a patient's display name reaches
only the printed views (HTML, XLSX), never the CSV, calendars, FHIR or a log line.

Every schedule solved here is checked (the CLI's ``solve`` checks before it writes).
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from conftest import instance_path, raw
from models import load_instance, load_schedule, parse_instance, to_json
from scheduler import check
from tests.test_cli import invoke

SMALL = str(instance_path("small"))

# Display names made to be found: any byte of one in a CSV, ics or FHIR file is a leak.
NAMES = {f"P{i:03d}": f"Zelda{i:03d} Q." for i in range(1, 31)}


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, Path]:
    """small.json with a week, a time zone and display names, solved by the CLI with
    every export and a progress log: (instance, schedule, export dir, log)."""
    data = raw("small")
    data.update(week_of="2026-12-07", timezone="America/Chicago")
    for p in data["patients"]:
        p["display_name"] = NAMES[p["id"]]
    root = tmp_path_factory.mktemp("named")
    inst, out, log = root / "week.json", root / "week.schedule.json", root / "progress.jsonl"
    inst.write_text(to_json(parse_instance(data)))
    result = invoke(
        "solve", inst, "-o", out, "--time-limit", "10", "--workers", "2",
        "--log-json", log, "--export", "html,xlsx,csv,ics,fhir", "--export-dir", root / "week",
    )  # fmt: skip
    assert result.exit_code == 0, result.output + result.stderr
    (root / "solve-output.txt").write_text(result.output + result.stderr)
    return inst, out, root / "week", log


def test_solve_exports_every_format(named: tuple[Path, Path, Path, Path]) -> None:
    inst, out, week, _ = named
    assert check(load_instance(inst), load_schedule(out)).ok
    names = {p.relative_to(week).as_posix() for p in week.rglob("*") if p.is_file()}
    assert {"timetable.html", "timetable.xlsx", "sessions.csv", "attendance.csv"} <= names
    assert {"appointments.csv", "screens.csv", "appointments.fhir.json"} <= names
    instance = load_instance(inst)
    feeds = {f"calendars/counselor-{c.id}.ics" for c in instance.counselors}
    assert feeds <= names
    assert {f"calendars/room-{r.id}.ics" for r in instance.rooms} <= names


def test_display_names_only_on_printed_views(named: tuple[Path, Path, Path, Path]) -> None:
    inst, _, week, log = named
    html = (week / "timetable.html").read_text()
    assert sum(name in html for name in NAMES.values()) == len(NAMES)  # sign-in sheets
    sheet_text = " ".join(
        str(cell)
        for ws in openpyxl.load_workbook(week / "timetable.xlsx").worksheets
        for row in ws.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )
    assert any(name in sheet_text for name in NAMES.values())
    leaks = [p for p in week.rglob("*") if p.suffix in (".csv", ".ics", ".json")]
    leaks += [log, inst.parent / "solve-output.txt", inst.parent / "week.schedule.json"]
    for path in leaks:
        data = path.read_bytes()
        assert not [n for n in NAMES.values() if n.encode() in data], path
        assert b"Zelda" not in data, path


def test_export_command_writes_the_formats_the_instance_allows(tmp_path: Path) -> None:
    sched = tmp_path / "small.schedule.json"
    assert invoke("solve", SMALL, "-o", sched, "--time-limit", "5", "--workers", "2").exit_code == 0
    out = tmp_path / "out"
    result = invoke("export", sched, "--instance", SMALL, "-o", out)
    assert result.exit_code == 0, result.output + result.stderr
    # small has no week_of or time zone: no calendars and no FHIR by default
    assert sorted(p.name for p in out.iterdir()) == [
        "appointments.csv",
        "attendance.csv",
        "screens.csv",
        "sessions.csv",
        "timetable.html",
        "timetable.xlsx",
    ]
    asked = invoke("export", sched, "--instance", SMALL, "-o", tmp_path / "ics", "--format", "ics")
    assert asked.exit_code == 2
    assert asked.stderr.splitlines() == [
        "instance: week_of is not set; the ics export needs it for real dates and times "
        '(e.g. "week_of": "2026-12-07", "timezone": "America/New_York")',
        "instance: timezone is not set; the ics export needs it for real dates and times "
        '(e.g. "week_of": "2026-12-07", "timezone": "America/New_York")',
    ]
    assert not (tmp_path / "ics").exists()


def test_export_bad_input(tmp_path: Path, named: tuple[Path, Path, Path, Path]) -> None:
    inst, sched, _, _ = named
    bad_format = invoke("export", sched, "--instance", inst, "-o", tmp_path, "--format", "pdf")
    assert bad_format.exit_code == 2
    assert "'pdf': give some of html, xlsx, csv, ics, fhir" in bad_format.stderr
    other = invoke("export", sched, "--instance", instance_path("tiny"), "-o", tmp_path / "x")
    assert other.exit_code == 2
    assert other.stderr.strip() == (
        f"{sched}: instance: the schedule is for 'small-clinic', not 'tiny'"
    )
    a_file = tmp_path / "file"
    a_file.write_text("")
    into_file = invoke("export", sched, "--instance", inst, "-o", a_file, "--format", "csv")
    assert into_file.exit_code == 2
    assert f"Directory '{a_file}' is a file." in into_file.stderr  # click's usage error


def test_export_of_a_broken_schedule_writes_and_exits_1(
    tmp_path: Path, named: tuple[Path, Path, Path, Path]
) -> None:
    inst, sched, _, _ = named
    data = json.loads(sched.read_text())
    data["sessions"][0]["patients"] = data["sessions"][0]["patients"][:1]  # under min_size
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    result = invoke("export", broken, "--instance", inst, "-o", tmp_path / "out", "--format", "csv")
    assert result.exit_code == 1
    assert "warning: the schedule breaks" in result.stderr
    assert (tmp_path / "out" / "sessions.csv").exists()


def test_convert_round_trip_and_bad_outputs(tmp_path: Path) -> None:
    book, back = tmp_path / "small.xlsx", tmp_path / "small.json"
    assert invoke("convert", SMALL, "-o", book).exit_code == 0
    assert invoke("convert", book, "-o", back).exit_code == 0
    assert load_instance(back) == load_instance(SMALL)
    assert load_instance(book) == load_instance(SMALL)
    wrong = invoke("convert", SMALL, "-o", tmp_path / "small.csv")
    assert wrong.exit_code == 2
    assert "name the output .json or .xlsx" in wrong.stderr
    over = invoke("convert", book, "-o", book)
    assert over.exit_code == 2
    assert "writing it would destroy the input" in over.stderr


def test_convert_warns_of_what_a_workbook_cannot_hold(tmp_path: Path) -> None:
    data = raw("small")
    patient = data["patients"][0]
    slots = load_instance(SMALL).slots
    away = next(s for s in slots if s not in patient["available"])
    patient["preferred"] = [away]  # preferred where not available: no mark in a workbook
    source = tmp_path / "small.json"
    source.write_text(json.dumps(data))
    result = invoke("convert", source, "-o", tmp_path / "small.xlsx")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"warning: patients {patient['id']}: preferred {away} not among their available "
        "slots; a workbook cannot mark that (p means available and preferred), so it "
        "leaves them out"
    ]
    assert load_instance(tmp_path / "small.xlsx").patients[0].preferred == []


def test_template_reads_back_and_solves_its_options(tmp_path: Path) -> None:
    out = tmp_path / "roster.xlsx"
    result = invoke("template", out, "--days", "mon,wed,fri", "--blocks", "am=09:00-12:00/2")
    assert result.exit_code == 0, result.output + result.stderr
    inst = load_instance(out)
    assert inst.days == ["mon", "wed", "fri"]
    assert [(p.start, p.end) for b in inst.blocks for p in b.periods] == [
        ("09:00", "10:30"),
        ("10:30", "12:00"),
    ]
    bad = invoke("template", tmp_path / "t.xlsx", "--blocks", "am=12:00-09:00/2")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("--blocks: ")
    assert not (tmp_path / "t.xlsx").exists()


def test_batch_solves_a_workbook(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    assert invoke("convert", instance_path("tiny"), "-o", inputs / "tiny.xlsx").exit_code == 0
    (inputs / "~$tiny.xlsx").write_bytes(b"Excel's lock file")  # skipped
    result = invoke("batch", inputs, "-o", tmp_path / "out", "--time-limit", "5", "--quiet")
    assert result.exit_code == 0, result.output + result.stderr
    sched = load_schedule(tmp_path / "out" / "tiny.schedule.json")
    assert check(load_instance(instance_path("tiny")), sched).ok


def test_generate_sets_week_and_time_zone(tmp_path: Path) -> None:
    out = tmp_path / "g.json"
    args = ("--patients", "8", "--week-of", "2026-12-07", "--timezone", "Europe/Berlin")
    assert invoke("generate", *args, "-o", out).exit_code == 0
    inst = load_instance(out)
    assert (str(inst.week_of), inst.timezone) == ("2026-12-07", "Europe/Berlin")
    bad = invoke("generate", "--patients", "8", "--timezone", "Mars/Base", "-o", out)
    assert bad.exit_code == 2
    assert (
        bad.stderr.strip()
        == "--timezone: 'Mars/Base' is not an IANA time zone (e.g. America/New_York)"
    )
