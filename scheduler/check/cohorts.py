"""Cohorts within the week: patients who stay together through a block, in one room, and
an interpersonal-process group that keeps its members from meeting to meeting.

Three soft terms, each computed from the instance and the schedule alone:

- ``room_change``: a patient's two consecutive periods of one block in different rooms
  (one unit per such pair).
- ``type_repeat_in_block``: a patient's second (third, ...) session of one group type in
  one block, beyond the repeats their requirement rows force (:func:`forced_repeats`).
- ``process_peers_changed``: between two consecutive meetings of a patient's
  interpersonal-process group type, the peers who left plus the peers who joined.

:func:`cohort_figures` gives the same facts as the figures a coordinator reads (the
share of patient-blocks with a room change or a repeated type, the mean overlap of
process peers), for the solve summary, ``show`` and the benchmarks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from models import Instance, Patient, ProgramIndex, Schedule, Session
from scheduler.check.context import Checker


def cohort_terms(ck: Checker) -> None:
    """The three cohort terms, patient by patient."""
    for p in ck.inst.patients:
        sessions = ck.patient_sessions.get(p.id, [])
        room_change(ck, p, sessions)
        type_repeat_in_block(ck, p, sessions)
        process_peers_changed(ck, p, sessions)


def room_change(ck: Checker, p: Patient, sessions: list[Session]) -> None:
    """Consecutive periods of one block in different rooms."""
    for before, after in room_changes(sessions):
        ck.penalty(
            "room_change",
            ck.inst.weights.room_change,
            1,
            f"{p.id} changes rooms in {before.slot}: {before.room} (period {before.period + 1})"
            f" -> {after.room} (period {after.period + 1})",
            p.id,
            before.slot,
        )


def type_repeat_in_block(ck: Checker, p: Patient, sessions: list[Session]) -> None:
    """A group type sat twice (or more) in one block, beyond the repeats the patient's
    requirement rows force; the repeats are reported block by block, the forced ones
    taken off the first."""
    repeats = block_repeats(sessions)
    allowed = forced_repeats(ck.idx, p, len({s.slot for s in sessions}))
    for slot, group_type, extra in repeats:
        taken = min(allowed, extra)
        allowed -= taken
        ck.penalty(
            "type_repeat_in_block",
            ck.inst.weights.type_repeat_in_block,
            extra - taken,
            f"{p.id} sits {group_type} {extra + 1} times in {slot}",
            p.id,
            slot,
            group_type,
        )


def process_peers_changed(ck: Checker, p: Patient, sessions: list[Session]) -> None:
    """Peers who left plus peers who joined between consecutive meetings of a patient's
    interpersonal-process group type."""
    for before, after in process_meetings(ck.idx, sessions):
        left, joined = peer_change(p.id, before, after)
        ck.penalty(
            "process_peers_changed",
            ck.inst.weights.process_peers_changed,
            len(left) + len(joined),
            f"{p.id}: {before.group_type} peers changed {before.slot} -> {after.slot}: "
            f"{len(left)} left, {len(joined)} joined",
            p.id,
            before.id,
            after.id,
        )


# -- the facts the terms and the figures share ----------------------------------------------


def by_block(sessions: Iterable[Session]) -> dict[str, list[Session]]:
    """A patient's sessions by slot, each slot's in period order."""
    blocks: dict[str, list[Session]] = defaultdict(list)
    for s in sorted(sessions, key=lambda s: (s.slot, s.period)):
        blocks[s.slot].append(s)
    return blocks


def room_changes(sessions: Iterable[Session]) -> list[tuple[Session, Session]]:
    """Consecutive periods of one block (a patient's) held in different rooms."""
    return [
        (a, b)
        for here in by_block(sessions).values()
        for a, b in zip(here, here[1:])
        if b.period == a.period + 1 and a.room != b.room
    ]


def block_repeats(sessions: Iterable[Session]) -> list[tuple[str, str, int]]:
    """(slot, group type, extra sessions) for each type a patient sits more than once in
    one block, in slot and type order."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for s in sessions:
        counts[(s.slot, s.group_type)] += 1
    return [(slot, g, n - 1) for (slot, g), n in sorted(counts.items()) if n > 1]


def forced_repeats(index: ProgramIndex, p: Patient, blocks: int) -> int:
    """Repeats within a block that the patient's requirement rows force when they attend
    ``blocks`` blocks, whichever blocks those are.

    A row asking for ``min_sessions`` of types the patient may join (``T`` of them) can
    place at most ``len(T)`` sessions in a block without a repeat, so it forces
    ``max(0, min_sessions - blocks * len(T))`` repeats. Rows that share no type force
    their repeats separately, so the forced repeats of rows sharing no type with a row
    already counted add up (largest first): never more than a schedule must have.
    """
    rows: list[tuple[int, frozenset[str]]] = []
    for _, req in index.requirements_of(p):
        types = frozenset(
            g.id
            for g in index.instance.group_types
            if index.counts_for(req, g) and index.eligible(p, g)
        )
        if types:
            rows.append((max(0, req.min_sessions - blocks * len(types)), types))
    total = 0
    counted: set[str] = set()
    for forced, types in sorted(rows, key=lambda r: (-r[0], sorted(r[1]))):
        if forced and not types & counted:
            total += forced
            counted |= types
    return total


def process_meetings(
    index: ProgramIndex, sessions: Iterable[Session]
) -> list[tuple[Session, Session]]:
    """A patient's consecutive meetings of each interpersonal-process group type
    (pairs in week order)."""
    by_type: dict[str, list[Session]] = defaultdict(list)
    for s in sessions:
        g = index.group_type.get(s.group_type)
        if g is not None and g.kind == "interpersonal_process":
            by_type[s.group_type].append(s)
    pairs = []
    for meetings in by_type.values():
        meetings.sort(key=lambda s: (index.slot_rank.get(s.slot, 0), s.period))
        pairs += list(zip(meetings, meetings[1:]))
    return pairs


def peer_change(pid: str, before: Session, after: Session) -> tuple[set[str], set[str]]:
    """The peers who left and the peers who joined from one meeting to the next."""
    was = set(before.patients) - {pid}
    now = set(after.patients) - {pid}
    return was - now, now - was


def readback_terms(instance: Instance, sessions: Iterable[Session]) -> dict[str, int]:
    """The weighted ``room_change`` and ``process_peers_changed`` of these sessions (the
    terms with weight 0 left out), as the checker computes them: the terms the solve's
    read-back decides."""
    w = instance.weights
    index = ProgramIndex(instance)
    mine = _by_patient(sessions)
    terms = {}
    if w.room_change:
        terms["room_change"] = w.room_change * sum(len(room_changes(ss)) for ss in mine.values())
    if w.process_peers_changed:
        changed = 0
        for pid, ss in mine.items():
            for before, after in process_meetings(index, ss):
                left, joined = peer_change(pid, before, after)
                changed += len(left) + len(joined)
        terms["process_peers_changed"] = w.process_peers_changed * changed
    return terms


def _by_patient(sessions: Iterable[Session]) -> dict[str, list[Session]]:
    mine: dict[str, list[Session]] = defaultdict(list)
    for s in sessions:
        for pid in s.patients:
            mine[pid].append(s)
    return mine


@dataclass(frozen=True)
class CohortFigures:
    """How much patients stay together: the cohort figures of a schedule."""

    patient_blocks: int  # (patient, block) pairs attended
    room_change_blocks: int  # those with at least one room change
    type_repeat_blocks: int  # those with a group type sat twice or more (forced or not)
    process_pairs: int  # consecutive meetings of a patient's process group type
    process_overlap: float | None  # mean Jaccard overlap of peers over those pairs

    @property
    def room_change_pct(self) -> float:
        return 100 * self.room_change_blocks / max(self.patient_blocks, 1)

    @property
    def type_repeat_pct(self) -> float:
        return 100 * self.type_repeat_blocks / max(self.patient_blocks, 1)

    def text(self) -> str:
        """One line: ``room changes 4.2 % of patient-blocks, type repeats 0.0 %, process
        peers overlap 83.1 %``."""
        overlap = "-" if self.process_overlap is None else f"{100 * self.process_overlap:.1f} %"
        return (
            f"room changes {self.room_change_pct:.1f} % of patient-blocks, "
            f"type repeats {self.type_repeat_pct:.1f} %, process peers overlap {overlap}"
        )


def cohort_figures(instance: Instance, schedule: Schedule) -> CohortFigures:
    """The cohort figures of a schedule.

    Parameters
    ----------
    instance
        The instance the schedule is for (it says which group types are
        interpersonal-process ones).
    schedule
        Any schedule.

    Returns
    -------
    CohortFigures
        Patient-blocks, those with a room change and with a repeated type, and the mean
        Jaccard overlap of a patient's process peers from one meeting of their type to
        the next (None without such pairs).
    """
    index = ProgramIndex(instance)
    mine = _by_patient(schedule.sessions)
    blocks = changed = repeated = 0
    overlaps: list[float] = []
    for pid, sessions in mine.items():
        slots = by_block(sessions)
        blocks += len(slots)
        changed += len({a.slot for a, _ in room_changes(sessions)})
        repeated += len({slot for slot, _, _ in block_repeats(sessions)})
        for before, after in process_meetings(index, sessions):
            was = set(before.patients) - {pid}
            now = set(after.patients) - {pid}
            overlaps.append(len(was & now) / max(len(was | now), 1))
    mean = sum(overlaps) / len(overlaps) if overlaps else None
    return CohortFigures(blocks, changed, repeated, len(overlaps), mean)
