"""Data models of iop-scheduler: the instance and schedule formats (no solver code here)."""

from models.errors import InputError, Problem
from models.index import ProgramIndex
from models.instance import (
    KINDS,
    Block,
    Counselor,
    GroupType,
    Instance,
    Patient,
    Period,
    Requirement,
    Room,
    Weights,
)
from models.io import (
    dump,
    json_schema,
    load_instance,
    load_schedule,
    parse_instance,
    parse_schedule,
    to_json,
    write_text_atomic,
)
from models.schedule import Schedule, Session, Status

__all__ = [
    "KINDS",
    "Block",
    "Counselor",
    "GroupType",
    "InputError",
    "Instance",
    "Patient",
    "Period",
    "Problem",
    "ProgramIndex",
    "Requirement",
    "Room",
    "Schedule",
    "Session",
    "Status",
    "Weights",
    "dump",
    "json_schema",
    "load_instance",
    "load_schedule",
    "parse_instance",
    "parse_schedule",
    "to_json",
    "write_text_atomic",
]
