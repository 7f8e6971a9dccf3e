"""The services besides groups: individual counseling (one-to-one) and drug screening."""

from __future__ import annotations

from pydantic import Field, field_validator

from models.base import Id, Int, StrictModel


class Individual(StrictModel):
    """Individual counseling: one-to-one sessions with the primary counselor."""

    duration_minutes: Int = Field(default=50, ge=30, le=60)
    per_week: Int = Field(default=1, ge=0, le=7)
    per_week_by_stage: dict[Id, Int] = Field(
        default_factory=dict, description="per_week for patients of these stages"
    )
    adjacent_minutes: Int = Field(
        default=30,
        ge=0,
        le=240,
        description="an appointment this close to the patient's block that day needs no extra trip",
    )

    @field_validator("per_week_by_stage")
    @classmethod
    def _counts(cls, by_stage: dict[str, Int]) -> dict[str, Int]:
        for stage, n in by_stage.items():
            if not 0 <= n <= 7:
                raise ValueError(f"per_week of stage '{stage}' is {n}, not within 0-7")
        return by_stage


class Screening(StrictModel):
    """Drug and alcohol monitoring: specimen collections in attended blocks."""

    per_week: Int = Field(default=1, ge=0, le=7)
    capacity_per_block: Int = Field(default=8, ge=1, le=1000)
