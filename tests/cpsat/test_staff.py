"""Staff rules of the CP-SAT model (``scheduler/cpsat/staff.py``): qualification,
availability, one session at a time, max_hours, staff_required and requires_role, a
counselor busy with appointments, primary counselors the solver assigns, and
max_hours_per_day. Instances and helpers: ``builders``."""

from __future__ import annotations

from typing import Any

import pytest

from .builders import (
    AFTER,
    BEFORE,
    ONE_HOUR,
    PREFER_MON,
    TWO_TYPES,
    assert_infeasible,
    assert_optimal,
    assert_outcome,
    attended,
    base,
    both,
    counselor,
    group,
    individual_of,
    office,
    patient,
    room,
    services,
    session_slots,
    solved,
    weights,
)

# -- counselors ----------------------------------------------------------------------------


@both
@pytest.mark.parametrize(
    ("c1_qualified", "expected"),
    [
        # C1 may lead G: mon -> 60.
        (["G", "H"], 60),
        # C1 only H; P1, P2 need a G session (row); only C2 (tue) leads G -> 60 + 2 * 30.
        (["H"], 120),
    ],
)
def test_counselor_qualification(formulation: str, c1_qualified: list[str], expected: int) -> None:
    data = base(
        **PREFER_MON,
        group_types=TWO_TYPES,
        requirements=[{"group_type": "G", "min_sessions": 1}],
        patients=[patient(p, preferred=["mon.am"]) for p in ("P1", "P2")],
        counselors=[counselor("C1", c1_qualified), counselor("C2", ["G"], available=["tue.am"])],
    )
    result = solved(data, formulation)
    assert_optimal(result, expected)
    assert [s.group_type for s in result.schedule.sessions] == ["G"]
    assert result.schedule.sessions[0].counselors == (["C1"] if expected == 60 else ["C2"])


@both
def test_unqualified_counselor_only_is_infeasible(formulation: str) -> None:
    data = base(
        group_types=TWO_TYPES,
        counselors=[counselor("C1", ["H"])],
        requirements=[{"group_type": "G", "min_sessions": 1}],
    )
    assert_infeasible(solved(data, formulation))


@both
@pytest.mark.parametrize(
    ("available", "expected"), [(["mon.am", "tue.am"], 60), (["tue.am"], 120), ([], None)]
)
def test_counselor_availability(
    formulation: str, available: list[str], expected: int | None
) -> None:
    # As for room availability: C1 free only tue moves the session to tue (60 + 2 * 30).
    data = base(
        **PREFER_MON,
        patients=[patient(p, preferred=["mon.am"]) for p in ("P1", "P2")],
        counselors=[counselor("C1", available=available)],
    )
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    assert session_slots(result) == (["mon.am"] if expected == 60 else ["tue.am"])


@both
@pytest.mark.parametrize(
    ("days", "counselors", "expected"),
    [
        (["mon", "tue"], 2, 120),
        # One counselor leads one session at a time: the second pair goes tue -> 180.
        (["mon", "tue"], 1, 180),
        (["mon"], 1, None),
    ],
)
def test_counselor_one_session_at_a_time(
    formulation: str, days: list[str], counselors: int, expected: int | None
) -> None:
    # Four patients preferring mon, G of exactly 2, two rooms.
    data = base(
        days=days,
        group_types=[group(min_size=2, max_size=2)],
        patients=[patient(p, preferred=["mon.am"]) for p in ("P1", "P2", "P3", "P4")],
        counselors=[counselor(f"C{i + 1}") for i in range(counselors)],
        rooms=[room("R1"), room("R2")],
        weights=weights(session_run=60, preferred_missed=30),
    )
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    led = [(s.counselors[0], s.slot, s.period) for s in result.schedule.sessions]
    assert len(led) == len(set(led))


@both
@pytest.mark.parametrize(
    ("max_hours", "with_c2", "expected"),
    [
        (2, False, 120),
        # C1 may lead one 60-minute session (1.5 h is not enough for two), two are needed.
        (1, False, None),
        (1.5, False, None),
        # With C2 (unlimited) each leads one -> 120.
        (1, True, 120),
    ],
)
def test_counselor_max_hours(
    formulation: str, max_hours: float, with_c2: bool, expected: int | None
) -> None:
    # Two one-hour days, P1 and P2 need 2 h -> two sessions of 60 minutes.
    data = base(
        days=["mon", "tue"],
        patients=[patient(p, min_hours=2) for p in ("P1", "P2")],
        counselors=[counselor("C1", max_hours=max_hours)] + ([counselor("C2")] if with_c2 else []),
    )
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    c1 = sum(1 for s in result.schedule.sessions if s.counselors == ["C1"])
    assert c1 * 60 <= max_hours * 60


# -- rule 6: staff_required and requires_role ----------------------------------------------


@both
@pytest.mark.parametrize(
    ("qualified", "expected"),
    [
        # One qualified counselor cannot staff a session that needs two -> infeasible.
        (1, None),
        # Two: one session (60) led by both.
        (2, 60),
        # A third qualified counselor changes nothing (still one session, two of them in it).
        (3, 60),
    ],
)
def test_staff_required_two(formulation: str, qualified: int, expected: int | None) -> None:
    data = base(
        group_types=[group(staff_required=2)],
        counselors=[counselor(f"C{i + 1}") for i in range(qualified)],
    )
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    [s] = result.schedule.sessions
    assert len(s.counselors) == 2 and len(set(s.counselors)) == 2
    if qualified == 2:
        assert s.counselors == ["C1", "C2"]


@both
@pytest.mark.parametrize(
    ("counselors", "expected"),
    [
        # Two parallel sessions (four patients, G of exactly 2) need four counselors.
        (4, 120),
        # Three: only one session per period; one day -> infeasible.
        (3, None),
    ],
)
def test_staff_required_parallel_sessions(
    formulation: str, counselors: int, expected: int | None
) -> None:
    data = base(
        group_types=[group(min_size=2, max_size=2, staff_required=2)],
        patients=[patient(p) for p in ("P1", "P2", "P3", "P4")],
        counselors=[counselor(f"C{i + 1}") for i in range(counselors)],
        rooms=[room("R1"), room("R2")],
    )
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    led = [c for s in result.schedule.sessions for c in s.counselors]
    assert sorted(led) == ["C1", "C2", "C3", "C4"]


@both
@pytest.mark.parametrize(
    ("c2", "expected", "slot"),
    [
        # The only clinician C2 leads the session: mon -> 60.
        ({"roles": ["clinician"]}, 60, "mon.am"),
        # No clinician at all (C2 is a plain counselor) -> infeasible.
        ({}, None, None),
        # The clinician is not qualified for G -> infeasible.
        ({"roles": ["clinician"], "qualified": []}, None, None),
        # The clinician works only tue: the session goes tue, both miss mon -> 60 + 2 * 30.
        ({"roles": ["clinician"], "available": ["tue.am"]}, 120, "tue.am"),
    ],
)
def test_requires_role_clinician(
    formulation: str, c2: dict[str, Any], expected: int | None, slot: str | None
) -> None:
    # Two days, P1 and P2 prefer mon; G requires a clinician; C1 (counselor) and C2.
    data = base(
        **PREFER_MON,
        group_types=[group(requires_role="clinician")],
        patients=[patient(p, preferred=["mon.am"]) for p in ("P1", "P2")],
        counselors=[counselor("C1"), counselor("C2", **c2)],
    )
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    [s] = result.schedule.sessions
    assert (s.slot, s.counselors) == (slot, ["C2"])


@both
@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        # Two to a session, one of them the clinician C2: C1 and C2 both lead -> 60.
        (["counselor", "clinician"], 60),
        # Two counselors, no clinician -> infeasible.
        (["counselor", "counselor"], None),
    ],
)
def test_staff_required_with_role(formulation: str, roles: list[str], expected: int | None) -> None:
    data = base(
        group_types=[group(staff_required=2, requires_role="clinician")],
        counselors=[counselor(f"C{i + 1}", roles=[r]) for i, r in enumerate(roles)],
    )
    result = solved(data, formulation)
    if assert_outcome(result, expected):
        assert result.schedule.sessions[0].counselors == ["C1", "C2"]


# -- rule 9: a counselor busy with appointments --------------------------------------------


@both
@pytest.mark.parametrize(("p1_primary", "expected"), [("C2", 120), ("C1", None)])
def test_individual_counselor_busy_leading(
    formulation: str, p1_primary: str, expected: int | None
) -> None:
    # Blocks am 09:00-10:00 and pm 10:00-11:00. P2, P3 come only am (stage s2: no individual
    # sessions); G needs 2, so they meet am, led by C1, the only leader. P1 (and P4, to make
    # a group) can come am or pm and needs one individual session at 09:00-09:50 (its block
    # is am, which all four can be in). P1 in am would overlap it, so P1, P4 meet pm (C1
    # again): two sessions, 120. With C2 as primary that works; with C1, who leads the am
    # group at 09:00, there is no time left -> infeasible.
    data = base(
        blocks=[
            {"id": "am", "periods": ONE_HOUR},
            {"id": "pm", "periods": [{"start": "10:00", "end": "11:00"}]},
        ],
        patients=[
            patient("P1", primary_counselor=p1_primary),
            patient("P2", "s2", available=["mon.am"], primary_counselor="C1"),
            patient("P3", "s2", available=["mon.am"], primary_counselor="C1"),
            patient("P4", "s2", primary_counselor="C1"),
        ],
        counselors=[counselor("C1"), counselor("C2", [])],
        individual_slots=[{"start": "09:00", "end": "09:50"}],
        individual={"per_week_by_stage": {"s2": 0}},
        rooms=[room("R1"), office()],
    )
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    assert attended(result)["P1"] == ["mon.pm"]
    assert individual_of(result) == {"P1": [("C2", "mon", "09:00")]}


@both
@pytest.mark.parametrize(("max_individual", "expected"), [(None, 60), (2, 60), (1, None)])
def test_max_individual(formulation: str, max_individual: int | None, expected: int | None) -> None:
    # One day, P1 and P2 both with primary C1, who may hold max_individual individual
    # sessions: two are needed (BEFORE and AFTER, one office).
    data = base(
        patients=[patient(p, primary_counselor="C1") for p in ("P1", "P2")],
        counselors=[counselor("C1", max_individual=max_individual)],
        **services([BEFORE, AFTER]),
    )
    assert_outcome(solved(data, formulation), expected)


# -- rule 10: primary counselors -----------------------------------------------------------


@both
@pytest.mark.parametrize(
    ("c2", "given", "expected", "imbalance"),
    [
        # P1, P2 unassigned; C1 (counselor) and C2 (clinician) take one each -> 60 + 0.
        ({"roles": ["clinician"]}, None, 60, 0),
        # C2 may take no patient: both go to C1, caseloads 2 and 0 -> 60 + 2 * 10.
        ({"roles": ["clinician"], "max_caseload": 0}, None, 80, 20),
        # C2 is a prescriber only: not a primary counselor, so not measured -> 60 + 0.
        ({"roles": ["prescriber"]}, None, 60, 0),
        # P3 already has C1, which counts in C1's caseload: three patients over two
        # counselors, at best caseloads 2 and 1 -> 60 + 10.
        ({"roles": ["clinician"]}, "C1", 70, 10),
    ],
)
def test_primary_assignment(
    formulation: str, c2: dict[str, Any], given: str | None, expected: int, imbalance: int
) -> None:
    # One period, G of 2..4. The solver assigns primary counselors to P1, P2 (and P3 when
    # given one, it is not assigned). caseload_imbalance costs 10 per patient.
    patients = [patient("P1"), patient("P2")]
    if given is not None:
        patients.append(patient("P3", primary_counselor=given))
    data = base(
        patients=patients,
        counselors=[
            counselor("C1"),
            counselor("C2", [], **c2),
            counselor("MD1", [], roles=["prescriber"]),
        ],
        weights=weights(session_run=60, caseload_imbalance=10),
    )
    result = solved(data, formulation)
    assert_optimal(result, expected, caseload_imbalance=imbalance)
    primary = result.schedule.primary_counselors
    assert set(primary) == {"P1", "P2"}
    can_be_primary = {"C1"} | ({"C2"} if c2["roles"] == ["clinician"] else set())
    assert set(primary.values()) <= can_be_primary
    load = {c: list(primary.values()).count(c) for c in can_be_primary}
    if given is not None:
        load[given] += 1
    for c in can_be_primary:
        cap = c2.get("max_caseload") if c == "C2" else None
        assert cap is None or load[c] <= cap


@both
@pytest.mark.parametrize(
    ("c1", "expected"),
    [
        # C1 may carry one patient, C2 (clinician) none: two patients to assign -> infeasible.
        ({"max_caseload": 1}, None),
        ({"max_caseload": 2}, 60),
        # C1 is a prescriber and case manager: nobody can be a primary counselor ->
        # infeasible.
        ({"roles": ["prescriber", "case_manager"], "max_caseload": 5}, None),
    ],
)
def test_primary_assignment_infeasible(
    formulation: str, c1: dict[str, Any], expected: int | None
) -> None:
    data = base(
        counselors=[
            counselor("C1", **c1),
            counselor("C2", [], roles=["clinician"], max_caseload=0),
        ],
    )
    assert_outcome(solved(data, formulation), expected)


@both
@pytest.mark.parametrize(("c2_caseload", "expected"), [(None, 60), (0, None)])
def test_assigned_primary_gives_individual_sessions(
    formulation: str, c2_caseload: int | None, expected: int | None
) -> None:
    # One day, one individual time (BEFORE), two offices; P1, P2 unassigned. C1 can see one
    # patient at BEFORE, so the other must get C2 as primary counselor -> 60. With C2's
    # max_caseload 0 both have C1, who cannot see both -> infeasible.
    data = base(
        counselors=[counselor("C1"), counselor("C2", [], max_caseload=c2_caseload)],
        **services([BEFORE], offices=2),
    )
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    primary = result.schedule.primary_counselors
    assert sorted(primary.values()) == ["C1", "C2"]
    for a in result.schedule.individual_sessions:
        assert a.counselor == primary[a.patient]


# -- rule 6: max_hours_per_day -------------------------------------------------------------


@both
@pytest.mark.parametrize(
    ("max_per_day", "with_c2", "expected", "leader"),
    [
        # C1 leads the group (60 min) and sees P1 and P2 (2 * 50 min): 160 min on mon.
        (None, False, 60, "C1"),
        (3, False, 60, "C1"),
        # 2 h (120 min) < 160 -> infeasible ...
        (2, False, None, None),
        # ... unless C2 leads the group: C1 then works 100 min.
        (2, True, 60, "C2"),
        # 1.5 h (90 min) < 100 min of appointments alone -> infeasible.
        (1.5, True, None, None),
    ],
)
def test_max_hours_per_day(
    formulation: str,
    max_per_day: float | None,
    with_c2: bool,
    expected: int | None,
    leader: str | None,
) -> None:
    # One day; P1, P2 with primary C1, times BEFORE and AFTER, one office.
    data = base(
        patients=[patient(p, primary_counselor="C1") for p in ("P1", "P2")],
        counselors=[counselor("C1", max_hours_per_day=max_per_day)]
        + ([counselor("C2")] if with_c2 else []),
        **services([BEFORE, AFTER]),
    )
    result = solved(data, formulation)
    if not assert_outcome(result, expected):
        return
    assert result.schedule.sessions[0].counselors == [leader]
    assert len(result.schedule.individual_sessions) == 2
