"""A placement as the week it makes: the published schedule with the patient's seats,
appointments, screens and primary counselor added, checked by the checker, and the
public :class:`models.fit.Placement` that describes it."""

from __future__ import annotations

from typing import Literal

from models import Appointment, Schedule, Screen, Session
from models.fit import Booking, MovedAppointment, Placement, Seat
from models.index import AppointmentTime, clock
from scheduler.check import CheckReport, check
from scheduler.fit.frame import Frame
from scheduler.fit.search import Choice


class PlacementError(RuntimeError):
    """A placement the checker rejects: a bug of ``fit``, never the input's fault."""


def placed_schedule(frame: Frame, choice: Choice) -> Schedule:
    """The published week with the choice added (everyone else exactly as published)."""
    pid = frame.patient.id
    seats = set(choice.seats)
    sessions = [
        s.model_copy(update={"patients": [*s.patients, pid]}) if i in seats else s
        for i, s in enumerate(frame.schedule.sessions)
    ]
    primaries = dict(frame.schedule.primary_counselors)
    if frame.given_primary is None and choice.primary is not None:
        primaries[pid] = choice.primary
    individual, medication = _appointments(frame, choice)
    return frame.schedule.model_copy(
        update={
            "status": "feasible",
            "best_bound": None,
            "gap": None,
            "wall_seconds": None,
            "changes": None,
            "sessions": sessions,
            "individual_sessions": individual,
            "medication_appointments": medication,
            "screens": [
                *frame.schedule.screens,
                *(
                    Screen(patient=pid, day=frame.idx.day_of[s], block=frame.idx.block_of[s].id)
                    for s in choice.screens
                ),
            ],
            "primary_counselors": primaries,
        }
    )


def _appointments(frame: Frame, choice: Choice) -> tuple[list[Appointment], list[Appointment]]:
    """The individual sessions and medication appointments of the placed week: the others'
    (at the times the choice rebooks them to, if any) and the patient's. An appointment
    that stays keeps its office; one that moves or is new takes the first office open
    then that nobody holds."""
    idx = frame.idx
    moved = {(kind, n): key for kind, n, key in choice.rebooked}
    lists: dict[str, list[Appointment]] = {"individual": [], "medication": []}
    held: set[tuple[str, tuple[str, int]]] = set()
    pending: list[tuple[str, int, AppointmentTime, str | None]] = []
    for kind, booked in (
        ("individual", frame.schedule.individual_sessions),
        ("medication", frame.schedule.medication_appointments),
    ):
        for n, a in enumerate(booked):
            if (kind, n) in moved:
                t = idx.appointment_at[moved[(kind, n)]]
                lists[kind].append(a.model_copy(update=_when(t)))
                pending.append((kind, len(lists[kind]) - 1, t, idx.site_of_patient(a.patient)))
                continue
            lists[kind].append(a)
            t0 = idx.appointment_time(a.day, a.start, a.end)
            if t0 is not None:
                held.add((a.room, t0.key))
    for kind, keys in (("individual", choice.individual), ("medication", choice.medication)):
        for cid, key in keys:
            t = idx.appointment_at[key]
            new = Appointment(
                patient=frame.patient.id, counselor=cid, room=frame.office_at[key], **_when(t)
            )
            lists[kind].append(new)
            pending.append((kind, len(lists[kind]) - 1, t, frame.patient.site))
    for kind, i, t, site in pending:
        room = next((r for r in frame.offices_open(t, site) if (r, t.key) not in held), None)
        if room is None:
            raise PlacementError(f"fit: no office left at {t.label} (a bug of the model)")
        held.add((room, t.key))
        lists[kind][i] = lists[kind][i].model_copy(update={"room": room})
    return lists["individual"], lists["medication"]


def _when(t: AppointmentTime) -> dict[str, str]:
    return {"day": t.day, "start": clock(t.start), "end": clock(t.end)}


def checked_placement(frame: Frame, choice: Choice, rank: int, published: CheckReport) -> Placement:
    """The checked placement of ``choice``; its cost is the checker's increase of the
    objective over the ``published`` week's report.

    Raises
    ------
    PlacementError
        When the checker finds a broken rule in the placed week.
    """
    week = placed_schedule(frame, choice)
    report = check(frame.instance, week)
    if not report.ok:
        broken = "; ".join(v.message for v in report.violations[:3])
        raise PlacementError(f"fit: placement {rank} breaks rules: {broken}")
    terms = report.weighted_terms(frame.instance.weights)
    before = published.weighted_terms(frame.instance.weights)
    week = week.model_copy(update={"objective": report.objective, "objective_terms": terms})
    sessions, pid = frame.schedule.sessions, frame.patient.id
    return Placement(
        rank=rank,
        blocks=list(choice.blocks),
        seats=[_seat(sessions[n]) for n in sorted(choice.seats, key=lambda n: _order(frame, n))],
        appointments=[
            _booking("individual", a) for a in week.individual_sessions if a.patient == pid
        ]
        + [_booking("medication", a) for a in week.medication_appointments if a.patient == pid],
        screens=list(choice.screens),
        moved_appointments=_moved(frame, choice, week),
        primary_counselor=choice.primary,
        primary_assigned=frame.given_primary is None,
        cost=report.objective - published.objective,
        terms={t: terms.get(t, 0) - before.get(t, 0) for t in terms},
        objective=report.objective,
        schedule=week,
    )


def _order(frame: Frame, n: int) -> tuple[int, int]:
    s = frame.schedule.sessions[n]
    return (frame.idx.slot_rank[s.slot], s.period)


def _seat(s: Session) -> Seat:
    return Seat(
        session=s.id,
        slot=s.slot,
        period=s.period,
        start=s.start,
        end=s.end,
        group_type=s.group_type,
        stage=s.stage,
        room=s.room,
        counselors=list(s.counselors),
        topic=s.topic,
    )


def _booking(kind: Literal["individual", "medication"], a: Appointment) -> Booking:
    return Booking(
        kind=kind, counselor=a.counselor, day=a.day, start=a.start, end=a.end, room=a.room
    )


def _moved(frame: Frame, choice: Choice, week: Schedule) -> list[MovedAppointment]:
    """The others' appointments the choice moves: from where to where (in the week)."""
    out = []
    for kind, n, _ in choice.rebooked:
        if kind == "individual":
            was, now = frame.schedule.individual_sessions[n], week.individual_sessions[n]
        else:
            was, now = frame.schedule.medication_appointments[n], week.medication_appointments[n]
        out.append(
            MovedAppointment(
                patient=was.patient,
                kind="individual" if kind == "individual" else "medication",
                counselor=was.counselor,
                day=was.day,
                start=was.start,
                to_day=now.day,
                to_start=now.start,
                room=now.room,
            )
        )
    return out
