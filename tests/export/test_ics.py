"""The iCalendar feeds: one per counselor and room, events in local time with their
VTIMEZONE, UIDs stable across exports and shared between feeds, no patient in them."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import icalendar
import pytest

from models import Instance, Schedule
from scheduler.export import ics
from scheduler.export.keys import session_keys

from .witnesses import (
    SUMMER_WEEK,
    WINTER_WEEK,
    ZONE,
    dated_witness,
    with_broken_references,
    with_display_names,
)

STAMP = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def week() -> tuple[Instance, Schedule]:
    return dated_witness()


@pytest.fixture(scope="module")
def feeds(week: tuple[Instance, Schedule]) -> dict[str, icalendar.Calendar]:
    return {name: icalendar.Calendar.from_ical(data) for name, data in export(*week).items()}


def export(instance: Instance, schedule: Schedule) -> dict[str, bytes]:
    return ics.files(instance, schedule, stamp=STAMP)


def events(cal: icalendar.Calendar) -> list[icalendar.Event]:
    return cal.events


def test_a_feed_per_counselor_and_room(week: tuple[Instance, Schedule]) -> None:
    instance, witness = week
    expected = {f"calendars/counselor-{c.id}.ics" for c in instance.counselors}
    expected |= {f"calendars/room-{r.id}.ics" for r in instance.rooms}
    assert set(export(instance, witness)) == expected


def test_events_per_feed(week: tuple[Instance, Schedule], feeds: dict) -> None:
    instance, witness = week
    appointments = witness.individual_sessions + witness.medication_appointments
    for c in instance.counselors:
        held = sum(c.id in s.counselors for s in witness.sessions)
        held += sum(a.counselor == c.id for a in appointments)
        assert len(events(feeds[f"calendars/counselor-{c.id}.ics"])) == held, c.id
    for r in instance.rooms:
        held = sum(s.room == r.id for s in witness.sessions)
        held += sum(a.room == r.id for a in appointments)
        assert len(events(feeds[f"calendars/room-{r.id}.ics"])) == held, r.id


def test_calendar_properties_and_vtimezone(week: tuple[Instance, Schedule], feeds: dict) -> None:
    instance, _ = week
    for name, cal in feeds.items():
        assert cal["VERSION"] == "2.0"
        assert cal["METHOD"] == "PUBLISH"
        assert cal["PRODID"] == ics.PRODID
        assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == [ZONE], name
        for event in events(cal):
            assert event["DTSTART"].params["TZID"] == ZONE
            assert event["SEQUENCE"] == 0
            assert event.DTSTAMP == STAMP
    c = instance.counselors[0]
    assert feeds[f"calendars/counselor-{c.id}.ics"]["X-WR-CALNAME"] == (c.name or c.id)
    room = instance.rooms[0]  # generated: S1-R1 at site S1, named Downtown
    assert feeds[f"calendars/room-{room.id}.ics"]["X-WR-CALNAME"].startswith(room.id)


def test_counselor_names_name_their_feeds(week: tuple[Instance, Schedule]) -> None:
    instance, witness = week
    counselors = [c.model_copy(update={"name": f"Dana {c.id}"}) for c in instance.counselors]
    named = instance.model_copy(update={"counselors": counselors})
    c = counselors[0]
    cal = icalendar.Calendar.from_ical(export(named, witness)[f"calendars/counselor-{c.id}.ics"])
    assert cal["X-WR-CALNAME"] == f"Dana {c.id}"


def local_starts(instance: Instance, schedule: Schedule, room: str) -> list[dt.datetime]:
    cal = icalendar.Calendar.from_ical(export(instance, schedule)[f"calendars/room-{room}.ics"])
    starts = [e.start for e in events(cal)]
    assert all(isinstance(t, dt.datetime) for t in starts)  # times, not all-day dates
    return sorted(t for t in starts if isinstance(t, dt.datetime))


@pytest.mark.parametrize(("week_of", "hours"), [(SUMMER_WEEK, -4), (WINTER_WEEK, -5)])
def test_local_times_in_the_zone(week_of: dt.date, hours: int) -> None:
    instance, witness = dated_witness(week_of=week_of)
    room = witness.sessions[0].room
    sessions = sorted(
        (s for s in witness.sessions if s.room == room),
        key=lambda s: (instance.days.index(s.day), s.start),
    )
    starts = local_starts(instance, witness, room)
    assert [(t.date(), t.strftime("%H:%M")) for t in starts] == [
        (week_of + dt.timedelta(instance.days.index(s.day)), s.start) for s in sessions
    ]
    assert {t.utcoffset() for t in starts} == {dt.timedelta(hours=hours)}
    assert {str(t.tzinfo) for t in starts} == {ZONE}


def test_a_week_across_the_dst_change() -> None:
    # Week of Friday 2026-03-06: fri is before the change (EST), mon..thu after it (EDT).
    instance, witness = dated_witness(week_of=dt.date(2026, 3, 6))
    room = next(
        r.id
        for r in instance.rooms
        if {s.day for s in witness.sessions if s.room == r.id} >= {"mon", "fri"}
    )
    offsets = {t.date(): t.utcoffset() for t in local_starts(instance, witness, room)}
    assert offsets[dt.date(2026, 3, 6)] == dt.timedelta(hours=-5)
    assert offsets[dt.date(2026, 3, 9)] == dt.timedelta(hours=-4)
    cal = icalendar.Calendar.from_ical(export(instance, witness)[f"calendars/room-{room}.ics"])
    (tz,) = cal.walk("VTIMEZONE")
    assert {sub.name for sub in tz.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_uids_stable_across_exports(week: tuple[Instance, Schedule]) -> None:
    instance, witness = week
    first = export(instance, witness)
    assert export(instance, witness) == first  # byte-identical with one stamp
    later = ics.files(instance, witness, stamp=STAMP + dt.timedelta(days=3))
    for name, data in first.items():
        uids = [e["UID"] for e in events(icalendar.Calendar.from_ical(data))]
        assert uids == [e["UID"] for e in events(icalendar.Calendar.from_ical(later[name]))]
    # Another week of the same program: other UIDs.
    other = instance.model_copy(update={"week_of": WINTER_WEEK})
    assert not uids_of(export(other, witness)) & uids_of(first)


def uids_of(files: dict[str, bytes]) -> set[str]:
    return {
        str(e["UID"]) for data in files.values() for e in events(icalendar.Calendar.from_ical(data))
    }


def test_one_uid_per_session_in_every_feed(week: tuple[Instance, Schedule], feeds: dict) -> None:
    instance, witness = week
    room_events = {}
    for r in instance.rooms:
        for e in events(feeds[f"calendars/room-{r.id}.ics"]):
            room_events[str(e["UID"])] = (r.id, e.start)
    # Every session and appointment is in exactly one room's feed, with its own UID.
    appointments = witness.individual_sessions + witness.medication_appointments
    assert len(room_events) == len(witness.sessions) + len(appointments)
    uses: Counter[str] = Counter()
    for c in instance.counselors:
        for e in events(feeds[f"calendars/counselor-{c.id}.ics"]):
            uid = str(e["UID"])
            assert room_events[uid][1] == e.start  # the same event, as the room has it
            assert str(e["LOCATION"]).startswith(room_events[uid][0])
            uses[uid] += 1
    assert sum(uses.values()) == sum(len(s.counselors) for s in witness.sessions) + len(
        appointments
    )
    assert all(uid.endswith("@iop-scheduler") for uid in room_events)


def test_titles_and_descriptions(week: tuple[Instance, Schedule], feeds: dict) -> None:
    instance, witness = week
    session = next(s for s in witness.sessions if s.topic)
    room_feed = events(feeds[f"calendars/room-{session.room}.ics"])
    start = next(e for e in room_feed if e.start.strftime("%H:%M") == session.start)
    assert str(start["SUMMARY"]).startswith(session.group_type.replace("_", " ").capitalize())
    assert f"Patients: {len(session.patients)}" in str(start["DESCRIPTION"])
    titles = {str(e["SUMMARY"]) for cal in feeds.values() for e in events(cal)}
    assert {"Individual counseling", "Medication management"} <= titles


def test_no_patient_in_any_feed(week: tuple[Instance, Schedule]) -> None:
    instance, witness = week
    everything = b"".join(export(with_display_names(instance), witness).values())
    assert b"Zorabel" not in everything
    for p in instance.patients:
        assert p.id.encode() not in everything, p.id


def test_dtstamp_from_source_date_epoch(
    week: tuple[Instance, Schedule], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772366400")  # 2026-03-01 12:00 UTC
    assert ics.files(*week) == export(*week)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        ics.files(*week)


def test_needs_week_of_and_timezone(week: tuple[Instance, Schedule]) -> None:
    instance, witness = week
    for field in ("week_of", "timezone"):
        with pytest.raises(ValueError, match="week_of and timezone"):
            ics.files(instance.model_copy(update={field: None}), witness)


def test_uids_do_not_depend_on_people_or_order(week: tuple[Instance, Schedule]) -> None:
    # A re-solve that changes a session's roster and counselors keeps its UID: the key is
    # the slot and the group, so a subscribed calendar updates the event.
    instance, witness = week
    first, *rest = witness.sessions
    changed = first.model_copy(update={"patients": first.patients[:1], "counselors": ["X"]})
    again = witness.model_copy(update={"sessions": [*rest[::-1], changed]})
    room = f"calendars/room-{first.room}.ics"
    before = [str(e["UID"]) for e in events(icalendar.Calendar.from_ical(export(*week)[room]))]
    after = export(instance, again)[room]
    assert [str(e["UID"]) for e in events(icalendar.Calendar.from_ical(after))] == before


def test_session_keys_rank_by_room_whatever_the_order(week: tuple[Instance, Schedule]) -> None:
    _, witness = week
    twin = witness.sessions[0].model_copy(update={"id": "T1", "room": "ZZ"})
    keys = session_keys([twin, witness.sessions[0]])
    assert keys == session_keys([witness.sessions[0], twin])[::-1]
    assert keys[0][-1] == "1"  # rank 1: after the first room in room order
    assert keys[0][:-1] == keys[1][:-1]


def test_undated_sessions_are_left_out(week: tuple[Instance, Schedule]) -> None:
    instance, witness = week
    files = export(instance, with_broken_references(witness))
    room = f"calendars/room-{witness.sessions[0].room}.ics"
    # The sunday copy of the first session is not there; the strange one is in no room's
    # feed of the week (its room does not exist) but is exported without failing.
    assert files[room] == export(instance, witness)[room]
