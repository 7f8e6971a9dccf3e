"""The ``notes`` sheet: what each sheet and column means, its type and its default.

Types, defaults and most meanings come from the models (a field's description); the
few fields the models do not describe are described here, and a field added later
gets a row with no code (its description, if it has one).
"""

from __future__ import annotations

from typing import Any

from models.instance import Instance
from models.workbook.cells import write_cell
from models.workbook.layout import (
    ALL_SLOTS,
    BLOCK_COLUMNS,
    BLOCKS,
    KEY_COLUMNS,
    NOTES,
    PROGRAM,
    Column,
    ObjectSheet,
    object_sheets,
    optional_objects,
    program_keys,
)

_GENERAL = (
    "The first row of each sheet names its columns, exactly as the fields of the JSON "
    "format. Blank rows are skipped; a blank cell takes the column's default.",
    "A list is one cell, comma-separated: 'a, b'. Where blank means absent (e.g. "
    "group_types.stages: blank = any stage), [] is the empty list.",
    "Text in double quotes is read as a JSON string and keeps its spaces and commas "
    '("a, b" is one item of a list); the workbook writes text so only when it must.',
    "Numbers, dates (YYYY-MM-DD) and times (HH:MM) may be typed as Excel values or as "
    "text. The sheet names are fixed; any sheet but these is an error.",
)

# Meanings of the fields the models do not describe (sheet.column or column).
_MEANINGS = {
    "id": "the row's id: letters, digits, _ and -; unique in the sheet",
    "format_version": "the format's version: 1",
    "program.name": "the program's name",
    "days": "the program's days, in week order",
    "program.stages": "the treatment stages patients are in",
    "individual.duration_minutes": "minutes of one individual session",
    "individual.per_week": "individual sessions per patient per week",
    "screening.per_week": "screens per patient per week",
    "screening.capacity_per_block": "specimen collections per block",
    "kind": "the kind of group",
    "stage_matched": "a session seats patients of one stage only",
    "group_types.stages": "only patients of these stages (blank = any stage)",
    "genders": "only patients of these genders (blank = any)",
    "tracks": "only patients of these tracks (blank = any)",
    "requires_flags": "only patients with all of these flags",
    "requirements.stage": "the row counts for patients of this stage (blank = every stage)",
    "requirements.group_type": "sessions of this group type (give it or kind, not both)",
    "requirements.kind": "sessions of any type of this kind (give it or group_type)",
    "min_sessions": "sessions per week, at least",
    "max_sessions": "sessions per week, at most (blank = no limit)",
    "patients.stage": "the patient's stage",
    "patients.min_hours": "group hours per week, at least",
    "patients.max_hours": "group hours per week, at most",
    "min_days": "days attended per week, at least",
    "track": "the patient's track (see group_types.tracks)",
    "gender": "the patient's gender (see group_types.genders)",
    "flags": "the patient's flags (see group_types.requires_flags)",
    "avoid": "patients never seated in the same session",
    "qualified": "the group types the counselor can lead",
    "counselors.name": "the counselor's name",
    "roles": "what the counselor is",
    "capacity": "seats",
    "together.patients": "the two patients",
    "together.group_type": "the group type whose sessions they share",
    "sites.name": "the site's name",
}


def _meaning(sheet: str, column: Column) -> str:
    name = column.name
    return (
        column.description
        or _MEANINGS.get(f"{sheet}.{name}")
        or _MEANINGS.get(name)
        or _MEANINGS.get(name.rpartition(".")[2], "")
    )


_KINDS = {
    "id": "id",
    "text": "text",
    "integer": "whole number",
    "number": "number",
    "boolean": "TRUE or FALSE",
    "date": "date (YYYY-MM-DD)",
    "time": "time (HH:MM)",
    "slot": "slot (day.block)",
    "period": "START-END, e.g. 08:00-08:50",
    "mapping": "STAGE=NUMBER, comma-separated",
}


def _type(column: Column) -> str:
    what = f"one of {', '.join(column.choices)}" if column.kind == "choice" else _KINDS[column.kind]
    return f"list of {what}" if column.listed else what


def _default(column: Column) -> str:
    if column.required:
        return "required"
    shown = write_cell(column.default, column)
    return (
        "blank" if shown is None else str(shown).upper() if column.kind == "boolean" else str(shown)
    )


def _rows(sheet: str, columns: tuple[Column, ...]) -> list[list[Any]]:
    return [[sheet, c.name, _type(c), _default(c), _meaning(sheet, c)] for c in columns]


def _slot_rows(sheet: ObjectSheet, instance: Instance) -> list[list[Any]]:
    if not sheet.slot_fields:
        return []
    marks = {"x": "x = available", "p": "p = available and preferred"}
    said = ", ".join(marks[m] for m in sheet.marks)
    first, last = (instance.slots[0], instance.slots[-1]) if instance.slots else ("", "")
    rows = []
    if sheet.all_slots:
        text = (
            "x = open at every slot (JSON: no available list); its slot columns are then "
            "all x. Blank = open at the slots marked x only (none marked: never open)"
        )
        rows.append([sheet.name, ALL_SLOTS, "x or blank", "blank", text])
    text = f"one column per slot, day.block in week order: blank = not available, {said}"
    rows.append([sheet.name, f"{first} ... {last}", "mark", "blank", text])
    return rows


def note_rows(instance: Instance) -> list[list[Any]]:
    """The notes sheet's rows: sheet, column, type, default, meaning."""
    rows: list[list[Any]] = [["(every sheet)", "", "", "", text] for text in _GENERAL]
    rows += _rows(PROGRAM, KEY_COLUMNS)
    keys = program_keys()
    for i, key in enumerate(keys):
        rows += _rows(PROGRAM, (key,))
        name = key.name.partition(".")[0]
        last = i + 1 == len(keys) or not keys[i + 1].name.startswith(f"{name}.")
        if name in optional_objects() and last:
            text = f"all {name}.* blank: no {name}; a value in any: {name}, the others at defaults"
            rows.append([PROGRAM, f"{name}.*", "", "blank", text])
    rows += _rows(BLOCKS, BLOCK_COLUMNS)
    rows.append([BLOCKS, "", "", "", "one row per period; slots are day.block"])
    for sheet in object_sheets():
        rows += _rows(sheet.name, sheet.columns) + _slot_rows(sheet, instance)
    rows.append([NOTES, "", "", "", "this sheet is not read: edit it freely"])
    return rows
