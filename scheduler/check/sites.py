"""Sites (multi-site organizations): patients, appointments and counselors stay at the
right site."""

from __future__ import annotations

from collections import defaultdict

from scheduler.check.context import Checker


def session_site(ck: Checker) -> None:
    """Every patient of a session attends the site of the session's room."""
    if not ck.idx.multi_site:
        return
    for s in ck.sessions:
        site = ck.idx.site_of_room(s.room)
        for pid in s.patients:
            mine = ck.idx.site_of_patient(pid)
            if mine != site:
                ck.violation(
                    "session_site",
                    f"{pid} (site {mine}) is in session {s.id}, in room {s.room} at site {site}",
                    pid,
                    s.id,
                )


def appointment_site(ck: Checker) -> None:
    """An appointment is in an office at the patient's site."""
    if not ck.idx.multi_site:
        return
    for b in ck.bookings:
        site = ck.idx.site_of_room(b.room)
        mine = ck.idx.site_of_patient(b.patient)
        if mine != site:
            ck.violation(
                "appointment_site",
                f"{b.label} is in room {b.room} at site {site}, not at {b.patient}'s site {mine}",
                b.patient,
                b.ref,
            )


def counselor_site(ck: Checker) -> None:
    """A counselor works at one site a day (the sites of the rooms of their groups and
    appointments), and only at their ``sites`` when they list some."""
    if not ck.idx.multi_site:
        return
    # (counselor, day) -> site -> the sessions and appointments there
    work: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for s in ck.sessions:
        site = ck.idx.site_of_room(s.room)
        for cid in s.counselors:
            if site is not None:
                work[(cid, s.day)][site].append(s.id)
    for b in ck.bookings:
        site = ck.idx.site_of_room(b.room)
        if site is not None:
            work[(b.counselor, b.time.day)][site].append(b.ref)
    staff_rank = {cid: i for i, cid in enumerate(ck.idx.counselor)}
    day_rank = {day: i for i, day in enumerate(ck.inst.days)}
    site_rank = {site: i for i, site in enumerate(ck.idx.sites)}
    for cid, day in sorted(work, key=lambda k: (staff_rank[k[0]], day_rank[k[1]])):
        c = ck.idx.counselor[cid]
        here = sorted(work[(cid, day)].items(), key=lambda kv: site_rank[kv[0]])
        for site, refs in here:
            if not ck.idx.works_at(c, site):
                ck.violation(
                    "counselor_site",
                    f"{cid} works at site {site} on {day} ({', '.join(refs)}), not one of "
                    f"their sites ({', '.join(c.sites or [])})",
                    cid,
                    day,
                    site,
                )
        if len(here) > 1:
            where = "; ".join(f"{site} ({', '.join(refs)})" for site, refs in here)
            ck.violation(
                "counselor_site",
                f"{cid} works at {len(here)} sites on {day}: {where}; a counselor works at "
                "one site a day",
                cid,
                day,
            )


def primary_site(ck: Checker) -> None:
    """A primary counselor the schedule assigns may work at the patient's site (a given
    one is checked when the instance is read)."""
    for pid, cid in ck.schedule.primary_counselors.items():
        p = ck.idx.patient.get(pid)
        c = ck.idx.counselor.get(cid)
        if p is None or c is None or p.primary_counselor is not None:
            continue  # reported by references.primary_references or staff.primary_assignment
        if not ck.idx.works_at(c, p.site):
            ck.violation(
                "primary_assignment",
                f"{pid} is assigned primary counselor {cid}, who does not work at "
                f"{pid}'s site {p.site}",
                pid,
                cid,
            )
