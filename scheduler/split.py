"""Split the families of the aggregated model into concrete sessions.

Two steps: ``split_family`` divides each family on its own, greedily, which
always succeeds; ``seat_jointly`` then improves the seating of the whole week
at once with a small exact model, so that as many patients as possible meet
their primary counselor in some session (the greedy split cannot look ahead to
later days). The greedy split is its starting point, so it is never worse.

A family (period, group type, stage) that runs ``k`` sessions has ``k`` rooms,
``k * staff_required`` counselors (at least ``k`` with the type's required
role) and a set of members whose size the model kept within ``[k * min_size,
sum of min(max_size, room seats)]``, so an even split always exists; avoid
pairs never share a family, and families of a type that couples share run one
session. The split only decides who works and sits with whom: teams get one
role holder each, and patients go to the session their primary counselor
leads where sizes allow.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from models import GroupType, ProgramIndex


@dataclass(frozen=True)
class Part:
    """One concrete session of a family."""

    room: str
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
) -> list[Part]:
    """Divide ``members`` into ``len(rooms)`` sessions, one per room and team of leaders.

    ``with_primary`` holds the patients already seated with their primary
    counselor in an earlier family; the others go first into their primary's
    session. The set is updated.
    """
    assert rooms and len(leaders) == len(rooms) * group_type.staff_required, (
        "a running family has one room and staff_required leaders per session"
    )
    teams = form_teams(index, group_type, len(rooms), leaders)
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
    rooms = sorted(rooms, key=lambda r: (-index.room[r].capacity, r))
    seats = group_type.seats_per_patient
    caps = [min(group_type.max_size, index.room[r].capacity // seats) for r in rooms]
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


def seat_jointly(
    index: ProgramIndex,
    families: list[tuple[GroupType, list[Part]]],
    time_limit: float = 10.0,
) -> list[list[Part]]:
    """Reseat the members of every family among its sessions (rooms and teams stay),
    within each session's size limits, so that the most patients meet their primary
    counselor somewhere in the week.

    Families of one session have no choice but still count. Returns the parts of each
    family in the order given; the given split is kept when nothing is better.
    """
    model = cp_model.CpModel()
    seat: dict[tuple[int, int, str], cp_model.IntVar] = {}
    meets: dict[str, list[cp_model.LinearExprT]] = {}
    for f, (g, parts) in enumerate(families):
        members = [pid for part in parts for pid in part.patients]
        for i, part in enumerate(parts):
            cap = min(g.max_size, index.room[part.room].capacity // g.seats_per_patient)
            here = []
            for pid in members:
                var = model.new_bool_var(f"seat[{f},{i},{pid}]")
                model.add_hint(var, pid in part.patients)
                seat[(f, i, pid)] = var
                here.append(var)
                if index.patient[pid].primary_counselor in part.counselors:
                    meets.setdefault(pid, []).append(var)
            model.add_linear_constraint(sum(here), g.min_size, cap)
        for pid in members:
            model.add_exactly_one(seat[(f, i, pid)] for i in range(len(parts)))
    met = []
    for pid, options in meets.items():
        var = model.new_bool_var(f"meets_primary[{pid}]")
        model.add(var <= sum(options))
        met.append(var)
    model.maximize(sum(met))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [parts for _, parts in families]  # out of time before the hint was checked
    result = []
    for f, (_, parts) in enumerate(families):
        members = [pid for part in parts for pid in part.patients]
        result.append(
            [
                Part(
                    part.room,
                    part.counselors,
                    sorted(pid for pid in members if solver.boolean_value(seat[(f, i, pid)])),
                )
                for i, part in enumerate(parts)
            ]
        )
    return result
