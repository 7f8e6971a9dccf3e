"""Step 5's state: the groups being formed in a period (``Draft``), those held
(``Held``), and what the week's groups have used so far (``Groups``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from models import GroupType
from models.index import PeriodRef
from scheduler.greedy.classes import Class
from scheduler.greedy.lookups import Program
from scheduler.greedy.pencil import Claims


@dataclass
class Draft:
    """A group being formed in one period."""

    gtype: GroupType
    stage: str | None
    members: list[str]
    room: str
    team: list[str]
    topic: str | None


@dataclass(frozen=True)
class Held:
    """A group as it was held: what the schedule writes."""

    period: PeriodRef
    gtype: str
    stage: str | None
    room: str
    counselors: tuple[str, ...]
    patients: tuple[str, ...]
    topic: str | None


class Groups:
    """The week's groups as they are formed period by period (``periods.hold_groups``):
    what they have used so far, and this period's busy counselors and rooms."""

    def __init__(
        self,
        prog: Program,
        attend: dict[str, list[str]],
        classes: dict[str, list[Class]],
        claims: Claims,
    ) -> None:
        self.prog = prog
        self.idx = prog.idx
        self.attend = attend
        self.classes = classes
        # Pencilled-in appointments: their counselors lead no group then, and keep the
        # minutes free within max_hours_per_day.
        self.reserved: dict[tuple[str, str], int] = defaultdict(int)
        self.blocked: set[tuple[str, str, int]] = set()
        for pencilled in claims.of_patient.values():
            for c in pencilled:
                self.reserved[(c.counselor, c.time.day)] += c.time.minutes
                for q in self.prog.periods_clashing[c.time.key]:
                    self.blocked.add((c.counselor, q.slot, q.index))
        patients = prog.inst.patients
        self.order = {p.id: i for i, p in enumerate(patients)}
        self.counts = {p.id: [0] * len(prog.rows[p.stage]) for p in patients}
        # Topics each patient heard of strict curricula (and earlier weeks): never again.
        self.heard = {p.id: set(p.completed_topics) for p in patients}
        self.led_by: dict[str, set[str]] = defaultdict(set)
        self.week_minutes: dict[str, int] = defaultdict(int)
        self.day_minutes: dict[tuple[str, str], int] = defaultdict(int)
        self.leads: set[tuple[str, str, int]] = set()
        self.held: list[Held] = []
        # Periods left (this one included) in all, and in classes of the patient's own stage.
        self.left_all: dict[str, int] = defaultdict(int)
        self.left_own: dict[str, int] = defaultdict(int)
        self.own_class: set[tuple[str, str]] = set()
        for slot, here in classes.items():
            periods = len(self.idx.periods_of[slot])
            for cls in here:
                for pid in cls.members:
                    self.left_all[pid] += periods
                    if cls.stage == self.idx.patient[pid].stage:
                        self.left_own[pid] += periods
                        self.own_class.add((pid, slot))
        self.together_types = self.idx.together_types
        w = prog.inst.weights
        self.w_load = w.load_imbalance_minutes
        self.w_primary = w.primary_not_leading
        self.join_bonus = float(w.session_run)
        # Per period.
        self.busy: set[str] = set()
        self.rooms_taken: set[str] = set()
        self.value_cache: dict[tuple[str, str], float] = {}
        self.free_room_cache: list[tuple[int, str]] | None = None
        self.urgency: dict[str, dict[int, float]] = {}
