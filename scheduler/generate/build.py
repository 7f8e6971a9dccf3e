"""The generator's top level: the sites' programs and witnesses, the limits and extras
drawn around them, and the instance and witness schedule they make."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import numpy as np

from models import Appointment, Instance, Schedule, Screen, parse_instance
from models.index import clock
from scheduler.generate.appointments import screen_capacity
from scheduler.generate.draft import Appt, Witness
from scheduler.generate.extras import (
    draw_completed_topics,
    draw_couples,
    draw_patient_extras,
    set_primaries,
    set_staff_limits,
)
from scheduler.generate.frame import (
    ADJACENT_MINUTES,
    DAYS,
    GROUP_TYPES,
    INDIVIDUAL_BY_STAGE,
    INDIVIDUAL_MINUTES,
    INDIVIDUAL_PER_WEEK,
    INDIVIDUAL_SLOTS,
    REQUIREMENTS,
    SCREENS_PER_WEEK,
    STAGES,
    TIMES,
)
from scheduler.generate.sites import (
    FLOATER_SHARE,
    SITE_NAMES,
    Site,
    draw_floaters,
    draw_site,
    merge_sites,
    share_out,
    site_sizes,
    site_witness,
)
from scheduler.generate.slots import all_slots, appointment_span

MAX_PATIENTS = 5000  # one program of 2,000 takes about a minute; time grows faster than size
MAX_SEED = 2**32 - 1  # numpy's seeds are any size; 32 bits are plenty and what tests draw


class GenerateError(ValueError):
    """The requested program cannot be built (e.g. too few patients to form a group); the
    message is one line that starts with the parameter's name."""


def generate(
    patients: int,
    counselors: int | None = None,
    rooms: int | None = None,
    seed: int = 0,
    name: str | None = None,
    sites: int = 1,
    week_of: dt.date | None = None,
    timezone: str | None = None,
) -> tuple[Instance, Schedule | None]:
    """A synthetic IOP week and a witness schedule that proves it feasible.

    Parameters
    ----------
    patients
        Number of patients: 8 to ``MAX_PATIENTS`` (5,000), and at least 8 a site.
    counselors, rooms
        Group-leading staff (counselors, clinicians, case managers) and group
        rooms, each 1 to ``patients``; by default enough for the witness with some slack. With fewer,
        the witness may not fit: the witness is then ``None`` and the instance
        may be infeasible. Prescribers and offices are always sized from the
        witness. With sites both are totals, shared out by the sites' patients.
    seed
        Everything drawn comes from this seed (0 to ``MAX_SEED``, 2**32 - 1): same seed,
        same instance.
    sites
        1 (the default): one program, no ``sites`` in the file. More: a
        multi-site organization (sites ``S1``, ``S2``, ...) of that many programs
        of about ``patients / sites`` patients each, every one a realistic program
        on its own with its rooms and staff (ids prefixed by the site, e.g.
        ``S2-R1``, ``S2-C03``); about 10% of the counselors float between two
        sites, working at one a day in the witness.
    week_of, timezone
        The week's first day and the program's IANA time zone, for exports with real
        dates (calendars, FHIR); left out of the file when not given. They change
        nothing else that is drawn.

    Raises
    ------
    GenerateError
        When a parameter is out of its range (the message names it).
    """
    _check_limits(patients, counselors, rooms, seed, sites)
    if timezone is not None and not _known_zone(timezone):
        raise GenerateError(
            f"timezone: '{timezone}' is not an IANA time zone (e.g. America/New_York)"
        )
    if patients < 8 * sites:
        raise GenerateError(
            f"sites: {sites} sites need {8 * sites} patients, at least 8 a site; {patients} given"
        )
    rng = np.random.default_rng(seed)
    multi = sites > 1
    sizes = site_sizes(rng, patients, sites)
    n_floaters = 0
    if multi and counselors is not None:
        n_floaters = round(FLOATER_SHARE * counselors)
        counselors -= n_floaters
    staff_shares = share_out(counselors, sizes)
    room_shares = share_out(rooms, sizes)
    width = max(3, len(str(patients)))
    plans: list[Site] = []
    for k, n in enumerate(sizes):
        site = f"S{k + 1}" if multi else None
        first = sum(sizes[:k])
        plans.append(draw_site(rng, site, n, first, width, staff_shares[k], room_shares[k]))
    if multi:
        if counselors is None:
            base = sum(len(p.staff) for p in plans)
            n_floaters = round(FLOATER_SHARE / (1 - FLOATER_SHARE) * base)
        draw_floaters(rng, plans, n_floaters)
    for plan in plans:
        site_witness(rng, plan)
    witness_ok = all(plan.witness_ok for plan in plans)
    people, staff, prescribers, all_rooms, w = merge_sites(plans)

    set_staff_limits(rng, w, staff, prescribers, witness_ok)
    for plan in plans:
        draw_patient_extras(rng, plan.people, plan.cohort_of)
    assigned = set_primaries(rng, w, people)
    draw_completed_topics(rng, w, people)
    together = [pair for plan in plans for pair in draw_couples(rng, plan.people, plan.cohorts)]

    default_name = f"generated-{patients}p-{sites}sites-seed{seed}" if multi else None
    name = name or default_name or f"generated-{patients}p-seed{seed}"
    data = _instance_data(name, plans, people, staff + prescribers, all_rooms, together)
    data.update({"week_of": week_of, "timezone": timezone})
    instance = parse_instance(data, "generated instance")
    witness = _witness_schedule(instance.name, w, assigned) if witness_ok else None
    return instance, witness


def _known_zone(zone: str) -> bool:
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _check_limits(
    patients: int, counselors: int | None, rooms: int | None, seed: int, sites: int
) -> None:
    """Each count a whole number in its range: a billion patients would never finish."""
    limits = {
        "patients": (patients, 8, MAX_PATIENTS),
        "sites": (sites, 1, MAX_PATIENTS // 8),
        "counselors": (counselors, 1, patients),
        "rooms": (rooms, 1, patients),
        "seed": (seed, 0, MAX_SEED),
    }
    for name, (value, low, high) in limits.items():
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            raise GenerateError(f"{name}: {value!r} is not a whole number")
        if not low <= value <= high:
            raise GenerateError(f"{name}: {value} is out of range ({low} to {high})")


def _instance_data(
    name: str,
    plans: list[Site],
    people: list[dict],
    counselors: list[dict],
    rooms: list[dict],
    together: list[dict[str, Any]],
) -> dict[str, Any]:
    """The instance file's contents: the program frame, the people and rooms drawn, and the
    sites (when there are several)."""
    data: dict[str, Any] = {
        "format_version": 1,
        "name": name,
        "days": DAYS,
        "blocks": [
            {"id": b, "periods": [{"start": t[i], "end": t[i + 1]} for i in range(3)]}
            for b, t in TIMES.items()
        ],
        "stages": STAGES,
        "group_types": GROUP_TYPES,
        "requirements": REQUIREMENTS,
        "patients": people,
        "counselors": counselors,
        "rooms": rooms,
        "individual": {
            "duration_minutes": INDIVIDUAL_MINUTES,
            "per_week": INDIVIDUAL_PER_WEEK,
            "per_week_by_stage": INDIVIDUAL_BY_STAGE,
            "adjacent_minutes": ADJACENT_MINUTES,
        },
        "individual_slots": [{"start": s, "end": e} for s, e in INDIVIDUAL_SLOTS],
        # With sites the capacity is per site and block: the busiest site decides.
        "screening": {
            "per_week": SCREENS_PER_WEEK,
            "capacity_per_block": max(screen_capacity(plan.w) for plan in plans),
        },
        "together": together,
    }
    if len(plans) > 1:
        data["sites"] = [
            {"id": plan.id, "name": SITE_NAMES[k] if k < len(SITE_NAMES) else f"Site {k + 1}"}
            for k, plan in enumerate(plans)
        ]
    return data


def _witness_schedule(name: str, w: Witness, assigned: dict[str, str]) -> Schedule:
    """The witness as a schedule: sessions, appointments in week order, screens, primaries."""

    def appointments(appts: list[Appt]) -> list[Appointment]:
        ordered = sorted(appts, key=lambda a: (DAYS.index(a.day), a.time, a.counselor))
        return [
            Appointment(
                patient=a.patient,
                counselor=a.counselor,
                day=a.day,
                start=INDIVIDUAL_SLOTS[a.time][0],
                end=clock(appointment_span(a.time)[1]),
                room=a.room,
            )
            for a in ordered
        ]

    screens = sorted(w.screens, key=lambda ps: (all_slots().index(ps[1]), ps[0]))
    return Schedule(
        instance=name,
        status="feasible",
        sessions=w.sessions,
        individual_sessions=appointments(w.individual),
        medication_appointments=appointments(w.medication),
        screens=[Screen(patient=p, day=s.split(".")[0], block=s.split(".")[1]) for p, s in screens],
        primary_counselors=assigned,
    )
