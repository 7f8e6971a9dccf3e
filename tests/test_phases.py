"""The rolling program's format: admitted, discharge, phases and previous (models.phases)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from conftest import raw
from models import InputError, Instance, Schedule, parse_instance, to_json
from models.workbook import in_week_order, instance_to_workbook, parse_workbook, workbook_losses
from scheduler import check
from scheduler.generate import generate
from scheduler.generate.rolling import rolling_program

WEEK_OF = "2026-11-30"  # a Monday
# tiny's stages are early and late: weeks 1-4 early, 5 on late, the final 2 a step-down.
PHASES = [
    {"stage": "early", "from_week": 1, "to_week": 4, "min_hours": 9, "max_hours": 12},
    {"stage": "late", "from_week": 5},
    {"stage": "late", "final_weeks": 2, "min_hours": 6, "max_hours": 6, "min_days": 2},
]


def rolling(**patients: dict[str, Any]) -> dict[str, Any]:
    """tiny with phases and a week; ``P1={...}`` replaces P1's stage and hours by these."""
    data = raw("tiny")
    data.update(week_of=WEEK_OF, phases=PHASES)
    for p in data["patients"]:
        if p["id"] in patients:
            for field in ("stage", "min_hours", "max_hours", "min_days"):
                p.pop(field, None)
            p.update(patients[p["id"]])
    return data


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(InputError) as err:
        parse_instance(data, "x.json")
    return err.value.lines


def test_the_phase_of_the_week_gives_stage_and_hours() -> None:
    inst = parse_instance(
        rolling(
            # Program weeks start on Mondays, week 1 is the one holding the admission.
            P1={"admitted": "2026-11-11"},  # a Wednesday: weeks of 11-09 ... 11-30 are 1-4
            P2={"admitted": "2026-11-06"},  # the week of 11-02: week 5, late (default hours)
            P3={"admitted": "2026-08-03", "discharge": "2026-12-11"},  # the final 2 weeks
            P4={"admitted": "2026-12-02", "min_hours": 10},  # this week: week 1; own min_hours
        )
    )
    got = {p.id: (p.stage, p.min_hours, p.max_hours, p.min_days) for p in inst.patients[:4]}
    assert got == {
        "P1": ("early", 9, 12, 3),
        "P2": ("late", 9, 19, 3),
        "P3": ("late", 6, 6, 2),
        "P4": ("early", 10, 12, 3),
    }


def test_what_a_phase_gave_is_not_written_and_reads_back_the_same() -> None:
    data = rolling(P1={"admitted": "2026-11-04", "min_hours": 10})
    inst = parse_instance(data)
    written = json.loads(to_json(inst))
    p1 = written["patients"][0]
    assert (p1["admitted"], p1["min_hours"]) == ("2026-11-04", 10)
    assert not {"stage", "max_hours", "min_days"} & set(p1)
    assert written["phases"][1] == {"stage": "late", "from_week": 5}
    again = parse_instance(written)
    assert again == inst and to_json(again) == to_json(inst)


def test_files_without_the_new_fields_do_not_get_them() -> None:
    inst, _ = generate(patients=20, seed=3)
    text = to_json(inst)
    assert not {"phases", "previous"} & set(json.loads(text))
    assert '"admitted"' not in text and '"discharge"' not in text
    assert to_json(parse_instance(json.loads(text))) == text


def test_a_stage_given_must_match_the_phase() -> None:
    same = rolling(P2={"admitted": "2026-11-02", "stage": "late"})
    assert parse_instance(same).patients[1].stage == "late"
    other = rolling(P2={"admitted": "2026-11-02", "stage": "early"})
    assert problems(other) == [
        "patients[1] (P2).stage: 'early', but week 5 of the program is in phase 'late' "
        "(weeks 5-); leave stage out or match it"
    ]


def test_patients_the_phases_cannot_place() -> None:
    data = rolling(
        P1={"admitted": "2026-12-07"},  # next week
        P2={"admitted": "2026-11-01", "discharge": "2026-11-27"},  # left already
        P3={"admitted": "2026-08-01"},  # a Saturday: week 19, after the last phase
        P4={},  # neither stage nor admitted
    )
    data["phases"] = [PHASES[0], {"stage": "late", "from_week": 5, "to_week": 16}]
    assert problems(data) == [
        "patients[0] (P1).admitted: 2026-12-07 is after the week of 2026-11-30: "
        "the patient belongs to a later week",
        "patients[1] (P2).discharge: 2026-11-27 is before the week of 2026-11-30: "
        "the patient has left the program",
        "patients[2] (P3).admitted: week 19 of the program (admitted 2026-08-01) is in no phase",
        "patients[3] (P4).stage: required field is missing",
    ]
    data = rolling(P1={"admitted": "2026-11-02", "discharge": "2026-10-30"})
    assert problems(data) == [
        "patients[0] (P1).discharge: 2026-10-30 is before admitted 2026-11-02"
    ]


def test_phases_that_overlap_or_name_no_stage() -> None:
    data = rolling()
    data["phases"] = [
        *PHASES,
        {"stage": "middle", "from_week": 3, "to_week": 6},
        {"stage": "late", "final_weeks": 1},
        {"stage": "late", "to_week": 3},
    ]
    assert problems(data) == [
        "phases[5]: give exactly one of from_week (with to_week) and final_weeks",
        "phases[3].stage: 'middle' is not a stage",
        "phases[3]: weeks 3-6 overlap phases[0]'s weeks 1-4",
        "phases[3]: weeks 3-6 overlap phases[1]'s weeks 5-",
        "phases[4].final_weeks: a second final_weeks phase (phases[2])",
    ]


def test_admitted_needs_week_of_and_phases() -> None:
    data = rolling(P1={"admitted": "2026-11-04"})
    del data["week_of"]
    assert problems(data) == ["patients[0] (P1).admitted: needs the instance's week_of"]
    data = rolling(P1={"admitted": "2026-11-04"})
    del data["phases"]
    assert problems(data) == ["patients[0] (P1).admitted: needs the instance's phases (none given)"]


def test_a_rolling_program_in_a_workbook() -> None:
    inst, _ = rolling_program(patients=24, seed=2)
    back = parse_workbook(instance_to_workbook(inst), "roster.xlsx")
    assert back == in_week_order(inst)
    assert to_json(back) == to_json(in_week_order(inst))  # nothing derived written
    assert back.phases == inst.phases


def test_previous_is_kept_in_json_not_in_a_workbook() -> None:
    inst, witness = rolling_program(patients=24, seed=2)
    assert witness is not None and workbook_losses(inst) == []
    with_last = inst.model_copy(update={"previous": witness})
    text = to_json(with_last)
    assert Schedule.model_validate(json.loads(text)["previous"]) == witness
    assert to_json(parse_instance(json.loads(text))) == text
    assert workbook_losses(with_last) == [
        "previous: last week's schedule is not kept in a workbook; give it to solve with --previous"
    ]
    assert parse_workbook(instance_to_workbook(with_last), "r.xlsx").previous is None


def test_the_checker_scores_against_the_instances_previous() -> None:
    inst, witness = rolling_program(patients=24, seed=2)
    assert witness is not None
    with_last = inst.model_copy(update={"previous": witness})
    assert "seat_changed" not in check(inst, witness).terms
    report = check(with_last, witness)
    assert report.ok and report.terms["seat_changed"] == 0


def test_an_instance_made_of_another_weeks_patients_leaves_them_as_they_were() -> None:
    inst = parse_instance(rolling(P1={"admitted": "2026-11-11"}))  # week 4: early
    later = Instance.model_validate({**dict(inst), "week_of": dt.date(2026, 12, 7)})
    assert (inst.patients[0].stage, later.patients[0].stage) == ("early", "late")
