"""Text for a person: what the ``iop-scheduler`` commands print, for a library user too.

Each function turns data (a schedule, a progress event, a check report, a diagnosis)
into lines or a block of text; none prints (``ProgressWriter`` writes progress to the
streams it is given). ``timetable`` is ``show``; ``progress`` the live line and the
``--log-json`` records of ``solve``; ``check`` the verdict of ``check``; ``explain``
the reasons of ``explain`` and ``solve``'s why: lines; ``solve`` the shortfalls and
the internal-error report after a search; ``exports`` what ``export`` wrote.
"""

from scheduler.views.check import check_lines
from scheduler.views.explain import diagnosis_lines, why_lines
from scheduler.views.exports import written_lines
from scheduler.views.progress import (
    ProgressWriter,
    done_record,
    progress_line,
    progress_record,
)
from scheduler.views.solve import disagreement_lines, shortfall_lines
from scheduler.views.timetable import render_timetable

__all__ = [
    "ProgressWriter",
    "check_lines",
    "diagnosis_lines",
    "disagreement_lines",
    "done_record",
    "progress_line",
    "progress_record",
    "render_timetable",
    "shortfall_lines",
    "why_lines",
    "written_lines",
]
