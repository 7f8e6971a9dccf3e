"""iop-scheduler: weekly IOP group timetables with OR-Tools CP-SAT.

>>> from scheduler import solve, SolveSettings, check
"""

from scheduler.checker import CheckReport, Penalty, Violation, check
from scheduler.diagnose import Conflict, Diagnosis, diagnose
from scheduler.precheck import Finding, prechecks
from scheduler.score import ScoreBreakdown, TermScore, score
from scheduler.solve import ProgressEvent, SolveResult, SolveSettings, solve

__all__ = [
    "CheckReport",
    "Conflict",
    "Diagnosis",
    "Finding",
    "Penalty",
    "ProgressEvent",
    "ScoreBreakdown",
    "SolveResult",
    "SolveSettings",
    "TermScore",
    "Violation",
    "check",
    "diagnose",
    "prechecks",
    "score",
    "solve",
]
