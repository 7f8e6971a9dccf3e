"""``fit``: where a new admission fits in the published week without moving anyone.

A generated program and its witness schedule (valid by construction, no solve) give the
published week; a patient taken out of both is the new admission, fitted back in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import invoke
from models import (
    Instance,
    Patient,
    ProgramIndex,
    Schedule,
    load_instance,
    load_schedule,
    to_json,
)
from models.admission import admit
from models.fit import FitResult
from scheduler import check, fit
from scheduler.fit.frame import read_frame
from scheduler.fit.placement import checked_placement
from scheduler.fit.rebook import rebooking_model
from scheduler.fit.search import best_choices, placement_model
from scheduler.generate import generate


def without(inst: Instance, week: Schedule, pid: str) -> tuple[Instance, Schedule, Patient]:
    """The instance and week with patient ``pid`` taken out (seats, appointments, screens,
    assigned primary, others' avoid lists), and the patient."""
    patient = next(p for p in inst.patients if p.id == pid)
    others = [
        p.model_copy(update={"avoid": [q for q in p.avoid if q != pid]})
        for p in inst.patients
        if p.id != pid
    ]
    reduced = inst.model_copy(
        update={"patients": others, "together": [t for t in inst.together if pid not in t.patients]}
    )
    reduced = Instance.model_validate(json.loads(to_json(reduced)))
    rest = week.model_copy(
        update={
            "sessions": [
                s.model_copy(update={"patients": [q for q in s.patients if q != pid]})
                for s in week.sessions
            ],
            "individual_sessions": [a for a in week.individual_sessions if a.patient != pid],
            "medication_appointments": [
                a for a in week.medication_appointments if a.patient != pid
            ],
            "screens": [s for s in week.screens if s.patient != pid],
            "primary_counselors": {q: c for q, c in week.primary_counselors.items() if q != pid},
        }
    )
    return reduced, rest, patient


def full_stage_sessions(inst: Instance, week: Schedule) -> Instance:
    """Every stage-matched type as large as its fullest session in ``week``."""
    types = []
    for g in inst.group_types:
        sizes = [len(s.patients) for s in week.sessions if s.group_type == g.id]
        if g.stage_matched and sizes:
            g = g.model_copy(update={"max_size": max(max(sizes), g.min_size)})
        types.append(g)
    return inst.model_copy(update={"group_types": types})


def scarce_offices(inst: Instance, week: Schedule) -> Instance:
    """Only the offices ``week`` uses, each open only in the blocks it is used in."""
    index = ProgramIndex(inst)
    used: dict[str, set[str]] = {}
    for a in week.individual_sessions + week.medication_appointments:
        t = index.appointment_time(a.day, a.start, a.end)
        assert t is not None
        used.setdefault(a.room, set()).add(t.slot)
    rooms = [
        r.model_copy(update={"available": sorted(used[r.id], key=inst.slots.index)})
        if r.type == "office"
        else r
        for r in inst.rooms
        if r.type != "office" or r.id in used
    ]
    return inst.model_copy(update={"rooms": rooms})


@pytest.fixture(scope="module")
def program() -> tuple[Instance, Schedule]:
    inst, witness = generate(patients=30, seed=3)
    assert check(inst, witness).ok
    return inst, witness


def taken_out(program: tuple[Instance, Schedule], pid: str) -> tuple[Instance, Schedule, Patient]:
    inst, witness = program
    reduced, rest, patient = without(inst, witness, pid)
    assert check(reduced, rest).ok  # the week without them is a valid week
    return reduced, rest, patient


@pytest.mark.parametrize("pid", ["P001", "P003", "P014"])
def test_a_patient_taken_out_fits_back(program: tuple[Instance, Schedule], pid: str) -> None:
    inst, witness = program
    reduced, rest, patient = taken_out(program, pid)
    published = check(reduced, rest).objective

    result = fit(reduced, rest, patient, top=4, time_limit=20)

    assert result.verdict == "fits" and result.proven and result.moves is None
    costs = [p.cost for p in result.placements]
    assert costs == sorted(costs)
    # Their old place is one placement, so the best costs at most what it does.
    assert costs[0] <= check(inst, witness).objective - published
    whole = admit(patient.model_dump(mode="json"), reduced)
    seat_sets = set()
    for p in result.placements:
        assert p.schedule is not None
        report = check(whole, p.schedule)
        assert report.violations == []
        assert report.objective - published == p.cost == sum(p.terms.values())
        assert p.schedule.objective == report.objective
        # Everyone else's week exactly as published.
        assert without(whole, p.schedule, pid)[1].sessions == rest.sessions
        assert [a for a in p.schedule.individual_sessions if a.patient != pid] == (
            rest.individual_sessions
        )
        seat_sets.add(frozenset(s.session for s in p.seats))
        assert [s.slot for s in p.seats] == sorted(
            (s.slot for s in p.seats), key=reduced.slots.index
        )
    assert len(seat_sets) == len(result.placements)  # the no-good cuts: distinct seats


def test_the_model_prices_a_placement_as_the_checker_does(
    program: tuple[Instance, Schedule],
) -> None:
    """For every patient of the program: the model's objective is the checker's increase
    (the model counts caseload_imbalance whole, see scheduler.fit.costs)."""
    inst, witness = program
    checked = 0
    for p in inst.patients:
        reduced, rest, patient = without(inst, witness, p.id)
        report = check(reduced, rest)
        if not report.ok:
            continue  # a session would fall below its minimum size without them
        whole = admit(patient.model_dump(mode="json"), reduced)
        for rebook in (False, True):
            here = read_frame(whole, rest, p.id, rebook=rebook)
            make = rebooking_model if rebook else placement_model
            for rank, choice in enumerate(best_choices(here, 2, 10, make=make).choices, 1):
                placed = checked_placement(here, choice, rank, report)
                case = report.terms.get("caseload_imbalance", 0)
                assert choice.cost - case == placed.cost, (p.id, rebook)
                checked += 1
    assert checked >= 40


def test_no_free_seat_in_the_stage_gives_the_moves(program: tuple[Instance, Schedule]) -> None:
    reduced, rest, patient = taken_out(program, "P007")
    full = full_stage_sessions(reduced, rest)
    assert check(full, rest).ok

    result = fit(full, rest, patient, top=3, time_limit=10, workers=2)

    assert result.verdict == "moves" and result.placements == []
    assert any("available blocks have a free seat" in r for r in result.reasons)
    moves = result.moves
    assert moves is not None and moves.schedule is not None and moves.changes is not None
    whole = admit(patient.model_dump(mode="json"), full)
    report = check(whole, moves.schedule, rest)
    assert report.ok and report.objective == moves.schedule.objective
    assert moves.changes.patients_moved == len(moves.patients_moved)
    assert moves.changes.sessions_moved == len(moves.sessions_moved)
    assert moves.changes.counselors_changed == len(moves.counselors_changed)
    assert any("P007" in s.patients for s in moves.schedule.sessions)
    assert result.schedule is moves.schedule


def test_when_only_appointments_are_in_the_way_they_move(
    program: tuple[Instance, Schedule],
) -> None:
    reduced, rest, patient = taken_out(program, "P003")
    scarce = scarce_offices(reduced, rest)
    assert check(scarce, rest).ok
    published = check(scarce, rest).objective

    result = fit(scarce, rest, patient, top=3, time_limit=10)

    assert result.verdict == "moves" and result.moves is not None
    placed = result.moves.placement
    assert placed is not None and placed.schedule is not None
    assert len(placed.moved_appointments) == 1  # the fewest: one
    moved = placed.moved_appointments[0]
    assert moved.patient != "P003" and (moved.day, moved.start) != (moved.to_day, moved.to_start)
    whole = admit(patient.model_dump(mode="json"), scarce)
    report = check(whole, placed.schedule)
    assert report.violations == [] and report.objective - published == placed.cost
    # Nobody's groups change: the sessions are the published ones plus the patient.
    assert without(whole, placed.schedule, "P003")[1].sessions == rest.sessions
    changes = result.moves.changes
    assert changes is not None and changes.patients_moved == changes.sessions_moved == 0


# -- the command ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def files(program: tuple[Instance, Schedule], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """instance.json, week.json (the published week) and new.json (the admission P003)."""
    reduced, rest, patient = taken_out(program, "P003")
    here = tmp_path_factory.mktemp("fit")
    (here / "instance.json").write_text(to_json(reduced))
    (here / "week.json").write_text(to_json(rest))
    (here / "new.json").write_text(patient.model_dump_json(indent=2))
    return here


def test_fit_prints_writes_and_checks(files: Path, tmp_path: Path) -> None:
    out, admitted = tmp_path / "placed.json", tmp_path / "admitted.json"
    args = [files / "instance.json", files / "week.json", "--patient", files / "new.json"]

    text = invoke("fit", *args, "--top", "2", "-o", out, "--instance-output", admitted)

    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[0].startswith("P003 fits without moving anyone: 2 placements")
    assert lines[1].startswith("1. ") and "objective" in lines[1]
    assert invoke("check", admitted, out).exit_code == 0
    answer = invoke("fit", *args, "--top", "2", "--json")
    assert answer.exit_code == 0
    result = FitResult.model_validate_json(answer.output)
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(invoke("schema", "fit").output)
    jsonschema.validate(json.loads(answer.output), schema, cls=jsonschema.Draft202012Validator)
    assert [p.rank for p in result.placements] == [1, 2]
    assert load_schedule(out).objective == result.placements[0].objective
    assert load_instance(admitted).patients[-1].id == "P003"


def test_schema_fit() -> None:
    result = invoke("schema", "fit")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "FitResult" and "placements" in schema["properties"]
    assert "schedule" not in schema["$defs"]["Placement"]["properties"]


def _patient_file(files: Path, tmp_path: Path, **changes: object) -> Path:
    data = json.loads((files / "new.json").read_text())
    data.update(changes)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"id": "P001"}, "id: 'P001' is already a patient of the instance"),
        ({"stage": "nowhere"}, "stage: 'nowhere' is not a stage"),
        ({"min_hours": "9"}, "min_hours: Input should be a valid number"),
        ({"available": ["sat.am"]}, "available[0]: 'sat.am' is not a slot"),
        ({"primary_counselor": "C99"}, "primary_counselor: 'C99' is not a counselor id"),
        ({"shoe_size": 9}, "shoe_size: unknown field"),
    ],
)
def test_a_bad_patient_is_one_line_and_exit_2(
    files: Path, tmp_path: Path, changes: dict[str, object], expected: str
) -> None:
    bad = _patient_file(files, tmp_path, **changes)
    out = tmp_path / "out.json"

    result = invoke(
        "fit", files / "instance.json", files / "week.json", "--patient", bad, "-o", out
    )

    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"{bad}: {expected}"), result.stderr
    assert not out.exists()


def test_other_bad_inputs_exit_2(files: Path, tmp_path: Path) -> None:
    args = [files / "instance.json", files / "week.json", "--patient", files / "new.json"]
    # An output that is an input; a --top out of range; a week of another instance.
    assert invoke("fit", *args, "-o", files / "week.json").exit_code == 2
    assert invoke("fit", *args, "--top", "0").exit_code == 2
    other = tmp_path / "other.json"
    week = json.loads((files / "week.json").read_text())
    other.write_text(json.dumps({**week, "instance": "another"}))
    result = invoke("fit", files / "instance.json", other, "--patient", files / "new.json")
    assert result.exit_code == 2 and "is for 'another'" in result.stderr
    # A week that breaks a rule: fit places patients only in valid weeks.
    broken = tmp_path / "broken.json"
    week["sessions"][0]["patients"] = week["sessions"][0]["patients"][:1]
    broken.write_text(json.dumps(week))
    result = invoke("fit", files / "instance.json", broken, "--patient", files / "new.json")
    assert result.exit_code == 2 and "breaks" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_patient_who_cannot_come_this_week_exits_1(files: Path, tmp_path: Path) -> None:
    # Available in one block, but at least three days a week: no week holds that.
    bad = _patient_file(files, tmp_path, available=["mon.am"], preferred=[], min_days=3)

    result = invoke(
        "fit", files / "instance.json", files / "week.json", "--patient", bad, "--time-limit", "5"
    )

    assert result.exit_code == 1, result.output
    assert "cannot be admitted this week" in result.output and "why:" in result.output
