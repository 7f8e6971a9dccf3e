"""Bad input on the command line: exit code 2, one line per problem, nothing written.

Every case checks that

* the exit code is 2 and no exception escaped (no traceback),
* stderr holds exactly the expected lines, ``<path>: <object>.<field>: <problem>``,
  and stdout is empty,
* no output file (nor a temporary file of the atomic write) was created.

Most bad instances are ``instances/tiny.json`` with one edit, written to ``tmp_path``;
``tests/data/bad_truncated.json`` and ``tests/data/bad_several.json`` are kept as files.
tiny.json: days mon/wed/fri, block am (two periods), stages early/late, group types
education and relapse_prevention, patients P1..P4, counselors C1 (both types), C2
(relapse_prevention), rooms R1, R2.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from conftest import DATA, instance_path, invoke, raw

TINY = instance_path("tiny")


def assert_bad_input(result: Result) -> list[str]:
    """Exit 2 without a traceback or stdout; returns the stderr lines."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines, "no message on stderr"
    return lines


def write_instance(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    data = raw("tiny")
    edit(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def solve_bad(tmp_path: Path, instance: Path) -> list[str]:
    """Solve a bad instance into tmp_path/out.json; assert exit 2 and nothing written."""
    before = set(tmp_path.iterdir())
    out = tmp_path / "out.json"
    lines = assert_bad_input(invoke("solve", instance, "-o", out, "--time-limit", "5"))
    assert not out.exists()
    assert set(tmp_path.iterdir()) == before  # no temporary file left either
    return lines


# -- one problem each: the exact line ----------------------------------------------------


def _del(obj: dict[str, Any], key: str) -> None:
    del obj[key]


CASES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "missing required field": (
        lambda d: _del(d["patients"][3], "stage"),
        "patients[3] (P4).stage: required field is missing",
    ),
    "unknown field (typo)": (
        lambda d: d["patients"][1].update(min_hour=9),
        "patients[1] (P2).min_hour: unknown field (check the spelling)",
    ),
    "qualified for a group type that does not exist": (
        lambda d: d["counselors"][1]["qualified"].append("art_therapy"),
        "counselors[1] (C2).qualified[1]: 'art_therapy' is not a group type id",
    ),
    "unknown primary counselor": (
        lambda d: d["patients"][3].update(primary_counselor="C09"),
        "patients[3] (P4).primary_counselor: 'C09' is not a counselor id",
    ),
    "duplicate patient id": (
        lambda d: d["patients"][3].update(id="P1"),
        "patients[3] (P1).id: duplicate id 'P1'",
    ),
    "period ends before it starts": (
        lambda d: d["blocks"][0]["periods"].__setitem__(1, {"start": "11:00", "end": "10:30"}),
        "blocks[0] (am).periods[1]: period ends at 10:30, not after its start 11:00",
    ),
    "period of zero length": (
        lambda d: d["blocks"][0]["periods"].__setitem__(1, {"start": "10:30", "end": "10:30"}),
        "blocks[0] (am).periods[1]: period ends at 10:30, not after its start 10:30",
    ),
    "overlapping periods": (
        lambda d: d["blocks"][0]["periods"].__setitem__(1, {"start": "10:00", "end": "11:00"}),
        "blocks[0] (am).periods: period 10:00-11:00 starts before the previous one ends "
        "(10:30); periods must be ordered and not overlap",
    ),
    "min_hours above max_hours": (
        lambda d: d["patients"][0].update(min_hours=20, max_hours=10),
        "patients[0] (P1): min_hours 20 is above max_hours 10",
    ),
    "min_size above max_size": (
        lambda d: d["group_types"][1].update(min_size=5, max_size=3),
        "group_types[1] (relapse_prevention): min_size 5 is above max_size 3",
    ),
    "unknown slot in availability": (
        lambda d: d["patients"][0]["available"].append("sat.am"),
        "patients[0] (P1).available[3]: 'sat.am' is not a slot (day.block, e.g. 'mon.am')",
    ),
    "unknown slot in counselor availability": (
        lambda d: d["counselors"][0]["available"].__setitem__(0, "tue.am"),
        "counselors[0] (C1).available[0]: 'tue.am' is not a slot (day.block, e.g. 'mon.am')",
    ),
    "wrong type": (
        lambda d: d["patients"][0].update(min_hours="lots"),
        "patients[0] (P1).min_hours: Input should be a valid number, not the string 'lots'",
    ),
    "unknown stage": (
        lambda d: d["patients"][2].update(stage="middle"),
        "patients[2] (P3).stage: 'middle' is not a stage",
    ),
    "unknown group kind": (
        lambda d: d["group_types"][0].update(kind="art"),
        "group_types[0] (education).kind: Input should be 'psychoeducational', 'skills' or "
        "'interpersonal_process'",
    ),
    "min_days above the number of days": (
        lambda d: d["patients"][0].update(min_days=4),
        "patients[0] (P1).min_days: 4 is more than the 3 days",
    ),
    "patient avoids an unknown patient": (
        lambda d: d["patients"][0].update(avoid=["P9"]),
        "patients[0] (P1).avoid[0]: 'P9' is not a patient id",
    ),
    # -- clinical services --
    "individual slot shorter than the appointment": (
        lambda d: d.update(
            individual_slots=[{"start": "08:00", "end": "08:30"}],
            rooms=[*d["rooms"], {"id": "O1", "capacity": 2, "type": "office"}],
        ),
        "individual_slots[0]: 08:00-08:30 is shorter than individual.duration_minutes 50",
    ),
    "overlapping individual slots": (
        lambda d: d.update(
            individual_slots=[
                {"start": "12:10", "end": "13:00"},
                {"start": "12:30", "end": "13:20"},
            ],
            rooms=[*d["rooms"], {"id": "O1", "capacity": 2, "type": "office"}],
        ),
        "individual_slots[1]: 12:30-13:20 overlaps 12:10-13:00",
    ),
    "individual slots without an office": (
        lambda d: d.update(individual_slots=[{"start": "08:00", "end": "08:50"}]),
        "individual_slots: appointments need a room of type 'office'; there is none",
    ),
    "appointment too long": (
        lambda d: d.update(individual={"duration_minutes": 90}),
        "individual.duration_minutes: Input should be less than or equal to 60",
    ),
    "per_week for an unknown stage": (
        lambda d: d.update(individual={"per_week_by_stage": {"middle": 2}}),
        "individual.per_week_by_stage.middle: 'middle' is not a stage",
    ),
    "unknown role": (
        lambda d: d["counselors"][0].update(roles=["psychiatrist"]),
        "counselors[0] (C1).roles[0]: Input should be 'counselor', 'clinician', 'prescriber' "
        "or 'case_manager'",
    ),
    "primary counselor who cannot carry a caseload": (
        lambda d: (
            d["counselors"][1].update(roles=["prescriber"]),
            d["patients"][3].update(primary_counselor="C1"),
        ),
        "patients[2] (P3).primary_counselor: 'C2' has neither the counselor nor the clinician role",
    ),
    "completed topic no group type teaches": (
        lambda d: d["patients"][0].update(completed_topics=["juggling"]),
        "patients[0] (P1).completed_topics[0]: 'juggling' is not a topic of any group type",
    ),
    "topic listed twice": (
        lambda d: d["group_types"][0].update(topics=["triggers", "triggers"]),
        "group_types[0] (education).topics: topic listed twice: triggers",
    ),
    "a topic strict in one type only": (
        lambda d: (
            d["group_types"][0].update(topics=["triggers"]),
            d["group_types"][1].update(topics=["triggers"], strict_curriculum=True),
        ),
        "group_types[0] (education).topics[0]: 'triggers' is also a topic of strict_curriculum "
        "type 'relapse_prevention'; a topic is strict in every type or in none",
    ),
    "too many staff per session": (
        lambda d: d["group_types"][0].update(staff_required=5),
        "group_types[0] (education).staff_required: Input should be less than or equal to 4",
    ),
    "couple with an unknown patient": (
        lambda d: d.update(together=[{"patients": ["P1", "P9"], "group_type": "education"}]),
        "together[0].patients[1]: 'P9' is not a patient id",
    ),
    "couple who also avoid each other": (
        lambda d: (
            d["patients"][0].update(avoid=["P2"]),
            d.update(together=[{"patients": ["P1", "P2"], "group_type": "education"}]),
        ),
        "together[0].patients: P1 and P2 also avoid each other",
    ),
    "unknown room type": (
        lambda d: d["rooms"][0].update(type="gym"),
        "rooms[0] (R1).type: Input should be 'group' or 'office'",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_one_problem_one_line(tmp_path: Path, case: str) -> None:
    edit, expected = CASES[case]
    path = write_instance(tmp_path, edit)
    assert solve_bad(tmp_path, path) == [f"{path}: {expected}"]


def test_top_level_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]\n")
    assert solve_bad(tmp_path, path) == [
        f"{path}: (top level): Input should be a valid dictionary or instance of Instance"
    ]


def test_check_reports_bad_instance_the_same_way(tmp_path: Path) -> None:
    path = write_instance(tmp_path, lambda d: d["patients"][3].update(primary_counselor="C09"))
    lines = assert_bad_input(invoke("check", path, tmp_path / "whatever.json"))
    assert lines == [f"{path}: patients[3] (P4).primary_counselor: 'C09' is not a counselor id"]


def test_bad_slot_format_names_the_place(tmp_path: Path) -> None:
    """A slot without a dot. (Rough edge: the message is a raw regular expression.)"""
    path = write_instance(tmp_path, lambda d: d["patients"][0]["available"].append("satam"))
    [line] = solve_bad(tmp_path, path)
    assert line.startswith(f"{path}: patients[0] (P1).available[3]: ")


# -- several problems: one line each -----------------------------------------------------


def test_several_problems_one_line_each(tmp_path: Path) -> None:
    path = DATA / "bad_several.json"
    lines = solve_bad(tmp_path, path)
    assert sorted(lines) == sorted(
        f"{path}: {line}"
        for line in [
            "patients[2] (P2).id: duplicate id 'P2'",
            "requirements[0].group_type: 'educaton' is not a group type id",
            "patients[0] (P1).available[3]: 'sat.am' is not a slot (day.block, e.g. 'mon.am')",
            "patients[3] (P4).primary_counselor: 'C09' is not a counselor id",
            "counselors[1] (C2).qualified[1]: 'art_therapy' is not a group type id",
        ]
    )


def test_several_field_problems_one_line_each(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        del d["patients"][3]["stage"]
        d["patients"][1]["min_hour"] = 9
        d["group_types"][1].update(min_size=5, max_size=3)

    path = write_instance(tmp_path, edit)
    assert sorted(solve_bad(tmp_path, path)) == sorted(
        [
            f"{path}: patients[3] (P4).stage: required field is missing",
            f"{path}: patients[1] (P2).min_hour: unknown field (check the spelling)",
            f"{path}: group_types[1] (relapse_prevention): min_size 5 is above max_size 3",
        ]
    )


def test_field_and_reference_problems_together(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["patients"][0].update(min_hours=20, max_hours=10)
        d["patients"][3]["primary_counselor"] = "C09"

    path = write_instance(tmp_path, edit)
    assert sorted(solve_bad(tmp_path, path)) == sorted(
        [
            f"{path}: patients[0] (P1): min_hours 20 is above max_hours 10",
            f"{path}: patients[3] (P4).primary_counselor: 'C09' is not a counselor id",
        ]
    )


def test_reference_problems_that_may_echo_a_field_problem_are_left_out(tmp_path: Path) -> None:
    # C1's roles are invalid; P1 names C1 as primary, which would read "has neither role":
    # an echo of C1's own problem, so only that one is reported.
    def edit(d: dict[str, Any]) -> None:
        d["counselors"][0]["roles"] = ["wizard"]
        d["patients"][3]["primary_counselor"] = "C09"

    path = write_instance(tmp_path, edit)
    lines = solve_bad(tmp_path, path)
    assert f"{path}: patients[3] (P4).primary_counselor: 'C09' is not a counselor id" in lines
    assert not any("'C1'" in line for line in lines)
    assert any(line.startswith(f"{path}: counselors[0] (C1).roles[0]:") for line in lines)


def test_a_field_broken_as_a_whole_leaves_out_only_what_depends_on_it(tmp_path: Path) -> None:
    # No slot reference is checked without blocks; P4's primary counselor does not need them.
    # (tests/test_messages.py tries every top-level field the references depend on.)
    def edit(d: dict[str, Any]) -> None:
        d["blocks"] = "am"
        d["patients"][3]["primary_counselor"] = "C09"

    path = write_instance(tmp_path, edit)
    assert solve_bad(tmp_path, path) == [
        f"{path}: blocks: Input should be a valid list, not the string 'am'",
        f"{path}: patients[3] (P4).primary_counselor: 'C09' is not a counselor id",
    ]


# -- unreadable files --------------------------------------------------------------------


def test_truncated_json(tmp_path: Path) -> None:
    path = DATA / "bad_truncated.json"
    [line] = solve_bad(tmp_path, path)
    assert re.fullmatch(rf"{re.escape(str(path))}: line \d+ column \d+: malformed JSON: .+", line)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("")
    assert solve_bad(tmp_path, path) == [
        f"{path}: line 1 column 1: malformed JSON: Expecting value"
    ]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    assert solve_bad(tmp_path, path) == [f"{path}: cannot read file: No such file or directory"]


def test_directory_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder.json"
    folder.mkdir()
    lines = solve_bad(tmp_path, folder)
    # click's own usage error (three lines: usage, hint, error), not the one-line format
    assert lines[-1] == f"Error: Invalid value for 'INSTANCE': File '{folder}' is a directory."


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(TINY.read_text().replace('"tiny"', '"caf\u00e9"').encode("latin-1"))
    [line] = solve_bad(tmp_path, path)
    assert line.startswith(f"{path}: ")


def test_infinite_hours(tmp_path: Path) -> None:
    path = write_instance(tmp_path, lambda d: d["patients"][0].update(max_hours=float("inf")))
    assert "Infinity" in path.read_text()
    [line] = solve_bad(tmp_path, path)
    assert line.startswith(f"{path}: patients[0] (P1).max_hours: ")


def test_absurd_hours(tmp_path: Path) -> None:
    path = write_instance(
        tmp_path, lambda d: d["patients"][0].update(min_hours=1e300, max_hours=1e300)
    )
    lines = solve_bad(tmp_path, path)
    # both fields are over the 168 hours of a week: one line each
    assert [line.split(": ")[1] for line in lines] == [
        "patients[0] (P1).min_hours",
        "patients[0] (P1).max_hours",
    ]
    line = lines[0]
    assert line.startswith(f"{path}: patients[0] (P1)")


# -- output files ------------------------------------------------------------------------


def test_solve_into_missing_directory(tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "dir" / "out.json"
    lines = assert_bad_input(invoke("solve", TINY, "-o", out))
    assert lines == [f"{out}: directory {out.parent} does not exist"]
    assert not (tmp_path / "no").exists()


def test_solve_output_is_a_directory(tmp_path: Path) -> None:
    lines = assert_bad_input(invoke("solve", TINY, "-o", tmp_path))
    assert (
        lines[-1]
        == f"Error: Invalid value for '-o' / '--output': File '{tmp_path}' is a directory."
    )


def test_existing_output_untouched_on_bad_input(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text("previous schedule\n")
    stamp = out.stat().st_mtime_ns
    bad = write_instance(tmp_path, lambda d: d["patients"][3].update(primary_counselor="C09"))
    before = set(tmp_path.iterdir())
    assert_bad_input(invoke("solve", bad, "-o", out))
    assert out.read_text() == "previous schedule\n"
    assert out.stat().st_mtime_ns == stamp
    assert set(tmp_path.iterdir()) == before


def test_generate_into_missing_directory(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "gen.json"
    lines = assert_bad_input(invoke("generate", "--patients", "20", "-o", out))
    assert lines == [f"{out}: directory {out.parent} does not exist"]


def test_generate_witness_into_missing_directory(tmp_path: Path) -> None:
    out = tmp_path / "gen.json"
    witness = tmp_path / "missing" / "witness.json"
    lines = assert_bad_input(
        invoke("generate", "--patients", "20", "-o", out, "--witness", witness)
    )
    assert lines == [f"{witness}: directory {witness.parent} does not exist"]
    assert not out.exists()


# -- bad schedules -----------------------------------------------------------------------


def test_check_truncated_schedule(tmp_path: Path) -> None:
    sched = tmp_path / "schedule.json"
    sched.write_text('{"format_version": 1, "instance": "tiny", "sessions": [')
    [line] = assert_bad_input(invoke("check", TINY, sched))
    assert re.fullmatch(rf"{re.escape(str(sched))}: line 1 column \d+: malformed JSON: .+", line)


def test_check_invalid_schedule_fields(tmp_path: Path) -> None:
    session = {
        "id": "S001",
        "day": "mon",
        "block": "am",
        "period": 0,
        "start": "09:00",
        "end": "10:30",
        "group_type": "education",
        "room": "R1",
        "counselors": ["C1"],
        "patinets": ["P1", "P2"],
    }
    sched = tmp_path / "schedule.json"
    sched.write_text(json.dumps({"instance": "tiny", "status": "great", "sessions": [session]}))
    lines = assert_bad_input(invoke("check", TINY, sched))
    assert sorted(lines) == sorted(
        [
            f"{sched}: status: Input should be 'optimal', 'feasible', 'infeasible' or 'unknown'",
            f"{sched}: sessions[0] (S001).patients: required field is missing",
            f"{sched}: sessions[0] (S001).patinets: unknown field (check the spelling)",
        ]
    )


def test_check_missing_schedule(tmp_path: Path) -> None:
    sched = tmp_path / "nothing.json"
    lines = assert_bad_input(invoke("check", TINY, sched))
    assert lines == [f"{sched}: cannot read file: No such file or directory"]


def test_show_malformed_schedule(tmp_path: Path) -> None:
    sched = tmp_path / "schedule.json"
    sched.write_text("{not json")
    [line] = assert_bad_input(invoke("show", sched))
    assert line.startswith(f"{sched}: line 1 column 2: malformed JSON: ")


# -- bad options -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "mentions"),
    [
        (["--time-limit", "-1"], "--time-limit"),
        (["--workers", "-2"], "--workers"),
        (["--gap", "1.5"], "--gap"),
        (["--formulation", "clever"], "--formulation"),
        (["--time-limit", "soon"], "--time-limit"),
    ],
)
def test_solve_bad_options(tmp_path: Path, options: list[str], mentions: str) -> None:
    out = tmp_path / "out.json"
    lines = assert_bad_input(invoke("solve", TINY, "-o", out, *options))
    assert mentions in lines[-1]
    assert not out.exists()


def test_solve_without_output_option(tmp_path: Path) -> None:
    lines = assert_bad_input(invoke("solve", TINY))
    assert "Missing option '-o' / '--output'" in lines[-1]


def test_generate_too_few_patients(tmp_path: Path) -> None:
    out = tmp_path / "gen.json"
    lines = assert_bad_input(invoke("generate", "--patients", "4", "-o", out))
    assert "--patients" in lines[-1]
    assert not out.exists()
