"""The phone list (``scheduler.diff_schedules``, ``iop-scheduler diff``) on hand-edited
copies of a generated week's witness schedule: no solve."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import invoke
from models import (
    Appointment,
    Disruption,
    Instance,
    Patient,
    Schedule,
    ScheduleDiff,
    Session,
    dump,
)
from scheduler import diff_schedules
from scheduler.check.stability import change_counts
from scheduler.disrupt import disrupted_instance
from scheduler.generate import generate
from scheduler.views.diff import diff_lines


@pytest.fixture(scope="module")
def week() -> tuple[Instance, Schedule]:
    inst, witness = generate(patients=30, sites=1, seed=3)
    assert witness is not None
    return inst, witness


def edited(sched: Schedule, **changes: object) -> Schedule:
    return sched.model_copy(update=changes)


def with_session(sched: Schedule, i: int, **changes: object) -> Schedule:
    sessions = list(sched.sessions)
    sessions[i] = sessions[i].model_copy(update=changes)
    return edited(sched, sessions=sessions)


def test_an_unchanged_week_lists_nobody(week: tuple[Instance, Schedule]) -> None:
    inst, sched = week
    # Screens are unannounced: moving one is not a change anyone is told about.
    screens = [s.model_copy(update={"day": "fri"}) for s in sched.screens[:1]] + sched.screens[1:]

    found = diff_schedules(inst, sched, edited(sched, screens=screens))

    assert found.patients == [] and found.counselors == []
    assert found.unaffected_patients == len(inst.patients) == 30
    assert found.unaffected_counselors == len(inst.counselors)
    assert found.moved.patients_moved == found.moved.sessions_moved == 0


def first_session_of(sched: Schedule, counselor: str) -> tuple[int, Session]:
    return next((i, s) for i, s in enumerate(sched.sessions) if counselor in s.counselors)


def test_a_new_counselor_is_one_change_for_each_member(week: tuple[Instance, Schedule]) -> None:
    inst, sched = week
    i, s = first_session_of(sched, "C02")
    other = next(c.id for c in inst.counselors if c.id not in s.counselors)

    found = diff_schedules(inst, sched, with_session(sched, i, counselors=[other]))

    assert [p.id for p in found.patients] == sorted(s.patients)
    change = found.patients[0].changes[0]
    assert (change.kind, change.action, change.fields) == ("session", "changed", ["counselors"])
    assert change.before is not None and change.after is not None
    assert (change.before.counselors, change.after.counselors) == (s.counselors, [other])
    # The two counselors: one session removed, one added.
    actions = {c.id: [x.action for x in c.changes] for c in found.counselors}
    assert actions == {s.counselors[0]: ["removed"], other: ["added"]}
    assert found.unaffected_patients == 30 - len(s.patients)
    # The counts are the stability terms': every member lost their seat, one session moved.
    assert found.moved == change_counts(inst, with_session(sched, i, counselors=[other]), sched)
    assert found.moved.patients_moved == len(s.patients) and found.moved.sessions_moved == 1
    text = diff_lines(found)
    line = f"    changed  {s.slot} {s.start}-{s.end} {s.group_type}: counselors {s.counselors[0]} -> {other}"
    assert line in text


def test_a_session_on_another_day_is_moved(week: tuple[Instance, Schedule]) -> None:
    inst, sched = week
    i, s = first_session_of(sched, "C04")
    day = next(d for d in inst.days if d != s.day)

    found = diff_schedules(inst, sched, with_session(sched, i, day=day, room="R9"))

    change = found.patients[0].changes[0]
    assert (change.action, change.fields) == ("moved", ["time", "room"])
    assert change.after is not None and change.after.day == day
    lines = diff_lines(found, by="counselor")
    assert not any(line.startswith("patients") for line in lines)
    assert (
        f"    moved    {s.group_type}: {s.slot} {s.start}-{s.end} -> {day}.{s.block} "
        in "\n".join(lines)
    )


def test_appointments_are_listed_for_patient_and_counselor(
    week: tuple[Instance, Schedule],
) -> None:
    inst, sched = week
    a: Appointment = sched.individual_sessions[0]
    later = a.model_copy(update={"start": "07:00", "end": "07:50"})

    found = diff_schedules(
        inst, sched, edited(sched, individual_sessions=[later, *sched.individual_sessions[1:]])
    )

    (patient,) = found.patients
    (counselor,) = found.counselors
    assert patient.id == a.patient and counselor.id == a.counselor
    assert [(c.kind, c.action, c.fields) for c in patient.changes] == [
        ("individual", "moved", ["time"])
    ]
    # The counselor's entry names the patient; the patient's does not.
    assert (
        counselor.changes[0].after is not None and counselor.changes[0].after.patient == a.patient
    )
    assert patient.changes[0].after is not None and patient.changes[0].after.patient is None
    assert found.moved.patients_moved == 0  # appointments are not stability terms


def test_discharged_and_new_patients(week: tuple[Instance, Schedule]) -> None:
    inst, sched = week
    gone = sched.sessions[0].patients[0]
    newcomer = Patient(id="P900", stage=inst.patients[0].stage, available=inst.slots)
    changed = disrupted_instance(inst, sched, Disruption(discharge=[gone], admit=[newcomer]))
    sessions = [
        s.model_copy(
            update={"patients": [p for p in s.patients if p != gone] + (["P900"] if k == 0 else [])}
        )
        for k, s in enumerate(sched.sessions)
    ]

    found = diff_schedules(changed, sched, edited(sched, sessions=sessions))

    status = {p.id: (p.status, len(p.changes)) for p in found.patients}
    assert status == {gone: ("discharged", 0), "P900": ("new", 1)}
    assert found.unaffected_patients == 29  # 30 - the discharged + the new, who is listed
    assert "  P900  new: their week" in diff_lines(found)


def test_the_command_prints_text_and_json(week: tuple[Instance, Schedule], tmp_path: Path) -> None:
    inst, sched = week
    i, s = first_session_of(sched, "C02")
    other = next(c.id for c in inst.counselors if c.id not in s.counselors)
    files = {name: tmp_path / f"{name}.json" for name in ("inst", "old", "new", "empty")}
    dump(inst, files["inst"])
    dump(sched, files["old"])
    dump(with_session(sched, i, counselors=[other]), files["new"])

    text = invoke("diff", files["old"], files["new"], "--instance", files["inst"])
    as_json = invoke("diff", files["old"], files["new"], "--instance", files["inst"], "--json")

    assert text.exit_code == 0 and as_json.exit_code == 0
    assert (
        "to call" in text.output and f"unaffected: {30 - len(s.patients)} patients" in text.output
    )
    found = ScheduleDiff.model_validate_json(as_json.output)
    assert len(found.patients) == len(s.patients)
    schema = json.loads(invoke("schema", "diff").output)
    assert "PersonChanges" in schema["$defs"]

    # Bad input: a schedule of another instance, a schedule without a timetable.
    files["empty"].write_text(
        json.dumps({"format_version": 1, "instance": inst.name, "status": "unknown"})
    )
    other_week = invoke("diff", files["old"], files["new"], "--instance", "instances/tiny.json")
    empty = invoke("diff", files["empty"], files["new"], "--instance", files["inst"])
    assert other_week.exit_code == 2 and "not 'tiny'" in other_week.stderr
    assert empty.exit_code == 2 and "OLD: status 'unknown': it holds no timetable" in empty.stderr
