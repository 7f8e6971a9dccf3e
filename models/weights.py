"""The objective weights: what each soft rule costs."""

from __future__ import annotations

from pydantic import Field

from models.base import Int, StrictModel

MAX_WEIGHT = 1_000_000  # keeps objectives exact in float64 (CP-SAT reports them as floats)


# Stability against last week (solve --previous): each unit costs more than any one
# change can save under the other default weights, so that re-solving an unchanged week
# moves nobody. What one unit can save at most: a block a patient drops or swaps, its
# minutes of excess (180 for a 3-hour block), a preferred slot (30), the trips of the
# day's appointments (20 each) and the topics it repeats (200 a session: 600 for three
# periods), under 1,000; a session that no longer runs, its session_run (60) and its
# minutes of load imbalance (90 for a 90-minute period); a seat, a patient's primary
# counselor met (60) and a topic repeat (200); a primary counselor, the caseload spread
# (2 patients, 20), the primary met (60) and the individual sessions' trips (20 each).
STABILITY_BLOCK = 1000
STABILITY_SESSION = 1000
STABILITY_SEAT = 500
STABILITY_PRIMARY = 500


class Weights(StrictModel):
    """Objective weights; 0 switches a term off. All terms are minimized.

    The stability terms (``block_changed``, ``seat_changed``, ``session_moved``,
    ``primary_changed``) count only against a previous schedule (``solve --previous``);
    their defaults make one change cost more than it can save (see ``STABILITY_BLOCK``).
    """

    session_run: Int = Field(default=60, ge=0, le=MAX_WEIGHT, description="per group session run")
    excess_minutes: Int = Field(
        default=1, ge=0, le=MAX_WEIGHT, description="per minute a patient attends above min_hours"
    )
    preferred_missed: Int = Field(
        default=30,
        ge=0,
        le=MAX_WEIGHT,
        description="per block a patient attends outside their preferred slots",
    )
    load_imbalance_minutes: Int = Field(
        default=1,
        ge=0,
        le=MAX_WEIGHT,
        description="per minute between the most and least loaded group-leading counselor",
    )
    primary_not_leading: Int = Field(
        default=60,
        ge=0,
        le=MAX_WEIGHT,
        description="per patient whose primary counselor leads none of their groups",
    )
    individual_extra_trip: Int = Field(
        default=20,
        ge=0,
        le=MAX_WEIGHT,
        description="per appointment not next to the patient's block that day",
    )
    topic_repeat: Int = Field(
        default=200,
        ge=0,
        le=MAX_WEIGHT,
        description="per session whose topic the patient heard this week or completed before",
    )
    shortfall_minutes: Int = Field(
        default=100,
        ge=0,
        le=MAX_WEIGHT,
        description="best effort only: per minute a patient is below min_hours",
    )
    shortfall_days: Int = Field(
        default=6000,
        ge=0,
        le=MAX_WEIGHT,
        description="best effort only: per day a patient is below min_days",
    )
    shortfall_sessions: Int = Field(
        default=6000,
        ge=0,
        le=MAX_WEIGHT,
        description=(
            "best effort only: per session a patient lacks of a requirement row, an "
            "individual or medication appointment, or a screen"
        ),
    )
    caseload_imbalance: Int = Field(
        default=10,
        ge=0,
        le=MAX_WEIGHT,
        description=(
            "per patient between the largest and smallest caseload, when the solver "
            "assigns primary counselors"
        ),
    )
    # Cohorts within the week (scheduler/check/cohorts.py).
    room_change: Int = Field(
        default=10,
        ge=0,
        le=MAX_WEIGHT,
        description="per patient and consecutive pair of periods of a block in different rooms",
    )
    type_repeat_in_block: Int = Field(
        default=20,
        ge=0,
        le=MAX_WEIGHT,
        description=(
            "per extra session of a group type a patient sits in one block, beyond the "
            "repeats their requirement rows force"
        ),
    )
    process_peers_changed: Int = Field(
        default=5,
        ge=0,
        le=MAX_WEIGHT,
        description=(
            "per peer who left or joined between consecutive meetings of a patient's "
            "interpersonal-process group type"
        ),
    )
    block_changed: Int = Field(
        default=STABILITY_BLOCK,
        ge=0,
        le=MAX_WEIGHT,
        description=(
            "with a previous schedule: per block a returning patient attends that they did "
            "not last week, or no longer attends"
        ),
    )
    seat_changed: Int = Field(
        default=STABILITY_SEAT,
        ge=0,
        le=MAX_WEIGHT,
        description=(
            "with a previous schedule: per session of last week (type, stage, slot, period) a "
            "returning patient no longer sits in with last week's counselors"
        ),
    )
    session_moved: Int = Field(
        default=STABILITY_SESSION,
        ge=0,
        le=MAX_WEIGHT,
        description=(
            "with a previous schedule: per session of last week that no longer runs in its "
            "slot and period, in its room, with its counselors"
        ),
    )
    primary_changed: Int = Field(
        default=STABILITY_PRIMARY,
        ge=0,
        le=MAX_WEIGHT,
        description=(
            "with a previous schedule: per patient assigned another primary counselor than "
            "last week's assignment"
        ),
    )
