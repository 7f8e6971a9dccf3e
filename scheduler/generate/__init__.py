"""Realistic synthetic programs, feasible by construction.

The generator first builds a *witness* timetable: patients of one stage and
time of day form cohorts of 4-10 that attend three blocks together and sit one
group per period, with a room and a qualified counselor each. Education
sessions teach the topic of their period (one topic per period, so parallel
sessions agree) and no patient hears a topic twice. Each patient then gets
their individual sessions with one primary counselor, a medication appointment
with a prescriber if they need one, and a screen, all next to blocks they
attend. Availability, qualifications, offices and limits are then drawn around
that witness, so the instance always has at least one valid schedule (the
tests check the witness with the checker). The solver is free to do much
better than the witness: mix cohorts, merge education groups, use the
specialty, family and couples groups.

Proportions follow ``docs/domain.md``: about 70% of patients work and come in
the evening; stages engagement 20%, early recovery 35%, maintenance 30%,
community integration 15%; tracks substance use 55%, dual diagnosis 30%,
psychiatric 15%; about 15% on medication management (more in the psychiatric
and dual diagnosis tracks); about 10% admitted without a primary counselor.

A multi-site organization (``sites`` > 1) is that many such programs, one per
site, each built as above with its own rooms, staff and witness; about 10% of the
counselors float between two sites, at each on its own days, so the witness has
them at one site a day.
"""

from scheduler.generate.build import GenerateError, generate

__all__ = ["GenerateError", "generate"]
