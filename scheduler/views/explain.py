"""Why there is no timetable, in words: ``iop-scheduler explain`` and ``solve``'s why: lines."""

from __future__ import annotations

from models.text import printable
from scheduler.explain.diagnose import Diagnosis


def diagnosis_lines(instance_name: str, diagnosis: Diagnosis) -> list[str]:
    """The verdict on an instance, then the reasons (``explain``)."""
    return [f"{printable(instance_name)}: {diagnosis.verdict}", *diagnosis.lines()]


def why_lines(diagnosis: Diagnosis) -> list[str]:
    """The reasons an instance has no timetable, each on a ``why:`` line (``solve``)."""
    return [f"why: {line}" for line in diagnosis.lines()]
