"""The phone list: who must be told what after a week was changed (``iop-scheduler diff``).

Each person's week (see :mod:`models.diff`: sessions and appointments, never screens)
is compared entry by entry, in four passes: an entry found unchanged in both weeks is
left out; one at the same time in both (a session's period, an appointment's day and
start) is ``changed``; one of the same group type (an appointment of the same kind and,
for a counselor, patient) at another time is ``moved``, pairing the old and the new in
week order; what is left is ``removed`` or ``added``.

The counts of what moved are the stability terms' (``scheduler.check.stability``), so
they equal a schedule's ``changes`` after ``solve --previous``. Pure Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from models import Appointment, Instance, Schedule, Session
from models.base import minutes
from models.diff import Aspect, Change, Meeting, MeetingKind, PersonChanges, ScheduleDiff
from scheduler.check.stability import change_counts

Entry = tuple[MeetingKind, Meeting]
Week = dict[str, list[Entry]]  # person -> their entries

_ASPECTS: tuple[tuple[Aspect, Callable[[Meeting], object]], ...] = (
    ("time", lambda m: (m.day, m.start, m.end, m.block, m.period)),
    ("group_type", lambda m: m.group_type),
    ("stage", lambda m: m.stage),
    ("counselors", lambda m: m.counselors),
    ("room", lambda m: m.room),
    ("patient", lambda m: m.patient),
)


def diff_schedules(instance: Instance, old: Schedule, new: Schedule) -> ScheduleDiff:
    """What changed between two schedules of a week, person by person.

    Parameters
    ----------
    instance
        The week ``new`` is for (after a repair: the changed instance). Its patients
        and counselors are the ones counted as unaffected; a patient of ``old`` it no
        longer has is ``discharged``, one of its patients absent from ``old`` is ``new``.
    old, new
        The published schedule and its replacement (both holding a timetable).

    Returns
    -------
    ScheduleDiff
        The changed patients and counselors (in id order, each change in week order),
        how many of the instance's are unaffected, and the stability counts.
    """
    order = {d: i for i, d in enumerate(instance.days)}
    patients_before, patients_after = _patient_weeks(old), _patient_weeks(new)
    counselors_before, counselors_after = _counselor_weeks(old), _counselor_weeks(new)
    in_old = set(patients_before) | {s.patient for s in old.screens}
    here = {p.id for p in instance.patients}

    patients: list[PersonChanges] = []
    for pid in sorted(here | in_old | set(patients_after)):
        if pid not in here and pid in in_old:
            patients.append(PersonChanges(id=pid, role="patient", status="discharged"))
            continue
        changes = _compare(patients_before.get(pid, []), patients_after.get(pid, []), order)
        status = "new" if pid in here and pid not in in_old else "changed"
        if changes or status == "new":
            patients.append(PersonChanges(id=pid, role="patient", status=status, changes=changes))
    counselors: list[PersonChanges] = []
    everyone = {c.id for c in instance.counselors} | set(counselors_before) | set(counselors_after)
    for cid in sorted(everyone):
        changes = _compare(counselors_before.get(cid, []), counselors_after.get(cid, []), order)
        if changes:
            counselors.append(PersonChanges(id=cid, role="counselor", changes=changes))
    listed = {p.id for p in patients} | {c.id for c in counselors}
    return ScheduleDiff(
        instance=new.instance,
        patients=patients,
        counselors=counselors,
        unaffected_patients=sum(1 for p in instance.patients if p.id not in listed),
        unaffected_counselors=sum(1 for c in instance.counselors if c.id not in listed),
        moved=change_counts(instance, new, old),
    )


def _session_meeting(s: Session) -> Meeting:
    return Meeting(
        day=s.day,
        block=s.block,
        period=s.period,
        start=s.start,
        end=s.end,
        group_type=s.group_type,
        stage=s.stage,
        room=s.room,
        counselors=sorted(s.counselors),
    )


def _appointment_meeting(a: Appointment, patient: str | None = None) -> Meeting:
    return Meeting(
        day=a.day, start=a.start, end=a.end, room=a.room, counselors=[a.counselor], patient=patient
    )


def _appointments(sched: Schedule) -> Iterable[tuple[MeetingKind, Appointment]]:
    yield from (("individual", a) for a in sched.individual_sessions)
    yield from (("medication", a) for a in sched.medication_appointments)


def _patient_weeks(sched: Schedule) -> Week:
    """Each patient's sessions and appointments."""
    weeks: Week = defaultdict(list)
    for s in sched.sessions:
        for pid in s.patients:
            weeks[pid].append(("session", _session_meeting(s)))
    for kind, a in _appointments(sched):
        weeks[a.patient].append((kind, _appointment_meeting(a)))
    return weeks


def _counselor_weeks(sched: Schedule) -> Week:
    """Each counselor's sessions led and appointments held (naming the patient)."""
    weeks: Week = defaultdict(list)
    for s in sched.sessions:
        for cid in s.counselors:
            weeks[cid].append(("session", _session_meeting(s)))
    for kind, a in _appointments(sched):
        weeks[a.counselor].append((kind, _appointment_meeting(a, a.patient)))
    return weeks


def _when(m: Meeting) -> tuple[str, str, int]:
    """The time an entry takes: two entries of one person at one time are one change."""
    return (m.day, m.start, m.period if m.period is not None else -1)


def _what(kind: MeetingKind, m: Meeting) -> tuple[str, str | None, str | None, str | None]:
    """What an entry is, wherever it is: a move keeps it."""
    return (kind, m.group_type, m.stage, m.patient)


def _aspects(before: Meeting, after: Meeting) -> list[Aspect]:
    return [name for name, get in _ASPECTS if get(before) != get(after)]


def _compare(before: list[Entry], after: list[Entry], order: dict[str, int]) -> list[Change]:
    """The changes from one person's old week to their new one, in week order."""

    def rank(e: Entry) -> tuple[int, int, int]:
        m = e[1]
        return (order.get(m.day, len(order)), minutes(m.start), m.period or 0)

    old = sorted((e for e in before if e not in after), key=rank)
    new = sorted((e for e in after if e not in before), key=rank)
    changes: list[Change] = []
    for pair in (
        lambda a, b: a[0] == b[0] and _when(a[1]) == _when(b[1]),
        lambda a, b: _what(*a) == _what(*b),
    ):
        for e in list(old):
            match = next((f for f in new if pair(e, f)), None)
            if match is None:
                continue
            old.remove(e)
            new.remove(match)
            aspects = _aspects(e[1], match[1])
            action = "moved" if "time" in aspects else "changed"
            changes.append(
                Change(kind=e[0], action=action, before=e[1], after=match[1], fields=aspects)
            )
    changes += [Change(kind=k, action="removed", before=m) for k, m in old]
    changes += [Change(kind=k, action="added", after=m) for k, m in new]

    def change_rank(c: Change) -> tuple[int, int, int]:
        m = c.before or c.after
        assert m is not None
        return rank((c.kind, m))

    return sorted(changes, key=change_rank)
