"""The roster workbook: an instance as an Excel (.xlsx) file, beside the JSON format.

Coordinators keep rosters in spreadsheets. The workbook has a ``program`` sheet of
key/value rows (the program's settings, nested ones as dotted keys such as
``individual.per_week``), a ``blocks`` sheet with one row per period, one sheet per
list of objects (``group_types``, ``requirements``, ``patients``, ``counselors``,
``rooms``, ``together``, ``sites``) with one column per field, named exactly as the
JSON field, availability as one column per slot (blank, ``x``, or ``p`` for
preferred), and a ``notes`` sheet that says what every column means.

Reading validates through the same strict path as JSON and places every problem at
its sheet, Excel row and column. JSON -> workbook -> JSON gives back an equal
instance, with availability in week order (:func:`in_week_order`).
"""

from models.workbook.read import parse_workbook, read_workbook
from models.workbook.roundtrip import in_week_order, workbook_losses
from models.workbook.template import parse_blocks, parse_days, template_workbook
from models.workbook.write import instance_to_workbook

__all__ = [
    "in_week_order",
    "instance_to_workbook",
    "parse_blocks",
    "parse_days",
    "parse_workbook",
    "read_workbook",
    "template_workbook",
    "workbook_losses",
]
