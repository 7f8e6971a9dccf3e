"""The week as a FHIR R4B Bundle of Appointments, for an EHR.

One Appointment per group session (every patient, counselor and the room as
participants) and one per individual counseling or medication management
appointment. Patients are ``Patient/<id>`` references, counselors
``Practitioner/<id>``, rooms ``Location/<id>``: ids only, never a display name.

The Bundle is a ``transaction`` of conditional updates
(``PUT Appointment?identifier=urn:ietf:rfc:3986|urn:uuid:<key>``): importing the
same week again updates each Appointment instead of adding a second one, and the
week goes in whole or not at all (a ``collection`` would leave it to the importer to
match Appointments and keep the week consistent). The identifier is the stable key of
:mod:`scheduler.export.keys`, the same UUID as the event's iCalendar UID. A server
refuses the transaction if a referenced Patient, Practitioner or Location is not
there under that id.

A session or appointment on a day the week does not have (in a schedule the checker
refuses, which ``export`` still writes) has no date and is left out.

The resources are built with ``fhir.resources`` models, so a wrongly typed element
fails when the Bundle is built, not when the EHR reads it.
"""

from __future__ import annotations

import uuid

from fhir.resources.R4B.appointment import Appointment, AppointmentParticipant
from fhir.resources.R4B.bundle import Bundle, BundleEntry, BundleEntryRequest
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.reference import Reference

from models import Instance, Schedule, Session
from scheduler.export.keys import (
    APPOINTMENT_TITLES,
    KIND_LABELS,
    Booking,
    Clock,
    booking_key,
    bookings_in_order,
    group_label,
    program_clock,
    session_keys,
    sessions_in_order,
    stable_uuid,
)

FILE = "appointments.fhir.json"
# FHIR's system for an identifier that is itself a URI (here a urn:uuid).
IDENTIFIER_SYSTEM = "urn:ietf:rfc:3986"
_PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"


def files(instance: Instance, schedule: Schedule) -> dict[str, bytes]:
    """``appointments.fhir.json``: :func:`appointment_bundle` as JSON.

    Raises ``ValueError`` when the instance has no ``week_of`` or ``timezone``.
    """
    data = appointment_bundle(instance, schedule).model_dump_json(indent=1)
    return {FILE: data.encode("utf-8") + b"\n"}


def appointment_bundle(instance: Instance, schedule: Schedule) -> Bundle:
    """A transaction Bundle with an Appointment per session and per one-to-one appointment.

    Parameters
    ----------
    instance
        The week; needs ``week_of`` and ``timezone`` (``ValueError`` otherwise).
    schedule
        Its timetable.

    Returns
    -------
    Bundle
        Sessions in week order, then appointments in week order.
    """
    clock = program_clock(instance)
    kinds = {g.id: g.kind for g in instance.group_types}
    sessions = sessions_in_order(instance, schedule)
    entries = []
    for s, key in zip(sessions, session_keys(sessions)):
        if s.day not in clock.dates:
            continue  # not a day of the week: no date (the checker reports the session)
        uid = stable_uuid(instance, key)
        entries.append(_entry(uid, _session(clock, kinds.get(s.group_type), s, uid)))
    for booking in bookings_in_order(instance, schedule):
        if booking[1].day not in clock.dates:
            continue
        uid = stable_uuid(instance, booking_key(booking))
        entries.append(_entry(uid, _booking(clock, booking, uid)))
    return Bundle(type="transaction", entry=entries)


def _session(clock: Clock, kind: str | None, session: Session, key: uuid.UUID) -> Appointment:
    """A group session: its patients, its counselors and its room take part."""
    start, end = clock.times(session.day, session.start, session.end)
    label = group_label(session.group_type)
    kind_label = KIND_LABELS.get(kind or "", "group")  # "group": a type the week lacks
    details = [kind_label]
    details += [f"stage {group_label(session.stage)}"] if session.stage else []
    details += [f"topic {group_label(session.topic)}"] if session.topic else []
    participants = [_patient(p) for p in sorted(session.patients)]
    participants += [_practitioner(c) for c in session.counselors]
    participants.append(_location(session.room))
    return Appointment(
        identifier=[Identifier(system=IDENTIFIER_SYSTEM, value=key.urn)],
        status="booked",
        appointmentType=CodeableConcept(text=kind_label),
        serviceType=[CodeableConcept(text=label)],
        description=f"{label[:1].upper()}{label[1:]} ({', '.join(details)})",
        start=start,
        end=end,
        minutesDuration=session.minutes,
        participant=participants,
    )


def _booking(clock: Clock, booking: Booking, key: uuid.UUID) -> Appointment:
    """An individual counseling or medication management appointment: patient, counselor,
    office."""
    kind, appt = booking
    start, end = clock.times(appt.day, appt.start, appt.end)
    title = APPOINTMENT_TITLES[kind]
    return Appointment(
        identifier=[Identifier(system=IDENTIFIER_SYSTEM, value=key.urn)],
        status="booked",
        appointmentType=CodeableConcept(text=title.lower()),
        serviceType=[CodeableConcept(text=title.lower())],
        description=title,
        start=start,
        end=end,
        minutesDuration=appt.minutes,
        participant=[_patient(appt.patient), _practitioner(appt.counselor), _location(appt.room)],
    )


def _patient(patient: str) -> AppointmentParticipant:
    return AppointmentParticipant(
        actor=Reference(reference=f"Patient/{patient}"), required="required", status="accepted"
    )


def _practitioner(counselor: str) -> AppointmentParticipant:
    """A counselor, as a performer of the appointment."""
    performer = CodeableConcept(
        coding=[Coding(system=_PARTICIPATION, code="PRF", display="performer")]
    )
    return AppointmentParticipant(
        type=[performer],
        actor=Reference(reference=f"Practitioner/{counselor}"),
        required="required",
        status="accepted",
    )


def _location(room: str) -> AppointmentParticipant:
    return AppointmentParticipant(
        actor=Reference(reference=f"Location/{room}"), required="required", status="accepted"
    )


def _entry(key: uuid.UUID, appointment: Appointment) -> BundleEntry:
    """A conditional update of the Appointment with this key (created when not there)."""
    value = key.urn
    return BundleEntry(
        fullUrl=value,
        resource=appointment,
        request=BundleEntryRequest(
            method="PUT", url=f"Appointment?identifier={IDENTIFIER_SYSTEM}|{value}"
        ),
    )
