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
from typing import Any

from pydantic import BaseModel, Field, model_validator

from models.base import Date, FormatVersion, Id, SparseModel, minutes
from models.errors import Problem, ReferenceProblems
from models.people import Counselor, Patient, Together
from models.places import Room, Site
from models.program import Block, GroupType, Period, Requirement
from models.services import Individual, Screening
from models.weights import Weights


class Instance(SparseModel):
    """One week of one program: everything the scheduler needs."""

    _omit_unset = ("sites",)

    format_version: FormatVersion = 1
    name: str = Field(min_length=1)
    week_of: Date | None = None
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
