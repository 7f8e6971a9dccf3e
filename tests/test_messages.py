"""Messages: one line per problem, nothing in them acts on a terminal, no echoes, and a
schedule's status agrees with its content.

tiny.json: days mon/wed/fri, block am, stages early/late, group types education and
relapse_prevention, patients P1..P4 (P1 and P2 with primary counselor C1), counselors C1
and C2, rooms R1 and R2. Its optimal schedule has 8 sessions and objective 480.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from test_bad_input import invoke  # the CLI with stderr apart

from conftest import instance_path as instance_path_of
from conftest import load, raw, solve_checked
from models import InputError, Schedule, parse_instance, parse_schedule, to_json
from models.text import printable
from scheduler import check, score
from scheduler.views import render_timetable

# What must never reach a terminal: C0/C1 controls, DEL, line/paragraph separators, bidi.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
NASTY = "P\u00001\n\u001b[31m"  # a NUL, a newline and a colour change
NASTY_SHOWN = "P\\x001\\n\\x1b[31m"


def lines_of(text: str) -> list[str]:
    """The lines a terminal shows: split on newlines only, each asserted free of controls."""
    lines = text.removesuffix("\n").split("\n") if text else []
    for line in lines:
        assert not UNSAFE.search(line), repr(line)
    return lines


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data))
    return path


# -- printable ----------------------------------------------------------------------------


def test_printable_escapes_controls_separators_and_bidi_visibly() -> None:
    assert printable(NASTY) == NASTY_SHOWN
    assert printable("a\tb\rc\x7fd\x85e") == "a\\tb\\rc\\x7fd\\x85e"
    assert printable("x\u2028y\u2029z\u202eevil\u2066") == "x\\u2028y\\u2029z\\u202eevil\\u2066"
    assert not UNSAFE.search(printable("".join(map(chr, range(0x2100)))))


def test_printable_leaves_ordinary_unicode_alone_and_is_idempotent() -> None:
    text = "Zoë Ångström 張偉 🧑‍🤝‍🧑 C:\\path"  # accents, CJK, an emoji sequence (ZWJ), backslash
    assert printable(text) == text
    assert printable(printable(NASTY)) == printable(NASTY)


# -- input problems: one line each, escaped ----------------------------------------------


def nasty_instance() -> dict[str, Any]:
    """tiny with P1's id full of control characters, and P2 at a stage that does not exist."""
    data = raw("tiny")
    data["patients"][0]["id"] = NASTY
    data["patients"][1]["stage"] = "nostage"
    return data


NASTY_LINES = [
    f"patients[0] ({NASTY_SHOWN}).id: '{NASTY_SHOWN}': an id uses only letters, digits, '_' and '-'",
    "patients[1] (P2).stage: 'nostage' is not a stage",
]


def test_an_id_with_control_characters_is_one_escaped_line() -> None:
    with pytest.raises(InputError) as err:
        parse_instance(nasty_instance())
    assert err.value.lines == NASTY_LINES
    assert not UNSAFE.search(str(err.value))


def test_names_and_values_a_problem_echoes_are_escaped() -> None:
    data = raw("tiny")
    data["individual"] = {"per_week_by_stage": {"la\nte": 1}}  # a key: in the location too
    data["rooms"][0]["type"] = "group\u202e"  # a value pydantic does not echo
    data["patients"][3]["primary_counselor"] = "C\x1b9"  # a value an id message echoes
    with pytest.raises(InputError) as err:
        parse_instance(data)
    assert err.value.lines == [
        "patients[3] (P4).primary_counselor: 'C\\x1b9': an id uses only letters, digits, '_' "
        "and '-'",
        "rooms[0] (R1).type: Input should be 'group' or 'office'",
        "individual.per_week_by_stage.la\\nte.[key]: 'la\\nte': an id uses only letters, "
        "digits, '_' and '-'",
    ]


def test_solve_and_check_print_one_escaped_line_per_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "bad\x1b[2J.json", nasty_instance())  # the file name too
    shown = printable(str(path))
    out = tmp_path / "out.json"
    result = invoke("solve", path, "-o", out)
    assert result.exit_code == 2 and result.stdout == ""
    assert lines_of(result.stderr) == [f"{shown}: {line}" for line in NASTY_LINES]
    assert not out.exists()
    schedule = write(tmp_path / "s.json", {"instance": "tiny", "status": "infeasible"})
    result = invoke("check", path, schedule)
    assert result.exit_code == 2 and result.stdout == ""
    assert lines_of(result.stderr) == [f"{shown}: {line}" for line in NASTY_LINES]


def test_a_schedule_for_another_instance_names_both_escaped(tmp_path: Path) -> None:
    # The mismatch line echoes the schedule's instance name, which the file gives.
    schedule = write(tmp_path / "s.json", {"instance": "ti\x1b[31mny", "status": "unknown"})
    result = invoke("check", instance_path_of("tiny"), schedule)
    assert result.exit_code == 2 and result.stdout == ""
    assert lines_of(result.stderr) == [
        f"{schedule}: instance: the schedule is for 'ti\\x1b[31mny', not 'tiny'"
    ]


# -- what the commands print about valid files with free text ---------------------------


@pytest.fixture(scope="module")
def tiny_schedule() -> dict[str, Any]:
    result = solve_checked(load("tiny"), time_limit=10.0)
    assert result.status == "optimal" and len(result.schedule.sessions) == 8
    return json.loads(to_json(result.schedule))


def test_checker_messages_escape_a_schedules_session_ids(tiny_schedule: dict[str, Any]) -> None:
    data = json.loads(json.dumps(tiny_schedule))
    for session in data["sessions"][:2]:
        session["id"] = "S\n\x1b[31m"  # used twice
    data["sessions"][2]["room"] = "R9"
    sched = parse_schedule(data)
    report = check(load("tiny"), sched)
    assert [v.message for v in report.violations][:2] == [
        "session id S\\n\\x1b[31m is used twice",
        f"session {data['sessions'][2]['id']}: room R9 does not exist",
    ]
    for text in [v.message for v in report.violations] + [p.message for p in report.penalties]:
        assert not UNSAFE.search(text), repr(text)
    assert lines_of(score(load("tiny"), sched).text(limit=None))


def test_check_score_and_show_print_escaped_lines(
    tmp_path: Path, tiny_schedule: dict[str, Any]
) -> None:
    data = json.loads(json.dumps(tiny_schedule))
    data["sessions"][0]["id"] = "S\u2028\x1b]0;title\x07"
    path = write(tmp_path / "s.json", data)
    instance = Path(__file__).resolve().parent.parent / "instances" / "tiny.json"
    result = invoke("check", instance, path)
    assert result.exit_code == 0, result.output
    assert lines_of(result.stdout)[0] == "valid: 8 sessions, objective 480"
    result = invoke("score", instance, path, "--all")
    assert result.exit_code == 0, result.output
    first = data["sessions"][0]
    entry = f"session S\\u2028\\x1b]0;title\\x07 ({first['group_type']}, {first['day']}.am)"
    assert f"    {60:>8}  {entry}" in lines_of(result.stdout)
    result = invoke("show", path)
    assert result.exit_code == 0 and lines_of(result.stdout)


def test_an_instance_name_with_control_characters_prints_escaped(tmp_path: Path) -> None:
    data = raw("tiny")
    data["name"] = "tiny\n\x1b[31mred"
    path = write(tmp_path / "named.json", data)
    out = tmp_path / "out.json"
    result = invoke("solve", path, "-o", out, "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "instance               tiny\\n\\x1b[31mred" in lines_of(result.stdout)
    sched = json.loads(out.read_text())
    assert sched["instance"] == data["name"]  # the file keeps the name as it is
    shown = "tiny\\n\\x1b[31mred"
    assert lines_of(invoke("show", out).stdout)[0].startswith(f"{shown}: optimal")
    assert lines_of(invoke("score", path, out).stdout)[0] == f"{shown}: objective 480"
    result = invoke("explain", path, "--time-limit", "5")
    assert lines_of(result.stdout)[0] == f"{shown}: feasible"
    assert render_timetable(Schedule.model_validate(sched), "patient").startswith(shown)


# -- echoes of a broken top-level field are left out -------------------------------------

INDEPENDENT = "patients[3] (P4).primary_counselor: 'C09' is not a counselor id"


@pytest.mark.parametrize(
    ("field", "value", "line"),
    [
        ("days", "mon", "days: Input should be a valid list, not the string 'mon'"),
        ("days", [], "days: List should have at least 1 item after validation, not 0"),
        ("blocks", {}, "blocks: Input should be a valid list, not an object"),
        ("stages", 3, "stages: Input should be a valid list, not the number 3"),
        ("group_types", "x", "group_types: Input should be a valid list, not the string 'x'"),
        ("counselors", "C1", "counselors: Input should be a valid list, not the string 'C1'"),
    ],
)
def test_a_broken_top_level_field_is_one_line(field: str, value: Any, line: str) -> None:
    data = raw("tiny")
    data[field] = value
    with pytest.raises(InputError) as err:
        parse_instance(data)
    assert err.value.lines == [line]  # no slot, stage, type or counselor reference echoed
    if field != "counselors":  # with a problem that does not depend on the field
        data["patients"][3]["primary_counselor"] = "C09"
        with pytest.raises(InputError) as err:
            parse_instance(data)
        assert err.value.lines == [line, INDEPENDENT]


def test_a_missing_top_level_field_is_one_line() -> None:
    data = raw("tiny")
    del data["days"]
    data["patients"][3]["primary_counselor"] = "C09"
    with pytest.raises(InputError) as err:
        parse_instance(data)
    assert err.value.lines == ["days: required field is missing", INDEPENDENT]


@pytest.mark.parametrize(
    ("edit", "line"),
    [
        (
            lambda d: d["days"].__setitem__(1, "w e d"),
            "days[1]: 'w e d': an id uses only letters, digits, '_' and '-'",
        ),
        (
            lambda d: d["blocks"][0]["periods"][1].update(start="10:00", end="09:00"),
            "blocks[0] (am).periods[1]: period ends at 09:00, not after its start 10:00",
        ),
        (
            lambda d: d["blocks"].__setitem__(0, "am"),
            "blocks[0]: Input should be a valid dictionary or instance of Block",
        ),
        (
            lambda d: d["counselors"][0].__setitem__("id", "C 1"),
            "counselors[0] (C 1).id: 'C 1': an id uses only letters, digits, '_' and '-'",
        ),
        (
            lambda d: d["stages"].__setitem__(0, 7),
            "stages[0]: Input should be a valid string, not the number 7",
        ),
    ],
)
def test_a_broken_item_leaves_out_the_references_into_its_field(edit: Any, line: str) -> None:
    # Without wed, or without a usable am block, every 'x.am' slot reference could be an
    # echo; without C1's id, every primary counselor (C09 too: it could be the broken one);
    # without stage 'early', every patient's stage. The other problem depends on none of
    # them: P4's primary counselor C09, or, when the counselors are in doubt, P3's stage.
    data = raw("tiny")
    edit(data)
    if line.startswith("counselors"):
        data["patients"][2]["stage"] = "nostage"
        other = "patients[2] (P3).stage: 'nostage' is not a stage"
    else:
        data["patients"][3]["primary_counselor"] = "C09"
        other = INDEPENDENT
    with pytest.raises(InputError) as err:
        parse_instance(data)
    assert err.value.lines == [line, other]


def test_a_broken_item_with_a_valid_id_still_counts_for_references() -> None:
    # C1's roles are wrong, but its id is known: P4's C09 is reported, nothing naming C1.
    data = raw("tiny")
    data["counselors"][0]["roles"] = ["wizard"]
    data["patients"][3]["primary_counselor"] = "C09"
    data["patients"][2]["stage"] = "nostage"
    with pytest.raises(InputError) as err:
        parse_instance(data)
    assert err.value.lines[1:] == ["patients[2] (P3).stage: 'nostage' is not a stage", INDEPENDENT]
    assert err.value.lines[0].startswith("counselors[0] (C1).roles[0]: ")


# -- a schedule's status agrees with its content -----------------------------------------


@pytest.mark.parametrize("status", ["infeasible", "unknown"])
def test_no_schedule_status_with_content_is_bad_input(
    tmp_path: Path, tiny_schedule: dict[str, Any], status: str
) -> None:
    data = dict(tiny_schedule, status=status)
    path = write(tmp_path / "s.json", data)
    instance = Path(__file__).resolve().parent.parent / "instances" / "tiny.json"
    line = (
        f"{path}: status: '{status}' but the schedule holds 8 sessions and an objective "
        "(with status infeasible or unknown it holds none)"
    )
    for args in (("check", instance, path), ("score", instance, path), ("show", path)):
        result = invoke(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", line + "\n"), args


def test_each_kind_of_content_disagrees_with_a_no_schedule_status(
    tiny_schedule: dict[str, Any],
) -> None:
    screen = {"patient": "P1", "day": "mon", "block": "am"}
    data = {
        "instance": "tiny",
        "status": "unknown",
        "screens": [screen],
        "primary_counselors": {"P3": "C1", "P4": "C1"},
    }
    with pytest.raises(InputError) as err:
        parse_schedule(data)
    assert err.value.lines == [
        "status: 'unknown' but the schedule holds 1 screen and 2 assigned primary counselors "
        "(with status infeasible or unknown it holds none)"
    ]
    with pytest.raises(ValidationError):  # the library's own constructor says the same
        Schedule(instance="tiny", status="infeasible", objective_terms={"session_run": 60})


def test_schedules_whose_status_matches_their_content_are_accepted(
    tiny_schedule: dict[str, Any],
) -> None:
    assert parse_schedule(tiny_schedule).status == "optimal"
    # What solve writes with no schedule: a time, a best-effort flag, nothing else.
    for status in ("infeasible", "unknown"):
        empty = {"instance": "tiny", "status": status, "wall_seconds": 0.5, "best_effort": True}
        assert parse_schedule(empty).sessions == []
    # A hand-made or generated timetable (generate --witness) need not give an objective.
    handmade = {k: v for k, v in tiny_schedule.items() if k not in ("objective", "best_bound")}
    assert parse_schedule(dict(handmade, status="feasible")).objective is None


def test_solve_writes_an_infeasible_schedule_that_loads(tmp_path: Path) -> None:
    out = tmp_path / "inf.json"
    instance = Path(__file__).resolve().parent.parent / "instances" / "infeasible.json"
    result = invoke("solve", instance, "-o", out, "--quiet", "--workers", "1")
    assert result.exit_code == 1, result.output
    assert parse_schedule(json.loads(out.read_text())).status == "infeasible"
    shown = invoke("show", out)
    assert shown.exit_code == 0 and shown.stdout.startswith("infeasible: infeasible, 0 sessions")
