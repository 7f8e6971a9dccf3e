"""Group rooms: the smallest free room that fits a group, a larger one when it grows,
and opening a group with a room and a team."""

from __future__ import annotations

from models import GroupType
from models.index import PeriodRef
from scheduler.greedy.groups import Draft, Groups
from scheduler.greedy.staffing import pick_team


def free_rooms(groups: Groups, slot: str) -> list[tuple[int, str]]:
    """(capacity, id) of the group rooms open and free this period, smallest first."""
    if groups.free_room_cache is None:
        groups.free_room_cache = sorted(
            (r.capacity, r.id)
            for r in groups.idx.group_rooms
            if r.id not in groups.rooms_taken and slot in groups.idx.room_slots(r)
        )
    return groups.free_room_cache


def largest_free_room(groups: Groups, slot: str) -> int:
    """The capacity of the largest group room free this period (0: none)."""
    rooms = free_rooms(groups, slot)
    return rooms[-1][0] if rooms else 0


def room_left(groups: Groups, d: Draft, slot: str) -> int:
    """Patients the group can still take (moving to a larger free room if need be)."""
    seats = max(groups.idx.room[d.room].capacity, largest_free_room(groups, slot))
    return max(0, d.gtype.holds(seats) - len(d.members))


def ensure_room(groups: Groups, d: Draft, slot: str, seats: int) -> bool:
    """Keep or find a room with ``seats`` for the group."""
    if groups.idx.room[d.room].capacity >= seats:
        return True
    larger = next((rid for cap, rid in free_rooms(groups, slot) if cap >= seats), None)
    if larger is None:
        return False
    groups.rooms_taken.discard(d.room)
    groups.rooms_taken.add(larger)
    groups.free_room_cache = None
    d.room = larger
    return True


def grow(groups: Groups, d: Draft, slot: str, extra: int) -> bool:
    """Make room for ``extra`` more members; False when no room is large enough."""
    n = len(d.members) + extra
    return n <= d.gtype.max_size and ensure_room(groups, d, slot, n * d.gtype.seats_per_patient)


def open_group(
    groups: Groups,
    g: GroupType,
    stage: str | None,
    topic: str | None,
    members: list[str],
    slot: str,
    period: PeriodRef,
) -> Draft | None:
    """A new group with the smallest free room that fits and a team; None if none."""
    need = len(members) * g.seats_per_patient
    room = next((rid for cap, rid in free_rooms(groups, slot) if cap >= need), None)
    if room is None:
        return None
    team = pick_team(groups, g, slot, period, members)
    if team is None:
        return None
    groups.rooms_taken.add(room)
    groups.free_room_cache = None
    groups.busy.update(team)
    return Draft(g, stage, list(members), room, team, topic)
