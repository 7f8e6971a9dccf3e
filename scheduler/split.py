"""Split the families of the aggregated model into concrete sessions.

A family (period, group type, stage) that runs ``k`` sessions has ``k`` rooms,
``k`` counselors and a set of members whose size the model kept within
``[k * min_size, sum of min(max_size, room capacity)]``, so an even split always
exists; avoid pairs never share a family. The split only decides who sits with
whom: patients go to the session their primary counselor leads where sizes allow.
"""

from __future__ import annotations

from dataclasses import dataclass

from models import GroupType, ProgramIndex


@dataclass(frozen=True)
class Part:
    """One concrete session of a family."""

    room: str
    counselor: str
    patients: list[str]


def split_family(
    index: ProgramIndex,
    group_type: GroupType,
    rooms: list[str],
    leaders: list[str],
    members: list[str],
    with_primary: set[str],
) -> list[Part]:
    """Divide ``members`` into ``len(rooms)`` sessions, one per room and leader.

    ``with_primary`` holds the patients already seated with their primary
    counselor in an earlier family; the others go first into their primary's
    session. The set is updated.
    """
    assert len(rooms) == len(leaders) and rooms, (
        "a running family has one room and leader per session"
    )
    wants: dict[str, list[str]] = {c: [] for c in leaders}
    for pid in sorted(members, key=lambda p: (p in with_primary, p)):
        primary = index.patient[pid].primary_counselor
        if primary in wants:
            wants[primary].append(pid)
    # The leader with most of their own patients gets the biggest room.
    leaders = sorted(leaders, key=lambda c: (-len(wants[c]), c))
    rooms = sorted(rooms, key=lambda r: (-index.room[r].capacity, r))
    caps = [min(group_type.max_size, index.room[r].capacity) for r in rooms]
    sizes = [min(max(group_type.min_size, len(wants[c])), cap) for c, cap in zip(leaders, caps)]
    while sum(sizes) > len(members):
        i = max(range(len(sizes)), key=lambda j: (sizes[j] - group_type.min_size, -j))
        sizes[i] -= 1
    while sum(sizes) < len(members):
        i = max(range(len(sizes)), key=lambda j: (caps[j] - sizes[j], -j))
        sizes[i] += 1
    groups: list[list[str]] = [wants[c][: sizes[i]] for i, c in enumerate(leaders)]
    placed = {pid for g in groups for pid in g}
    rest = iter(pid for pid in members if pid not in placed)
    for i, group in enumerate(groups):
        while len(group) < sizes[i]:
            group.append(next(rest))
    for leader, group in zip(leaders, groups):
        with_primary.update(p for p in group if index.patient[p].primary_counselor == leader)
    return [
        Part(room, leader, sorted(group)) for room, leader, group in zip(rooms, leaders, groups)
    ]
