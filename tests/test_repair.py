"""Same-day repair (``scheduler.repair``, ``scheduler.disrupt``, ``iop-scheduler repair``).

The published week is a generated program's witness schedule (valid by construction, so
no solve is needed to publish it). Three short solves in all: the repair, the changed
week from scratch, and the command's repair.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import invoke
from models import (
    CounselorAway,
    Disruption,
    InputError,
    Instance,
    Patient,
    ProgramIndex,
    RoomClosed,
    Schedule,
    dump,
    load_instance,
    load_schedule,
)
from scheduler import (
    RepairResult,
    SolveResult,
    SolveSettings,
    check,
    diff_schedules,
    repair,
    solve,
)
from scheduler.check.stability import change_counts, last_week, stability_changes
from scheduler.disrupt import disrupted_instance
from scheduler.generate import generate
from scheduler.rebook import rebooked
from scheduler.same_day import repair_start

# generate(patients=36, seed=2): C02 leads two sessions on thu.pm (recovery_education,
# 19:00-20:00, and social_support, 20:00-21:00) with 12 patients in all, and a qualified
# counselor is free for each, so the week can be repaired there alone.
AWAY, SLOT = "C02", "thu.pm"
SETTINGS = SolveSettings(time_limit=5, workers=2)


@pytest.fixture(scope="module")
def week() -> tuple[Instance, Schedule]:
    inst, witness = generate(patients=36, sites=1, seed=2)
    assert witness is not None
    return inst, witness


@pytest.fixture(scope="module")
def repaired(week: tuple[Instance, Schedule]) -> RepairResult:
    inst, published = week
    away = Disruption(unavailable=[CounselorAway(counselor=AWAY, slot=SLOT)], from_day="wed")
    return repair(inst, published, away, SETTINGS)


@pytest.fixture(scope="module")
def from_scratch(repaired: RepairResult) -> SolveResult:
    return solve(repaired.instance, SETTINGS)


def moved_patients(inst: Instance, sched: Schedule, published: Schedule) -> set[str]:
    idx = ProgramIndex(inst)
    changes = stability_changes(
        idx, sched.sessions, sched.primary_counselors, last_week(idx, published)
    )
    return {c.patient for c in changes if c.patient is not None}


def test_one_counselor_away_moves_only_their_patients(
    week: tuple[Instance, Schedule], repaired: RepairResult, from_scratch: SolveResult
) -> None:
    inst, published = week
    sched = repaired.schedule
    report = check(repaired.instance, sched, published)
    assert repaired.found and report.ok, report.violations
    assert report.objective == repaired.result.objective
    # The lower bound: every patient seated with C02 on thu.pm loses that seat (a seat is
    # kept only with all of last week's counselors, and C02 cannot come), so all 12 are
    # moved whatever the repair does. Here a substitute is free for each session, so the
    # repair needs to move no one else; "a few more" allows 2.
    theirs = {
        p for s in published.sessions if AWAY in s.counselors and s.slot == SLOT for p in s.patients
    }
    assert len(theirs) == 12
    moved = moved_patients(repaired.instance, sched, published)
    assert theirs <= moved and len(moved) <= len(theirs) + 2
    # The same counts three ways: the schedule's changes, the diff's, the stability terms'.
    assert sched.changes is not None and repaired.diff is not None
    assert (
        repaired.diff.moved == sched.changes == change_counts(repaired.instance, sched, published)
    )
    assert sched.changes.patients_moved == len(moved)
    # From scratch, the same changed week moves many more (36 and 12 when written).
    scratch = change_counts(repaired.instance, from_scratch.schedule, published)
    print(f"patients moved: repair {len(moved)}, from scratch {scratch.patients_moved}")
    assert from_scratch.found and scratch.patients_moved > len(moved)


def without_ids(sessions: list) -> list[dict]:
    return sorted((s.model_dump(exclude={"id"}) for s in sessions), key=json.dumps)


def test_the_days_before_from_are_kept(
    week: tuple[Instance, Schedule], repaired: RepairResult
) -> None:
    _, published = week
    sched = repaired.schedule
    assert repaired.frozen == ["mon", "tue"]
    for day in repaired.frozen:
        assert without_ids([s for s in sched.sessions if s.day == day]) == without_ids(
            [s for s in published.sessions if s.day == day]
        )
        for kind in ("individual_sessions", "medication_appointments"):
            before = [a for a in getattr(published, kind) if a.day == day]
            assert [a for a in getattr(sched, kind) if a.day == day] == before
    assert repaired.past_changes() == []
    pins = repaired.instance.pins
    past = [s for s in published.sessions if s.day in repaired.frozen]
    assert sum(p.kind == "session" for p in pins) == len(past)


def test_the_changed_week(week: tuple[Instance, Schedule]) -> None:
    inst, published = week
    room = inst.rooms[0]
    gone = published.sessions[0].patients[0]
    newcomer = Patient(id="P900", stage=inst.stages[0], available=inst.slots)
    disruption = Disruption(
        unavailable=[CounselorAway(counselor=AWAY, slot=SLOT)],
        rooms_closed=[RoomClosed(room=room.id, slot="fri.am")],
        discharge=[gone],
        admit=[newcomer],
        from_day="tue",
    )

    changed = disrupted_instance(inst, published, disruption)

    counselor = next(c for c in changed.counselors if c.id == AWAY)
    assert SLOT not in counselor.available
    closed = next(r for r in changed.rooms if r.id == room.id)
    expected = [s for s in (room.available or inst.slots) if s != "fri.am"]
    assert closed.available == expected
    patients = {p.id: p for p in changed.patients}
    assert gone not in patients and "P900" in patients
    assert all(not s.startswith("mon.") for s in patients["P900"].available)  # mon is over
    assert all(gone not in p.avoid for p in changed.patients)
    assert all(gone not in pin.patients and pin.patient != gone for pin in changed.pins)
    # Monday is over: each patient keeps only the Monday blocks they attended (or had an
    # appointment in: 08:00 and 12:10 belong to the am block, 17:00 and 21:10 to pm).
    for p in changed.patients:
        attended = {s.slot for s in published.sessions if s.day == "mon" and p.id in s.patients}
        monday = {s for s in p.available if s.startswith("mon.")}
        assert monday <= attended | {"mon.am", "mon.pm"} and len(monday) <= 1
        if not attended:
            assert not monday
    # Every Monday session is pinned; the appointments still to come are pinned unless the
    # change touches them (C02's thu.pm groups' members, the discharged patient's groups).
    sessions = [p for p in changed.pins if p.kind == "session"]
    assert len(sessions) == sum(s.day == "mon" for s in published.sessions)
    touched = {
        pid
        for s in published.sessions
        if (AWAY in s.counselors and s.slot == SLOT) or gone in s.patients
        for pid in s.patients
    }
    kept = {(p.patient, p.day) for p in changed.pins if p.kind == "individual" and p.day != "mon"}
    expected_kept = {
        (a.patient, a.day)
        for a in published.individual_sessions
        if a.day != "mon" and a.patient not in touched
    }
    assert kept == expected_kept and kept


def test_what_the_week_does_not_have_is_bad_input(week: tuple[Instance, Schedule]) -> None:
    inst, published = week
    bad = Disruption(
        unavailable=[CounselorAway(counselor="C99", slot="mon.am")],
        rooms_closed=[RoomClosed(room="R1", slot="sat.am")],
        discharge=["P999"],
        admit=[Patient(id="P001", stage=inst.stages[0], available=[])],
        from_day="tue",
    )

    with pytest.raises(InputError) as err:
        disrupted_instance(inst, published, bad)

    assert err.value.lines == [
        "unavailable[0]: 'C99' is not a counselor id",
        "unavailable[0]: mon.am is before --from tue: that day is over",
        "rooms_closed[0]: 'sat.am' is not a slot (day.block, e.g. 'mon.am')",
        "discharge[0]: 'P999' is not a patient id",
        "admit[0]: 'P001' is already a patient id",
    ]


@pytest.fixture
def files(week: tuple[Instance, Schedule], tmp_path: Path) -> dict[str, Path]:
    inst, published = week
    paths = {name: tmp_path / f"{name}.json" for name in ("inst", "published", "new", "changed")}
    dump(inst, paths["inst"])
    dump(published, paths["published"])
    paths["phone"] = tmp_path / "phone.txt"
    paths["admit"] = tmp_path / "admit.json"
    return paths


def test_the_command_repairs_discharges_and_admits(
    week: tuple[Instance, Schedule], files: dict[str, Path]
) -> None:
    inst, published = week
    # A patient whose groups all keep their minimum size without them.
    sizes = {g.id: g.min_size for g in inst.group_types}
    gone = next(
        p.id
        for p in inst.patients
        if all(
            len(s.patients) > sizes[s.group_type] for s in published.sessions if p.id in s.patients
        )
    )

    # A newcomer like an existing patient, admitted on Wednesday: the hours and days of
    # the rest of the week (the file's to give), every block open.
    model = inst.patients[0].model_dump(mode="json", exclude={"primary_counselor", "avoid"})
    model.update(id="P900", min_hours=2, min_days=1, available=inst.slots, preferred=[])
    files["admit"].write_text(json.dumps({"patients": [model]}))

    result = invoke(
        "repair", files["inst"], files["published"], "-o", files["new"],
        "--unavailable", f"{AWAY}@{SLOT}", "--discharge", gone, "--admit", files["admit"],
        "--from", "wed", "--time-limit", "8", "--workers", "2", "--quiet",
        "--phone-list", files["phone"], "--instance-out", files["changed"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output + result.stderr
    assert "patients moved" in result.output and "to call: " in result.output
    changed, new = load_instance(files["changed"]), load_schedule(files["new"])
    assert check(changed, new, published).ok
    assert gone not in {p.id for p in changed.patients}
    phone = files["phone"].read_text()
    assert f"  {gone}  discharged" in phone and "  P900  new: their week" in phone
    # The newcomer is placed where they fit (scheduler.fit) before the search, so the
    # moves are still C02's 12 patients (a few more at most).
    assert new.changes is not None and 12 <= new.changes.patients_moved <= 14
    listed = invoke("diff", files["published"], files["new"], "--instance", files["changed"])
    assert listed.exit_code == 0 and listed.output == phone


def test_bad_options_are_listed_in_one_pass(files: dict[str, Path]) -> None:
    files["admit"].write_text(json.dumps([{"id": "P900", "stage": "nope", "available": []}]))

    result = invoke(
        "repair", files["inst"], files["published"], "-o", files["new"],
        "--unavailable", "C99@thu.pm", "--unavailable", "C02", "--room-closed", "R1@sun.am",
        "--discharge", "P999", "--from", "fri", "--admit", files["admit"],
    )  # fmt: skip

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "--unavailable C02: give COUNSELOR@DAY.BLOCK, e.g. C03@tue.am",
        "--unavailable C99@thu.pm: 'C99' is not a counselor id",
        "--unavailable C99@thu.pm: thu.pm is before --from fri: that day is over",
        "--room-closed R1@sun.am: 'sun.am' is not a slot (day.block, e.g. 'mon.am')",
        "--discharge P999: 'P999' is not a patient id",
    ]
    assert not files["new"].exists()
    admitted = invoke(
        "repair", files["inst"], files["published"], "-o", files["new"], "--admit", files["admit"]
    )
    assert admitted.exit_code == 2 and not files["new"].exists()
    assert admitted.stderr.splitlines() == [
        f"--admit {files['admit']}: patients[0] (P900).stage: 'nope' is not a stage"
    ]


def test_an_impossible_repair_says_why(files: dict[str, Path], tmp_path: Path) -> None:
    # generate(patients=36, seed=7): C05 is the only counselor for mon.am's groups.
    inst, published = generate(patients=36, sites=1, seed=7)
    assert published is not None
    dump(inst, files["inst"])
    dump(published, files["published"])

    result = invoke(
        "repair", files["inst"], files["published"], "-o", files["new"],
        "--unavailable", "C05@mon.am", "--time-limit", "2", "--workers", "2", "--quiet",
    )  # fmt: skip

    assert result.exit_code == 1
    assert "status    infeasible" in result.output and "why: " in result.output
    assert load_schedule(files["new"]).status == "infeasible"


def test_the_start_moves_the_away_counselors_appointments(
    week: tuple[Instance, Schedule],
) -> None:
    inst, published = week
    # C01 has two individual sessions whose block is mon.am (P013 and P005 at 08:00 and
    # 12:10) and leads groups there: away, each group gets a substitute and each
    # appointment another time, and the start is valid as it stands.
    changed = disrupted_instance(
        inst, published, Disruption(unavailable=[CounselorAway(counselor="C01", slot="mon.am")])
    )
    start, stuck = repair_start(changed, published)
    assert start is not None and stuck == []
    before = {(a.patient, a.day, a.start) for a in published.individual_sessions}
    after = {(a.patient, a.day, a.start) for a in start.individual_sessions}
    assert {p for p, _, _ in before - after} == {"P013", "P005"}
    # C03's two on mon.pm have no other time (P030 and P021 come only when C03 is away
    # or busy): the start is not valid, and the reason is kept for the report.
    changed = disrupted_instance(
        inst, published, Disruption(unavailable=[CounselorAway(counselor="C03", slot="mon.pm")])
    )
    start, stuck = repair_start(changed, published)
    assert start is None
    assert [line.split("'")[0] for line in stuck] == ["P030", "P021"]
    assert rebooked(changed, published).moved == 0


def test_a_change_on_a_day_that_is_over_is_named(week: tuple[Instance, Schedule]) -> None:
    inst, published = week
    # As if the solve had put a Thursday appointment on Monday (nothing in an instance can
    # forbid it): past_changes names it, for the patient and the counselor.
    a = next(a for a in published.individual_sessions if a.day == "thu")
    moved = a.model_copy(update={"day": "mon"})
    others = [x for x in published.individual_sessions if x != a]
    sched = published.model_copy(update={"individual_sessions": [*others, moved]})
    result = SolveResult(schedule=sched, wall_seconds=0.0, model_stats={})
    found = RepairResult(result, inst, diff_schedules(inst, published, sched), ["mon", "tue"])

    assert found.past_changes() == [
        f"{a.patient}: individual moved on mon, thu",
        f"{a.counselor}: individual moved on mon, thu",
    ]
    assert RepairResult(result, inst, found.diff, []).past_changes() == []
