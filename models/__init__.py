"""Data models of iop-scheduler: the instance and schedule formats (no solver code here)."""

from models.errors import InputError, Problem
from models.index import ProgramIndex
from models.instance import (
    KINDS,
    Block,
    Counselor,
    GroupType,
    Individual,
    Instance,
    Patient,
    Period,
    Requirement,
    Room,
    Screening,
    Together,
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
from models.schedule import Appointment, Schedule, Screen, Session, Shortfall, Status

__all__ = [
    "KINDS",
    "Appointment",
    "Block",
    "Counselor",
    "GroupType",
    "Individual",
    "InputError",
    "Instance",
    "Patient",
    "Period",
    "Problem",
    "ProgramIndex",
    "Requirement",
    "Room",
    "Schedule",
    "Screen",
    "Screening",
    "Session",
    "Shortfall",
    "Status",
    "Together",
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
