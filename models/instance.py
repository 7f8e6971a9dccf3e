"""The instance: one week of an IOP (patients, counselors, rooms, rules).

This is a public JSON contract (``format_version: 1``). Field validators check
each object on its own; :func:`_check_references` then checks everything that
crosses objects (unique ids, references, slots) and reports all of those at
once. Pydantic runs the cross-object check only once every field is valid; for
a file with both kinds of problem, :func:`reference_problems_despite` runs it on
what did validate, so every problem is reported in one pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from models.errors import Problem, ReferenceProblems

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
TimeOfDay = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["09:00"])]
SlotRef = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$", examples=["tue.pm"]),
]
Kind = Literal["psychoeducational", "skills", "interpersonal_process"]
KINDS: tuple[Kind, ...] = ("psychoeducational", "skills", "interpersonal_process")
Role = Literal["counselor", "clinician", "prescriber", "case_manager"]
# Roles that can carry a caseload: primary counselors and individual counseling.
PRIMARY_ROLES: tuple[Role, ...] = ("counselor", "clinician")
_DEFAULT_ROLES: tuple[Role, ...] = ("counselor",)

# Group sizes by kind when a group type leaves them out (domain.md).
DEFAULT_SIZES: dict[str, tuple[int, int]] = {
    "psychoeducational": (4, 16),
    "skills": (4, 12),
    "interpersonal_process": (4, 10),
}


HOURS_IN_WEEK = 168
MAX_WEIGHT = 1_000_000  # keeps objectives exact in float64 (CP-SAT reports them as floats)


def minutes(time: str) -> int:
    """Minutes since midnight of an ``HH:MM`` string."""
    hours, mins = time.split(":")
    return int(hours) * 60 + int(mins)


class _Strict(BaseModel):
    # Unknown fields are almost always typos ("min_hour"): reject them.
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Sparse(_Strict):
    """A model with optional fields added to format 1 after it was published (sites).

    They are written only when set, so a file that does not use them (and the
    generator's output) reads and writes exactly as before they existed.
    """

    _omit_unset: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _drop_unset(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for name in self._omit_unset:
                if name in data and data[name] in (None, []):
                    del data[name]
        return data


class Period(_Strict):
    """A time range inside a block in which one group session runs."""

    start: TimeOfDay
    end: TimeOfDay

    @property
    def minutes(self) -> int:
        return minutes(self.end) - minutes(self.start)

    @model_validator(mode="after")
    def _ends_after_start(self) -> Period:
        if minutes(self.end) <= minutes(self.start):
            raise ValueError(f"period ends at {self.end}, not after its start {self.start}")
        return self


class Block(_Strict):
    """A part of the day (e.g. morning) that patients attend whole."""

    id: Id
    periods: list[Period] = Field(min_length=1)

    @property
    def start(self) -> int:
        return minutes(self.periods[0].start)

    @property
    def end(self) -> int:
        return minutes(self.periods[-1].end)

    @property
    def minutes(self) -> int:
        """Group time in the block: breaks between periods do not count."""
        return sum(p.minutes for p in self.periods)

    @field_validator("periods")
    @classmethod
    def _ordered(cls, periods: list[Period]) -> list[Period]:
        for before, after in zip(periods, periods[1:]):
            if minutes(after.start) < minutes(before.end):
                raise ValueError(
                    f"period {after.start}-{after.end} starts before the previous one "
                    f"ends ({before.end}); periods must be ordered and not overlap"
                )
        return periods


class GroupType(_Strict):
    """A kind of therapy group; eligibility fields that are given must all match."""

    id: Id
    kind: Kind
    min_size: int = Field(default=0, ge=0, le=1000, description="0 means the default of the kind")
    max_size: int = Field(
        default=0, ge=0, le=1000, description="0 means the default of the kind (at least min_size)"
    )
    stage_matched: bool = False
    stages: list[Id] | None = None
    genders: list[str] | None = None
    tracks: list[str] | None = None
    requires_flags: list[str] = Field(default_factory=list)
    topics: list[Id] = Field(
        default_factory=list, description="curriculum: every session of the type teaches one"
    )
    strict_curriculum: bool = Field(
        default=False, description="never repeat a topic to a patient (otherwise a penalty)"
    )
    staff_required: int = Field(default=1, ge=1, le=4, description="counselors per session")
    requires_role: Role | None = Field(
        default=None, description="at least one of the session's counselors has this role"
    )
    family: bool = Field(default=False, description="relatives attend: see family_seats")
    family_seats: int = Field(
        default=2, ge=1, le=10, description="room seats per patient in a family group"
    )

    @property
    def seats_per_patient(self) -> int:
        """Room seats one patient takes (with their relatives in family groups)."""
        return self.family_seats if self.family else 1

    @field_validator("topics")
    @classmethod
    def _distinct_topics(cls, topics: list[str]) -> list[str]:
        dupes = sorted({t for t in topics if topics.count(t) > 1})
        if dupes:
            raise ValueError(f"topic listed twice: {', '.join(dupes)}")
        return topics

    @model_validator(mode="after")
    def _sizes(self) -> GroupType:
        low, high = DEFAULT_SIZES[self.kind]
        # frozen model: fill defaults through object.__setattr__
        if self.min_size == 0:
            object.__setattr__(self, "min_size", low)
        if self.max_size == 0:
            object.__setattr__(self, "max_size", max(high, self.min_size))
        if self.min_size > self.max_size:
            raise ValueError(f"min_size {self.min_size} is above max_size {self.max_size}")
        return self


class Requirement(_Strict):
    """How many sessions of a group type (or kind) a patient attends per week."""

    stage: Id | None = None
    group_type: Id | None = None
    kind: Kind | None = None
    min_sessions: int = Field(default=0, ge=0, le=1000)
    max_sessions: int | None = Field(default=None, ge=0, le=1000)

    @model_validator(mode="after")
    def _one_target(self) -> Requirement:
        if (self.group_type is None) == (self.kind is None):
            raise ValueError("give exactly one of group_type and kind")
        if self.max_sessions is not None and self.min_sessions > self.max_sessions:
            raise ValueError(
                f"min_sessions {self.min_sessions} is above max_sessions {self.max_sessions}"
            )
        return self

    @property
    def target(self) -> str:
        return self.group_type if self.group_type is not None else f"kind {self.kind}"


class Site(_Strict):
    """One location of a multi-site organization; rooms and patients belong to one."""

    id: Id
    name: str | None = None


class Patient(_Sparse):
    """A patient in the program this week."""

    _omit_unset = ("site",)

    id: Id
    stage: Id
    available: list[SlotRef]
    min_hours: float = Field(default=9, ge=0, le=HOURS_IN_WEEK, allow_inf_nan=False)
    max_hours: float = Field(default=19, ge=0, le=HOURS_IN_WEEK, allow_inf_nan=False)
    min_days: int = Field(default=3, ge=0)
    track: str | None = None
    gender: str | None = None
    flags: list[str] = Field(default_factory=list)
    preferred: list[SlotRef] = Field(default_factory=list)
    primary_counselor: Id | None = Field(
        default=None, description="when absent the solver assigns one (see primary_counselors)"
    )
    avoid: list[Id] = Field(default_factory=list)
    medication_management: bool = Field(
        default=False, description="one appointment a week with a prescriber"
    )
    completed_topics: list[Id] = Field(
        default_factory=list, description="curriculum topics heard in earlier weeks"
    )
    site: Id | None = Field(
        default=None, description="the site the patient attends (required when there are sites)"
    )

    @property
    def min_minutes(self) -> int:
        return round(self.min_hours * 60)

    @property
    def max_minutes(self) -> int:
        return round(self.max_hours * 60)

    @model_validator(mode="after")
    def _hours(self) -> Patient:
        if self.min_hours > self.max_hours:
            raise ValueError(f"min_hours {self.min_hours:g} is above max_hours {self.max_hours:g}")
        return self


class Counselor(_Sparse):
    """A staff member who leads groups."""

    _omit_unset = ("sites",)

    id: Id
    qualified: list[Id]
    available: list[SlotRef]
    name: str | None = None
    max_hours: float | None = Field(
        default=None,
        ge=0,
        le=HOURS_IN_WEEK,
        allow_inf_nan=False,
        description="group hours per week",
    )
    max_hours_per_day: float | None = Field(
        default=None,
        ge=0,
        le=24,
        allow_inf_nan=False,
        description="hours of groups and appointments per day",
    )
    roles: list[Role] = Field(default_factory=lambda: list(_DEFAULT_ROLES))
    max_individual: int | None = Field(
        default=None, ge=0, le=1000, description="individual sessions per week"
    )
    max_caseload: int | None = Field(
        default=None, ge=0, le=1000, description="patients with this primary counselor"
    )
    sites: list[Id] | None = Field(
        default=None,
        description="the sites they may work at, one a day; any site when absent",
    )

    @field_validator("sites")
    @classmethod
    def _some_sites(cls, sites: list[str] | None) -> list[str] | None:
        if sites is None:
            return sites
        if not sites:
            raise ValueError("give at least one site, or leave sites out (any site)")
        dupes = sorted({s for s in sites if sites.count(s) > 1})
        if dupes:
            raise ValueError(f"site listed twice: {', '.join(dupes)}")
        return sites

    @property
    def max_minutes(self) -> int | None:
        return None if self.max_hours is None else round(self.max_hours * 60)

    @property
    def max_minutes_per_day(self) -> int | None:
        return None if self.max_hours_per_day is None else round(self.max_hours_per_day * 60)

    @property
    def can_be_primary(self) -> bool:
        return any(r in PRIMARY_ROLES for r in self.roles)


class Room(_Sparse):
    """A group room, or an office for one-to-one appointments."""

    _omit_unset = ("site",)

    id: Id
    capacity: int = Field(ge=1, le=1000)
    type: Literal["group", "office"] = Field(
        default="group", description="groups meet in group rooms, appointments in offices"
    )
    available: list[SlotRef] | None = Field(default=None, description="all slots when absent")
    site: Id | None = Field(
        default=None, description="the site the room is at (required when there are sites)"
    )


class Individual(_Strict):
    """Individual counseling: one-to-one sessions with the primary counselor."""

    duration_minutes: int = Field(default=50, ge=30, le=60)
    per_week: int = Field(default=1, ge=0, le=7)
    per_week_by_stage: dict[Id, int] = Field(
        default_factory=dict, description="per_week for patients of these stages"
    )
    adjacent_minutes: int = Field(
        default=30,
        ge=0,
        le=240,
        description="an appointment this close to the patient's block that day needs no extra trip",
    )

    @field_validator("per_week_by_stage")
    @classmethod
    def _counts(cls, by_stage: dict[str, int]) -> dict[str, int]:
        for stage, n in by_stage.items():
            if not 0 <= n <= 7:
                raise ValueError(f"per_week of stage '{stage}' is {n}, not within 0-7")
        return by_stage


class Screening(_Strict):
    """Drug and alcohol monitoring: specimen collections in attended blocks."""

    per_week: int = Field(default=1, ge=0, le=7)
    capacity_per_block: int = Field(default=8, ge=1, le=1000)


class Together(_Strict):
    """Two patients who must share all their sessions of one group type (couples groups)."""

    patients: list[Id] = Field(min_length=2, max_length=2)
    group_type: Id


class Weights(_Strict):
    """Objective weights; 0 switches a term off. All terms are minimized."""

    session_run: int = Field(default=60, ge=0, le=MAX_WEIGHT, description="per group session run")
    excess_minutes: int = Field(
        default=1, ge=0, le=MAX_WEIGHT, description="per minute a patient attends above min_hours"
    )
    preferred_missed: int = Field(
        default=30,
        ge=0,
        le=MAX_WEIGHT,
        description="per block a patient attends outside their preferred slots",
    )
    load_imbalance_minutes: int = Field(
        default=1,
        ge=0,
        le=MAX_WEIGHT,
        description="per minute between the most and least loaded group-leading counselor",
    )
    primary_not_leading: int = Field(
        default=60,
        ge=0,
        le=MAX_WEIGHT,
        description="per patient whose primary counselor leads none of their groups",
    )
    individual_extra_trip: int = Field(
        default=20,
        ge=0,
        le=MAX_WEIGHT,
        description="per appointment not next to the patient's block that day",
    )
    topic_repeat: int = Field(
        default=200,
        ge=0,
        le=MAX_WEIGHT,
        description="per session whose topic the patient heard this week or completed before",
    )
    shortfall_minutes: int = Field(
        default=100,
        ge=0,
        le=MAX_WEIGHT,
        description="best effort only: per minute a patient is below min_hours",
    )
    shortfall_days: int = Field(
        default=6000,
        ge=0,
        le=MAX_WEIGHT,
        description="best effort only: per day a patient is below min_days",
    )
    shortfall_sessions: int = Field(
        default=6000,
        ge=0,
        le=MAX_WEIGHT,
        description=(
            "best effort only: per session a patient lacks of a requirement row, an "
            "individual or medication appointment, or a screen"
        ),
    )
    caseload_imbalance: int = Field(
        default=10,
        ge=0,
        le=MAX_WEIGHT,
        description=(
            "per patient between the largest and smallest caseload, when the solver "
            "assigns primary counselors"
        ),
    )


class Instance(_Sparse):
    """One week of one program: everything the scheduler needs."""

    _omit_unset = ("sites",)

    format_version: Literal[1] = 1
    name: str = Field(min_length=1)
    week_of: dt.date | None = None
    days: list[Id] = Field(min_length=1)
    blocks: list[Block] = Field(min_length=1)
    stages: list[Id] = Field(min_length=1)
    group_types: list[GroupType] = Field(min_length=1)
    requirements: list[Requirement] = Field(default_factory=list)
    patients: list[Patient] = Field(default_factory=list)
    counselors: list[Counselor] = Field(default_factory=list)
    rooms: list[Room] = Field(default_factory=list)
    individual: Individual = Field(default_factory=Individual)
    individual_slots: list[Period] = Field(
        default_factory=list,
        description=(
            "times of day, on every day, for one-to-one appointments; "
            "no individual counseling or medication management without them"
        ),
    )
    screening: Screening | None = Field(default=None, description="no screens when absent")
    together: list[Together] = Field(default_factory=list)
    weights: Weights = Field(default_factory=Weights)
    sites: list[Site] = Field(
        default_factory=list,
        description=(
            "locations of a multi-site organization: then every room and patient names "
            "one, and a counselor works at one site a day"
        ),
    )

    @property
    def slots(self) -> list[str]:
        """Every ``day.block`` in week order."""
        return [f"{d}.{b.id}" for d in self.days for b in self.blocks]

    @model_validator(mode="after")
    def _references(self) -> Instance:
        problems = _check_references(self)
        if problems:
            raise ReferenceProblems(problems)
        return self


def reference_problems_despite(
    data: Any, field_errors: list[tuple[str | int, ...]]
) -> list[Problem]:
    """The cross-object problems of instance data that also has field problems.

    Pydantic skips ``Instance._references`` when any field fails, which would leave
    a file with both kinds of problem to be fixed in two passes. Here every object
    that validates is used as it is and every one that does not as its raw fields,
    and the cross-object check runs on that. Problems inside an object that already
    has a field problem, or naming one, are left out (they could be echoes of it).
    When the data is too broken to build even that (a list that is not a list, say),
    there are none.
    """
    if not isinstance(data, dict):
        return []
    fields: dict[str, Any] = {}
    try:
        for name, info in Instance.model_fields.items():
            if name not in data:
                continue
            item = _item_model(info.annotation)
            raw = data[name]
            if item is None:
                fields[name] = raw
            elif isinstance(raw, list):
                fields[name] = [_lenient(item, x) for x in raw]
            else:
                fields[name] = _lenient(item, raw)
        problems = _check_references(Instance.model_construct(**fields))
    except Exception:  # noqa: BLE001 - anything too broken to check: the field problems say why
        return []
    broken = {_raw_id(data, loc) for loc in field_errors} - {None}
    return [
        p
        for p in problems
        if not any(p.loc[: len(loc)] == loc for loc in field_errors if loc)
        and not any(f"'{ident}'" in p.message for ident in broken)
    ]


def _raw_id(data: dict[str, Any], loc: tuple[str | int, ...]) -> str | None:
    """The id of the object a problem is in (``('counselors', 2, ...)`` -> its id)."""
    if len(loc) < 2 or not isinstance(loc[1], int):
        return None
    items = data.get(str(loc[0]))
    item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
    ident = item.get("id") if isinstance(item, dict) else None
    return ident if isinstance(ident, str) else None


def _item_model(annotation: Any) -> type[BaseModel] | None:
    """The model of a field (or of its list items), if it has one."""
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _lenient(model: type[BaseModel], raw: Any) -> BaseModel:
    """``raw`` validated, or, if it does not validate, its fields as they are."""
    try:
        return model.model_validate(raw)
    except ValueError:
        if not isinstance(raw, dict):
            raise
        return model.model_construct(**raw)


def _check_references(inst: Instance) -> list[Problem]:
    """Every cross-object rule of the format, as one list of problems."""
    problems: list[Problem] = []

    def add(loc: tuple[str | int, ...], msg: str) -> None:
        problems.append(Problem(loc, msg))

    def unique(field: str, ids: list[str]) -> set[str]:
        seen: set[str] = set()
        for i, ident in enumerate(ids):
            if ident in seen:
                add(
                    (field, i, "id") if field not in ("days", "stages") else (field, i),
                    f"duplicate id '{ident}'",
                )
            seen.add(ident)
        return seen

    days = unique("days", inst.days)
    stages = unique("stages", inst.stages)
    unique("blocks", [b.id for b in inst.blocks])
    types = unique("group_types", [g.id for g in inst.group_types])
    patients = unique("patients", [p.id for p in inst.patients])
    counselors = unique("counselors", [c.id for c in inst.counselors])
    unique("rooms", [r.id for r in inst.rooms])
    slots = set(inst.slots)

    ordered = sorted(enumerate(inst.blocks), key=lambda ib: ib[1].start)
    for (_, a), (j, b) in zip(ordered, ordered[1:]):
        if b.start < a.end:
            add(("blocks", j, "periods"), f"block '{b.id}' overlaps block '{a.id}'")

    def check_slots(loc: tuple[str | int, ...], refs: list[str] | None) -> None:
        for k, ref in enumerate(refs or []):
            if ref not in slots:
                add((*loc, k), f"'{ref}' is not a slot (day.block, e.g. '{inst.slots[0]}')")

    for i, g in enumerate(inst.group_types):
        for k, s in enumerate(g.stages or []):
            if s not in stages:
                add(("group_types", i, "stages", k), f"'{s}' is not a stage")
    for i, r in enumerate(inst.requirements):
        if r.stage is not None and r.stage not in stages:
            add(("requirements", i, "stage"), f"'{r.stage}' is not a stage")
        if r.group_type is not None and r.group_type not in types:
            add(("requirements", i, "group_type"), f"'{r.group_type}' is not a group type id")
    for i, p in enumerate(inst.patients):
        if p.stage not in stages:
            add(("patients", i, "stage"), f"'{p.stage}' is not a stage")
        if p.primary_counselor is not None and p.primary_counselor not in counselors:
            add(
                ("patients", i, "primary_counselor"),
                f"'{p.primary_counselor}' is not a counselor id",
            )
        for k, other in enumerate(p.avoid):
            if other == p.id:
                add(("patients", i, "avoid", k), "a patient cannot avoid themself")
            elif other not in patients:
                add(("patients", i, "avoid", k), f"'{other}' is not a patient id")
        if p.min_days > len(days):
            add(("patients", i, "min_days"), f"{p.min_days} is more than the {len(days)} days")
        check_slots(("patients", i, "available"), p.available)
        check_slots(("patients", i, "preferred"), p.preferred)
    for i, c in enumerate(inst.counselors):
        for k, t in enumerate(c.qualified):
            if t not in types:
                add(("counselors", i, "qualified", k), f"'{t}' is not a group type id")
        check_slots(("counselors", i, "available"), c.available)
    for i, room in enumerate(inst.rooms):
        check_slots(("rooms", i, "available"), room.available)
    _check_services(inst, add, stages, types, patients)
    _check_sites(inst, add, unique("sites", [s.id for s in inst.sites]))
    return problems


def _check_services(
    inst: Instance,
    add: Callable[[tuple[str | int, ...], str], None],
    stages: set[str],
    types: set[str],
    patients: set[str],
) -> None:
    """Cross-object rules of individual counseling, medication, curriculum and pairs."""
    counselor = {c.id: c for c in inst.counselors}
    for i, p in enumerate(inst.patients):
        c = counselor.get(p.primary_counselor or "")
        if c is not None and not c.can_be_primary:
            add(
                ("patients", i, "primary_counselor"),
                f"'{c.id}' has neither the counselor nor the clinician role",
            )
    for stage in inst.individual.per_week_by_stage:
        if stage not in stages:
            add(("individual", "per_week_by_stage", stage), f"'{stage}' is not a stage")
    slots = sorted(enumerate(inst.individual_slots), key=lambda ip: minutes(ip[1].start))
    for i, slot in slots:
        if slot.minutes < inst.individual.duration_minutes:
            add(
                ("individual_slots", i),
                f"{slot.start}-{slot.end} is shorter than individual.duration_minutes "
                f"{inst.individual.duration_minutes}",
            )
    for (_, a), (j, b) in zip(slots, slots[1:]):
        if minutes(b.start) < minutes(a.end):
            add(("individual_slots", j), f"{b.start}-{b.end} overlaps {a.start}-{a.end}")
    if inst.individual_slots and not any(r.type == "office" for r in inst.rooms):
        add(("individual_slots",), "appointments need a room of type 'office'; there is none")
    topics = {t for g in inst.group_types for t in g.topics}
    strict = {t: g.id for g in inst.group_types if g.strict_curriculum for t in g.topics}
    for i, g in enumerate(inst.group_types):
        for k, t in enumerate(g.topics):
            if not g.strict_curriculum and t in strict:
                add(
                    ("group_types", i, "topics", k),
                    f"'{t}' is also a topic of strict_curriculum type '{strict[t]}'; "
                    "a topic is strict in every type or in none",
                )
    for i, p in enumerate(inst.patients):
        for k, t in enumerate(p.completed_topics):
            if t not in topics:
                add(
                    ("patients", i, "completed_topics", k),
                    f"'{t}' is not a topic of any group type",
                )
    for i, pair in enumerate(inst.together):
        if pair.group_type not in types:
            add(("together", i, "group_type"), f"'{pair.group_type}' is not a group type id")
        for k, pid in enumerate(pair.patients):
            if pid not in patients:
                add(("together", i, "patients", k), f"'{pid}' is not a patient id")
        one, other = pair.patients
        if one == other:
            add(("together", i, "patients"), "a pair needs two different patients")
        elif any((p.id, q) in ((one, other), (other, one)) for p in inst.patients for q in p.avoid):
            add(("together", i, "patients"), f"{one} and {other} also avoid each other")


def _check_sites(
    inst: Instance, add: Callable[[tuple[str | int, ...], str], None], sites: set[str]
) -> None:
    """Multi-site rules: with sites every room and patient is at a known one, each site with
    patients has rooms for them, and a pair or a primary counselor can meet them there.
    Without sites nothing may name one."""

    def known(loc: tuple[str | int, ...], site: str | None, required: bool) -> bool:
        if site is None:
            if required and sites:
                add(loc, "required when the instance lists sites")
            return False
        if site not in sites:
            none = "; the instance lists no sites" if not sites else ""
            add(loc, f"'{site}' is not a site id{none}")
            return False
        return True

    # A room at a missing or unknown site is reported once, not again as a site without rooms.
    rooms_known = all(
        [known(("rooms", i, "site"), room.site, required=True) for i, room in enumerate(inst.rooms)]
    )
    site_of: dict[str, str] = {}
    for i, p in enumerate(inst.patients):
        if known(("patients", i, "site"), p.site, required=True) and p.site is not None:
            site_of[p.id] = p.site
    for i, c in enumerate(inst.counselors):
        for k, named in enumerate(c.sites or []):
            known(("counselors", i, "sites", k), named, required=False)
    if not sites:
        return
    for j, place in enumerate(inst.sites):
        n = sum(1 for s in site_of.values() if s == place.id)
        if not n or not rooms_known:
            continue
        who = f"{n} patient" if n == 1 else f"{n} patients"
        rooms = {r.type for r in inst.rooms if r.site == place.id}
        if "group" not in rooms:
            add(("sites", j), f"{who} but no group room")
        # Without any office at all the instance-wide check already says so.
        has_offices = any(r.type == "office" for r in inst.rooms)
        if inst.individual_slots and has_offices and "office" not in rooms:
            add(("sites", j), f"{who} but no office for their appointments")
    counselor = {c.id: c for c in inst.counselors}
    for i, p in enumerate(inst.patients):
        primary = counselor.get(p.primary_counselor or "")
        if primary is None or primary.sites is None or p.id not in site_of:
            continue
        if p.site in primary.sites:
            continue
        add(
            ("patients", i, "primary_counselor"),
            f"'{primary.id}' does not work at the patient's site {p.site} "
            f"(their sites: {', '.join(primary.sites)})",
        )
    for i, pair in enumerate(inst.together):
        one, other = pair.patients
        if one in site_of and other in site_of and site_of[one] != site_of[other]:
            add(
                ("together", i, "patients"),
                f"{one} (site {site_of[one]}) and {other} (site {site_of[other]}) are at "
                "different sites; a pair must be at one site",
            )
