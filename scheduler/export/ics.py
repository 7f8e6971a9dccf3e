"""The week as iCalendar feeds (RFC 5545): one per counselor and one per room.

``calendars/counselor-<id>.ics`` holds the counselor's group sessions and their
individual and medication appointments; ``calendars/room-<id>.ics`` the sessions in
a group room or the appointments in an office. Every counselor and room gets a feed,
even an empty week, so a subscription's address stays valid from week to week.

A session or appointment on a day the week does not have (in a schedule the checker
refuses, which ``export`` still writes) has no date and is left out.

No patient is in a feed, not even by id: feeds end up on phones. A session's title is
its group type and room, its description the topic, the counselors and how many
patients attend; an appointment's title is its kind and its place the office.

Times are local times with the program's ``TZID`` and its ``VTIMEZONE``. UIDs come
from :mod:`scheduler.export.keys`: the same session has the same UID in every feed it
is in and on every export of the week, so a subscribed calendar updates the event.
``SEQUENCE`` stays 0: a UID's key holds its slot, so its start and end never change.

``DTSTAMP`` is the time of the export (RFC 5545: when the object was created, which
tells a client that a changed event is newer). For byte-identical exports, set
``SOURCE_DATE_EPOCH`` (the reproducible-builds convention: seconds since 1970 UTC)
or pass ``stamp``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict

import icalendar

from models import Instance, Schedule
from models.text import printable
from scheduler.export.keys import (
    APPOINTMENT_TITLES,
    Clock,
    booking_key,
    bookings_in_order,
    group_label,
    program_clock,
    session_keys,
    sessions_in_order,
    stable_uuid,
)

PRODID = "-//iop-scheduler//calendar export//EN"
UID_DOMAIN = "iop-scheduler"


def files(
    instance: Instance, schedule: Schedule, *, stamp: dt.datetime | None = None
) -> dict[str, bytes]:
    """One ``.ics`` feed per counselor and per room, under ``calendars/``.

    Parameters
    ----------
    instance
        The week; needs ``week_of`` and ``timezone`` (``ValueError`` otherwise).
    schedule
        Its timetable.
    stamp
        ``DTSTAMP`` of every event; by default ``SOURCE_DATE_EPOCH`` if set, else now.

    Returns
    -------
    dict[str, bytes]
        ``calendars/counselor-<id>.ics`` and ``calendars/room-<id>.ics`` by name.
    """
    clock = program_clock(instance)
    stamp = export_stamp() if stamp is None else stamp.astimezone(dt.UTC)
    by_counselor: dict[str, list[icalendar.Event]] = defaultdict(list)
    by_room: dict[str, list[icalendar.Event]] = defaultdict(list)
    sessions = sessions_in_order(instance, schedule)
    names = {c.id: printable(c.name) if c.name else c.id for c in instance.counselors}
    places = _places(instance)
    for session, key in zip(sessions, session_keys(sessions)):
        if session.day not in clock.dates:
            continue  # not a day of the week: no date (the checker reports the session)
        start, end = clock.times(session.day, session.start, session.end)
        title = group_label(session.group_type)
        event = _event(instance, key, stamp, start, end)
        event.add("summary", f"{title[:1].upper()}{title[1:]} ({session.room})")
        event.add("location", places.get(session.room, session.room))
        lines = [f"Topic: {group_label(session.topic)}"] if session.topic else []
        lines += [f"Stage: {group_label(session.stage)}"] if session.stage else []
        lines.append("Counselors: " + ", ".join(names.get(c, c) for c in session.counselors))
        lines.append(f"Patients: {len(session.patients)}")
        event.add("description", "\n".join(lines))
        by_room[session.room].append(event)
        for counselor in session.counselors:
            by_counselor[counselor].append(event)
    for booking in bookings_in_order(instance, schedule):
        kind, appt = booking
        if appt.day not in clock.dates:
            continue
        start, end = clock.times(appt.day, appt.start, appt.end)
        event = _event(instance, booking_key(booking), stamp, start, end)
        event.add("summary", APPOINTMENT_TITLES[kind])
        event.add("location", places.get(appt.room, appt.room))
        by_room[appt.room].append(event)
        by_counselor[appt.counselor].append(event)
    out = {}
    for c in instance.counselors:
        out[f"calendars/counselor-{c.id}.ics"] = _calendar(clock, names[c.id], by_counselor[c.id])
    for r in instance.rooms:
        out[f"calendars/room-{r.id}.ics"] = _calendar(clock, places[r.id], by_room[r.id])
    return out


def export_stamp() -> dt.datetime:
    """``DTSTAMP``: ``SOURCE_DATE_EPOCH`` (whole seconds since 1970 UTC) if set, else now.

    Raises ``ValueError`` when ``SOURCE_DATE_EPOCH`` is set to anything else.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch:  # unset or empty
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        if not (epoch.isascii() and epoch.isdigit()):
            raise ValueError
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise ValueError(
            f"SOURCE_DATE_EPOCH is '{printable(epoch)}', not a time in whole seconds since 1970"
        ) from None


def _event(
    instance: Instance,
    key: tuple[str, ...],
    stamp: dt.datetime,
    start: dt.datetime,
    end: dt.datetime,
) -> icalendar.Event:
    """An event with the properties every event has: UID, DTSTAMP, times, SEQUENCE."""
    event = icalendar.Event()
    event.add("uid", f"{stable_uuid(instance, key)}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("sequence", 0)
    event.add("status", "CONFIRMED")
    return event


def _places(instance: Instance) -> dict[str, str]:
    """Each room as a place: its id, and its site's name (or id) when there are sites."""
    site_names = {s.id: printable(s.name) if s.name else s.id for s in instance.sites}
    return {r.id: f"{r.id}, {site_names[r.site]}" if r.site else r.id for r in instance.rooms}


def _calendar(clock: Clock, name: str, events: list[icalendar.Event]) -> bytes:
    """A published calendar of the events, with the program's VTIMEZONE."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", clock.zone.key)
    # Always there (also in an empty week): a calendar holds at least one component.
    dates = sorted(clock.dates.values())
    cal.add_component(
        icalendar.Timezone.from_tzinfo(
            clock.zone, first_date=dates[0], last_date=dates[-1] + dt.timedelta(days=1)
        )
    )
    for event in events:
        cal.add_component(event)
    return cal.to_ical()
