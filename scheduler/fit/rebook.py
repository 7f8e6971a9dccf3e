"""The smallest move first: when the patient fits nowhere as the week stands, often only
the one-to-one appointments are in the way (a counselor's free times, an office). Here
the others' appointments may move to another time, each with the same patient,
counselor and kind, under the same rules (a day the patient attends a block that does
not overlap it, available then, the counselor free and an office open, individual
sessions on different days, one appointment at a time, the counselor's daily hours);
nobody's groups move. Each appointment moved costs ``MOVE_WEIGHT``, so the fewest move,
then the cheapest placement; pinned appointments stay.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from models import Appointment
from scheduler.fit.costs import objective
from scheduler.fit.frame import Frame
from scheduler.fit.model import FitModel, IntVar, LinearExpr, build

TimeKey = tuple[str, int]


@dataclass(frozen=True)
class Movable:
    """One of the others' appointments and the times it may move to (its own included)."""

    kind: str  # "individual" or "medication"
    number: int  # position in the schedule's list of that kind
    appointment: Appointment
    was: TimeKey
    site: str | None
    times: tuple[TimeKey, ...]
    trip: dict[TimeKey, int]  # 1 where it would be an extra trip for its patient

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.number)


def rebooking_model(frame: Frame) -> FitModel:
    """The admission model with the others' appointments movable (``frame.rebook``)."""
    fm = build(frame)
    trips = rebooking(fm, movables(frame))
    objective(fm, {"individual_extra_trip": trips})
    return fm


def movables(frame: Frame) -> list[Movable]:
    """Every appointment of the published week, with where it may go."""
    idx, schedule = frame.idx, frame.schedule
    attends: dict[tuple[str, str], str] = {}  # (patient, day) -> the slot attended
    for s in schedule.sessions:
        for pid in s.patients:
            attends[(pid, s.day)] = s.slot
    pinned = {
        (pin.kind, pin.patient, pin.day, pin.start)
        for pin in frame.instance.pins
        if pin.kind in ("individual", "medication")
    }
    out = []
    for kind, booked in (
        ("individual", schedule.individual_sessions),
        ("medication", schedule.medication_appointments),
    ):
        for n, a in enumerate(booked):
            t0 = idx.appointment_time(a.day, a.start, a.end)
            if t0 is None:
                continue
            q = idx.patient[a.patient]
            c = idx.counselor[a.counselor]
            times = [t0]
            if (kind, a.patient, a.day, a.start) not in pinned:
                times += [
                    t
                    for t in idx.appointment_times
                    if t.key != t0.key
                    and t.slot in q.available
                    and (slot := attends.get((q.id, t.day))) is not None
                    and slot not in idx.blocks_clashing(t)
                    and frame.counselor_free(c, t, q.site)
                    and frame.offices_open(t, q.site)
                ]
            trip = {
                t.key: int(not idx.next_to(t, attends[(q.id, t.day)]))
                for t in times
                if (q.id, t.day) in attends
            }
            keys = tuple(t.key for t in times)
            out.append(Movable(kind, n, a, t0.key, q.site, keys, trip))
    return out


def rebooking(fm: FitModel, moving: list[Movable]) -> LinearExpr:
    """The others' appointments as variables, with the rules they share with the new
    patient's; returns the change of their extra trips (units)."""
    m, f = fm.model, fm.frame
    at: dict[tuple[str, int], dict[TimeKey, IntVar]] = {}
    for a in moving:
        here = {}
        for key in a.times:
            here[key] = fm.rebooked[(a.kind, a.number, key)] = m.new_bool_var(
                f"rebook_{a.kind}_{a.number}_{key[0]}_{key[1]}"
            )
        m.add_exactly_one(here.values())
        at[a.key] = here
    fm.moved = sum(1 - at[a.key][a.was] for a in moving)
    # Per counselor and time, per site and time, per counselor and day: who is there.
    staff: dict[tuple[str, TimeKey], list[IntVar]] = defaultdict(list)
    rooms: dict[tuple[str | None, TimeKey], list[IntVar]] = defaultdict(list)
    days: dict[tuple[str, str], list[tuple[int, IntVar]]] = defaultdict(list)
    mine: dict[tuple[str, TimeKey], list[IntVar]] = defaultdict(list)  # patient, time
    individual_days: dict[tuple[str, str], list[IntVar]] = defaultdict(list)
    for a in moving:
        for key, v in at[a.key].items():
            staff[(a.appointment.counselor, key)].append(v)
            rooms[(a.site, key)].append(v)
            days[(a.appointment.counselor, key[0])].append((a.appointment.minutes, v))
            mine[(a.appointment.patient, key)].append(v)
            if a.kind == "individual":
                individual_days[(a.appointment.patient, key[0])].append(v)
    for booked in (fm.individual, fm.medication):
        for (cid, key), v in booked.items():
            staff[(cid, key)].append(v)
            rooms[(f.patient.site, key)].append(v)
            days[(cid, key[0])].append((fm.time[key].minutes, v))
    for together in [*staff.values(), *mine.values(), *individual_days.values()]:
        if len(together) > 1:
            m.add(sum(together) <= 1)
    for (site, key), there in rooms.items():
        m.add(sum(there) <= len(f.offices_open(f.idx.appointment_at[key], site)))
    for (cid, day), entries in days.items():
        cap = f.idx.counselor[cid].max_minutes_per_day
        if cap is not None:
            m.add(sum(n * v for n, v in entries) <= cap - f.worked.get((cid, day), 0))
    return sum(
        [a.trip.get(key, 0) * v for a in moving for key, v in at[a.key].items()]
        + [-a.trip.get(a.was, 0) for a in moving]
    )
