"""Split the families of the aggregated model into concrete sessions.

Pure Python (no solver): ``split_family`` divides each family on its own,
greedily, which always succeeds; ``scheduler.seating`` then improves the
seating of the whole week at once.

A family (period, group type, stage) that runs ``k`` sessions has ``k`` rooms,
``k * staff_required`` counselors (at least ``k`` with the type's required
role) and a set of members whose size the model kept within ``[k * min_size,
sum of min(max_size, room seats)]``, so an even split always exists; avoid
pairs never share a family, and families of a type that couples share run one
session. The split only decides who works and sits with whom: teams get one
role holder each, and patients go to the session their primary counselor
leads where sizes allow. Parts fixed by pins (``Fixed``: a room, counselors,
patients) come first, each one session of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from models import GroupType, ProgramIndex


@dataclass(frozen=True)
class Part:
    """One concrete session of a family."""

    room: str
    counselors: list[str]
    patients: list[str]


@dataclass(frozen=True)
class Fixed:
    """What pins fix of one session of a family: its room (if named), some of its
    counselors and some of its patients."""

    room: str | None
    counselors: list[str]
    patients: list[str]


def form_teams(
    index: ProgramIndex, group_type: GroupType, sessions: int, leaders: list[str]
) -> list[list[str]]:
    """Divide the family's counselors into ``sessions`` teams of ``staff_required``,
    each with a holder of the required role when the type needs one."""
    role = group_type.requires_role
    holders = sorted(c for c in leaders if index.has_role(index.counselor[c], role))
    first = holders[:sessions] if role is not None else sorted(leaders)[:sessions]
    rest = sorted(c for c in leaders if c not in first)
    teams = [[c] for c in first]
    for i, c in enumerate(rest):
        teams[i % sessions].append(c)
    return teams


def split_family(
    index: ProgramIndex,
    group_type: GroupType,
    rooms: list[str],
    leaders: list[str],
    members: list[str],
    with_primary: set[str],
    fixed: list[Fixed] | None = None,
    cohort_of: Mapping[str, int] | None = None,
) -> list[Part]:
    """Divide ``members`` into ``len(rooms)`` sessions, one per room and team of leaders.

    ``with_primary`` holds the patients already seated with their primary
    counselor in an earlier family; the others go first into their primary's
    session. The set is updated. ``fixed`` parts (from pins, at most one per
    session) are the first sessions returned, in their order, each with its room,
    counselors and patients. ``cohort_of`` (patient -> planned cohort) keeps each
    cohort in one session where the sizes allow it.
    """
    assert rooms and len(leaders) == len(rooms) * group_type.staff_required, (
        "a running family has one room and staff_required leaders per session"
    )
    if fixed:
        return _split_pinned(index, group_type, rooms, leaders, members, with_primary, fixed)
    teams = form_teams(index, group_type, len(rooms), leaders)
    if cohort_of and len(rooms) > 1:
        packed = _split_cohorts(index, group_type, rooms, teams, members, cohort_of, with_primary)
        if packed is not None:
            return packed
    wants: list[list[str]] = [[] for _ in teams]
    team_of = {c: i for i, team in enumerate(teams) for c in team}
    for pid in sorted(members, key=lambda p: (p in with_primary, p)):
        primary = index.patient[pid].primary_counselor
        if primary in team_of:
            wants[team_of[primary]].append(pid)
    # The team with most of their own patients gets the biggest room.
    order = sorted(range(len(teams)), key=lambda i: (-len(wants[i]), teams[i]))
    teams = [teams[i] for i in order]
    wants = [wants[i] for i in order]
    rooms, caps = _largest_first(index, group_type, rooms)
    sizes = [min(max(group_type.min_size, len(w)), cap) for w, cap in zip(wants, caps)]
    while sum(sizes) > len(members):
        i = max(range(len(sizes)), key=lambda j: (sizes[j] - group_type.min_size, -j))
        sizes[i] -= 1
    while sum(sizes) < len(members):
        i = max(range(len(sizes)), key=lambda j: (caps[j] - sizes[j], -j))
        sizes[i] += 1
    groups: list[list[str]] = [w[: sizes[i]] for i, w in enumerate(wants)]
    placed = {pid for g in groups for pid in g}
    rest = iter(pid for pid in members if pid not in placed)
    for i, group in enumerate(groups):
        while len(group) < sizes[i]:
            group.append(next(rest))
    for team, group in zip(teams, groups):
        with_primary.update(p for p in group if index.patient[p].primary_counselor in team)
    return [
        Part(room, sorted(team), sorted(group)) for room, team, group in zip(rooms, teams, groups)
    ]


def _split_cohorts(
    index: ProgramIndex,
    g: GroupType,
    rooms: list[str],
    teams: list[list[str]],
    members: list[str],
    cohort_of: Mapping[str, int],
    with_primary: set[str],
) -> list[Part] | None:
    """The family split with each planned cohort whole in one session: cohorts first,
    largest first, each where most room is left; then the others, to the smallest
    sessions. Each group then gets the team that leads the most of its patients not yet
    seated with their primary counselor (``with_primary``, updated). None when that
    leaves a session outside its sizes."""
    rooms, caps = _largest_first(index, g, rooms)
    units: dict[int, list[str]] = {}
    singles: list[str] = []
    for pid in sorted(members):
        if pid in cohort_of:
            units.setdefault(cohort_of[pid], []).append(pid)
        else:
            singles.append(pid)
    groups: list[list[str]] = [[] for _ in rooms]
    for unit in sorted(units.values(), key=lambda u: (-len(u), u)):
        room_left = [caps[i] - len(groups[i]) for i in range(len(groups))]
        i = max(range(len(groups)), key=lambda k: (not groups[k], room_left[k], -k))
        if room_left[i] < len(unit):
            return None
        groups[i] += unit
    for pid in singles:
        open_ = [i for i in range(len(groups)) if len(groups[i]) < caps[i]]
        if not open_:
            return None
        groups[min(open_, key=lambda k: (len(groups[k]), k))].append(pid)
    if any(len(group) < g.min_size for group in groups):
        return None
    parts = []
    teams_left = list(teams)
    for room, group in zip(rooms, groups):
        team = max(
            teams_left,
            key=lambda t: (_meeting(index, group, t, with_primary), -teams_left.index(t)),
        )
        teams_left.remove(team)
        with_primary.update(p for p in group if index.patient[p].primary_counselor in team)
        parts.append(Part(room, sorted(team), sorted(group)))
    return parts


def _meeting(index: ProgramIndex, group: list[str], team: list[str], with_primary: set[str]) -> int:
    """Patients of ``group`` who would meet their primary counselor in ``team`` for the
    first time."""
    return sum(
        1 for p in group if p not in with_primary and index.patient[p].primary_counselor in team
    )


def _largest_first(
    index: ProgramIndex, g: GroupType, rooms: list[str]
) -> tuple[list[str], list[int]]:
    """The rooms, largest first, and the patients a session of ``g`` can take in each."""
    ordered = sorted(rooms, key=lambda r: (-index.room[r].capacity, r))
    return ordered, [g.holds(index.room[r].capacity) for r in ordered]


def _split_pinned(
    index: ProgramIndex,
    group_type: GroupType,
    rooms: list[str],
    leaders: list[str],
    members: list[str],
    with_primary: set[str],
    fixed: list[Fixed],
) -> list[Part]:
    """``split_family`` with pinned parts: each fixed part gets its room (or the largest
    left), its counselors and patients; the rest is dealt as evenly as the sizes allow."""
    g = group_type
    free_rooms = sorted(rooms, key=lambda r: (-index.room[r].capacity, r))
    for f in fixed:
        if f.room is not None:
            free_rooms.remove(f.room)
    chosen = [f.room if f.room is not None else free_rooms.pop(0) for f in fixed]
    chosen += free_rooms
    teams: list[list[str]] = [list(f.counselors) for f in fixed] + [[] for _ in free_rooms]
    groups: list[list[str]] = [list(f.patients) for f in fixed] + [[] for _ in free_rooms]
    spare = sorted(c for c in leaders if not any(c in t for t in teams))
    if g.requires_role is not None:
        for team in teams:
            holders = [c for c in spare if index.has_role(index.counselor[c], g.requires_role)]
            if holders and not any(
                index.has_role(index.counselor[c], g.requires_role) for c in team
            ):
                team.append(holders[0])
                spare.remove(holders[0])
    for team in teams:
        while len(team) < g.staff_required and spare:
            team.append(spare.pop(0))
    caps = [g.holds(index.room[r].capacity) for r in chosen]
    placed = {p for group in groups for p in group}
    rest = [p for p in sorted(members, key=lambda p: (p in with_primary, p)) if p not in placed]
    # Patients to their primary counselor's session first, then the smallest sessions.
    for pid in list(rest):
        primary = index.patient[pid].primary_counselor
        k = next((k for k, t in enumerate(teams) if primary in t), None)
        if k is not None and len(groups[k]) < g.min_size:
            groups[k].append(pid)
            rest.remove(pid)
    for pid in rest:
        short = [k for k in range(len(groups)) if len(groups[k]) < g.min_size]
        roomy = [k for k in range(len(groups)) if len(groups[k]) < caps[k]]
        k = min(short or roomy, key=lambda k: (len(groups[k]), k))
        groups[k].append(pid)
    for team, group in zip(teams, groups):
        with_primary.update(p for p in group if index.patient[p].primary_counselor in team)
    return [
        Part(room, sorted(team), sorted(group)) for room, team, group in zip(chosen, teams, groups)
    ]
