"""The building blocks of the instance format: field types, ``minutes`` and the base models.

Every part of the instance (:mod:`models.program`, :mod:`models.people`, ...) and the
schedule use these, so they live below all of them.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
TimeOfDay = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["09:00"])]
SlotRef = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$", examples=["tue.pm"]),
]
Kind = Literal["psychoeducational", "skills", "interpersonal_process"]
KINDS: tuple[Kind, ...] = ("psychoeducational", "skills", "interpersonal_process")
Role = Literal["counselor", "clinician", "prescriber", "case_manager"]
# Roles that can carry a caseload: primary counselors and individual counseling.
PRIMARY_ROLES: tuple[Role, ...] = ("counselor", "clinician")


HOURS_IN_WEEK = 168


def minutes(time: str) -> int:
    """Minutes since midnight of an ``HH:MM`` string."""
    hours, mins = time.split(":")
    return int(hours) * 60 + int(mins)


class StrictModel(BaseModel):
    # Unknown fields are almost always typos ("min_hour"): reject them.
    model_config = ConfigDict(extra="forbid", frozen=True)


class SparseModel(StrictModel):
    """A model with optional fields added to format 1 after it was published (sites).

    They are written only when set, so a file that does not use them (and the
    generator's output) reads and writes exactly as before they existed.
    """

    _omit_unset: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _drop_unset(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for name in self._omit_unset:
                if name in data and data[name] in (None, []):
                    del data[name]
        return data
