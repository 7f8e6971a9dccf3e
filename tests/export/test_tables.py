"""The printable views as data (scheduler.export.tables, summary), cell by cell, on the
hand-made week of tests/export/handmade.py."""

from __future__ import annotations

import datetime as dt

from scheduler.export.summary import ASAM_FLAG, RoomUse, TermCost
from scheduler.export.tables import (
    Entry,
    GridRow,
    PatientWeek,
    RosterLine,
    WeekItem,
    timetable,
)
from tests.export.handmade import instance, schedule

NONE: tuple[Entry, ...] = ()


def test_room_grid_cells() -> None:
    t = timetable(instance(), schedule())
    assert [g.label for g in t.room_grids] == ["Room R1", "Room R2", "Office O1", "Office O2"]
    r1 = t.room_grids[0]
    assert r1.days == ("mon", "wed", "fri")
    education = Entry("session", "S1", "education", ("C1", "4 patients"))
    early = Entry("session", "S2", "relapse_prevention", ("stage early", "C1", "2 patients"))
    assert r1.rows[0] == GridRow(
        "am",
        "09:00-10:30",
        (
            (education,),
            (Entry("session", "S4", "education", ("C1", "4 patients")),),
            (Entry("session", "S7", "education", ("C1", "4 patients")),),
        ),
    )
    assert r1.rows[1].time == "10:30-12:00" and r1.rows[1].cells[0] == (early,)
    assert len(r1.rows) == 2 and r1.note == "group, 6 seats; 6 sessions"
    # an office holds appointments only: its one row is the individual time
    o1 = t.room_grids[2]
    assert [(r.band, r.time) for r in o1.rows] == [("appointments", "12:10-13:00")]
    assert o1.rows[0].cells == (
        (Entry("individual", "", "individual counseling", ("C1", "patient P1")),),
        (Entry("individual", "", "individual counseling", ("C1", "patient P2")),),
        (Entry("individual", "", "individual counseling", ("C2", "patient P4")),),
    )


def test_counselor_grid_has_groups_and_appointments_but_no_names() -> None:
    t = timetable(instance(P1="Ana R."), schedule())
    c2 = t.counselor_grids[1]
    assert c2.label == "Counselor C2" and c2.anchor == "counselor-C2"
    assert [(r.band, r.time) for r in c2.rows] == [
        ("am", "09:00-10:30"),
        ("am", "10:30-12:00"),
        ("appointments", "12:10-13:00"),
    ]
    assert c2.rows[0].cells == (NONE, NONE, NONE)
    assert c2.rows[1].cells[2] == (
        Entry("session", "S9", "relapse_prevention", ("stage late", "room R2", "2 patients")),
    )
    assert c2.rows[2].cells == (
        (Entry("individual", "", "individual counseling", ("office O2", "patient P3")),),
        NONE,
        (Entry("individual", "", "individual counseling", ("office O1", "patient P4")),),
    )
    assert c2.note == "3 sessions, 4.5 h of groups; 2 individual, 0 medication"
    everything = repr(t.room_grids) + repr(t.counselor_grids)
    assert "Ana" not in everything


def test_roster_names_each_patient_by_display_name_else_id() -> None:
    t = timetable(instance(P1="Ana R."), schedule())
    assert [r.session for r in t.rosters] == [f"S{i}" for i in range(1, 10)]
    s1 = t.rosters[0]
    assert (s1.group_type, s1.day, s1.time, s1.room, s1.counselors) == (
        "education",
        "mon",
        "09:00-10:30",
        "R1",
        ("C1",),
    )
    assert s1.lines == (
        RosterLine("Ana R.", "P1"),
        RosterLine("P2", "P2"),
        RosterLine("P3", "P3"),
        RosterLine("P4", "P4"),
    )
    assert t.rosters[2].stage == "late" and t.rosters[2].anchor == "roster-S3"


def test_patient_week_is_theirs_alone() -> None:
    t = timetable(instance(P3="Bo <i>"), schedule())
    p3 = t.patients[2]
    assert p3 == PatientWeek(
        "P3",
        "Bo <i>",
        None,
        "late",
        "C2",
        (
            WeekItem("mon", "09:00-10:30", "education", "room R1", "C1"),
            WeekItem("mon", "10:30-12:00", "relapse_prevention [late]", "room R2", "C2"),
            WeekItem("mon", "12:10-13:00", "individual counseling", "office O2", "C2"),
            WeekItem("wed", "09:00-10:30", "education", "room R1", "C1"),
            WeekItem("wed", "10:30-12:00", "relapse_prevention [late]", "room R2", "C2"),
            WeekItem("fri", "09:00-10:30", "education", "room R1", "C1"),
            WeekItem("fri", "10:30-12:00", "relapse_prevention [late]", "room R2", "C2"),
        ),
        540,
        9,
        19,
        3,
        3,
    )
    for other in ("P1", "P2", "P4"):
        assert other not in repr(p3)


def test_summary_of_a_valid_week() -> None:
    s = timetable(instance(P1="Ana R."), schedule()).summary
    assert s.violations == () and s.objective == 540 == s.stated_objective
    assert [(p.patient, p.name, p.hours, p.days, p.flags) for p in s.patients][:2] == [
        ("P1", "Ana R.", 9.0, 3, ()),
        ("P2", None, 9.0, 3, ()),
    ]
    assert [(g.session, g.size, g.min_size, g.max_size, g.flag) for g in s.groups][:3] == [
        ("S1", 4, 2, 6, ""),
        ("S2", 2, 2, 4, ""),
        ("S3", 2, 2, 4, ""),
    ]
    assert [(c.counselor, c.sessions, c.hours, c.individual) for c in s.counselors] == [
        ("C1", 6, 9.0, 2),
        ("C2", 3, 4.5, 2),
    ]
    # R1: education (4 seats) and early relapse prevention (2) each day, of 6 seats
    assert s.rooms[0] == RoomUse("R1", None, "group", 6, 6, 18, 36)
    assert s.rooms[2] == RoomUse("O1", None, "office", 2, 3, 3, 6)
    assert s.terms[0] == TermCost("session_run", 60, 9, 540)
    assert sum(term.cost for term in s.terms) == 540
    assert s.preferences == ()


def test_summary_flags_and_lists_violations() -> None:
    # P4 skips friday: 6 h on 2 days, and friday's late group has one patient
    s = timetable(instance(), schedule(drop=("P4", "fri"))).summary
    assert "P4 has 6.0 h, below min_hours 9" in s.violations
    p4 = s.patients[3]
    assert p4.flags == ("below min_hours 9", ASAM_FLAG, "below min_days 3")
    assert [p.patient for p in s.flagged] == ["P4"]
    assert [(g.session, g.flag) for g in s.groups if g.flag] == [("S9", "below min_size")]


def test_unmet_preferences() -> None:
    inst = instance()
    patients = list(inst.patients)
    patients[0] = patients[0].model_copy(update={"preferred": ["mon.am", "wed.am"]})
    s = timetable(inst.model_copy(update={"patients": patients}), schedule()).summary
    assert [(m.patient, m.slots) for m in s.preferences] == [("P1", ("fri.am",))]


def test_days_carry_their_dates_when_the_week_has_them() -> None:
    """A sign-in sheet is a record of a date: with week_of, grids, sign-in sheets and
    patient weeks show it (tiny's days are mon, wed, fri; 2026-12-07 is a Monday)."""
    dated = instance().model_copy(update={"week_of": dt.date(2026, 12, 7)})
    t = timetable(dated, schedule())
    assert t.room_grids[0].days == ("mon", "wed", "fri")  # cells are still found by id
    assert t.room_grids[0].day_labels == ("mon 7 Dec", "wed 9 Dec", "fri 11 Dec")
    assert t.rosters[0].day == "mon 7 Dec"
    assert t.patients[0].items[0].day == "mon 7 Dec"
    undated = timetable(instance(), schedule())
    assert undated.room_grids[0].day_labels == ("mon", "wed", "fri")
    assert undated.rosters[0].day == "mon"
