"""The workbook's sheets and columns, derived from the instance's pydantic models.

A field added to a model shows up as a column (or a ``program`` key) with no code
here: its kind comes from the model's JSON Schema, its default and description from
the field. Only three things are laid out by hand: the ``blocks`` sheet (one row per
period), the slot columns that replace ``available`` and ``preferred``, and the
``all_slots`` column of sheets whose ``available`` may be absent (rooms).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, get_args, get_origin

from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo

from models.base import Id, SlotRef, TimeOfDay
from models.instance import Instance
from models.people import Patient
from models.program import Period

ID_PATTERN: str = TypeAdapter(Id).json_schema()["pattern"]
TIME_PATTERN: str = TypeAdapter(TimeOfDay).json_schema()["pattern"]
SLOT_PATTERN: str = TypeAdapter(SlotRef).json_schema()["pattern"]

PROGRAM = "program"
BLOCKS = "blocks"
NOTES = "notes"
ALL_SLOTS = "all_slots"
# Fields no workbook holds (workbook_losses says so when one is set): last week's schedule.
NOT_IN_WORKBOOK = ("previous",)
# A patient's columns required unless another is there: stage, unless admitted gives it.
REQUIRED_UNLESS = {"stage": "admitted"}
AVAILABLE = "available"
PREFERRED = "preferred"


@dataclass(frozen=True)
class Column:
    """One column of a sheet (or one key of the ``program`` sheet).

    ``kind`` is what one value is: ``id``, ``text``, ``integer``, ``number``,
    ``boolean``, ``date``, ``time``, ``choice`` (one of ``choices``), ``slot``,
    ``period`` (``08:00-08:50``) or ``mapping`` (``engagement=2, ...``). ``listed``: a
    list in one cell, comma-separated. ``optional``: absent (``None``) is a value of its
    own, so an empty list is written ``[]``.
    """

    name: str
    kind: str
    listed: bool = False
    optional: bool = False
    required: bool = False
    choices: tuple[str, ...] = ()
    default: Any = None
    description: str = ""

    @property
    def empty_is_default(self) -> bool:
        """An empty list is written blank: true of lists whose default is empty."""
        return self.listed and not self.required and not self.optional and self.default == []


@dataclass(frozen=True)
class ObjectSheet:
    """A sheet with one row per object of a list field of the instance (``patients``)."""

    name: str
    model: type[BaseModel]
    columns: tuple[Column, ...]  # the model's fields but its slot lists
    slot_fields: tuple[str, ...]  # available, preferred: one column per slot instead

    @property
    def marks(self) -> dict[str, tuple[str, ...]]:
        """What each mark in a slot column puts the slot in."""
        if not self.slot_fields:
            return {}
        marks: dict[str, tuple[str, ...]] = {"x": (AVAILABLE,)}
        if PREFERRED in self.slot_fields:
            marks["p"] = (AVAILABLE, PREFERRED)
        return marks

    @property
    def all_slots(self) -> bool:
        """``available`` may be absent (open at every slot): an ``all_slots`` column says so."""
        info = self.model.model_fields.get(AVAILABLE)
        return info is not None and not info.is_required()

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def _unwrap(prop: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The schema of a value and whether ``null`` is allowed too."""
    options = prop.get("anyOf")
    if options:
        real = [o for o in options if o.get("type") != "null"]
        return real[0], len(real) < len(options)
    return prop, False


def _kind(prop: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """The kind of one value (and its choices) from its JSON Schema."""
    ref = prop.get("$ref", "")
    if ref.endswith("/Period"):
        return "period", ()
    if prop.get("type") == "object":
        return "mapping", ()
    if "enum" in prop:
        return "choice", tuple(str(v) for v in prop["enum"])
    if prop.get("type") in ("integer", "number", "boolean"):
        return str(prop["type"]), ()
    if prop.get("format") == "date":
        return "date", ()
    pattern = str(prop.get("pattern"))
    kinds = {ID_PATTERN: "id", TIME_PATTERN: "time", SLOT_PATTERN: "slot"}
    return kinds.get(pattern, "text"), ()


def field_column(model: type[BaseModel], name: str, prefix: str = "") -> Column:
    """The column of one field of a model (``prefix`` names a ``program`` key's object)."""
    info: FieldInfo = model.model_fields[name]
    prop, optional = _unwrap(_schema(model)["properties"][name])
    listed = prop.get("type") == "array"
    kind, choices = _kind(_unwrap(prop["items"])[0] if listed else prop)
    required = info.is_required() or (model is Patient and name in REQUIRED_UNLESS)
    default = None if required else info.get_default(call_default_factory=True)
    if required and not info.is_required():
        default = None  # (a stage left out needs admitted: nothing to default to)
    return Column(
        name=f"{prefix}{name}",
        kind=kind,
        listed=listed,
        optional=optional,
        required=required,
        choices=choices,
        default=default,
        description=info.description or "",
    )


@cache
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def _fields() -> list[tuple[str, FieldInfo]]:
    """The instance's fields a workbook holds."""
    return [(n, i) for n, i in Instance.model_fields.items() if n not in NOT_IN_WORKBOOK]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model of ``Model``, ``Model | None`` or ``list[Model]``, if any."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _object_sheet(name: str, model: type[BaseModel]) -> ObjectSheet:
    columns = [field_column(model, f) for f in model.model_fields]
    slot_fields = tuple(c.name for c in columns if c.kind == "slot" and c.listed)
    kept = tuple(c for c in columns if c.name not in slot_fields)
    return ObjectSheet(name, model, kept, slot_fields)


@cache
def object_sheets() -> tuple[ObjectSheet, ...]:
    """One sheet per list-of-objects field of :class:`Instance`, in field order; not
    blocks (a sheet laid out by hand) nor lists of periods (a ``program`` key)."""
    sheets = []
    for name, info in _fields():
        model = _model_of(info.annotation)
        listed = get_origin(info.annotation) is list
        if listed and model is not None and model is not Period and name != BLOCKS:
            sheets.append(_object_sheet(name, model))
    return tuple(sheets)


def object_sheet(name: str) -> ObjectSheet | None:
    return next((s for s in object_sheets() if s.name == name), None)


@cache
def nested_models() -> dict[str, type[BaseModel]]:
    """The instance's fields that are one object (``individual``): dotted ``program`` keys."""
    out = {}
    for name, info in _fields():
        model = _model_of(info.annotation)
        if model is not None and get_origin(info.annotation) is not list:
            out[name] = model
    return out


@cache
def program_keys() -> tuple[Column, ...]:
    """The ``program`` sheet's keys: the instance's other fields, objects as dotted keys."""
    listed = {s.name for s in object_sheets()} | {BLOCKS}
    keys: list[Column] = []
    for name, _ in _fields():
        if name in listed:
            continue
        model = nested_models().get(name)
        if model is None:
            keys.append(field_column(Instance, name))
        else:
            keys += [field_column(model, f, prefix=f"{name}.") for f in model.model_fields]
    return tuple(keys)


def optional_objects() -> tuple[str, ...]:
    """Nested objects that may be absent (``screening``): all their keys blank = absent."""
    return tuple(
        name
        for name in nested_models()
        if not Instance.model_fields[name].is_required()
        and Instance.model_fields[name].get_default(call_default_factory=True) is None
    )


BLOCK_COLUMNS = (
    Column("block", "id", required=True, description="the block's id (slots are day.block)"),
    Column("period", "integer", required=True, description="1, 2, ...: the period's place"),
    Column("start", "time", required=True, description="HH:MM, 24-hour clock"),
    Column("end", "time", required=True, description="HH:MM, after start"),
)
KEY_COLUMNS = (
    Column("key", "text", required=True, description="a field of the program (see below)"),
    Column("value", "text", description="its value; blank = the default"),
)


def sheet_order() -> tuple[str, ...]:
    """Every sheet a workbook may have, in the order they are written."""
    return (PROGRAM, BLOCKS, *(s.name for s in object_sheets()), NOTES)


def slots(days: list[str], blocks: list[str]) -> list[str]:
    """``day.block`` in week order (as :attr:`Instance.slots`)."""
    return [f"{d}.{b}" for d in days for b in blocks]
