"""One pass of the coordinator's steps, and the schedule it writes."""

from __future__ import annotations

import random
from collections.abc import Callable

from models import Appointment, Schedule, Session
from models.index import clock
from scheduler.greedy.appointments import Appointments, Booking
from scheduler.greedy.blocks import BlockChooser
from scheduler.greedy.classes import form_classes
from scheduler.greedy.groups import Groups, Held
from scheduler.greedy.hints import Hints
from scheduler.greedy.lookups import Program
from scheduler.greedy.periods import hold_groups
from scheduler.greedy.screens import draw_screens_by_hand


def build_week(
    prog: Program, hints: Hints, seed: int, checkpoint: Callable[[], None] = lambda: None
) -> Schedule:
    """One pass of the coordinator's steps; raises Stuck where a step cannot go on.

    ``checkpoint`` is called between the steps; what it raises ends the pass.
    """
    rng = random.Random(seed)
    chooser = BlockChooser(prog, hints, rng)
    attend = chooser.run()
    checkpoint()
    classes = form_classes(prog, attend)
    groups = Groups(prog, attend, classes, chooser.claims)
    hold_groups(groups)
    checkpoint()
    book = Appointments(prog, attend, groups, chooser.claims)
    book.run()
    checkpoint()
    screens = draw_screens_by_hand(prog, attend, rng)
    return Schedule(
        instance=prog.inst.name,
        status="feasible",
        sessions=_sessions(prog, groups.held),
        individual_sessions=_appointments(prog, book.individual),
        medication_appointments=_appointments(prog, book.medication),
        screens=screens,
        primary_counselors=dict(sorted(book.assigned.items())),
    )


def _sessions(prog: Program, held: list[Held]) -> list[Session]:
    """The groups held, as sessions in week order."""
    return prog.idx.in_week_order(
        Session(
            id="S",  # numbered in week order
            day=h.period.day,
            block=h.period.block,
            period=h.period.index,
            start=h.period.start,
            end=h.period.end,
            group_type=h.gtype,
            stage=h.stage,
            room=h.room,
            counselors=list(h.counselors),
            patients=list(h.patients),
            topic=h.topic,
        )
        for h in held
    )


def _appointments(prog: Program, bookings: list[Booking]) -> list[Appointment]:
    """The bookings as appointments, by day, start, counselor and patient."""
    ordered = sorted(
        bookings,
        key=lambda b: (prog.day_rank[b.time.day], b.time.start, b.counselor, b.patient),
    )
    return [
        Appointment(
            patient=b.patient,
            counselor=b.counselor,
            day=b.time.day,
            start=clock(b.time.start),
            end=clock(b.time.end),
            room=b.office,
        )
        for b in ordered
    ]
