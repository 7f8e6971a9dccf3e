"""A placement as the week it makes: the published schedule with the patient's seats,
appointments, screens and primary counselor added, checked by the checker, and the
public :class:`models.fit.Placement` that describes it."""

from __future__ import annotations

from typing import Literal

from models import Appointment, Schedule, Screen, Session
from models.fit import Booking, Placement, Seat
from models.index import clock
from scheduler.check import CheckReport, check
from scheduler.fit.frame import Frame
from scheduler.fit.search import AppointmentKey, Choice


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
    return frame.schedule.model_copy(
        update={
            "status": "feasible",
            "best_bound": None,
            "gap": None,
            "wall_seconds": None,
            "changes": None,
            "sessions": sessions,
            "individual_sessions": [
                *frame.schedule.individual_sessions,
                *(_appointment(frame, k) for k in choice.individual),
            ],
            "medication_appointments": [
                *frame.schedule.medication_appointments,
                *(_appointment(frame, k) for k in choice.medication),
            ],
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


def _appointment(frame: Frame, key: AppointmentKey) -> Appointment:
    cid, at = key
    t = frame.idx.appointment_at[at]
    return Appointment(
        patient=frame.patient.id,
        counselor=cid,
        day=t.day,
        start=clock(t.start),
        end=clock(t.end),
        room=frame.office_at[at],
    )


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
    sessions = frame.schedule.sessions
    return Placement(
        rank=rank,
        blocks=list(choice.blocks),
        seats=[_seat(sessions[n]) for n in sorted(choice.seats, key=lambda n: _order(frame, n))],
        appointments=[_booking(frame, "individual", k) for k in choice.individual]
        + [_booking(frame, "medication", k) for k in choice.medication],
        screens=list(choice.screens),
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


def _booking(
    frame: Frame, kind: Literal["individual", "medication"], key: AppointmentKey
) -> Booking:
    a = _appointment(frame, key)
    return Booking(
        kind=kind,
        counselor=a.counselor,
        day=a.day,
        start=a.start,
        end=a.end,
        room=a.room,
    )
