"""Lookups precomputed from a validated instance, shared by the solver model and the checker.

They make the rule code read like the rule: ``index.eligible(patient, group_type)``,
``index.periods_of[slot]``, ``index.applies(requirement, patient)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from models.base import minutes
from models.instance import Instance
from models.people import Counselor, Patient, Together
from models.places import Room
from models.program import Block, GroupType, Requirement
from models.schedule import Session

_Sited = TypeVar("_Sited", Patient, Room)


def clock(mins: int) -> str:
    """``HH:MM`` of minutes since midnight."""
    return f"{mins // 60:02d}:{mins % 60:02d}"


@dataclass(frozen=True)
class PeriodRef:
    """One period of one block on one day: the unit in which a session runs."""

    slot: str
    day: str
    block: str
    index: int
    start: str
    end: str
    minutes: int

    @property
    def key(self) -> tuple[str, int]:
        return (self.slot, self.index)

    @property
    def label(self) -> str:
        return f"{self.slot} {self.start}-{self.end}"


@dataclass(frozen=True)
class AppointmentTime:
    """One individual slot on one day: when a one-to-one appointment can happen.

    ``slot`` is the day's block the time belongs to (the one it overlaps, else
    the nearest): people and offices must be available in that block.
    """

    day: str
    index: int
    start: int  # minutes since midnight
    end: int
    slot: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.day, self.index)

    @property
    def minutes(self) -> int:
        return self.end - self.start

    @property
    def label(self) -> str:
        return f"{self.day} {clock(self.start)}-{clock(self.end)}"


def gap(start: int, end: int, other_start: int, other_end: int) -> int:
    """Minutes between two time ranges; 0 when they overlap or touch."""
    return max(0, other_start - end, start - other_end)


def overlaps(start: int, end: int, other_start: int, other_end: int) -> bool:
    return start < other_end and other_start < end


def home_block(start: int, end: int, blocks: Mapping[str, tuple[int, int]]) -> str:
    """The block (id -> start, end) a time range belongs to: the one it overlaps, else the
    nearest, the earlier on a tie. Shared with the generator, so both read times alike."""
    return min(
        blocks,
        key=lambda b: (
            not overlaps(start, end, *blocks[b]),
            gap(start, end, *blocks[b]),
            blocks[b][0],
        ),
    )


class ProgramIndex:
    """Read-only lookups over one instance."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.slots: list[str] = instance.slots
        self.block_of: dict[str, Block] = {}
        self.day_of: dict[str, str] = {}
        self.periods_of: dict[str, list[PeriodRef]] = {}
        for day in instance.days:
            for block in instance.blocks:
                slot = f"{day}.{block.id}"
                self.block_of[slot] = block
                self.day_of[slot] = day
                self.periods_of[slot] = [
                    PeriodRef(slot, day, block.id, i, p.start, p.end, p.minutes)
                    for i, p in enumerate(block.periods)
                ]
        self.periods: list[PeriodRef] = [p for s in self.slots for p in self.periods_of[s]]
        self.period_at: dict[tuple[str, int], PeriodRef] = {p.key: p for p in self.periods}
        self.group_type: dict[str, GroupType] = {g.id: g for g in instance.group_types}
        self.patient: dict[str, Patient] = {p.id: p for p in instance.patients}
        self.counselor: dict[str, Counselor] = {c.id: c for c in instance.counselors}
        self.room: dict[str, Room] = {r.id: r for r in instance.rooms}
        self.stage_rank: dict[str, int] = {s: i for i, s in enumerate(instance.stages)}
        self.slot_rank: dict[str, int] = {s: i for i, s in enumerate(self.slots)}
        self._room_slots: dict[str, set[str]] = {
            r.id: set(self.slots if r.available is None else r.available) for r in instance.rooms
        }
        self.group_rooms: list[Room] = [r for r in instance.rooms if r.type == "group"]
        self.offices: list[Room] = [r for r in instance.rooms if r.type == "office"]
        self.appointment_times: list[AppointmentTime] = []
        duration = instance.individual.duration_minutes
        spans = {b.id: (b.start, b.end) for b in instance.blocks}
        for day in instance.days:
            for k, t in enumerate(instance.individual_slots):
                start = minutes(t.start)
                end = start + duration
                home = home_block(start, end, spans)
                self.appointment_times.append(AppointmentTime(day, k, start, end, f"{day}.{home}"))
        self._clashing: dict[tuple[str, int, int], frozenset[str]] = {}  # blocks_clashing
        self.appointment_at: dict[tuple[str, int], AppointmentTime] = {
            t.key: t for t in self.appointment_times
        }
        # Sites (multi-site organizations): ids in instance order; empty for one program.
        self.sites: list[str] = [s.id for s in instance.sites]

    def individual_per_week(self, patient: Patient) -> int:
        """Individual sessions the patient needs this week (none without individual slots)."""
        if not self.instance.individual_slots:
            return 0
        ind = self.instance.individual
        return ind.per_week_by_stage.get(patient.stage, ind.per_week)

    def needs_medication(self, patient: Patient) -> bool:
        return patient.medication_management and bool(self.instance.individual_slots)

    def screens_per_week(self) -> int:
        screening = self.instance.screening
        return 0 if screening is None else screening.per_week

    def appointment_time(self, day: str, start: str, end: str) -> AppointmentTime | None:
        """The appointment time an entry of a schedule names, if it is one."""
        for t in self.appointment_times:
            if t.day == day and clock(t.start) == start and clock(t.end) == end:
                return t
        return None

    def appointment_times_for(
        self, patient: Patient, attending: Iterable[str] | None = None
    ) -> list[AppointmentTime]:
        """Times the patient could come to: available in the time's block, and with a block
        that day they could attend (of ``attending``, by default all theirs) without
        overlapping it."""
        slots = set(self.patient_slots(patient))
        blocks = slots if attending is None else set(attending)
        return [
            t
            for t in self.appointment_times
            if t.slot in slots
            and any(s in blocks and s not in self.blocks_clashing(t) for s in self.day_slots(t.day))
        ]

    def day_slots(self, day: str) -> list[str]:
        """The slots of one day, in block order."""
        return [f"{day}.{b.id}" for b in self.instance.blocks]

    def blocks_clashing(self, time: AppointmentTime) -> frozenset[str]:
        """Slots of the day whose block overlaps the appointment: a patient there cannot come.

        Worked out once per time: the cohort plan asks it for every patient it tries."""
        key = (time.day, time.start, time.end)
        if key not in self._clashing:
            self._clashing[key] = frozenset(
                f"{time.day}.{b.id}"
                for b in self.instance.blocks
                if overlaps(time.start, time.end, b.start, b.end)
            )
        return self._clashing[key]

    def periods_clashing(self, time: AppointmentTime) -> list[PeriodRef]:
        """Periods of the day that overlap the appointment: a counselor leading one is busy."""
        return [
            p
            for b in self.instance.blocks
            for p in self.periods_of[f"{time.day}.{b.id}"]
            if overlaps(time.start, time.end, minutes(p.start), minutes(p.end))
        ]

    def next_to(self, time: AppointmentTime, slot: str) -> bool:
        """Whether the appointment is directly before or after the block (no extra trip)."""
        block = self.block_of[slot]
        return (
            self.day_of[slot] == time.day
            and not overlaps(time.start, time.end, block.start, block.end)
            and gap(time.start, time.end, block.start, block.end)
            <= self.instance.individual.adjacent_minutes
        )

    def has_role(self, counselor: Counselor, role: str | None) -> bool:
        return role is None or role in counselor.roles

    @cached_property
    def strict_topics(self) -> set[str]:
        """Topics never to repeat: those a strict_curriculum group type teaches (in any type)."""
        return {t for g in self.instance.group_types if g.strict_curriculum for t in g.topics}

    @cached_property
    def together_types(self) -> set[str]:
        """Group types some pair must share."""
        return {pair.group_type for pair in self.instance.together}

    @cached_property
    def prescribers(self) -> list[Counselor]:
        return [c for c in self.instance.counselors if "prescriber" in c.roles]

    @cached_property
    def primary_candidates(self) -> list[Counselor]:
        """Counselors who can carry a caseload (counselor or clinician role)."""
        return [c for c in self.instance.counselors if c.can_be_primary]

    @cached_property
    def unassigned(self) -> list[Patient]:
        """Patients without a primary counselor: the solver assigns one."""
        return [p for p in self.instance.patients if p.primary_counselor is None]

    def block_minutes(self, slot: str) -> int:
        return self.block_of[slot].minutes

    def patient_slots(self, patient: Patient) -> list[str]:
        """Slots the patient can attend, in week order."""
        available = set(patient.available)
        return [s for s in self.slots if s in available]

    def room_slots(self, room: Room) -> set[str]:
        """Slots the room can be used in (every slot when the instance names none)."""
        return self._room_slots[room.id]

    def eligible(self, patient: Patient, group_type: GroupType) -> bool:
        """Whether the patient may join a group of this type (``GroupType.admits``)."""
        return group_type.admits(patient)

    def applies(self, requirement: Requirement, patient: Patient) -> bool:
        return requirement.stage is None or requirement.stage == patient.stage

    def counts_for(self, requirement: Requirement, group_type: GroupType) -> bool:
        """Whether a session of this type counts toward the requirement row."""
        if requirement.group_type is not None:
            return requirement.group_type == group_type.id
        return requirement.kind == group_type.kind

    def requirements_of(self, patient: Patient) -> list[tuple[int, Requirement]]:
        """The requirement rows (with their index in the instance) that bind the patient."""
        return [
            (i, r) for i, r in enumerate(self.instance.requirements) if self.applies(r, patient)
        ]

    @cached_property
    def avoid_pairs(self) -> list[tuple[str, str]]:
        """Pairs never to share a session, each once, whichever side listed it."""
        pairs = {tuple(sorted((p.id, q))) for p in self.instance.patients for q in p.avoid}
        return sorted(pairs)  # type: ignore[arg-type]

    @cached_property
    def group_leaders(self) -> list[Counselor]:
        """Counselors who can lead some group: the ones load balance is measured over."""
        return [c for c in self.instance.counselors if c.qualified and c.available]

    def in_week_order(self, sessions: Iterable[Session]) -> list[Session]:
        """The sessions in week order (slot, period, type, stage, room), numbered S001, ...:
        how every schedule lists them, whoever made it."""
        ordered = sorted(
            sessions,
            key=lambda s: (self.slot_rank[s.slot], s.period, s.group_type, s.stage or "", s.room),
        )
        width = max(3, len(str(len(ordered))))
        return [s.model_copy(update={"id": f"S{i:0{width}d}"}) for i, s in enumerate(ordered, 1)]

    def balance_groups(self) -> list[tuple[str | None, list[Counselor]]]:
        """(site, group leaders) among whom group load is balanced: everyone without sites;
        with sites, per site, the leaders who work only there (staff who may work at several
        sites are left out: their load at one site says little)."""
        if not self.multi_site:
            return [(None, self.group_leaders)]
        return [(s, [c for c in self.group_leaders if self.sites_of(c) == [s]]) for s in self.sites]

    def caseload_groups(self) -> list[tuple[str | None, list[Counselor]]]:
        """(site, primary candidates) among whom caseloads are balanced, where the solver
        assigns primaries: as ``balance_groups``, for the sites with unassigned patients."""
        if not self.multi_site:
            return [(None, self.primary_candidates)] if self.unassigned else []
        return [
            (s, [c for c in self.primary_candidates if self.sites_of(c) == [s]])
            for s in self.sites
            if any(p.site == s for p in self.unassigned)
        ]

    # -- sites -------------------------------------------------------------------------

    @property
    def multi_site(self) -> bool:
        """Whether the instance lists sites (even one): then every room and patient has one
        and the site rules apply. Without sites everything is one program."""
        return bool(self.sites)

    def site_of_room(self, room_id: str) -> str | None:
        """The site of a room (None without sites)."""
        return self.room[room_id].site

    def site_of_patient(self, patient_id: str) -> str | None:
        """The site a patient attends (None without sites)."""
        return self.patient[patient_id].site

    def sites_of(self, counselor: Counselor) -> list[str]:
        """The sites a counselor may work at: their ``sites``, else every site."""
        return list(counselor.sites) if counselor.sites is not None else list(self.sites)

    def works_at(self, counselor: Counselor, site: str | None) -> bool:
        """Whether the counselor may work at the site (always without sites)."""
        return site is None or counselor.sites is None or site in counselor.sites

    @cached_property
    def _patients_by_site(self) -> dict[str, list[Patient]]:
        return _by_site(self.instance.patients)

    @cached_property
    def _rooms_by_site(self) -> dict[str, list[Room]]:
        return _by_site(self.instance.rooms)

    def patients_at(self, site: str) -> list[Patient]:
        """The site's patients, in instance order."""
        return self._patients_by_site.get(site, [])

    def rooms_at(self, site: str) -> list[Room]:
        """The site's rooms (group rooms and offices), in instance order."""
        return self._rooms_by_site.get(site, [])

    def group_rooms_at(self, site: str) -> list[Room]:
        return [r for r in self.rooms_at(site) if r.type == "group"]

    def offices_at(self, site: str) -> list[Room]:
        return [r for r in self.rooms_at(site) if r.type == "office"]

    def counselors_for(self, site: str) -> list[Counselor]:
        """Staff who may work at the site (those without ``sites`` may work anywhere), in
        instance order; a counselor listed at two sites appears at both."""
        return [c for c in self.instance.counselors if self.works_at(c, site)]

    def together_at(self, site: str) -> list[Together]:
        """The together pairs of the site's patients (a pair is always at one site)."""
        here = {p.id for p in self.patients_at(site)}
        return [t for t in self.instance.together if t.patients[0] in here]


def _by_site(items: Iterable[_Sited]) -> dict[str, list[_Sited]]:
    """Items (patients, rooms) by their site, in instance order."""
    by_site: dict[str, list[_Sited]] = {}
    for item in items:
        if item.site is not None:
            by_site.setdefault(item.site, []).append(item)
    return by_site
