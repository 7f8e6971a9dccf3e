"""Pins: parts of the timetable a coordinator fixes by hand and the solver keeps exactly.

One flat model with a ``kind``, so that a pin is one row of the workbook's ``pins``
sheet:

- ``session``: a session of ``group_type`` (and ``stage``) runs in ``slot`` (in
  ``period``, 0-based, or any period of the block), and when given, ONE session has
  the ``room``, the ``counselors`` among its leaders, the ``patients`` among its
  members and teaches the ``topic``. Session pins of one period and type that share
  a room, a counselor or a patient are the same session; other pins are sessions of
  their own.
- ``attend``: the ``patient`` attends the block ``slot``.
- ``individual`` / ``medication``: that appointment of ``patient`` on ``day`` at the
  individual slot starting at ``start`` (with ``counselor`` when given).

Appointments are two kinds of their own rather than a kind with a type field: one
column fewer on the sheet, and the names are those of the schedule's lists.

:func:`pin_problems` is the cross-object check (every id, slot, period, topic,
eligibility, qualification), called by the instance's reference check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from models.base import Count, Id, SlotRef, SparseModel, TimeOfDay
from models.people import Counselor, Patient
from models.places import Room
from models.program import Block, GroupType
from models.schedule import Appointment, Session

if TYPE_CHECKING:
    from models.instance import Instance

PinKind = Literal["session", "attend", "individual", "medication"]

# Fields each kind takes: (required, optional). Everything else must be left out.
_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "session": (
        ("group_type", "slot"),
        ("stage", "period", "room", "counselors", "topic", "patients"),
    ),
    "attend": (("patient", "slot"), ()),
    "individual": (("patient", "day", "start"), ("counselor",)),
    "medication": (("patient", "day", "start"), ("counselor",)),
}


class Pin(SparseModel):
    """A part of the timetable fixed by hand: kept exactly by the solver."""

    _omit_unset = (
        "group_type",
        "stage",
        "slot",
        "period",
        "room",
        "counselors",
        "topic",
        "patients",
        "patient",
        "counselor",
        "day",
        "start",
    )

    kind: PinKind
    group_type: Id | None = None
    stage: Id | None = Field(default=None, description="stage-matched types: any stage when absent")
    slot: SlotRef | None = None
    period: Count | None = Field(
        default=None, description="0-based period of the block; any period when absent"
    )
    room: Id | None = None
    counselors: list[Id] = Field(default_factory=list, description="among the session's leaders")
    topic: Id | None = None
    patients: list[Id] = Field(default_factory=list, description="among the session's members")
    patient: Id | None = None
    counselor: Id | None = None
    day: Id | None = None
    start: TimeOfDay | None = Field(default=None, description="start of an individual slot")

    @property
    def label(self) -> str:
        """What the pin says, in a coordinator's words (ids only)."""
        if self.kind == "attend":
            return f"attend {self.patient} {self.slot}"
        if self.kind != "session":
            who = f" with {self.counselor}" if self.counselor else ""
            return f"{self.kind} {self.patient}{who} {self.day} {self.start}"
        text = f"session {self.group_type}"
        text += f" {self.stage}" if self.stage else ""
        text += f" {self.slot}" + (f" period {self.period}" if self.period is not None else "")
        details = [f"room {self.room}"] if self.room else []
        details += [f"counselors {', '.join(self.counselors)}"] if self.counselors else []
        details += [f"patients {', '.join(self.patients)}"] if self.patients else []
        details += [f"topic {self.topic}"] if self.topic else []
        return ", ".join([text, *details])

    def held_by(self, session: Session) -> bool:
        """Whether ``session`` is the session this pin asks for."""
        return (
            self.kind == "session"
            and session.group_type == self.group_type
            and session.slot == self.slot
            and (self.period is None or session.period == self.period)
            and (self.stage is None or session.stage == self.stage)
            and (self.room is None or session.room == self.room)
            and set(self.counselors) <= set(session.counselors)
            and set(self.patients) <= set(session.patients)
            and (self.topic is None or session.topic == self.topic)
        )

    def held_by_appointment(self, kind: str, appointment: Appointment) -> bool:
        """Whether ``appointment`` (of ``kind``) is the appointment this pin asks for."""
        return (
            kind == self.kind
            and appointment.patient == self.patient
            and appointment.day == self.day
            and appointment.start == self.start
            and (self.counselor is None or appointment.counselor == self.counselor)
        )

    def shares_with(self, other: Pin) -> bool:
        """Two session pins naming the same room, a counselor or a patient."""
        return bool(
            (self.room is not None and self.room == other.room)
            or set(self.counselors) & set(other.counselors)
            or set(self.patients) & set(other.patients)
        )


def pin_problems(inst: Instance, add: Callable[..., None]) -> None:
    """The cross-object rules of pins, one problem each at ``pins[i].field``."""
    types = {g.id: g for g in inst.group_types}
    patients = {p.id: p for p in inst.patients}
    counselors = {c.id: c for c in inst.counselors}
    rooms = {r.id: r for r in inst.rooms}
    blocks = {b.id: b for b in inst.blocks}
    slots = set(inst.slots)
    starts = [t.start for t in inst.individual_slots]
    for i, pin in enumerate(inst.pins):

        def at(where: str | tuple[str, int], msg: str, *refers: str, i: int = i) -> None:
            add(("pins", i, *((where,) if isinstance(where, str) else where)), msg, *refers)

        if _kind_problems(pin, at):
            continue

        if pin.slot is not None and pin.slot not in slots:
            at("slot", f"'{pin.slot}' is not a slot (day.block)", "days", "blocks")
        if pin.patient is not None and pin.patient not in patients:
            at("patient", f"'{pin.patient}' is not a patient id", "patients")
        if pin.kind == "session":
            _session_pin(inst, pin, at, types, patients, counselors, rooms, blocks)
        elif pin.kind in ("individual", "medication"):
            if pin.day is not None and pin.day not in inst.days:
                at("day", f"'{pin.day}' is not a day", "days")
            if pin.start is not None and pin.start not in starts:
                at(
                    "start",
                    f"{pin.start} is not the start of an individual slot",
                    "individual_slots",
                )
            _appointment_pin(pin, at, patients.get(pin.patient or ""), counselors, inst)
        if inst.sites and pin.kind == "session" and pin.room is None and not pin.patients:
            at("room", "with sites, a session pin names its room or a patient (its site)", "sites")


def _kind_problems(pin: Pin, add: Callable[[str, str], None]) -> bool:
    """The fields a pin of its kind requires, takes and lists without repeats; whether any
    problem was found (then nothing else of the pin is checked)."""
    required, optional = _FIELDS[pin.kind]
    a_kind = f"{'an' if pin.kind[0] in 'aeiou' else 'a'} {pin.kind} pin"
    found = False
    for name in type(pin).model_fields:
        given = getattr(pin, name) not in (None, [])
        if name in required and not given:
            add(name, f"required for {a_kind}")
        elif given and name != "kind" and name not in required + optional:
            add(name, f"not a field of {a_kind}")
        else:
            continue
        found = True
    for name in ("counselors", "patients"):
        ids: list[str] = getattr(pin, name)
        dupes = sorted({x for x in ids if ids.count(x) > 1})
        if dupes:
            add(name, f"listed twice: {', '.join(dupes)}")
            found = True
    return found


def _session_pin(
    inst: Instance,
    pin: Pin,
    at: Callable[..., None],
    types: dict[str, GroupType],
    patients: dict[str, Patient],
    counselors: dict[str, Counselor],
    rooms: dict[str, Room],
    blocks: dict[str, Block],
) -> None:
    """A session pin: its type, stage, period, room, counselors, topic and patients."""
    g = types.get(pin.group_type or "")
    if g is None:
        at("group_type", f"'{pin.group_type}' is not a group type id", "group_types")
        return
    if pin.stage is not None:
        if not g.stage_matched:
            at("stage", f"{g.id} is not stage-matched: leave the stage out")
        elif pin.stage not in inst.stages:
            at("stage", f"'{pin.stage}' is not a stage", "stages")
    block = blocks.get((pin.slot or "").partition(".")[2])
    if pin.period is not None and block is not None and pin.period >= len(block.periods):
        at("period", f"block {block.id} has periods 0 to {len(block.periods) - 1}", "blocks")
    room = rooms.get(pin.room or "")
    if pin.room is not None and room is None:
        at("room", f"'{pin.room}' is not a room id", "rooms")
    elif room is not None and room.type != "group":
        at("room", f"{room.id} is an office; groups meet in group rooms", "rooms")
    elif room is not None and len(pin.patients) * g.seats_per_patient > room.capacity:
        at("room", f"{room.id} seats {room.capacity}, not {len(pin.patients)} patients", "rooms")
    if len(pin.counselors) > g.staff_required:
        at("counselors", f"more than staff_required {g.staff_required} of {g.id}", "group_types")
    for k, cid in enumerate(pin.counselors):
        c = counselors.get(cid)
        if c is None:
            at(("counselors", k), f"'{cid}' is not a counselor id", "counselors")
        elif g.id not in c.qualified:
            at(("counselors", k), f"{cid} is not qualified for {g.id}", "counselors")
    staff = [counselors[c] for c in pin.counselors if c in counselors]
    if (
        g.requires_role is not None
        and len(staff) == g.staff_required
        and not any(g.requires_role in c.roles for c in staff)
    ):
        at(
            "counselors",
            f"{g.id} needs a {g.requires_role} among them (requires_role)",
            "counselors",
        )
    if pin.topic is not None and pin.topic not in g.topics:
        at("topic", f"'{pin.topic}' is not a topic of {g.id}", "group_types")
    if len(pin.patients) > g.max_size:
        at("patients", f"more than max_size {g.max_size} of {g.id}", "group_types")
    for k, pid in enumerate(pin.patients):
        p = patients.get(pid)
        if p is None:
            at(("patients", k), f"'{pid}' is not a patient id", "patients")
            continue
        if not g.admits(p):
            at(("patients", k), f"{pid} is not eligible for {g.id}", "patients")
        elif g.stage_matched and pin.stage is not None and p.stage != pin.stage:
            at(("patients", k), f"{pid} is in stage {p.stage}, not {pin.stage}", "patients")
    stages = {patients[pid].stage for pid in pin.patients if pid in patients}
    if g.stage_matched and pin.stage is None and len(stages) > 1:
        at("patients", f"{g.id} is stage-matched: the patients are of stages {sorted(stages)}")


def _appointment_pin(
    pin: Pin,
    at: Callable[..., None],
    patient: Patient | None,
    counselors: dict[str, Counselor],
    inst: Instance,
) -> None:
    """An appointment pin: the patient needs that appointment, from that counselor."""
    if patient is not None:
        if pin.kind == "medication" and not patient.medication_management:
            at("patient", f"{patient.id} has no medication_management", "patients")
        per_week = inst.individual.per_week_by_stage.get(patient.stage, inst.individual.per_week)
        if pin.kind == "individual" and not (per_week and inst.individual_slots):
            at("patient", f"{patient.id} has no individual sessions this week", "individual")
    if pin.counselor is None:
        return
    c = counselors.get(pin.counselor)
    if c is None:
        at("counselor", f"'{pin.counselor}' is not a counselor id", "counselors")
    elif pin.kind == "medication" and "prescriber" not in c.roles:
        at("counselor", f"{c.id} is not a prescriber", "counselors")
    elif pin.kind == "individual":
        primary = patient.primary_counselor if patient is not None else None
        if primary is not None and primary != c.id:
            at("counselor", f"individual counseling is with the primary counselor {primary}")
        elif not c.can_be_primary:
            at(
                "counselor",
                f"{c.id} has neither the counselor nor the clinician role",
                "counselors",
            )
