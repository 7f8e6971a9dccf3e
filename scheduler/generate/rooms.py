"""Rooms: group rooms, offices sized from the witness's appointments, and the odd slot a
room is closed."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from scheduler.generate.draft import Appt, Witness
from scheduler.generate.slots import all_slots, appointment_block

# Offices: one per 3-4 staff.
STAFF_PER_OFFICE = 3.5


def draw_rooms(rng: np.random.Generator, n: int, prefix: str) -> list[dict]:
    """Group rooms: one for 16, the rest for 10-14."""
    capacities = [16] + [int(rng.choice([10, 12, 12, 14])) for _ in range(n - 1)]
    return [
        {"id": f"{prefix}R{i + 1}", "capacity": cap, "type": "group", "_used": set()}
        for i, cap in enumerate(capacities)
    ]


def draw_offices(w: Witness, n_staff: int, prefix: str) -> list[dict]:
    """Offices: at least 2, one per 3-4 staff, and one more than the busiest appointment time."""
    peak = max(w.time_load.values(), default=0)
    n = max(2, math.ceil(n_staff / STAFF_PER_OFFICE), peak + 1)
    offices: list[dict] = [
        {"id": f"{prefix}O{i + 1}", "capacity": 3, "type": "office", "_used": set()}
        for i in range(n)
    ]
    by_time: dict[tuple[str, int], list[Appt]] = defaultdict(list)
    for a in w.individual + w.medication:
        by_time[(a.day, a.time)].append(a)
    for (day, time), appts in by_time.items():
        for a, office in zip(appts, offices):
            a.room = office["id"]
            office["_used"].add(f"{day}.{appointment_block(time)}")
    return offices


def block_unused_slot(rng: np.random.Generator, room: dict) -> None:
    """Close about 30% of rooms for one slot the witness does not use there."""
    used = room.pop("_used")
    if rng.random() < 0.3:
        free = [s for s in all_slots() if s not in used]
        if free:
            blocked = free[int(rng.integers(len(free)))]
            room["available"] = [s for s in all_slots() if s != blocked]
