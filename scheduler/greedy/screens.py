"""Step 6, screens: drawn by hand at random from the seed, within capacity."""

from __future__ import annotations

import random
from collections import defaultdict

from models import Screen
from scheduler.cpsat.draw import draw_screens
from scheduler.greedy.hints import Stuck
from scheduler.greedy.lookups import Program


def draw_screens_by_hand(
    prog: Program, attend: dict[str, list[str]], rng: random.Random
) -> list[Screen]:
    """Screens drawn by hand: patients in a random order, each in random blocks they
    attend that still have room. If that leaves someone without room, the exact draw of
    ``scheduler.cpsat.draw`` (which always finds one when one exists) decides."""
    screening = prog.inst.screening
    if screening is None or not screening.per_week:
        return []
    ordered = {pid: sorted(slots, key=prog.slot_rank.__getitem__) for pid, slots in attend.items()}
    load: dict[str, int] = defaultdict(int)
    picked: list[tuple[str, str]] = []
    patients = sorted(ordered)
    rng.shuffle(patients)
    for pid in patients:
        open_slots = [s for s in ordered[pid] if load[s] < screening.capacity_per_block]
        if len(open_slots) < screening.per_week:
            break
        for slot in rng.sample(open_slots, screening.per_week):
            load[slot] += 1
            picked.append((pid, slot))
    else:
        picked.sort(key=lambda ps: (prog.slot_rank[ps[1]], ps[0]))
        return [
            Screen(patient=pid, day=prog.idx.day_of[slot], block=prog.idx.block_of[slot].id)
            for pid, slot in picked
        ]
    try:
        return draw_screens(prog.idx, ordered, rng.randrange(2**31))
    except RuntimeError:
        raise Stuck(
            "screens: no choice of the attended blocks keeps within capacity_per_block", "final"
        ) from None
