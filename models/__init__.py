"""Data models of iop-scheduler: the instance and schedule formats (no solver code here)."""

from models.admission import load_admission
from models.base import KINDS
from models.diff import ScheduleDiff
from models.disruption import CounselorAway, Disruption, RoomClosed
from models.errors import InputError, Problem
from models.fit import FitResult, Moves, Placement
from models.index import ProgramIndex
from models.instance import Instance
from models.io import (
    dump,
    json_schema,
    load_instance,
    load_schedule,
    parse_instance,
    parse_schedule,
    same_instance,
    to_json,
)
from models.outputs import OutputError, output_problems, write_bytes_atomic, write_text_atomic
from models.people import Counselor, Patient, Together
from models.phases import Phase
from models.pins import Pin
from models.places import Room, Site
from models.program import Block, GroupType, Period, Requirement
from models.schedule import (
    Appointment,
    Changes,
    Schedule,
    Screen,
    Session,
    Shortfall,
    Status,
)
from models.services import Individual, Screening
from models.weights import Weights

__all__ = [
    "KINDS",
    "Appointment",
    "Block",
    "Changes",
    "Counselor",
    "CounselorAway",
    "Disruption",
    "FitResult",
    "GroupType",
    "Individual",
    "InputError",
    "Instance",
    "Moves",
    "OutputError",
    "Patient",
    "Period",
    "Phase",
    "Pin",
    "Placement",
    "Problem",
    "ProgramIndex",
    "Requirement",
    "Room",
    "RoomClosed",
    "Schedule",
    "ScheduleDiff",
    "Screen",
    "Screening",
    "Session",
    "Shortfall",
    "Site",
    "Status",
    "Together",
    "Weights",
    "dump",
    "json_schema",
    "load_admission",
    "load_instance",
    "load_schedule",
    "output_problems",
    "parse_instance",
    "parse_schedule",
    "same_instance",
    "to_json",
    "write_bytes_atomic",
    "write_text_atomic",
]
