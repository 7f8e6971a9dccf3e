"""The week after a same-day change: the changed instance that ``scheduler.repair`` solves.

From the published instance and schedule and a :class:`models.disruption.Disruption`:

- a counselor away for a block loses that slot from their ``available``; a closed room
  loses it from its ``available`` (a room without that list is open at every slot: it
  gets every slot but that one);
- discharged patients are removed, and with them their ``avoid``, ``together`` and pin
  entries; admitted patients are added (their ids must be new);
- the appointments still to come that the change does not touch are pinned (see
  :func:`_keep_appointments`);
- the days before ``from_day`` are over, so they are frozen: every session of those days
  becomes a session pin (period, room, counselors, patients, topic), every attendance an
  attend pin, every appointment an individual or medication pin, all added to the
  instance's own pins. So that nothing is added to those days either, a patient there is
  available only in the blocks they attended (or had an appointment in), a counselor only
  in the blocks they worked, and an admitted patient in none of them. (A discharged patient's past sessions keep
  their other members: a group that falls below its ``min_size`` without them makes the
  repair infeasible, and the diagnosis names the pin.)

Pure Python over the instance's JSON form, validated again at the end (a bad admitted
patient is reported at ``admit[i]``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Literal

from models import Appointment, Instance, Pin, ProgramIndex, Schedule
from models.disruption import Disruption
from models.errors import InputError, format_loc
from models.io import validate_instance


@dataclass(frozen=True)
class DisruptionProblem:
    """Something a disruption names that the week does not have, or cannot change."""

    field: str  # unavailable, rooms_closed, discharge, admit or from_day
    index: int | None  # the entry of that list
    message: str


def frozen_days(instance: Instance, disruption: Disruption) -> list[str]:
    """The days before ``from_day``: over, kept as published."""
    if disruption.from_day not in instance.days:
        return []
    return instance.days[: instance.days.index(disruption.from_day)]


def disruption_problems(instance: Instance, disruption: Disruption) -> list[DisruptionProblem]:
    """Every entry of ``disruption`` that names an unknown counselor, room, patient, slot or
    day, a slot of a day already over, or an admitted id already taken."""
    problems: list[DisruptionProblem] = []

    def add(field: str, index: int | None, message: str) -> None:
        problems.append(DisruptionProblem(field, index, message))

    d = disruption
    if d.from_day is not None and d.from_day not in instance.days:
        add("from_day", None, f"'{d.from_day}' is not a day ({', '.join(instance.days)})")
    over = set(frozen_days(instance, d))
    example = instance.slots[0]

    def slot_problem(field: str, i: int, slot: str) -> None:
        if slot not in instance.slots:
            add(field, i, f"'{slot}' is not a slot (day.block, e.g. '{example}')")
        elif slot.partition(".")[0] in over:
            add(field, i, f"{slot} is before --from {d.from_day}: that day is over")

    counselors = {c.id for c in instance.counselors}
    for i, away in enumerate(d.unavailable):
        if away.counselor not in counselors:
            add("unavailable", i, f"'{away.counselor}' is not a counselor id")
        slot_problem("unavailable", i, away.slot)
    rooms = {r.id for r in instance.rooms}
    for i, closed in enumerate(d.rooms_closed):
        if closed.room not in rooms:
            add("rooms_closed", i, f"'{closed.room}' is not a room id")
        slot_problem("rooms_closed", i, closed.slot)
    patients = {p.id for p in instance.patients}
    for i, pid in enumerate(d.discharge):
        if pid not in patients:
            add("discharge", i, f"'{pid}' is not a patient id")
        elif pid in d.discharge[:i]:
            add("discharge", i, f"{pid} is listed twice")
    admitted = [p.id for p in d.admit]
    for i, pid in enumerate(admitted):
        if pid in patients:
            add("admit", i, f"'{pid}' is already a patient id")
        elif pid in admitted[:i]:
            add("admit", i, f"'{pid}' is admitted twice")
    return problems


def disrupted_instance(instance: Instance, schedule: Schedule, disruption: Disruption) -> Instance:
    """The week as it now is (see the module docstring), validated.

    Raises
    ------
    InputError
        When the disruption names something the week does not have (one line per entry,
        ``unavailable[0]: 'C99' is not a counselor id``), or the changed week is not a
        valid instance (an admitted patient's stage, slots or references).
    """
    if problems := disruption_problems(instance, disruption):
        lines = [
            f"{p.field}{'' if p.index is None else f'[{p.index}]'}: {p.message}" for p in problems
        ]
        raise InputError("disruption", lines)
    data = instance.model_dump(mode="json")
    _away(data, disruption, instance.slots)
    _discharge(data, set(disruption.discharge))
    data["patients"] += [p.model_dump(mode="json") for p in disruption.admit]
    _freeze(data, instance, schedule, disruption)
    _keep_appointments(data, instance, schedule, disruption)
    changed, found = validate_instance(data)
    if changed is None:
        first_admitted = len(data["patients"]) - len(disruption.admit)
        lines = []
        for p in found:
            loc = p.loc
            if loc[:1] == ("patients",) and isinstance(loc[1], int) and loc[1] >= first_admitted:
                where = ("admit", loc[1] - first_admitted, *loc[2:])
                admitted = {"admit": data["patients"][first_admitted:]}
                lines.append(f"{format_loc(where, admitted)}: {p.message}")
            else:
                lines.append(f"{format_loc(loc, data)}: {p.message}")
        raise InputError("the changed week", lines)
    return changed


def _away(data: dict[str, Any], d: Disruption, slots: list[str]) -> None:
    """Counselors away and rooms closed lose those slots."""
    counselors = {c["id"]: c for c in data["counselors"]}
    for away in d.unavailable:
        c = counselors[away.counselor]
        c["available"] = [s for s in c["available"] if s != away.slot]
    rooms = {r["id"]: r for r in data["rooms"]}
    for closed in d.rooms_closed:
        r = rooms[closed.room]
        r["available"] = [s for s in r.get("available") or slots if s != closed.slot]


def _discharge(data: dict[str, Any], gone: set[str]) -> None:
    """Discharged patients leave, and every reference to them."""
    if not gone:
        return
    data["patients"] = [p for p in data["patients"] if p["id"] not in gone]
    for p in data["patients"]:
        if p.get("avoid"):
            p["avoid"] = [a for a in p["avoid"] if a not in gone]
    data["together"] = [t for t in data.get("together", []) if not gone & set(t["patients"])]
    pins = []
    for pin in data.get("pins", []):
        if pin.get("patient") in gone:
            continue
        if pin.get("patients"):
            pin["patients"] = [p for p in pin["patients"] if p not in gone]
        pins.append(pin)
    data["pins"] = pins


def _freeze(data: dict[str, Any], inst: Instance, sched: Schedule, d: Disruption) -> None:
    """The days already over become pins, and nothing new can join them."""
    days = set(frozen_days(inst, d))
    if not days:
        return
    idx = ProgramIndex(inst)
    here = {p["id"] for p in data["patients"]}
    pins: list[Pin] = []
    kept: dict[str, set[str]] = defaultdict(set)  # patient -> past slots they still have
    worked: dict[str, set[str]] = defaultdict(set)
    for s in sched.sessions:
        if s.day not in days:
            continue
        members = [pid for pid in s.patients if pid in here]
        pins.append(
            Pin(
                kind="session",
                group_type=s.group_type,
                stage=s.stage,
                slot=s.slot,
                period=s.period,
                room=s.room,
                counselors=list(s.counselors),
                patients=members,
                topic=s.topic,
            )
        )
        for cid in s.counselors:
            worked[cid].add(s.slot)
        for pid in members:
            if s.slot not in kept[pid]:
                kept[pid].add(s.slot)
                pins.append(Pin(kind="attend", patient=pid, slot=s.slot))
    booked: list[tuple[Literal["individual", "medication"], list[Appointment]]] = [
        ("individual", sched.individual_sessions),
        ("medication", sched.medication_appointments),
    ]
    for kind, appointments in booked:
        for a in appointments:
            if a.day not in days or a.patient not in here:
                continue
            pins.append(
                Pin(kind=kind, patient=a.patient, counselor=a.counselor, day=a.day, start=a.start)
            )
            time = idx.appointment_time(a.day, a.start, a.end)
            if time is not None:  # an appointment needs both available in its block
                worked[a.counselor].add(time.slot)
                kept[a.patient].add(time.slot)
    past = {slot for slot in inst.slots if slot.partition(".")[0] in days}
    for p in data["patients"]:
        p["available"] = [s for s in p["available"] if s not in past or s in kept[p["id"]]]
    for c in data["counselors"]:
        c["available"] = [s for s in c["available"] if s not in past or s in worked[c["id"]]]
    data["pins"] = data.get("pins", []) + [pin.model_dump(mode="json") for pin in pins]


def _keep_appointments(
    data: dict[str, Any], inst: Instance, sched: Schedule, d: Disruption
) -> None:
    """The appointments still to come that the change does not touch become pins.

    Appointments are not among the stability terms, so without this the solve would be
    free to move anyone's (a phone call each), and to move one onto a day that is over
    (nothing in the instance can forbid that). Left free: the appointments of a counselor
    away in their block, and all those of a patient whose group breaks (led by a
    counselor away, in a closed room, or losing a discharged member): they may have to
    come at another time."""
    over = set(frozen_days(inst, d))
    away = {(a.counselor, a.slot) for a in d.unavailable}
    closed = {(r.room, r.slot) for r in d.rooms_closed}
    gone = set(d.discharge)
    affected = set(gone)
    for s in sched.sessions:
        if (
            any((c, s.slot) in away for c in s.counselors)
            or (s.room, s.slot) in closed
            or gone & set(s.patients)
        ):
            affected.update(s.patients)
    idx = ProgramIndex(inst)
    pinned = {(p.kind, p.patient, p.day, p.start) for p in inst.pins}
    booked: list[tuple[Literal["individual", "medication"], list[Appointment]]] = [
        ("individual", sched.individual_sessions),
        ("medication", sched.medication_appointments),
    ]
    pins = []
    for kind, appointments in booked:
        for a in appointments:
            time = idx.appointment_time(a.day, a.start, a.end)
            if (
                a.day in over
                or a.patient in affected
                or a.patient not in idx.patient
                or time is None
                or (a.counselor, time.slot) in away
                or (kind, a.patient, a.day, a.start) in pinned
            ):
                continue
            pin = Pin(kind=kind, patient=a.patient, counselor=a.counselor, day=a.day, start=a.start)
            pins.append(pin.model_dump(mode="json"))
    data["pins"] = data.get("pins", []) + pins
