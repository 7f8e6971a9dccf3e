"""Stability against last week: what a returning patient or a counselor feels changed.

Scored only against a previous schedule (``check(..., previous=...)``, ``solve
--previous``). Four terms, each a count of changes:

- ``block_changed``: a block a returning patient attends that they did not last week,
  or attended last week and no longer does (a swap is two);
- ``seat_changed``: a session of last week (type, stage, slot, period) a returning
  patient no longer sits in with all of last week's counselors. Within a period two
  sessions never share a counselor, so this keeps each patient in last week's session:
  peers stay together as long as each of them keeps theirs (what matters most in the
  stage-matched and process groups, but an education group's counselor and faces are
  the patient's week too: every type counts, so that an unchanged week moves nobody);
- ``session_moved``: a session of last week that no longer runs in its period with its
  room and all its counselors;
- ``primary_changed``: a patient without a given primary counselor assigned another
  than last week's assignment.

A returning patient is one of the instance's patients found in a session of last
week; new patients cost nothing. What the instance no longer has is ignored: a day,
block, period, group type or stage (the entries naming it), a room (its sessions), a
patient, or last week's primary counselor who can no longer be one for the patient.
A counselor who is gone still changes a session or a seat: its patients do meet
someone else (and an organization's sites then add up to the whole, see
``scheduler.sites``).

Pure functions of the sessions and the primary counselors, so the solver recomputes
the terms exactly after its read-back (``scheduler.program``), as the checker does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from models import Instance, ProgramIndex, Schedule, Session
from models.schedule import Changes
from scheduler.check.context import Checker
from scheduler.check.report import STABILITY_TERMS

Family = tuple[str, int, str, str | None]  # (slot, period, group type, stage)


@dataclass(frozen=True)
class Seat:
    """A returning patient's session of last week (its family and team)."""

    patient: str
    family: Family
    counselors: frozenset[str]
    session: str  # last week's session id, for messages


@dataclass(frozen=True)
class Recurring:
    """A session of last week the instance can still hold: its family, room and team."""

    family: Family
    room: str
    counselors: frozenset[str]
    session: str


@dataclass
class LastWeek:
    """The previous schedule as this instance sees it (see the module docstring)."""

    blocks: dict[str, set[str]] = field(default_factory=dict)  # returning patient -> slots
    seats: list[Seat] = field(default_factory=list)
    sessions: list[Recurring] = field(default_factory=list)
    primaries: dict[str, str] = field(default_factory=dict)  # patient -> last week's primary


@dataclass(frozen=True)
class Change:
    """One unit of one stability term, for one entity."""

    term: str
    message: str
    ids: tuple[str, ...]
    patient: str | None = None  # the patient it moves (block and seat terms)


def family_of(s: Session) -> Family:
    return (s.slot, s.period, s.group_type, s.stage)


def last_week(idx: ProgramIndex, previous: Schedule) -> LastWeek:
    """Read ``previous`` against the instance of ``idx``: returning patients' blocks and
    seats, the sessions that can recur, the assigned primaries that can stay."""
    inst = idx.instance
    week = LastWeek()
    for s in previous.sessions:
        here = [pid for pid in s.patients if pid in idx.patient]
        for pid in here:
            week.blocks.setdefault(pid, set())
            if s.slot in idx.slot_rank:
                week.blocks[pid].add(s.slot)
        g = idx.group_type.get(s.group_type)
        known = (
            g is not None
            and (s.slot, s.period) in idx.period_at
            and (s.stage in inst.stages if g.stage_matched else s.stage is None)
        )
        if not known:
            continue
        team = frozenset(s.counselors)
        week.seats += [Seat(pid, family_of(s), team, s.id) for pid in here]
        if s.room in idx.room:
            week.sessions.append(Recurring(family_of(s), s.room, team, s.id))
    for pid, cid in previous.primary_counselors.items():
        p = idx.patient.get(pid)
        c = idx.counselor.get(cid)
        if p is None or p.primary_counselor is not None or c is None:
            continue
        if c.can_be_primary and idx.works_at(c, p.site):
            week.primaries[pid] = cid
    return week


def stability_changes(
    idx: ProgramIndex, sessions: Iterable[Session], assigned: Mapping[str, str], week: LastWeek
) -> list[Change]:
    """Every unit of the four terms, for ``sessions`` and the ``assigned`` primaries."""
    sessions = list(sessions)
    attends: dict[str, set[str]] = defaultdict(set)
    sits: dict[tuple[str, Family], list[frozenset[str]]] = defaultdict(list)
    runs: dict[tuple[Family, str], frozenset[str]] = {}
    for s in sessions:
        team = frozenset(s.counselors)
        runs[(family_of(s), s.room)] = team
        for pid in s.patients:
            attends[pid].add(s.slot)
            sits[(pid, family_of(s))].append(team)
    changes: list[Change] = []
    for pid, before in week.blocks.items():
        now = attends.get(pid, set())
        for slot in sorted(now - before, key=idx.slot_rank.__getitem__):
            text = f"{pid} attends {slot}, which they did not last week"
            changes.append(Change("block_changed", text, (pid, slot), pid))
        for slot in sorted(before - now, key=idx.slot_rank.__getitem__):
            text = f"{pid} no longer attends {slot}, as they did last week"
            changes.append(Change("block_changed", text, (pid, slot), pid))
    for seat in week.seats:
        if not any(seat.counselors <= team for team in sits.get((seat.patient, seat.family), [])):
            text = (
                f"{seat.patient} no longer sits in {_family_label(idx, seat.family)} with "
                f"{_team(seat.counselors)} (last week's {seat.session})"
            )
            changes.append(Change("seat_changed", text, (seat.patient, seat.session), seat.patient))
    for rec in week.sessions:
        running = runs.get((rec.family, rec.room))
        if running is None or not rec.counselors <= running:
            text = (
                f"last week's {rec.session}, {_family_label(idx, rec.family)} in {rec.room} "
                f"with {_team(rec.counselors)}, does not run so again"
            )
            changes.append(Change("session_moved", text, (rec.session, rec.room)))
    for pid, cid in week.primaries.items():
        now_cid = assigned.get(pid)
        if now_cid != cid:
            text = f"{pid}'s assigned primary counselor was {cid} last week, now {now_cid}"
            changes.append(Change("primary_changed", text, (pid, cid)))
    return changes


def term_totals(changes: Iterable[Change], weights: object) -> dict[str, int]:
    """The weighted stability terms of ``changes`` (terms of weight 0 left out)."""
    totals = {t: 0 for t in STABILITY_TERMS if getattr(weights, t)}
    for c in changes:
        if c.term in totals:
            totals[c.term] += getattr(weights, c.term)
    return totals


def change_counts(
    instance: Instance, schedule: Schedule, previous: Schedule, changes: list[Change] | None = None
) -> Changes:
    """Patients moved (returning patients with a block or seat changed), sessions moved and
    counselors whose group sessions changed."""
    idx = ProgramIndex(instance)
    if changes is None:
        week = last_week(idx, previous)
        changes = stability_changes(idx, schedule.sessions, schedule.primary_counselors, week)
    moved = {c.patient for c in changes if c.patient is not None}
    sessions = sum(1 for c in changes if c.term == "session_moved")
    return Changes(
        patients_moved=len(moved),
        sessions_moved=sessions,
        counselors_changed=len(counselors_changed(idx, schedule.sessions, previous.sessions)),
    )


def counselors_changed(
    idx: ProgramIndex, sessions: Iterable[Session], before: Iterable[Session]
) -> list[str]:
    """The instance's counselors whose group sessions (family and room) are not last week's."""

    def led(week: Iterable[Session]) -> dict[str, set[tuple[Family, str]]]:
        out: dict[str, set[tuple[Family, str]]] = defaultdict(set)
        for s in week:
            for cid in s.counselors:
                out[cid].add((family_of(s), s.room))
        return out

    now, then = led(sessions), led(before)
    return [cid for cid in idx.counselor if now.get(cid, set()) != then.get(cid, set())]


def stability(ck: Checker) -> None:
    """Against the previous schedule, when there is one: each change, at its term's weight."""
    if ck.previous is None:
        return
    w = ck.inst.weights
    week = last_week(ck.idx, ck.previous)
    for c in stability_changes(ck.idx, ck.sessions, ck.primary, week):
        ck.penalty(c.term, getattr(w, c.term), 1, c.message, *c.ids)


def _family_label(idx: ProgramIndex, family: Family) -> str:
    slot, period, group_type, stage = family
    what = group_type if stage is None else f"{group_type} ({stage})"
    return f"{what} at {idx.period_at[(slot, period)].label}"


def _team(counselors: frozenset[str]) -> str:
    return " and ".join(sorted(counselors)) or "no counselor"
