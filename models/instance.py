"""The instance: one week of an IOP (patients, counselors, rooms, rules).

This is a public JSON contract (``format_version: 1``). Field validators check
each object on its own; :func:`_check_references` then checks everything that
crosses objects (unique ids, references, slots) and reports all of those at
once. Pydantic runs the cross-object check only once every field is valid; for
a file with both kinds of problem, :func:`reference_problems_despite` runs it on
what did validate, so every problem is reported in one pass.

The parts of an instance are defined next to it: the week and its groups in
:mod:`models.program`, patients and counselors in :mod:`models.people`, sites and
rooms in :mod:`models.places`, individual counseling and screening in
:mod:`models.services`, the objective in :mod:`models.weights`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any, get_args, get_origin

from pydantic import Field, TypeAdapter, model_validator

from models.base import Date, FormatVersion, Id, SparseModel, TimeZone, minutes
from models.errors import Problem, ReferenceProblems
from models.people import Counselor, Patient, Together
from models.phases import Phase, phase_problems
from models.pins import Pin, pin_problems
from models.places import Room, Site
from models.program import Block, GroupType, Period, Requirement
from models.schedule import Schedule
from models.services import Individual, Screening
from models.weights import Weights


class Instance(SparseModel):
    """One week of one program: everything the scheduler needs."""

    _omit_unset = ("sites", "timezone", "pins", "phases", "previous")

    format_version: FormatVersion = 1
    name: str = Field(min_length=1)
    week_of: Date | None = Field(
        default=None, description="the Monday (or first day) of the week: dates for calendars"
    )
    timezone: TimeZone | None = Field(
        default=None,
        description="IANA time zone of the program's clock times, e.g. 'America/Chicago'",
    )
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
    pins: list[Pin] = Field(
        default_factory=list,
        description="sessions, attendance and appointments fixed by hand: kept exactly",
    )
    phases: list[Phase] = Field(
        default_factory=list,
        description=(
            "rolling program: the stage and hours of each week of a patient's stay, for "
            "patients who give admitted instead of a stage, e.g. weeks 1-4 "
            '{"stage": "early", "from_week": 1, "to_week": 4, "min_hours": 9, '
            '"max_hours": 19}, weeks 5 on {"stage": "maintenance", "from_week": 5}, the '
            'last two before discharge {"stage": "step_down", "final_weeks": 2, '
            '"min_hours": 6, "max_hours": 6}; range phases may not overlap'
        ),
    )
    previous: Schedule | None = Field(
        default=None,
        description=(
            "last week's schedule (roll records it): solve, check and score keep the week "
            "like it unless another previous schedule is given"
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
    a file with both kinds of problem to be fixed in two passes. Here the cross-object
    check runs on what does validate: every item of a list that validates (the others
    are left out, and the problems found are placed at the items' own positions), every
    other field that validates. A problem that could be an echo of a field problem is
    left out: one inside an object with a field problem, one naming such an object's
    id, and one that looks ids up in a top-level field whose ids are not all known
    (:func:`_unknown_fields`): with ``"days": "mon"`` no slot reference is reported.
    """
    if not isinstance(data, dict):
        return []
    fields: dict[str, Any] = {}
    kept: dict[str, list[int]] = {}  # list field -> the raw positions of the items used
    for name, info in Instance.model_fields.items():
        annotation: Any = info.annotation
        listed = get_origin(annotation) is list
        raw = data.get(name)
        if listed and isinstance(raw, list):
            item = TypeAdapter(get_args(annotation)[0])
            fields[name], kept[name] = [], []
            for i, x in enumerate(raw):
                try:
                    fields[name].append(item.validate_python(x))
                    kept[name].append(i)
                except ValueError:
                    pass  # its field problems say why
        elif name in data:
            with suppress(ValueError):  # the default is used; its field problems say why
                fields[name] = TypeAdapter(annotation).validate_python(raw)
        if name not in fields and listed and info.is_required():
            fields[name] = []
    try:
        problems = _check_references(Instance.model_construct(**fields))
    except Exception:  # noqa: BLE001 - anything too broken to check: the field problems say why
        return []
    unknown = _unknown_fields(data, field_errors)
    broken = {_raw_id(data, loc) for loc in field_errors} - {None}
    out = []
    for p in problems:
        loc = p.loc
        if len(loc) > 1 and isinstance(loc[1], int) and str(loc[0]) in kept:
            loc = (loc[0], kept[str(loc[0])][loc[1]], *loc[2:])
        if set(p.refers_to) & unknown:
            continue
        if any(loc[: len(err)] == err for err in field_errors if err):
            continue
        if any(f"'{ident}'" in p.message for ident in broken):
            continue
        out.append(Problem(loc, p.message, p.refers_to))
    return out


# The week's structure: a slot reference names a day and a block, so a day or block left
# out of the check (even one with a valid id) makes every slot reference uncertain.
_STRUCTURE = ("days", "blocks")


def _unknown_fields(data: dict[str, Any], field_errors: list[tuple[str | int, ...]]) -> set[str]:
    """The top-level fields whose ids are not all known, given the field problems: the
    field as a whole (wrong type, missing, empty), an item that is not an object, an
    item's id, any item of the week's structure, any part of a field that is one object
    (``individual``)."""
    unknown: set[str] = set()
    for loc in field_errors:
        if not loc or not isinstance(loc[0], str):
            continue
        name, items = loc[0], data.get(loc[0])
        if len(loc) == 1 or name in _STRUCTURE or not isinstance(items, list):
            unknown.add(name)
            continue
        item = items[loc[1]] if isinstance(loc[1], int) else None
        if not isinstance(item, dict) or loc[2:3] == ("id",):
            unknown.add(name)
    return unknown


def _raw_id(data: dict[str, Any], loc: tuple[str | int, ...]) -> str | None:
    """The id of the object a problem is in (``('counselors', 2, ...)`` -> its id)."""
    if len(loc) < 2 or not isinstance(loc[1], int):
        return None
    items = data.get(str(loc[0]))
    item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
    ident = item.get("id") if isinstance(item, dict) else None
    return ident if isinstance(ident, str) else None


def _check_references(inst: Instance) -> list[Problem]:
    """Every cross-object rule of the format, as one list of problems."""
    problems: list[Problem] = []

    def add(loc: tuple[str | int, ...], msg: str, *refers_to: str) -> None:
        problems.append(Problem(loc, msg, refers_to))

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
    phase_problems(inst, add, stages)

    ordered = sorted(enumerate(inst.blocks), key=lambda ib: ib[1].start)
    for (_, a), (j, b) in zip(ordered, ordered[1:]):
        if b.start < a.end:
            add(("blocks", j, "periods"), f"block '{b.id}' overlaps block '{a.id}'", "blocks")

    example = f", e.g. '{inst.slots[0]}'" if inst.slots else ""

    def check_slots(loc: tuple[str | int, ...], refs: list[str] | None) -> None:
        for k, ref in enumerate(refs or []):
            if ref not in slots:
                add((*loc, k), f"'{ref}' is not a slot (day.block{example})", "days", "blocks")

    for i, g in enumerate(inst.group_types):
        for k, s in enumerate(g.stages or []):
            if s not in stages:
                add(("group_types", i, "stages", k), f"'{s}' is not a stage", "stages")
    for i, r in enumerate(inst.requirements):
        if r.stage is not None and r.stage not in stages:
            add(("requirements", i, "stage"), f"'{r.stage}' is not a stage", "stages")
        if r.group_type is not None and r.group_type not in types:
            add(
                ("requirements", i, "group_type"),
                f"'{r.group_type}' is not a group type id",
                "group_types",
            )
    for i, p in enumerate(inst.patients):
        if p.stage and p.stage not in stages:
            add(("patients", i, "stage"), f"'{p.stage}' is not a stage", "stages")
        if p.primary_counselor is not None and p.primary_counselor not in counselors:
            add(
                ("patients", i, "primary_counselor"),
                f"'{p.primary_counselor}' is not a counselor id",
                "counselors",
            )
        for k, other in enumerate(p.avoid):
            if other == p.id:
                add(("patients", i, "avoid", k), "a patient cannot avoid themself")
            elif other not in patients:
                add(("patients", i, "avoid", k), f"'{other}' is not a patient id", "patients")
        if p.min_days > len(days):
            add(
                ("patients", i, "min_days"),
                f"{p.min_days} is more than the {len(days)} days",
                "days",
            )
        check_slots(("patients", i, "available"), p.available)
        check_slots(("patients", i, "preferred"), p.preferred)
    for i, c in enumerate(inst.counselors):
        for k, t in enumerate(c.qualified):
            if t not in types:
                add(
                    ("counselors", i, "qualified", k),
                    f"'{t}' is not a group type id",
                    "group_types",
                )
        check_slots(("counselors", i, "available"), c.available)
    for i, room in enumerate(inst.rooms):
        check_slots(("rooms", i, "available"), room.available)
    _check_services(inst, add, stages, types, patients)
    _check_sites(inst, add, unique("sites", [s.id for s in inst.sites]))
    pin_problems(inst, add)
    return problems


def _check_services(
    inst: Instance,
    add: Callable[..., None],
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
                "counselors",
            )
    for stage in inst.individual.per_week_by_stage:
        if stage not in stages:
            add(("individual", "per_week_by_stage", stage), f"'{stage}' is not a stage", "stages")
    slots = sorted(enumerate(inst.individual_slots), key=lambda ip: minutes(ip[1].start))
    for i, slot in slots:
        if slot.minutes < inst.individual.duration_minutes:
            add(
                ("individual_slots", i),
                f"{slot.start}-{slot.end} is shorter than individual.duration_minutes "
                f"{inst.individual.duration_minutes}",
                "individual",
            )
    for (_, a), (j, b) in zip(slots, slots[1:]):
        if minutes(b.start) < minutes(a.end):
            add(("individual_slots", j), f"{b.start}-{b.end} overlaps {a.start}-{a.end}")
    if inst.individual_slots and not any(r.type == "office" for r in inst.rooms):
        add(
            ("individual_slots",),
            "appointments need a room of type 'office'; there is none",
            "rooms",
        )
    topics = {t for g in inst.group_types for t in g.topics}
    strict = {t: g.id for g in inst.group_types if g.strict_curriculum for t in g.topics}
    for i, g in enumerate(inst.group_types):
        for k, t in enumerate(g.topics):
            if not g.strict_curriculum and t in strict:
                add(
                    ("group_types", i, "topics", k),
                    f"'{t}' is also a topic of strict_curriculum type '{strict[t]}'; "
                    "a topic is strict in every type or in none",
                    "group_types",
                )
    for i, p in enumerate(inst.patients):
        for k, t in enumerate(p.completed_topics):
            if t not in topics:
                add(
                    ("patients", i, "completed_topics", k),
                    f"'{t}' is not a topic of any group type",
                    "group_types",
                )
    for i, pair in enumerate(inst.together):
        if pair.group_type not in types:
            add(
                ("together", i, "group_type"),
                f"'{pair.group_type}' is not a group type id",
                "group_types",
            )
        for k, pid in enumerate(pair.patients):
            if pid not in patients:
                add(("together", i, "patients", k), f"'{pid}' is not a patient id", "patients")
        one, other = pair.patients
        if one == other:
            add(("together", i, "patients"), "a pair needs two different patients")
        elif any((p.id, q) in ((one, other), (other, one)) for p in inst.patients for q in p.avoid):
            add(("together", i, "patients"), f"{one} and {other} also avoid each other", "patients")


def _check_sites(inst: Instance, add: Callable[..., None], sites: set[str]) -> None:
    """Multi-site rules: with sites every room and patient is at a known one, each site with
    patients has rooms for them, and a pair or a primary counselor can meet them there.
    Without sites nothing may name one."""

    def known(loc: tuple[str | int, ...], site: str | None, required: bool) -> bool:
        if site is None:
            if required and sites:
                add(loc, "required when the instance lists sites", "sites")
            return False
        if site not in sites:
            none = "; the instance lists no sites" if not sites else ""
            add(loc, f"'{site}' is not a site id{none}", "sites")
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
            add(("sites", j), f"{who} but no group room", "rooms", "patients")
        # Without any office at all the instance-wide check already says so.
        has_offices = any(r.type == "office" for r in inst.rooms)
        if inst.individual_slots and has_offices and "office" not in rooms:
            add(
                ("sites", j),
                f"{who} but no office for their appointments",
                "rooms",
                "patients",
            )
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
            "counselors",
        )
    for i, pair in enumerate(inst.together):
        one, other = pair.patients
        if one in site_of and other in site_of and site_of[one] != site_of[other]:
            add(
                ("together", i, "patients"),
                f"{one} (site {site_of[one]}) and {other} (site {site_of[other]}) are at "
                "different sites; a pair must be at one site",
                "patients",
            )
