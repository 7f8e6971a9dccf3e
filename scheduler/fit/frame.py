"""What the published week leaves free for one new patient, everyone else staying put.

Read from the instance with the patient added and the published schedule: the sessions
with a seat the patient may take, the appointment times at which a counselor and an
office are free, the room left for screens, each counselor's caseload and hours. The
model (``scheduler.fit.model``) chooses among these; nothing here moves anyone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from models import Counselor, Instance, Patient, ProgramIndex, Schedule, Session
from models.index import AppointmentTime


@dataclass(frozen=True)
class Option:
    """A session of the published week the patient may join (seat, type, stage, site)."""

    number: int  # its position in schedule.sessions
    session: Session


@dataclass
class Frame:
    """The published week as the new patient finds it."""

    instance: Instance  # with the patient
    schedule: Schedule
    idx: ProgramIndex
    patient: Patient
    options: list[Option] = field(default_factory=list)
    # The appointment times the patient could come to, with the first free office of each.
    office_at: dict[tuple[str, int], str] = field(default_factory=dict)
    times: list[AppointmentTime] = field(default_factory=list)
    # (counselor, day) -> minutes of groups and appointments already worked.
    worked: dict[tuple[str, str], int] = field(default_factory=dict)
    individual_load: dict[str, int] = field(default_factory=dict)
    caseload: dict[str, int] = field(default_factory=dict)
    screens_left: dict[str, int] = field(default_factory=dict)  # slot -> screens still free
    # Who may hold the patient's individual sessions (primary candidates) and medication.
    primaries: list[Counselor] = field(default_factory=list)
    prescribers: list[Counselor] = field(default_factory=list)
    # (counselor id, time key) pairs at which the counselor is free for this patient.
    free: set[tuple[str, tuple[str, int]]] = field(default_factory=set)
    # Rebooking (scheduler.fit.rebook): the others' appointments may move, so the times and
    # counselors above ignore them, and ``worked`` counts groups only.
    rebook: bool = False
    leading: set[tuple[str, str, int]] = field(default_factory=set)  # (counselor, slot, period)
    day_sites: dict[tuple[str, str], set[str | None]] = field(default_factory=dict)

    def counselor_free(self, c: Counselor, t: AppointmentTime, site: str | None) -> bool:
        """Available in the time's block, leading no group overlapping it, working at the
        site, and at no other site that day (appointments left aside)."""
        return (
            t.slot in c.available
            and not any(
                (c.id, q.slot, q.index) in self.leading for q in self.idx.periods_clashing(t)
            )
            and self.idx.works_at(c, site)
            and self.day_sites.get((c.id, t.day), set()) <= {site}
        )

    def offices_open(self, t: AppointmentTime, site: str | None) -> list[str]:
        """The offices at the site open in the time's block (booked or not)."""
        return [
            r.id
            for r in self.idx.offices
            if self.idx.site_of_room(r.id) == site and t.slot in self.idx.room_slots(r)
        ]

    @property
    def given_primary(self) -> str | None:
        return self.patient.primary_counselor


def read_frame(
    instance: Instance, schedule: Schedule, patient_id: str, rebook: bool = False
) -> Frame:
    """The frame of the published week for the new patient ``patient_id`` of ``instance``
    (with ``rebook``, as if the others' appointments were not booked yet)."""
    idx = ProgramIndex(instance)
    here = Frame(instance, schedule, idx, idx.patient[patient_id], rebook=rebook)
    here.options = [
        Option(i, s) for i, s in enumerate(schedule.sessions) if _may_join(idx, here.patient, s)
    ]
    _diaries(here)
    _appointments(here)
    _screens(here)
    return here


def _may_join(idx: ProgramIndex, p: Patient, s: Session) -> bool:
    """A free seat (room and type size) in a session of a type the patient may join, at a
    block they are available, of their stage where the type is stage-matched, at their
    site, without anyone they avoid, teaching no strict topic they heard."""
    g = idx.group_type[s.group_type]
    n = len(s.patients) + 1
    others = [idx.patient[q] for q in s.patients if q in idx.patient]
    return (
        s.slot in p.available
        and g.admits(p)
        and (not g.stage_matched or s.stage == p.stage)
        and n <= g.max_size
        and n * g.seats_per_patient <= idx.room[s.room].capacity
        and idx.site_of_room(s.room) == p.site
        and not set(p.avoid) & set(s.patients)
        and not any(p.id in q.avoid for q in others)
        and not (s.topic in idx.strict_topics and s.topic in p.completed_topics)
    )


def _diaries(here: Frame) -> None:
    """Each counselor's day minutes, individual sessions and caseload as published."""
    idx, schedule = here.idx, here.schedule
    worked: dict[tuple[str, str], int] = defaultdict(int)
    for s in schedule.sessions:
        for cid in s.counselors:
            worked[(cid, s.day)] += s.minutes
    if not here.rebook:
        for a in schedule.individual_sessions + schedule.medication_appointments:
            worked[(a.counselor, a.day)] += a.minutes
    here.worked = dict(worked)
    load = dict.fromkeys(idx.counselor, 0)
    for a in schedule.individual_sessions:
        load[a.counselor] = load.get(a.counselor, 0) + 1
    here.individual_load = load
    cases = dict.fromkeys(idx.counselor, 0)
    primary = {p.id: p.primary_counselor for p in here.instance.patients if p.primary_counselor}
    for pid, cid in schedule.primary_counselors.items():
        primary.setdefault(pid, cid)
    for pid, cid in primary.items():
        if pid != here.patient.id and cid in cases:
            cases[cid] += 1
    here.caseload = cases


def _appointments(here: Frame) -> None:
    """The times the patient could come to with an office free, and who is free then."""
    idx, p, schedule = here.idx, here.patient, here.schedule
    booked_room: set[tuple[str, tuple[str, int]]] = set()
    booked_staff: set[tuple[str, tuple[str, int]]] = set()
    day_sites: dict[tuple[str, str], set[str | None]] = defaultdict(set)
    for a in schedule.individual_sessions + schedule.medication_appointments:
        t = idx.appointment_time(a.day, a.start, a.end)
        if t is not None and not here.rebook:
            booked_room.add((a.room, t.key))
            booked_staff.add((a.counselor, t.key))
        day_sites[(a.counselor, a.day)].add(idx.site_of_room(a.room))
    here.leading = {(cid, s.slot, s.period) for s in schedule.sessions for cid in s.counselors}
    for s in schedule.sessions:
        for cid in s.counselors:
            day_sites[(cid, s.day)].add(idx.site_of_room(s.room))
    here.day_sites = dict(day_sites)
    for t in idx.appointment_times_for(p):
        office = next(
            (r for r in here.offices_open(t, p.site) if (r, t.key) not in booked_room), None
        )
        if office is None:
            continue
        here.times.append(t)
        here.office_at[t.key] = office
        for c in here.instance.counselors:
            if (c.id, t.key) not in booked_staff and here.counselor_free(c, t, p.site):
                here.free.add((c.id, t.key))
    if p.primary_counselor is not None:
        here.primaries = [idx.counselor[p.primary_counselor]]
    else:
        here.primaries = [c for c in idx.primary_candidates if idx.works_at(c, p.site)]
    # A full caseload takes no one more, given or assigned (the checker counts both).
    here.primaries = [
        c
        for c in here.primaries
        if c.max_caseload is None or here.caseload[c.id] + 1 <= c.max_caseload
    ]
    here.prescribers = [c for c in idx.prescribers if idx.works_at(c, p.site)]


def _screens(here: Frame) -> None:
    """Screens still free per block at the patient's site."""
    screening = here.instance.screening
    if screening is None:
        return
    taken: dict[str, int] = defaultdict(int)
    for s in here.schedule.screens:
        if here.idx.site_of_patient(s.patient) == here.patient.site:
            taken[s.slot] += 1
    here.screens_left = {
        slot: screening.capacity_per_block - taken[slot] for slot in here.patient.available
    }
