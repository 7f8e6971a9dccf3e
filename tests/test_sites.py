"""Multi-site organizations: the ``sites`` fields, their validation, index lookups, the
checker's site rules, site-aware pre-checks and the generator's ``sites`` option.

Most cases start from ``org``, a hand-made two-site program, and its valid schedule
``week``; each checker test breaks the schedule (or the instance) in one way and asserts
the exact violations, as the tests in tests/check/ do.

org in short: days mon/wed/fri, one block ``am`` of two 90-minute periods (09:00-10:30,
10:30-12:00), appointments at 08:00 and 12:10. Site S1 (North): patients P1, P2, group room
R1, office O1. Site S2 (South): patients P3, P4, group rooms R2, R3, offices O2, O3.
Counselors: C1 works at S1 only, C2 at S2 only, C3 floats (S1 and S2); RX (prescriber)
works at both. P1's primary is C1, P3's C2; P2 and P4 are assigned theirs (C1, C2).
Screening: one a week each, capacity 1 per block, which holds only per site (P1 and P3
are both screened in mon.am, at different sites).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from models import (
    Appointment,
    InputError,
    Instance,
    ProgramIndex,
    Schedule,
    Screen,
    Session,
    json_schema,
    parse_instance,
    to_json,
)
from scheduler.check import check
from scheduler.explain.precheck import prechecks
from scheduler.generate import GenerateError, generate

DAYS = ["mon", "wed", "fri"]
PERIODS = [("09:00", "10:30"), ("10:30", "12:00")]
APPOINTMENTS = {"08": ("08:00", "08:50"), "12": ("12:10", "13:00")}
SLOTS = [f"{d}.am" for d in DAYS]


def session(sid: str, day: str, period: int, room: str, counselor: str, patients: str) -> Session:
    """An education session in one line: ``session("A1", "mon", 0, "R1", "C1", "P1 P2")``."""
    start, end = PERIODS[period]
    return Session(
        id=sid,
        day=day,
        block="am",
        period=period,
        start=start,
        end=end,
        group_type="education",
        room=room,
        counselors=[counselor],
        patients=patients.split(),
    )


def appointment(patient: str, counselor: str, day: str, time: str, room: str) -> Appointment:
    start, end = APPOINTMENTS[time]
    return Appointment(
        patient=patient, counselor=counselor, day=day, start=start, end=end, room=room
    )


@pytest.fixture
def org_data() -> dict[str, Any]:
    def patient(pid: str, site: str, **extra: Any) -> dict[str, Any]:
        return {"id": pid, "stage": "early", "available": SLOTS, "min_hours": 6} | {
            "min_days": 2,
            "site": site,
            **extra,
        }

    def counselor(cid: str, sites: list[str], **extra: Any) -> dict[str, Any]:
        return {"id": cid, "qualified": ["education"], "available": SLOTS, "sites": sites} | extra

    return {
        "name": "org",
        "days": DAYS,
        "blocks": [{"id": "am", "periods": [{"start": s, "end": e} for s, e in PERIODS]}],
        "stages": ["early"],
        "group_types": [
            {"id": "education", "kind": "psychoeducational", "min_size": 2, "max_size": 6}
        ],
        "sites": [{"id": "S1", "name": "North"}, {"id": "S2", "name": "South"}],
        "patients": [
            patient("P1", "S1", primary_counselor="C1"),
            patient("P2", "S1", medication_management=True),
            patient("P3", "S2", primary_counselor="C2"),
            patient("P4", "S2"),
        ],
        "counselors": [
            counselor("C1", ["S1"]),
            counselor("C2", ["S2"]),
            counselor("C3", ["S1", "S2"]),
            counselor("RX", ["S1", "S2"], qualified=[], roles=["prescriber"]),
        ],
        "rooms": [
            {"id": "R1", "capacity": 6, "site": "S1"},
            {"id": "O1", "capacity": 2, "type": "office", "site": "S1"},
            {"id": "R2", "capacity": 6, "site": "S2"},
            {"id": "R3", "capacity": 6, "site": "S2"},
            {"id": "O2", "capacity": 2, "type": "office", "site": "S2"},
            {"id": "O3", "capacity": 2, "type": "office", "site": "S2"},
        ],
        "individual_slots": [{"start": s, "end": e} for s, e in APPOINTMENTS.values()],
        "screening": {"per_week": 1, "capacity_per_block": 1},
        "weights": {
            "load_imbalance_minutes": 0,
            "caseload_imbalance": 0,
            # tiny's terms: the cohort terms off
            "room_change": 0,
            "type_repeat_in_block": 0,
            "process_peers_changed": 0,
        },
    }


@pytest.fixture
def org(org_data: dict[str, Any]) -> Instance:
    return parse_instance(org_data)


@pytest.fixture
def week() -> Schedule:
    """A valid week of ``org``: objective 8 * 60 = 480.

    S1 (R1): A1, A2 on mon led by C1; A3, A4 on wed led by the floater C3; P1, P2 in all.
    S2 (R2): B1 mon (C2), B2 mon (C3), B3, B4 wed (C2); P3, P4 in all. So C3 works at S2
    on mon and at S1 on wed. Appointments 10 min before or after the block:
      individual [0] P1-C1 mon 08:00 O1  [1] P2-C1 wed 08:00 O1
                 [2] P3-C2 mon 12:10 O2  [3] P4-C2 wed 12:10 O2
      medication [0] P2-RX wed 12:10 O1
    Screens: P1 and P3 in mon.am (one per site), P2 and P4 in wed.am.
    """
    return Schedule(
        instance="org",
        status="feasible",
        sessions=[
            session("A1", "mon", 0, "R1", "C1", "P1 P2"),
            session("A2", "mon", 1, "R1", "C1", "P1 P2"),
            session("B1", "mon", 0, "R2", "C2", "P3 P4"),
            session("B2", "mon", 1, "R2", "C3", "P3 P4"),
            session("A3", "wed", 0, "R1", "C3", "P1 P2"),
            session("A4", "wed", 1, "R1", "C3", "P1 P2"),
            session("B3", "wed", 0, "R2", "C2", "P3 P4"),
            session("B4", "wed", 1, "R2", "C2", "P3 P4"),
        ],
        individual_sessions=[
            appointment("P1", "C1", "mon", "08", "O1"),
            appointment("P2", "C1", "wed", "08", "O1"),
            appointment("P3", "C2", "mon", "12", "O2"),
            appointment("P4", "C2", "wed", "12", "O2"),
        ],
        medication_appointments=[appointment("P2", "RX", "wed", "12", "O1")],
        screens=[
            Screen(patient="P1", day="mon", block="am"),
            Screen(patient="P3", day="mon", block="am"),
            Screen(patient="P2", day="wed", block="am"),
            Screen(patient="P4", day="wed", block="am"),
        ],
        primary_counselors={"P2": "C1", "P4": "C2"},
    )


def in_room(schedule: Schedule, room: str, *sids: str) -> Schedule:
    """A copy of ``schedule`` with sessions ``sids`` moved to ``room``."""
    new = schedule.model_copy(deep=True)
    for s in new.sessions:
        if s.id in sids:
            s.room = room
    return new


def without_sites(data: dict[str, Any]) -> None:
    """The same program with every site field removed: one program."""
    del data["sites"]
    for item in data["patients"] + data["rooms"]:
        del item["site"]
    for c in data["counselors"]:
        del c["sites"]


def problems(data: dict[str, Any]) -> list[str]:
    """The one-line problems of an instance (empty when it is valid)."""
    try:
        parse_instance(data)
    except InputError as err:
        return err.lines
    return []


# -- the valid week ----------------------------------------------------------------------


def test_valid_two_site_week(org: Instance, week: Schedule) -> None:
    report = check(org, week)

    assert report.violations == []
    assert report.objective == 480


def test_screen_capacity_is_per_site(org_data: dict[str, Any], week: Schedule) -> None:
    # The same week as one program (no sites): two screens in mon.am and in wed.am.
    without_sites(org_data)
    report = check(parse_instance(org_data), week)

    assert [(v.rule, v.ids, v.message) for v in report.violations] == [
        ("screen_capacity", ("mon.am",), "mon.am has 2 screens, above capacity_per_block 1"),
        ("screen_capacity", ("wed.am",), "wed.am has 2 screens, above capacity_per_block 1"),
    ]


def test_balance_terms_are_per_site(org_data: dict[str, Any], week: Schedule) -> None:
    """With sites, load and caseload balance are measured per site among the staff who
    work only there (the floater C3 is left out); without sites, over everyone."""
    org_data["weights"] = {"load_imbalance_minutes": 1, "caseload_imbalance": 10}
    # C4 works at S1 only and leads nothing: S1's spread is C1's 180 min against 0.
    org_data["counselors"].append(
        {"id": "C4", "qualified": ["education"], "available": SLOTS, "sites": ["S1"]}
    )
    report = check(parse_instance(org_data), week)
    assert report.violations == []
    # S2 has one counselor of its own (C2): no spread there. Caseloads at S1: C1 has P1
    # and P2, C4 none.
    assert report.terms["load_imbalance_minutes"] == 180
    assert report.terms["caseload_imbalance"] == 2 * 10

    without_sites(org_data)
    one_program = check(parse_instance(org_data), week)
    # Everyone together: C2 and C3 lead 270 min each, C4 none; caseloads 2, 2, 0, 0.
    assert one_program.terms["load_imbalance_minutes"] == 270
    assert one_program.terms["caseload_imbalance"] == 2 * 10


# -- the checker's site rules ------------------------------------------------------------


def test_session_site(org: Instance, week: Schedule) -> None:
    # S1's wednesday sessions in S2's spare room R3: C3 still works at one site that day.
    report = check(org, in_room(week, "R3", "A3", "A4"))

    assert [(v.rule, v.ids) for v in report.violations] == [
        ("session_site", ("P1", "A3")),
        ("session_site", ("P2", "A3")),
        ("session_site", ("P1", "A4")),
        ("session_site", ("P2", "A4")),
    ]
    assert report.violations[0].message == "P1 (site S1) is in session A3, in room R3 at site S2"


def test_session_site_and_counselor_day(org: Instance, week: Schedule) -> None:
    # Only A3 moves: C3 then works at S2 (A3) and S1 (A4) on wed.
    report = check(org, in_room(week, "R3", "A3"))

    assert [(v.rule, v.ids) for v in report.violations] == [
        ("session_site", ("P1", "A3")),
        ("session_site", ("P2", "A3")),
        ("counselor_site", ("C3", "wed")),
    ]
    assert report.violations[2].message == (
        "C3 works at 2 sites on wed: S1 (A4); S2 (A3); a counselor works at one site a day"
    )


def test_appointment_site(org: Instance, week: Schedule) -> None:
    # P2's medication in S2's spare office O3; RX may work at both sites.
    new = week.model_copy(deep=True)
    new.medication_appointments[0].room = "O3"
    report = check(org, new)

    assert [(v.rule, v.ids, v.message) for v in report.violations] == [
        (
            "appointment_site",
            ("P2", "medication_appointments[0]"),
            "medication appointment of P2 with RX at wed 12:10-13:00 is in room O3 at site "
            "S2, not at P2's site S1",
        )
    ]


def test_counselor_site_two_sites_a_day(org: Instance, week: Schedule) -> None:
    # P4's individual session (S2) goes to C3, now their assigned primary counselor; C3
    # leads A3 and A4 at S1 that morning.
    new = week.model_copy(deep=True)
    new.individual_sessions[3].counselor = "C3"
    new.primary_counselors["P4"] = "C3"
    report = check(org, new)

    assert [(v.rule, v.ids, v.message) for v in report.violations] == [
        (
            "counselor_site",
            ("C3", "wed"),
            "C3 works at 2 sites on wed: S1 (A3, A4); S2 (individual_sessions[3]); a "
            "counselor works at one site a day",
        )
    ]


def test_counselor_site_not_one_of_theirs(org_data: dict[str, Any], week: Schedule) -> None:
    # C3 may now work at S1 only, but leads B2 at S2 on mon.
    org_data["counselors"][2]["sites"] = ["S1"]
    report = check(parse_instance(org_data), week)

    assert [(v.rule, v.ids, v.message) for v in report.violations] == [
        (
            "counselor_site",
            ("C3", "mon", "S2"),
            "C3 works at site S2 on mon (B2), not one of their sites (S1)",
        )
    ]


def test_counselor_site_both_at_once(org: Instance, week: Schedule) -> None:
    # C1 (S1 only) leads B3 at S2 on wed, where they also see P2 at S1.
    new = week.model_copy(deep=True)
    next(s for s in new.sessions if s.id == "B3").counselors = ["C1"]
    report = check(org, new)

    assert [(v.rule, v.ids) for v in report.violations] == [
        ("counselor_site", ("C1", "wed", "S2")),
        ("counselor_site", ("C1", "wed")),
    ]


def test_assigned_primary_at_another_site(org: Instance, week: Schedule) -> None:
    # P2 (S1) is assigned C2, who works at S2 only; the individual session stays with C1,
    # which is then not with the primary counselor (individual_counselor).
    new = week.model_copy(deep=True)
    new.primary_counselors["P2"] = "C2"
    report = check(org, new)

    assert [(v.rule, v.ids) for v in report.violations] == [
        ("individual_counselor", ("P2", "individual_sessions[1]")),
        ("primary_assignment", ("P2", "C2")),
    ]
    assert report.violations[1].message == (
        "P2 is assigned primary counselor C2, who does not work at P2's site S1"
    )


def test_screen_capacity_per_site(org: Instance, week: Schedule) -> None:
    new = week.model_copy(deep=True)
    new.screens[2] = Screen(patient="P2", day="mon", block="am")
    report = check(org, new)

    assert [(v.rule, v.ids, v.message) for v in report.violations] == [
        (
            "screen_capacity",
            ("mon.am", "S1"),
            "mon.am at site S1 has 2 screens, above capacity_per_block 1",
        )
    ]


def test_site_rules_skip_single_programs() -> None:
    # Without sites none of the site rules apply (a floater-free single program).
    inst, witness = generate(30, seed=3)
    assert witness is not None
    assert not ProgramIndex(inst).multi_site
    assert check(inst, witness).ok


# -- validation --------------------------------------------------------------------------


def test_valid_instance_has_no_problems(org_data: dict[str, Any]) -> None:
    assert problems(org_data) == []


def test_missing_and_unknown_sites(org_data: dict[str, Any]) -> None:
    del org_data["rooms"][2]["site"]
    del org_data["patients"][0]["site"]
    org_data["patients"][1]["site"] = "S9"
    org_data["counselors"][2]["sites"] = ["S1", "S9"]

    # A room at no known site is not reported again as a site without a group room.
    assert problems(org_data) == [
        "rooms[2] (R2).site: required when the instance lists sites",
        "patients[0] (P1).site: required when the instance lists sites",
        "patients[1] (P2).site: 'S9' is not a site id",
        "counselors[2] (C3).sites[1]: 'S9' is not a site id",
    ]


def test_sites_named_without_sites(org_data: dict[str, Any]) -> None:
    del org_data["sites"]
    for item in org_data["rooms"][1:] + org_data["patients"][1:]:
        del item["site"]
    for c in org_data["counselors"][1:]:
        del c["sites"]

    assert problems(org_data) == [
        "rooms[0] (R1).site: 'S1' is not a site id; the instance lists no sites",
        "patients[0] (P1).site: 'S1' is not a site id; the instance lists no sites",
        "counselors[0] (C1).sites[0]: 'S1' is not a site id; the instance lists no sites",
    ]


@pytest.mark.parametrize(
    ("sites", "line"),
    [
        ([], "counselors[0] (C1).sites: give at least one site, or leave sites out (any site)"),
        (["S1", "S1"], "counselors[0] (C1).sites: site listed twice: S1"),
    ],
)
def test_counselor_sites_field(org_data: dict[str, Any], sites: list[str], line: str) -> None:
    org_data["counselors"][0]["sites"] = sites
    assert problems(org_data) == [line]


def test_duplicate_and_misspelt_site(org_data: dict[str, Any]) -> None:
    org_data["sites"].append({"id": "S1", "nmae": "East"})
    assert problems(org_data) == ["sites[2] (S1).nmae: unknown field (check the spelling)"]
    org_data["sites"][2] = {"id": "S1"}
    assert problems(org_data) == ["sites[2] (S1).id: duplicate id 'S1'"]


def test_site_without_rooms(org_data: dict[str, Any]) -> None:
    org_data["sites"].append({"id": "S3"})
    org_data["patients"][3]["site"] = "S3"

    assert problems(org_data) == [
        "sites[2] (S3): 1 patient but no group room",
        "sites[2] (S3): 1 patient but no office for their appointments",
    ]


def test_primary_counselor_at_another_site(org_data: dict[str, Any]) -> None:
    org_data["patients"][2]["primary_counselor"] = "C1"

    assert problems(org_data) == [
        "patients[2] (P3).primary_counselor: 'C1' does not work at the patient's site S2 "
        "(their sites: S1)"
    ]


def test_pairs_across_sites(org_data: dict[str, Any]) -> None:
    # Avoiding someone at another site is fine (trivially kept apart); a together pair is not.
    org_data["patients"][0]["avoid"] = ["P3"]
    org_data["together"] = [{"patients": ["P2", "P4"], "group_type": "education"}]

    assert problems(org_data) == [
        "together[0].patients: P2 (site S1) and P4 (site S2) are at different sites; a pair "
        "must be at one site"
    ]


def test_bad_sites_on_the_command_line(tmp_path: Path, org_data: dict[str, Any]) -> None:
    org_data["rooms"][0]["site"] = "S9"
    path = tmp_path / "org.json"
    path.write_text(json.dumps(org_data))
    out = tmp_path / "out.json"

    result = CliRunner().invoke(main, ["solve", str(path), "-o", str(out)])

    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"{path}: rooms[0] (R1).site: 'S9' is not a site id" in result.output
    assert not out.exists()


# -- format: written only when used, in the schema ---------------------------------------


def test_single_program_files_have_no_site_fields() -> None:
    inst, _ = generate(20, seed=1)
    text = to_json(inst)
    assert '"site' not in text


def test_multi_site_round_trip_and_schema(org: Instance) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    text = to_json(org)
    dumped = json.loads(text)
    assert dumped["sites"] == [{"id": "S1", "name": "North"}, {"id": "S2", "name": "South"}]
    assert dumped["patients"][0]["site"] == "S1"
    assert dumped["counselors"][2]["sites"] == ["S1", "S2"]
    again = parse_instance(dumped)
    assert again == org and to_json(again) == text

    schema = json_schema("instance")
    assert "sites" in schema["properties"]
    assert "site" in schema["$defs"]["Room"]["properties"]
    assert "site" in schema["$defs"]["Patient"]["properties"]
    assert "sites" in schema["$defs"]["Counselor"]["properties"]
    jsonschema.validate(dumped, schema, cls=jsonschema.Draft202012Validator)


# -- index -------------------------------------------------------------------------------


def test_index_lookups(org: Instance) -> None:
    idx = ProgramIndex(org)

    assert idx.multi_site and idx.sites == ["S1", "S2"]
    assert idx.site_of_room("O2") == "S2" and idx.site_of_patient("P1") == "S1"
    assert [p.id for p in idx.patients_at("S2")] == ["P3", "P4"]
    assert [r.id for r in idx.rooms_at("S2")] == ["R2", "R3", "O2", "O3"]
    assert [r.id for r in idx.group_rooms_at("S1")] == ["R1"]
    assert [r.id for r in idx.offices_at("S2")] == ["O2", "O3"]
    assert [c.id for c in idx.counselors_for("S1")] == ["C1", "C3", "RX"]
    assert [c.id for c in idx.counselors_for("S2")] == ["C2", "C3", "RX"]
    assert idx.sites_of(idx.counselor["C3"]) == ["S1", "S2"]
    assert not idx.works_at(idx.counselor["C1"], "S2")
    assert idx.patients_at("S9") == [] and idx.together_at("S1") == []


def test_index_without_sites() -> None:
    inst, _ = generate(20, seed=1)
    idx = ProgramIndex(inst)

    assert not idx.multi_site and idx.sites == []
    assert idx.site_of_room(inst.rooms[0].id) is None
    c = inst.counselors[0]
    assert idx.works_at(c, None) and idx.sites_of(c) == []


# -- pre-checks --------------------------------------------------------------------------


def test_prechecks_per_site(org_data: dict[str, Any]) -> None:
    org_data["requirements"] = [{"group_type": "education", "min_sessions": 1}]
    org_data["counselors"][1]["qualified"] = []  # C2
    org_data["counselors"][2]["sites"] = ["S1"]  # C3: nobody for education at S2
    org_data["counselors"][3]["sites"] = ["S2"]  # RX: no prescriber for P2 at S1
    for room in org_data["rooms"][2:4]:  # R2, R3
        room["capacity"] = 1
    org_data["screening"]["per_week"] = 2  # 2 patients x 2 > 3 blocks x 1, at each site

    assert [(f.rule, f.ids, f.message) for f in prechecks(parse_instance(org_data))] == [
        (
            "staff_qualified",
            ("education", "S2"),
            "nobody qualified for 'education' who can work at site S2 is available in any "
            "slot, and 2 patients need it",
        ),
        (
            "room_big_enough",
            ("education", "S2"),
            "the largest group room at site S2 seats 1, below min_size 2 of 'education'",
        ),
        (
            "prescriber_time",
            ("P2",),
            "P2 needs medication management but no prescriber who can work at their site S1 "
            "is available at an individual time P2 can come",
        ),
        (
            "screen_capacity",
            ("screening", "S1"),
            "screening needs 4 collections a week at site S1 but 3 blocks x 1 allow 3",
        ),
        (
            "screen_capacity",
            ("screening", "S2"),
            "screening needs 4 collections a week at site S2 but 3 blocks x 1 allow 3",
        ),
    ]


def test_stage_size_per_site(org_data: dict[str, Any]) -> None:
    # Two patients of a stage-matched type at each site: four in all, but a group needs 3
    # at one site.
    org_data["group_types"][0].update(stage_matched=True, min_size=3)
    org_data["requirements"] = [{"group_type": "education", "min_sessions": 1}]

    assert [(f.rule, f.ids) for f in prechecks(parse_instance(org_data))] == [
        ("stage_large_enough", ("early", "education", "S1")),
        ("stage_large_enough", ("early", "education", "S2")),
    ]


# -- the generator -----------------------------------------------------------------------


@pytest.mark.parametrize("sites", [2, 3, 8])
@pytest.mark.parametrize("patients", [64, 200])
@pytest.mark.parametrize("seed", [0, 1])
def test_generated_sites_witness_is_valid(sites: int, patients: int, seed: int) -> None:
    inst, witness = generate(patients, seed=seed, sites=sites)
    assert witness is not None
    report = check(inst, witness)
    assert report.violations == []
    assert prechecks(inst) == []

    idx = ProgramIndex(inst)
    assert idx.sites == [f"S{k + 1}" for k in range(sites)]
    for site in idx.sites:
        assert len(idx.patients_at(site)) >= 8
        assert idx.group_rooms_at(site) and idx.offices_at(site)
        assert all(r.id.startswith(f"{site}-") for r in idx.rooms_at(site))
    # Every counselor has a home site; some float between two.
    assert all(c.sites is not None and 1 <= len(c.sites) <= 2 for c in inst.counselors)
    assert any(c.sites is not None and len(c.sites) == 2 for c in inst.counselors)


def test_floaters_work_at_both_sites_on_different_days() -> None:
    inst, witness = generate(200, seed=2, sites=3)
    assert witness is not None
    idx = ProgramIndex(inst)
    days: dict[str, dict[str, set[str | None]]] = {}
    for s in witness.sessions:
        for cid in s.counselors:
            days.setdefault(cid, {}).setdefault(s.day, set()).add(idx.site_of_room(s.room))
    floaters = [c for c in inst.counselors if c.sites is not None and len(c.sites) == 2]
    assert floaters
    for c in floaters:
        assert all(len(here) == 1 for here in days.get(c.id, {}).values())
    # At least one floater really works at both of their sites in the week.
    assert any(len(set().union(*days.get(c.id, {}).values())) == 2 for c in floaters)


def test_generated_sites_are_reproducible() -> None:
    one, w1 = generate(120, seed=4, sites=3)
    two, w2 = generate(120, seed=4, sites=3)
    assert to_json(one) == to_json(two)
    assert w1 is not None and w2 is not None and to_json(w1) == to_json(w2)
    assert one.name == "generated-120p-3sites-seed4"


def test_too_few_patients_for_the_sites() -> None:
    with pytest.raises(GenerateError, match="at least 8 a site"):
        generate(60, sites=8)
    with pytest.raises(GenerateError, match="sites: 0"):
        generate(60, sites=0)


def test_given_staff_and_rooms_are_totals() -> None:
    inst, _ = generate(120, counselors=30, rooms=9, seed=1, sites=3)
    group_rooms = [r for r in inst.rooms if r.type == "group"]
    staff = [c for c in inst.counselors if "prescriber" not in c.roles]
    assert len(group_rooms) == 9
    assert len(staff) == 30


def test_xl_organization() -> None:
    """Issue 5's XL case: 1,000 patients over 8 sites, about 125 a site (a few seconds)."""
    start = time.perf_counter()
    inst, witness = generate(1000, seed=0, sites=8)
    assert witness is not None
    assert check(inst, witness).violations == []
    assert time.perf_counter() - start < 60
    sizes = Counter(p.site for p in inst.patients)
    assert len(sizes) == 8 and all(100 <= n <= 150 for n in sizes.values())
