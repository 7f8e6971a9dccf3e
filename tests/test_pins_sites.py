"""Pins in a multi-site organization: each site's program gets the pins of its rooms and
patients, floaters work where their pins are, and the solve keeps every pin.

The pins are read off the generator's witness schedule, so they can all hold.
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import solve_checked
from models import Instance, ProgramIndex, Schedule, parse_instance
from models.pins import Pin
from scheduler import check
from scheduler.generate import generate
from scheduler.organization import pin_site, site_instances


def pins_from(schedule: Schedule, sessions: int = 4) -> list[dict[str, Any]]:
    """Pins that ``schedule`` keeps: a few of its sessions (room, counselors, two
    patients), attendance and appointments."""
    pins: list[dict[str, Any]] = []
    for s in schedule.sessions[::7][:sessions]:
        pin = {"kind": "session", "group_type": s.group_type, "slot": s.slot}
        if s.stage is not None:
            pin["stage"] = s.stage
        pins.append(
            pin
            | {"period": s.period, "room": s.room, "counselors": s.counselors[:1]}
            | {"patients": s.patients[:2]}
        )
    for s in schedule.sessions[3::11][:2]:
        pins.append({"kind": "attend", "patient": s.patients[-1], "slot": s.slot})
    for kind, booked in (
        ("individual", schedule.individual_sessions[::9][:2]),
        ("medication", schedule.medication_appointments[:1]),
    ):
        for a in booked:
            pins.append(
                {"kind": kind, "patient": a.patient, "day": a.day, "start": a.start}
                | {"counselor": a.counselor}
            )
    return pins


@pytest.fixture(scope="module")
def organization() -> tuple[Instance, Schedule]:
    instance, witness = generate(patients=32, sites=2, seed=5)
    assert witness is not None
    data = instance.model_dump(mode="json")
    data["pins"] = pins_from(witness)
    return parse_instance(data), witness


def test_each_site_gets_its_pins(organization: tuple[Instance, Schedule]) -> None:
    instance, witness = organization
    assert len(instance.pins) == 9 and check(instance, witness).ok  # the witness's own pins
    subs = site_instances(instance)
    given: list[Pin] = []
    for sub in subs.values():
        here = {p.id for p in sub.patients}
        for pin in sub.pins:
            assert {pin.patient, *pin.patients} - {None} <= here
            assert pin.room is None or pin.room in {r.id for r in sub.rooms}
        given += sub.pins
    assert sorted(p.label for p in given) == sorted(p.label for p in instance.pins)
    assert {pin_site(ProgramIndex(instance), p) for p in instance.pins} == set(subs)


def test_the_organization_solve_keeps_every_pin(organization: tuple[Instance, Schedule]) -> None:
    instance, _ = organization
    result = solve_checked(instance, time_limit=6)
    assert result.found  # the checker found every pin held (solve_checked)
