"""Start the search from a known timetable: every model variable hinted from a Schedule.

A complete, valid hint gives CP-SAT a first solution at once (it repairs a hint
that is not quite feasible), so the search spends its time improving rather than
looking. The timetable may come from the greedy construction (``scheduler.greedy``)
or, later, from last week's schedule.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from models import Schedule, Session
from scheduler.cpsat.model import TimetableModel


def add_hint(tm: TimetableModel, schedule: Schedule) -> int:
    """Hint ``tm``'s decision variables from ``schedule``; returns how many were hinted.

    Entries that name something the model has no variable for (a patient seated in a
    session the model never offered them) are skipped: the hint is then partial,
    which CP-SAT accepts.
    """
    m = tm.model
    idx = tm.index
    hints: dict[int, tuple[cp_model.IntVar, int]] = {}  # by variable index: hinted once

    def hint(var: cp_model.IntVar, value: int) -> None:
        hints[var.index] = (var, value)

    attended = {(pid, s.slot) for s in schedule.sessions for pid in s.patients}
    for key, var in tm.attend.items():
        hint(var, int(key in attended))

    # Sessions by family (period, type, stage): the aggregated model has one candidate
    # per family with a count; the plain one has copies, filled in order.
    by_family: dict[tuple[str, int, str, str | None], list[Session]] = defaultdict(list)
    for s in schedule.sessions:
        by_family[(s.slot, s.period, s.group_type, s.stage)].append(s)
    candidates: dict[tuple[str, int, str, str | None], list[int]] = defaultdict(list)
    for cand in tm.candidates:
        candidates[cand.family].append(cand.number)
    for family, numbers in candidates.items():
        sessions = by_family.get(family, [])
        if tm.aggregate:
            groups = [sessions] if numbers else []
        else:
            groups = [[s] for s in sessions] + [[] for _ in range(len(numbers) - len(sessions))]
        for n, group in zip(numbers, groups):
            hint(tm.open[n], min(len(group), tm.copies[n]))
            seated = {pid for s in group for pid in s.patients}
            rooms = {s.room for s in group}
            leads = {cid for s in group for cid in s.counselors}
            for pid in tm.members[n]:
                hint(tm.seat[(pid, n)], int(pid in seated))
            for rid, var in tm.rooms_at[n].items():
                hint(var, int(rid in rooms))
            for cid, var in tm.leads_at[n].items():
                hint(var, int(cid in leads))
            topics = {s.topic for s in group}
            for topic in tm.candidates[n].group_type.topics:
                if (n, topic) in tm.topic_on:
                    hint(tm.topic_on[(n, topic)], int(topic in topics))
        for n in numbers[len(groups) :]:
            hint(tm.open[n], 0)

    booked: set[tuple[str, str, str, str, int]] = set()
    for kind, appointments in (
        ("individual", schedule.individual_sessions),
        ("medication", schedule.medication_appointments),
    ):
        for a in appointments:
            t = idx.appointment_time(a.day, a.start, a.end)
            if t is not None:
                booked.add((kind, a.patient, a.counselor, t.day, t.index))
    for appt, var in tm.appts.items():
        hint(var, int(appt in booked))
    for (pid, cid), var in tm.primary.items():
        hint(var, int(schedule.primary_counselors.get(pid) == cid))
    screened = {(s.patient, s.slot) for s in schedule.screens}
    for patient_slot, var in tm.screen.items():
        hint(var, int(patient_slot in screened))

    m.clear_hints()
    for var, value in hints.values():
        m.add_hint(var, value)
    return len(hints)
