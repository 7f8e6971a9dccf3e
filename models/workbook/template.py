"""A workbook to start from: the week's days and blocks, one example row per sheet."""

from __future__ import annotations

import re

from pydantic import ValidationError

from models.base import minutes
from models.instance import Instance
from models.people import Counselor, Patient
from models.places import Room
from models.program import Block, GroupType, Period, Requirement
from models.workbook.write import instance_to_workbook

_BLOCK = re.compile(r"(?P<id>[^=]*)=(?P<start>[^-]*)-(?P<end>[^/]*)(?:/(?P<n>.*))?")


def parse_blocks(text: str) -> list[Block]:
    """The blocks of a ``--blocks`` option: ``am=09:00-12:00/3,pm=18:00-21:00/3``.

    Parameters
    ----------
    text
        Comma-separated ``ID=START-END/PERIODS``: block ``ID`` from ``START`` to
        ``END`` (``HH:MM``) in ``PERIODS`` equal periods back to back (1 when left out).

    Returns
    -------
    list[Block]
        The blocks, in the order given.

    Raises
    ------
    ValueError
        Naming the part that is wrong, and why.
    """
    blocks: list[Block] = []
    for part in (p.strip() for p in text.split(",")):
        match = _BLOCK.fullmatch(part)
        if not match:
            raise ValueError(f"{part!r} is not ID=START-END/PERIODS, e.g. am=09:00-12:00/3")
        block = _block(part, match)
        if any(b.id == block.id for b in blocks):
            raise ValueError(f"{part!r}: block {block.id!r} is given twice")
        clash = next((b for b in blocks if block.start < b.end and b.start < block.end), None)
        if clash is not None:
            raise ValueError(f"{part!r}: overlaps block {clash.id!r}")
        blocks.append(block)
    return blocks


def _block(part: str, match: re.Match[str]) -> Block:
    count = (match["n"] or "1").strip()
    if not count.isdigit() or not 1 <= int(count) <= 24:
        raise ValueError(f"{part!r}: {count!r} periods is not a number from 1 to 24")
    start, end, n = match["start"].strip(), match["end"].strip(), int(count)
    try:
        whole = Period(start=start, end=end)
    except ValidationError as err:
        reason = err.errors()[0]["msg"].removeprefix("Value error, ")
        if err.errors()[0]["type"] == "string_pattern_mismatch":
            reason = "a time is HH:MM on a 24-hour clock, e.g. 09:00"
        raise ValueError(f"{part!r}: {reason}") from None
    length, rest = divmod(whole.minutes, n)
    if rest:
        raise ValueError(f"{part!r}: {whole.minutes} minutes do not split into {n} equal periods")
    first = minutes(start)
    times = [first + k * length for k in range(n + 1)]
    try:
        return Block(
            id=match["id"].strip(),
            periods=[Period(start=_clock(a), end=_clock(b)) for a, b in zip(times, times[1:])],
        )
    except ValidationError:
        raise ValueError(
            f"{part!r}: {match['id'].strip()!r} is not an id (letters, digits, _ and -)"
        ) from None


def _clock(total: int) -> str:
    return f"{total // 60:02d}:{total % 60:02d}"


_ID = re.compile(r"[A-Za-z0-9_\-]+")


def parse_days(text: str) -> list[str]:
    """The days of a ``--days`` option: ``mon,tue,wed,thu,fri``.

    Parameters
    ----------
    text
        Comma-separated day ids, in week order.

    Returns
    -------
    list[str]
        The day ids.

    Raises
    ------
    ValueError
        Naming the day that is wrong (not an id, or given twice), or saying there is none.
    """
    days = [d.strip() for d in text.split(",") if d.strip()]
    _check_days(days)
    return days


def _check_days(days: list[str]) -> None:
    if not days:
        raise ValueError("no days: give them comma-separated, e.g. mon,tue,wed,thu,fri")
    for k, day in enumerate(days):
        if not _ID.fullmatch(day) or len(day) > 64:
            raise ValueError(f"{day!r} is not a day id (letters, digits, _ and -)")
        if day in days[:k]:
            raise ValueError(f"day {day!r} is given twice")


def template_workbook(days: list[str], blocks: list[Block]) -> bytes:
    """An empty roster workbook to fill in, with one example row per sheet.

    Parameters
    ----------
    days
        The program's day ids in week order, e.g. ``["mon", "tue", "wed", "thu", "fri"]``.
    blocks
        The blocks of each day (see :func:`parse_blocks`).

    Returns
    -------
    bytes
        The .xlsx file. Read back, its example rows are a valid instance: one stage
        program, one group type, requirement, patient, counselor and room (``together``
        needs two patients and has none; ``sites`` is for multi-site organizations).

    Raises
    ------
    ValueError
        When the days do not make a week (see :func:`parse_days`) or there is no block.
    """
    return instance_to_workbook(example(days, blocks))


def example(days: list[str], blocks: list[Block]) -> Instance:
    """The template's example instance (see :func:`template_workbook`)."""
    _check_days(days)
    if not blocks:
        raise ValueError("no blocks: give at least one, e.g. am=09:00-12:00/3")
    slots = [f"{d}.{b.id}" for d in days for b in blocks]
    return Instance(
        name="My IOP",
        days=days,
        blocks=blocks,
        stages=["engagement", "early_recovery", "maintenance"],
        group_types=[GroupType(id="coping_skills", kind="skills", min_size=1)],
        requirements=[Requirement(group_type="coping_skills", min_sessions=2)],
        patients=[
            Patient(
                id="P001",
                stage="engagement",
                available=slots,
                preferred=slots[:1],
                min_days=min(3, len(days)),
                primary_counselor="C01",
            )
        ],
        counselors=[Counselor(id="C01", qualified=["coping_skills"], available=slots)],
        rooms=[Room(id="R1", capacity=12)],
    )
