"""The judge: checks a schedule against an instance and recomputes its objective.

Pure Python; imports no solver. Every rule the CP-SAT model enforces is checked
here independently, from the instance and the schedule alone, and reported as
a :class:`Violation` with a message a coordinator understands. The objective is
recomputed term by term (:class:`Penalty` per entity), so it also scores
hand-made or hand-edited timetables.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from models import Instance, ProgramIndex, Schedule, Session

TERMS = (
    "session_run",
    "excess_minutes",
    "preferred_missed",
    "load_imbalance_minutes",
    "primary_not_leading",
)


@dataclass(frozen=True)
class Violation:
    """A broken hard rule."""

    rule: str
    message: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class Penalty:
    """One soft-term cost of one entity: ``amount`` units times the term's weight."""

    term: str
    ids: tuple[str, ...]
    amount: int
    cost: int
    message: str


@dataclass
class CheckReport:
    """What the checker found: violations (empty when valid) and the objective."""

    violations: list[Violation] = field(default_factory=list)
    penalties: list[Penalty] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def terms(self) -> dict[str, int]:
        totals = dict.fromkeys(TERMS, 0)
        for p in self.penalties:
            totals[p.term] += p.cost
        return totals

    @property
    def objective(self) -> int:
        return sum(p.cost for p in self.penalties)

    def rules(self) -> list[str]:
        """The broken rules, one entry per violation, in order found."""
        return [v.rule for v in self.violations]


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} h"


class _Checker:
    def __init__(self, instance: Instance, schedule: Schedule) -> None:
        self.inst = instance
        self.idx = ProgramIndex(instance)
        self.schedule = schedule
        self.report = CheckReport()
        # Sessions that reference only known objects; the others are reported once.
        self.sessions: list[Session] = []
        self.patient_sessions: dict[str, list[Session]] = defaultdict(list)
        # Group minutes per patient and per counselor, over those sessions.
        self.patient_minutes: dict[str, int] = defaultdict(int)
        self.counselor_minutes: dict[str, int] = defaultdict(int)

    def violation(self, rule: str, message: str, *ids: str) -> None:
        self.report.violations.append(Violation(rule, message, tuple(ids)))

    def penalty(self, term: str, weight: int, amount: int, message: str, *ids: str) -> None:
        if weight and amount:
            self.report.penalties.append(
                Penalty(term, tuple(ids), amount, weight * amount, message)
            )

    def clashes(
        self, rule: str, owner_verb: str, groups: dict[tuple[str, str, int], list[Session]]
    ) -> None:
        """Report every (owner, slot, period) with more than one session.

        ``owner_verb`` phrases the message, e.g. ``"room {} holds"``.
        """
        for (owner, slot, period), here in groups.items():
            if len(here) > 1:
                label = self.idx.period_at[(slot, period)].label
                ids = ", ".join(s.id for s in here)
                self.violation(
                    rule,
                    f"{owner_verb.format(owner)} {len(here)} sessions in {label} ({ids})",
                    owner,
                    *(s.id for s in here),
                )

    # -- structure ---------------------------------------------------------------

    def check_references(self) -> None:
        """Every session names a real slot, period, group type, room, counselors and patients."""
        seen: set[str] = set()
        idx = self.idx
        for s in self.schedule.sessions:
            if s.id in seen:
                self.violation("session_id", f"session id {s.id} is used twice", s.id)
            seen.add(s.id)
            problems = []
            if s.slot not in idx.block_of:
                problems.append(f"slot {s.slot} does not exist")
            elif (s.slot, s.period) not in idx.period_at:
                problems.append(f"block {s.block} has no period {s.period}")
            else:
                ref = idx.period_at[(s.slot, s.period)]
                if (s.start, s.end) != (ref.start, ref.end):
                    problems.append(
                        f"times {s.start}-{s.end} differ from period {s.period} ({ref.start}-{ref.end})"
                    )
            if s.group_type not in idx.group_type:
                problems.append(f"group type {s.group_type} does not exist")
            if s.room not in idx.room:
                problems.append(f"room {s.room} does not exist")
            problems += [
                f"counselor {c} does not exist" for c in s.counselors if c not in idx.counselor
            ]
            problems += [f"patient {p} does not exist" for p in s.patients if p not in idx.patient]
            if len(set(s.patients)) != len(s.patients):
                problems.append("a patient is listed twice")
            if len(set(s.counselors)) != len(s.counselors):
                problems.append("a counselor is listed twice")
            if s.stage is not None and s.stage not in idx.stage_rank:
                problems.append(f"stage {s.stage} does not exist")
            if problems:
                for msg in problems:
                    self.violation("reference", f"session {s.id}: {msg}", s.id)
                continue
            # From here on s.minutes is the period's length: the times were checked above.
            self.sessions.append(s)
            for pid in s.patients:
                self.patient_sessions[pid].append(s)
                self.patient_minutes[pid] += s.minutes
            for cid in s.counselors:
                self.counselor_minutes[cid] += s.minutes

    # -- rule 1: whole blocks ------------------------------------------------------

    def check_whole_blocks(self) -> None:
        """In a block they attend, a patient is in exactly one session in every period."""
        for pid, sessions in self.patient_sessions.items():
            by_period: dict[tuple[str, int], list[Session]] = defaultdict(list)
            for s in sessions:
                by_period[(s.slot, s.period)].append(s)
            for slot in sorted({s.slot for s in sessions}, key=self.idx.slots.index):
                for period in self.idx.periods_of[slot]:
                    here = by_period.get(period.key, [])
                    if not here:
                        self.violation(
                            "whole_block",
                            f"{pid} attends {slot} but is in no session at {period.start}-{period.end}",
                            pid,
                            slot,
                        )
                    elif len(here) > 1:
                        ids = ", ".join(s.id for s in here)
                        self.violation(
                            "double_booked",
                            f"{pid} is in {len(here)} sessions at once ({ids}) in {period.label}",
                            pid,
                            *(s.id for s in here),
                        )

    def check_patient_availability(self) -> None:
        """A patient attends only slots they are available for."""
        for pid, sessions in self.patient_sessions.items():
            available = set(self.idx.patient[pid].available)
            for slot in sorted({s.slot for s in sessions} - available, key=self.idx.slots.index):
                self.violation("patient_available", f"{pid} is not available in {slot}", pid, slot)

    def check_one_block_per_day(self) -> None:
        """A patient attends at most one block per day."""
        for pid, sessions in self.patient_sessions.items():
            by_day: dict[str, set[str]] = defaultdict(set)
            for s in sessions:
                by_day[s.day].add(s.block)
            for day, blocks in by_day.items():
                if len(blocks) > 1:
                    self.violation(
                        "one_block_per_day",
                        f"{pid} attends {len(blocks)} blocks on {day} ({', '.join(sorted(blocks))})",
                        pid,
                        day,
                    )

    # -- rule 2: hours and days --------------------------------------------------

    def check_hours_and_days(self) -> None:
        """Weekly hours between min_hours and max_hours; at least min_days days."""
        for p in self.inst.patients:
            sessions = self.patient_sessions.get(p.id, [])
            total = self.patient_minutes.get(p.id, 0)
            if total < p.min_minutes:
                self.violation(
                    "min_hours",
                    f"{p.id} has {_hours(total)}, below min_hours {p.min_hours:g}",
                    p.id,
                )
            if total > p.max_minutes:
                self.violation(
                    "max_hours",
                    f"{p.id} has {_hours(total)}, above max_hours {p.max_hours:g}",
                    p.id,
                )
            days = len({s.day for s in sessions})
            if days < p.min_days:
                self.violation(
                    "min_days", f"{p.id} attends on {days} days, below min_days {p.min_days}", p.id
                )

    # -- rule 3: requirements ------------------------------------------------------

    def check_requirements(self) -> None:
        """Each patient meets every requirement row of their stage."""
        for p in self.inst.patients:
            sessions = self.patient_sessions.get(p.id, [])
            for i, req in self.idx.requirements_of(p):
                got = sum(
                    1
                    for s in sessions
                    if self.idx.counts_for(req, self.idx.group_type[s.group_type])
                )
                if got < req.min_sessions:
                    self.violation(
                        "requirement",
                        f"{p.id} has {got} sessions of {req.target}, needs at least {req.min_sessions} "
                        f"(requirements[{i}])",
                        p.id,
                        f"requirements[{i}]",
                    )
                if req.max_sessions is not None and got > req.max_sessions:
                    self.violation(
                        "requirement",
                        f"{p.id} has {got} sessions of {req.target}, allows at most {req.max_sessions} "
                        f"(requirements[{i}])",
                        p.id,
                        f"requirements[{i}]",
                    )

    # -- rule 4: group composition -----------------------------------------------

    def check_group_size(self) -> None:
        """Group size within [min_size, max_size] of its type and within the room capacity."""
        for s in self.sessions:
            g = self.idx.group_type[s.group_type]
            n = len(s.patients)
            if n < g.min_size:
                self.violation(
                    "group_size",
                    f"session {s.id} ({g.id}) has {n} patients, below min_size {g.min_size}",
                    s.id,
                )
            if n > g.max_size:
                self.violation(
                    "group_size",
                    f"session {s.id} ({g.id}) has {n} patients, above max_size {g.max_size}",
                    s.id,
                )
            cap = self.idx.room[s.room].capacity
            if n > cap:
                self.violation(
                    "room_capacity",
                    f"session {s.id} has {n} patients in room {s.room} of capacity {cap}",
                    s.id,
                    s.room,
                )

    def check_eligibility(self) -> None:
        """Every member is eligible for the group type (stages, genders, tracks, flags)."""
        for s in self.sessions:
            g = self.idx.group_type[s.group_type]
            for pid in s.patients:
                if not self.idx.eligible(self.idx.patient[pid], g):
                    self.violation(
                        "eligibility",
                        f"{pid} is not eligible for {g.id} (session {s.id})",
                        pid,
                        s.id,
                    )

    def check_stage_matching(self) -> None:
        """A stage-matched session holds patients of its one stage; others have no stage."""
        for s in self.sessions:
            g = self.idx.group_type[s.group_type]
            if not g.stage_matched:
                if s.stage is not None:
                    self.violation(
                        "stage_matched",
                        f"session {s.id} has stage {s.stage} but {g.id} is not stage-matched",
                        s.id,
                    )
                continue
            if s.stage is None:
                self.violation(
                    "stage_matched", f"session {s.id} of stage-matched {g.id} has no stage", s.id
                )
                continue
            for pid in s.patients:
                stage = self.idx.patient[pid].stage
                if stage != s.stage:
                    self.violation(
                        "stage_matched",
                        f"{pid} (stage {stage}) is in stage-matched session {s.id} of stage {s.stage}",
                        pid,
                        s.id,
                    )

    def check_avoid(self) -> None:
        """No avoid pair shares a session."""
        for s in self.sessions:
            members = set(s.patients)
            for a, b in self.idx.avoid_pairs:
                if a in members and b in members:
                    self.violation(
                        "avoid",
                        f"{a} and {b} must not share a session but are both in {s.id}",
                        a,
                        b,
                        s.id,
                    )

    # -- rule 5: rooms -------------------------------------------------------------

    def check_rooms(self) -> None:
        """One session per room per period, only in the room's available slots."""
        by_room_period: dict[tuple[str, str, int], list[Session]] = defaultdict(list)
        for s in self.sessions:
            by_room_period[(s.room, s.slot, s.period)].append(s)
            if s.slot not in self.idx.room_slots(self.idx.room[s.room]):
                self.violation(
                    "room_available",
                    f"room {s.room} is not available in {s.slot} (session {s.id})",
                    s.room,
                    s.id,
                )
        self.clashes("room_clash", "room {} holds", by_room_period)

    # -- rule 6: counselors --------------------------------------------------------

    def check_counselors(self) -> None:
        """One qualified, available counselor per session, in one session per period, within max_hours."""
        by_counselor_period: dict[tuple[str, str, int], list[Session]] = defaultdict(list)
        for s in self.sessions:
            if len(s.counselors) != 1:
                self.violation(
                    "counselor_count",
                    f"session {s.id} has {len(s.counselors)} counselors, needs exactly 1",
                    s.id,
                )
            for cid in s.counselors:
                c = self.idx.counselor[cid]
                by_counselor_period[(cid, s.slot, s.period)].append(s)
                if s.group_type not in c.qualified:
                    self.violation(
                        "counselor_qualified",
                        f"{cid} is not qualified for {s.group_type} (session {s.id})",
                        cid,
                        s.id,
                    )
                if s.slot not in c.available:
                    self.violation(
                        "counselor_available",
                        f"{cid} is not available in {s.slot} (session {s.id})",
                        cid,
                        s.id,
                    )
        self.clashes("counselor_clash", "{} leads", by_counselor_period)
        for cid, minutes in self.counselor_minutes.items():
            cap = self.idx.counselor[cid].max_minutes
            if cap is not None and minutes > cap:
                self.violation(
                    "counselor_max_hours",
                    f"{cid} leads {_hours(minutes)} of groups, above max_hours {self.idx.counselor[cid].max_hours:g}",
                    cid,
                )

    # -- objective -----------------------------------------------------------------

    def score(self) -> None:
        """Recompute every soft term, entity by entity."""
        w = self.inst.weights
        for s in self.sessions:
            self.penalty(
                "session_run", w.session_run, 1, f"session {s.id} ({s.group_type}, {s.slot})", s.id
            )
        for p in self.inst.patients:
            sessions = self.patient_sessions.get(p.id, [])
            total = self.patient_minutes.get(p.id, 0)
            self.penalty(
                "excess_minutes",
                w.excess_minutes,
                max(0, total - p.min_minutes),
                f"{p.id} attends {_hours(total)}, {total - p.min_minutes} min above min_hours {p.min_hours:g}",
                p.id,
            )
            if p.preferred:
                for slot in sorted(
                    {s.slot for s in sessions} - set(p.preferred), key=self.idx.slots.index
                ):
                    self.penalty(
                        "preferred_missed",
                        w.preferred_missed,
                        1,
                        f"{p.id} attends {slot}, not a preferred slot",
                        p.id,
                        slot,
                    )
            if p.primary_counselor is not None and not any(
                p.primary_counselor in s.counselors for s in sessions
            ):
                self.penalty(
                    "primary_not_leading",
                    w.primary_not_leading,
                    1,
                    f"{p.id}'s primary counselor {p.primary_counselor} leads none of their groups",
                    p.id,
                    p.primary_counselor,
                )
        leaders = self.idx.group_leaders
        if len(leaders) >= 2:
            load = {c.id: self.counselor_minutes.get(c.id, 0) for c in leaders}
            most = max(load, key=lambda c: (load[c], c))
            least = min(load, key=lambda c: (load[c], c))
            self.penalty(
                "load_imbalance_minutes",
                w.load_imbalance_minutes,
                load[most] - load[least],
                f"{most} leads {_hours(load[most])} of groups, {least} {_hours(load[least])}",
                most,
                least,
            )

    def run(self) -> CheckReport:
        self.check_references()
        self.check_whole_blocks()
        self.check_patient_availability()
        self.check_one_block_per_day()
        self.check_hours_and_days()
        self.check_requirements()
        self.check_group_size()
        self.check_eligibility()
        self.check_stage_matching()
        self.check_avoid()
        self.check_rooms()
        self.check_counselors()
        self.score()
        return self.report


def check(instance: Instance, schedule: Schedule) -> CheckReport:
    """Check every hard rule and recompute the objective of a schedule.

    Parameters
    ----------
    instance
        The validated instance the schedule is for.
    schedule
        A schedule from the solver, a file, or made by hand.

    Returns
    -------
    CheckReport
        ``violations`` (empty when the schedule is valid), ``objective`` and
        ``terms`` recomputed from scratch, and one ``Penalty`` per entity.
    """
    return _Checker(instance, schedule).run()
