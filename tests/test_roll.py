"""``roll``: next week's instance (scheduler.roll, iop-scheduler roll), on a generated rolling
program and its witness schedule (no solve)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from conftest import invoke
from models import (
    InputError,
    Instance,
    Pin,
    Schedule,
    Together,
    json_schema,
    load_instance,
    to_json,
)
from scheduler import roll
from scheduler.generate.rolling import PROGRAM_WEEKS, rolling_program, weekly_admissions
from scheduler.rolling import topics_heard

NEXT = dt.date(2026, 12, 7)  # rolling_program's week_of is 2026-11-30


@pytest.fixture(scope="module")
def program() -> tuple[Instance, Schedule]:
    instance, witness = rolling_program(patients=30, seed=4)
    assert witness is not None
    return instance, witness


def test_the_next_week(program: tuple[Instance, Schedule]) -> None:
    instance, witness = program
    new = weekly_admissions(instance, NEXT, 3, seed=1)
    nxt = roll(instance, witness, NEXT, admit=new)
    assert nxt.week_of == NEXT and nxt.previous == witness and nxt.name == instance.name
    before = {p.id: p for p in instance.patients}
    after = {p.id: p for p in nxt.patients}
    # The planned discharges before the new week are gone: the end of week 12.
    gone = {p.id for p in instance.patients if p.discharge and p.discharge < NEXT}
    assert gone and set(before) - set(after) == gone
    assert set(after) - set(before) == {p.id for p in new}
    assert all(after[p.id].stage == "engagement" for p in new)
    # Everyone else one week on: the stage of the phase of their next week.
    stage_of_week = {w: "engagement" if w <= 2 else "early_recovery" if w <= 6 else "maintenance"
                     for w in range(1, PROGRAM_WEEKS - 1)}  # fmt: skip
    for pid, p in after.items():
        if pid not in before:
            continue
        week = -(-(NEXT - before[pid].admitted).days // 7) + 1  # type: ignore[operator]
        final = week >= PROGRAM_WEEKS - 1
        assert p.stage == ("community_integration" if final else stage_of_week[week]), pid
    assert any(before[pid].stage != p.stage for pid, p in after.items() if pid in before)
    # Topics heard are completed, once each, after the earlier ones.
    heard = topics_heard(witness)
    for pid, p in after.items():
        if pid in before:
            old = before[pid].completed_topics
            assert p.completed_topics == list(dict.fromkeys([*old, *heard[pid]]))
    assert any(heard[pid] for pid in after)


def test_discharged_patients_leave_no_reference(program: tuple[Instance, Schedule]) -> None:
    instance, witness = program
    a, b, c = (p.id for p in instance.patients[:3])
    patients = [p.model_copy(update={"avoid": [c]}) if p.id == a else p for p in instance.patients]
    pin = Pin(kind="attend", patient=a, slot=witness.sessions[0].slot)
    with_refs = instance.model_copy(
        update={
            "patients": patients,
            "together": [Together(patients=[b, c], group_type="couples_group")],
            "pins": [pin],
        }
    )
    nxt = roll(with_refs, witness, NEXT, discharge=[c])
    assert c not in {p.id for p in nxt.patients}
    assert next(p for p in nxt.patients if p.id == a).avoid == []
    assert nxt.together == [] and nxt.pins == []  # last week's pins fixed last week


def test_the_default_is_a_week_later(program: tuple[Instance, Schedule]) -> None:
    instance, witness = program
    assert roll(instance, witness).week_of == NEXT


def test_what_cannot_be_rolled(program: tuple[Instance, Schedule]) -> None:
    instance, witness = program
    other = witness.model_copy(update={"instance": "another", "status": "infeasible"})
    with pytest.raises(InputError) as err:
        roll(instance, other, dt.date(2026, 11, 30), discharge=["P999"])
    assert err.value.lines == [
        "to: 2026-11-30 is not after the instance's week_of 2026-11-30",
        f"schedule: for 'another', not '{instance.name}'",
        "schedule: status 'infeasible': it holds no timetable",
        "discharge: 'P999' is not a patient id",
    ]
    taken = {"id": instance.patients[-1].id, "admitted": "2026-12-08", "available": []}
    with pytest.raises(InputError) as err:
        roll(instance, witness, NEXT, admit=[taken])
    assert err.value.lines == [f"admit: '{taken['id']}' is already a patient"]
    late = {"id": "N1", "admitted": "2026-12-20", "available": ["mon.am"]}
    with pytest.raises(InputError) as err:
        roll(instance, witness, NEXT, admit=[late])
    assert err.value.lines == [
        f"patients[{len(roll(instance, witness).patients)}] (N1).admitted: 2026-12-20 is after "
        "the week of 2026-12-07: the patient belongs to a later week"
    ]


def test_the_command(program: tuple[Instance, Schedule], tmp_path: Path) -> None:
    instance, witness = program
    this, sched, nxt = tmp_path / "this.json", tmp_path / "this.schedule.json", tmp_path / "n.json"
    this.write_text(to_json(instance))
    sched.write_text(to_json(witness))
    admit = tmp_path / "admit.json"
    new = [json.loads(p.model_dump_json()) for p in weekly_admissions(instance, NEXT, 2)]
    admit.write_text(json.dumps({"patients": new}))
    leaving = instance.patients[0].id
    result = invoke(
        "roll",
        this,
        sched,
        "--to",
        "2026-12-07",
        "--admit",
        admit,
        "--discharge",
        leaving,
        "-o",
        nxt,
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {nxt}: the week of 2026-12-07" in result.output
    assert "admitted: 2 (N20261207-01, N20261207-02)" in result.output
    assert "pins dropped: 0" in result.output
    expected = roll(instance, witness, NEXT, admit=new, discharge=[leaving])
    assert nxt.read_text() == to_json(expected)
    assert load_instance(nxt) == expected


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("--to", "2026-11-23"), "roll: to: 2026-11-23 is not after the instance's week_of 2026-11-30"),
        (("--discharge", "P001,P998"), "roll: discharge: 'P998' is not a patient id"),
        (("--admit", "ADMIT"), "ADMIT: patients: Input should be a valid list, not the number 3"),
        (("-o", "next.xlsx"), "next.xlsx: roll writes JSON (a workbook cannot hold last week's schedule)"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_nothing_written(
    program: tuple[Instance, Schedule], tmp_path: Path, args: tuple[str, ...], line: str
) -> None:
    instance, witness = program
    this, sched = tmp_path / "this.json", tmp_path / "s.json"
    this.write_text(to_json(instance))
    sched.write_text(to_json(witness))
    bad = tmp_path / "admit.json"
    bad.write_text('{"patients": 3}')
    args = tuple(str(bad) if a == "ADMIT" else a for a in args)
    line = line.replace("ADMIT", str(bad))
    out = ["-o", str(tmp_path / "n.json")] if "-o" not in args else []
    result = invoke("roll", this, sched, *args, *out)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [line.replace("next.xlsx", args[-1])]
    assert not (tmp_path / "n.json").exists()


def test_the_output_may_not_be_an_input(program: tuple[Instance, Schedule], tmp_path: Path) -> None:
    instance, witness = program
    this, sched = tmp_path / "this.json", tmp_path / "s.json"
    this.write_text(to_json(instance))
    sched.write_text(to_json(witness))
    result = invoke("roll", this, sched, "-o", sched)
    assert result.exit_code == 2 and sched.read_text() == to_json(witness)


def test_solve_and_score_keep_to_the_rolled_weeks_previous(
    program: tuple[Instance, Schedule], tmp_path: Path
) -> None:
    instance, witness = program
    nxt, out = tmp_path / "next.json", tmp_path / "next.schedule.json"
    nxt.write_text(to_json(roll(instance, witness, NEXT)))
    solved = invoke("solve", nxt, "-o", out, "--time-limit", "3", "--workers", "2")
    assert solved.exit_code == 0, solved.output
    assert "patients moved" in solved.output  # against the instance's previous
    schedule = json.loads(out.read_text())
    assert schedule["changes"] is not None
    scored = invoke("score", nxt, out, "--json")
    assert scored.exit_code == 0
    assert "seat_changed" in {t["term"] for t in json.loads(scored.output)["terms"]}


def test_the_output_follows_the_instance_schema(program: tuple[Instance, Schedule]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    instance, witness = program
    rolled = json.loads(
        to_json(roll(instance, witness, admit=weekly_admissions(instance, NEXT, 2)))
    )
    jsonschema.Draft202012Validator(json_schema("instance")).validate(rolled)
    assert rolled["previous"]["sessions"] and rolled["phases"]
