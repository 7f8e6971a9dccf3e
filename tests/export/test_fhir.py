"""The FHIR export: a transaction Bundle that the R4B models read back, an Appointment per
session and one-to-one appointment, the right participants, instants with the zone's
offset, identifiers equal to the calendar UIDs, no display names."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import icalendar
import pytest
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle

from models import Instance, Schedule
from scheduler.export import export, fhir, ics

from .witnesses import (
    SUMMER_WEEK,
    WINTER_WEEK,
    dated_witness,
    with_broken_references,
    with_display_names,
)


@pytest.fixture(scope="module")
def week() -> tuple[Instance, Schedule]:
    return dated_witness()


Json = dict[str, Any]


@pytest.fixture(scope="module")
def bundle(week: tuple[Instance, Schedule]) -> Json:
    return read(fhir.files(*week))


def read(files: dict[str, bytes]) -> Json:
    """The Bundle as JSON, once the R4B models have read it back (and so validated it)."""
    assert list(files) == ["appointments.fhir.json"]
    data = files["appointments.fhir.json"]
    parsed = Bundle.model_validate_json(data)
    assert all(isinstance(entry.resource, Appointment) for entry in parsed.entry or [])
    raw: Json = json.loads(data)
    return raw


def appointments(bundle: Json) -> list[Json]:
    return [entry["resource"] for entry in bundle["entry"]]


def actors(appointment: Json, kind: str) -> tuple[str, ...]:
    references = [p["actor"]["reference"] for p in appointment["participant"]]
    return tuple(r.removeprefix(f"{kind}/") for r in references if r.startswith(f"{kind}/"))


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_one_appointment_per_session_and_booking(
    week: tuple[Instance, Schedule], bundle: Json
) -> None:
    _, witness = week
    assert bundle["type"] == "transaction"
    booked = appointments(bundle)
    one_to_one = len(witness.individual_sessions) + len(witness.medication_appointments)
    assert len(booked) == len(witness.sessions) + one_to_one
    assert {a["status"] for a in booked} == {"booked"}
    descriptions = [a["description"] for a in booked]
    assert descriptions.count("Individual counseling") == len(witness.individual_sessions)
    assert descriptions.count("Medication management") == len(witness.medication_appointments)


def test_conditional_updates_by_identifier(bundle: Json) -> None:
    values = []
    for entry in bundle["entry"]:
        (identifier,) = entry["resource"]["identifier"]
        assert identifier["system"] == "urn:ietf:rfc:3986"
        value = identifier["value"]
        assert value.startswith("urn:uuid:")
        assert entry["request"] == {
            "method": "PUT",
            "url": f"Appointment?identifier=urn:ietf:rfc:3986|{value}",
        }
        assert entry["fullUrl"] == value
        values.append(value)
    assert len(set(values)) == len(values)


def test_participants(week: tuple[Instance, Schedule], bundle: Json) -> None:
    _, witness = week
    booked = appointments(bundle)
    by_people = {
        (
            tuple(actors(a, "Patient")),
            tuple(actors(a, "Practitioner")),
            tuple(actors(a, "Location")),
        )
        for a in booked
    }
    for s in witness.sessions:
        assert (tuple(sorted(s.patients)), tuple(s.counselors), (s.room,)) in by_people, s.id
    for a in witness.individual_sessions + witness.medication_appointments:
        assert ((a.patient,), (a.counselor,), (a.room,)) in by_people
    for appointment in booked:
        assert {(p["status"], p["required"]) for p in appointment["participant"]} == {
            ("accepted", "required")
        }


@pytest.mark.parametrize(("week_of", "offset"), [(SUMMER_WEEK, "-04:00"), (WINTER_WEEK, "-05:00")])
def test_instants_with_the_zone_offset(week_of: dt.date, offset: str) -> None:
    instance, witness = dated_witness(week_of=week_of)
    raw = json.loads(fhir.files(instance, witness)["appointments.fhir.json"])
    first = min(witness.sessions, key=lambda s: (instance.days.index(s.day), s.start))
    starts = [e["resource"]["start"] for e in raw["entry"]]
    assert f"{week_of.isoformat()}T{first.start}:00{offset}" in starts
    assert all(t.endswith(offset) for t in starts)
    assert all(e["resource"]["end"].endswith(offset) for e in raw["entry"])


def test_durations_and_kinds(week: tuple[Instance, Schedule], bundle: Json) -> None:
    for a in appointments(bundle):
        length = instant(a["end"]) - instant(a["start"])
        assert a["minutesDuration"] == length // dt.timedelta(minutes=1)
        assert a["serviceType"][0]["text"]
    assert {a["appointmentType"]["text"] for a in appointments(bundle)} >= {
        "individual counseling",
        "medication management",
        "psychoeducational group",
    }


def test_identifiers_are_the_calendar_uids(week: tuple[Instance, Schedule], bundle: Json) -> None:
    instance, witness = week
    feeds = ics.files(instance, witness, stamp=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    uids = {
        str(e["UID"]).removesuffix("@iop-scheduler")
        for data in feeds.values()
        for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
    }
    identifiers = {
        a["identifier"][0]["value"].removeprefix("urn:uuid:") for a in appointments(bundle)
    }
    assert identifiers == uids


def test_byte_identical_exports(week: tuple[Instance, Schedule]) -> None:
    instance, witness = week
    shuffled = witness.model_copy(update={"sessions": witness.sessions[::-1]})
    assert fhir.files(instance, shuffled) == fhir.files(instance, witness)


def test_no_display_name(week: tuple[Instance, Schedule]) -> None:
    instance, witness = week
    data = fhir.files(with_display_names(instance), witness)["appointments.fhir.json"]
    assert b"Zorabel" not in data
    assert f"Patient/{instance.patients[0].id}".encode() in data


def test_needs_week_of_and_timezone(week: tuple[Instance, Schedule]) -> None:
    instance, witness = week
    with pytest.raises(ValueError, match="week_of and timezone"):
        fhir.files(instance.model_copy(update={"timezone": None}), witness)


def test_no_display_name_in_any_id_only_format(week: tuple[Instance, Schedule]) -> None:
    # Through the package's entry point, as `--format csv,ics,fhir` exports.
    instance, witness = week
    files = export(with_display_names(instance), witness, ["csv", "ics", "fhir"])
    assert len(files) == 4 + len(instance.counselors) + len(instance.rooms) + 1
    for name, data in files.items():
        for p in with_display_names(instance).patients:
            assert p.display_name is not None
            assert p.display_name.encode() not in data, name


def test_undated_sessions_are_left_out(week: tuple[Instance, Schedule]) -> None:
    instance, witness = week
    booked = appointments(read(fhir.files(instance, with_broken_references(witness))))
    assert len(booked) == len(appointments(read(fhir.files(instance, witness)))) + 1
    strange = next(a for a in booked if actors(a, "Location") == ("NOPE",))
    assert strange["appointmentType"]["text"] == "group"
