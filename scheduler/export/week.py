"""What every printable view reads: the instance's lookups and the schedule in week
order, with the labels the views share (sites, counselors, rooms)."""

from __future__ import annotations

from collections.abc import Iterable

from models import Instance, ProgramIndex, Schedule, Session
from models.index import clock
from scheduler.export.keys import day_dates

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# The band of the grid rows that hold one-to-one appointments rather than a block.
APPOINTMENTS = "appointments"
# What base_rows is asked for: the periods of every block (each in its block's band).
BLOCKS = "blocks"


class Week:
    """What every view reads: the instance's lookups and the schedule in week order."""

    def __init__(self, instance: Instance, schedule: Schedule) -> None:
        self.inst = instance
        self.idx = ProgramIndex(instance)
        self.schedule = schedule
        extra = [d for d in _days_mentioned(schedule) if d not in instance.days]
        self.days: tuple[str, ...] = (*instance.days, *dict.fromkeys(extra))
        self.day_rank = {d: i for i, d in enumerate(self.days)}
        self.sessions = sorted(schedule.sessions, key=self.session_key)
        self.appointments = sorted(
            [("individual", a) for a in schedule.individual_sessions]
            + [("medication", a) for a in schedule.medication_appointments],
            key=lambda ka: (self.day_rank[ka[1].day], ka[1].start, ka[1].counselor),
        )
        self.dates = day_dates(instance)
        self._block_rank = {b.id: i for i, b in enumerate(instance.blocks)}
        self._site_rank = {site: i for i, site in enumerate(self.idx.sites)}

    def day_label(self, day: str) -> str:
        """``mon 7 Dec`` when the week has dates (``week_of``), else the day's id: a
        sign-in sheet is a record of a date. Months in English whatever the locale."""
        date = self.dates.get(day)
        return f"{day} {date.day} {_MONTHS[date.month - 1]}" if date else day

    def block_rank(self, block: str) -> int:
        """A block's place in the day (a block the instance lacks: last)."""
        return self._block_rank.get(block, len(self._block_rank))

    def site_rank(self, site: str | None) -> int:
        """A site's place in the organization's list (0 in a single-site program)."""
        return self._site_rank.get(site, 0) if site is not None else 0

    def session_key(self, s: Session) -> tuple[int, str, str, str]:
        return (self.day_rank[s.day], s.start, s.room, s.id)

    def site_label(self, site: str | None) -> str | None:
        """``"S1 Downtown"``; None in a single-site program."""
        if site is None or not self.inst.sites:
            return None
        names = {s.id: s.name for s in self.inst.sites}
        return f"{site} {names[site]}" if names.get(site) else site

    def room_site(self, room: str) -> str | None:
        r = self.idx.room.get(room)
        return self.site_label(r.site if r is not None else None)

    def counselor_label(self, cid: str) -> str:
        c = self.idx.counselor.get(cid)
        return f"{cid} ({c.name})" if c is not None and c.name else cid

    def room_text(self, room: str) -> str:
        """``"room R1"``, with its site in a multi-site organization."""
        site = self.room_site(room)
        return f"room {room}" + (f", {site}" if site else "")

    def what(self, s: Session) -> str:
        """A session's group type, stage and topic: ``"skills [early]: goals"``."""
        return (
            s.group_type
            + (f" [{s.stage}]" if s.stage else "")
            + (f": {s.topic}" if s.topic else "")
        )

    def base_rows(self, bands: Iterable[str]) -> list[tuple[str, str, str]]:
        """(band, start, end) of the instance's periods and appointment times."""
        rows: list[tuple[str, str, str]] = []
        wanted = set(bands)
        if BLOCKS in wanted:
            rows += [(b.id, p.start, p.end) for b in self.inst.blocks for p in b.periods]
        if APPOINTMENTS in wanted:
            first = self.inst.days[0]
            rows += [
                (APPOINTMENTS, clock(t.start), clock(t.end))
                for t in self.idx.appointment_times
                if t.day == first
            ]
        return rows


def _days_mentioned(schedule: Schedule) -> list[str]:
    return [s.day for s in schedule.sessions] + [
        a.day for a in schedule.individual_sessions + schedule.medication_appointments
    ]
