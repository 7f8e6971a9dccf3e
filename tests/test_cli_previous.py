"""``--previous LAST_WEEK.json`` on the command line: ``solve``, ``check`` and ``score``."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import instance_path, invoke
from models import load_schedule

TINY = str(instance_path("tiny"))


def test_solve_check_and_score_against_last_week(tmp_path: Path) -> None:
    last, this = tmp_path / "last.json", tmp_path / "this.json"
    assert invoke("solve", TINY, "-o", last, "--time-limit", "10", "--workers", "2").exit_code == 0

    result = invoke(
        "solve", TINY, "-o", this, "--previous", last, "--time-limit", "10", "--workers", "2"
    )

    assert result.exit_code == 0, result.output
    assert "patients moved" in result.output and "session_moved" in result.output
    written = load_schedule(this)
    assert written.changes is not None and written.changes.sessions_moved == 0
    assert written.sessions == load_schedule(last).sessions
    # The same week checked and scored against last week: every stability term at 0.
    checked = invoke("check", TINY, this, "--previous", last)
    assert checked.exit_code == 0 and "seat_changed" in checked.output
    scored = invoke("score", TINY, this, "--previous", last, "--json")
    terms = {t["term"]: t["cost"] for t in json.loads(scored.output)["terms"]}
    assert terms["block_changed"] == terms["session_moved"] == 0
    # Without --previous there are no stability terms and no changes.
    assert "seat_changed" not in invoke("check", TINY, last).output
    assert '"changes"' not in last.read_text()


def test_previous_without_a_timetable_is_bad_input(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"format_version": 1, "instance": "tiny", "status": "unknown"}))
    out = tmp_path / "out.json"

    result = invoke("solve", TINY, "-o", out, "--previous", empty)

    assert result.exit_code == 2
    assert "--previous: status 'unknown': it holds no timetable" in result.stderr
    assert not out.exists()
    assert invoke("score", TINY, empty, "--previous", empty).exit_code == 2
