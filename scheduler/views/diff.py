"""The phone list as text (``iop-scheduler diff``, ``repair --phone-list``): one line per
change, grouped by person, then who is unaffected, in counts. Ids only."""

from __future__ import annotations

from models.diff import Change, Meeting, PersonChanges, ScheduleDiff
from models.text import printable


def diff_lines(diff: ScheduleDiff, by: str | None = None) -> list[str]:
    """The phone list: the changed patients (``by="patient"``), counselors
    (``"counselor"``) or both (None), each with one line per change; then the counts."""
    lines = [
        f"phone list: {printable(diff.instance)}: {_count(len(diff.patients), 'patient')} and "
        f"{_count(len(diff.counselors), 'counselor')} to call"
    ]
    for role, people in (("patients", diff.patients), ("counselors", diff.counselors)):
        if by is not None and role != f"{by}s":
            continue
        lines.append(f"{role}:" if people else f"{role}: none")
        for person in people:
            lines += person_lines(person)
    lines.append(
        f"unaffected: {_count(diff.unaffected_patients, 'patient')} and "
        f"{_count(diff.unaffected_counselors, 'counselor')}"
    )
    lines.append(count_line(diff))
    return lines


def call_line(diff: ScheduleDiff) -> str:
    """How many people to call, and how many are unaffected."""
    return (
        f"to call: {_count(len(diff.patients), 'patient')} and "
        f"{_count(len(diff.counselors), 'counselor')} (unaffected: "
        f"{_count(diff.unaffected_patients, 'patient')} and "
        f"{_count(diff.unaffected_counselors, 'counselor')})"
    )


def count_line(diff: ScheduleDiff) -> str:
    """The stability counts, as the solve summary gives them."""
    m = diff.moved
    return (
        f"moved: {_count(m.patients_moved, 'patient')}, {_count(m.sessions_moved, 'session')}, "
        f"{_count(m.counselors_changed, 'counselor')} changed"
    )


def person_lines(person: PersonChanges) -> list[str]:
    """A person's heading, then a line per change."""
    if person.status == "discharged":
        return [f"  {person.id}  discharged: their sessions and appointments are cancelled"]
    head = f"  {person.id}" + ("  new: their week" if person.status == "new" else "")
    me = person.id if person.role == "counselor" else None
    return [head, *(f"    {change_line(c, me)}" for c in person.changes)]


def change_line(change: Change, me: str | None = None) -> str:
    """One change in words; ``me`` is the counselor whose week it is (left out of teams)."""
    before, after = change.before, change.after
    if change.action == "added" and after is not None:
        return f"added    {_when(after)} {_what(change, after)} {_with(after, me)}"
    if change.action == "removed" and before is not None:
        return f"removed  {_when(before)} {_what(change, before)} {_with(before, me)}"
    assert before is not None and after is not None
    if change.action == "moved":
        was = _with(before, me) if {"room", "counselors", "patient"} & set(change.fields) else ""
        return (
            f"moved    {_what(change, before)}: {_when(before)} -> {_when(after)}, "
            f"{_with(after, me)}" + (f" (was {was})" if was else "")
        )
    parts = [_aspect(name, before, after, me) for name in change.fields]
    return f"changed  {_when(before)} {_what(change, before)}: " + ", ".join(parts)


def _when(m: Meeting) -> str:
    slot = f"{m.day}.{m.block}" if m.block is not None else m.day
    return f"{slot} {m.start}-{m.end}"


def _what(change: Change, m: Meeting) -> str:
    if change.kind != "session":
        return change.kind
    return f"{m.group_type} ({m.stage})" if m.stage else str(m.group_type)


def _team(m: Meeting, me: str | None) -> str:
    return " and ".join(c for c in m.counselors if c != me)


def _with(m: Meeting, me: str | None) -> str:
    who = m.patient if m.patient is not None else _team(m, me)
    return f"with {who} in {m.room}" if who else f"in {m.room}"


def _aspect(name: str, before: Meeting, after: Meeting, me: str | None) -> str:
    if name == "counselors":
        return f"counselors {_team(before, me) or 'none'} -> {_team(after, me) or 'none'}"
    if name == "group_type":
        return f"group {before.group_type} -> {after.group_type}"
    return f"{name} {getattr(before, name)} -> {getattr(after, name)}"


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"
