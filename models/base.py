"""The building blocks of the instance format: field types, ``minutes`` and the base models.

Every part of the instance (:mod:`models.program`, :mod:`models.people`, ...) and the
schedule use these, so they live below all of them.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    model_serializer,
)
from pydantic_core import PydanticCustomError

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

# Input is validated in pydantic's strict mode (models.io): a value must have the type the
# JSON Schema gives it, so "2", true or [2] is not a number. The types below are the three
# places where strict mode and JSON disagree.


def _whole_number(value: Any) -> Any:
    """6.0 -> 6: JSON Schema counts a number without a fraction as an integer."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    return value


def _version_number(value: Any) -> Any:
    """``true`` equals 1 in Python, so the literal 1 would take it: refuse booleans."""
    if isinstance(value, bool):
        raise PydanticCustomError("literal_error", "Input should be 1")
    return value


_LAX_DATE: TypeAdapter[dt.date] = TypeAdapter(dt.date)


def _date_text(value: Any) -> Any:
    """A date is an ISO ``YYYY-MM-DD`` string in JSON (strict mode takes only ``date``s)."""
    if not isinstance(value, str):
        return value  # a date object passes, anything else fails as not a date
    try:
        return _LAX_DATE.validate_python(value)
    except ValidationError as err:
        reason = err.errors()[0]["msg"]
        raise PydanticCustomError("date_from_text", "{reason}", {"reason": reason}) from None


def _time_zone(value: Any) -> Any:
    """An IANA zone the machine's tz database (or the tzdata package) knows."""
    if not isinstance(value, str):
        return value  # fails as not a string
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "time_zone",
            "'{zone}' is not an IANA time zone (e.g. 'America/New_York', 'Europe/Berlin')",
            {"zone": value},
        ) from None
    return value


Int = Annotated[int, BeforeValidator(_whole_number)]
# An optional count: written ``Int | None = Field(ge=0, le=1000)``, the bounds would reach the
# JSON Schema as pydantic's own "ge"/"le" keys instead of "minimum"/"maximum".
Count = Annotated[int, Field(ge=0, le=1000), BeforeValidator(_whole_number)]
FormatVersion = Annotated[Literal[1], BeforeValidator(_version_number)]
Date = Annotated[dt.date, BeforeValidator(_date_text)]
TimeZone = Annotated[str, Field(examples=["America/New_York"]), AfterValidator(_time_zone)]
# A name printed for people (rosters, sign-in sheets): one line of plain text.
DisplayName = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[^\x00-\x1f\x7f]+$")]


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
            for name in self.derived:
                data.pop(name, None)
        return data

    @property
    def derived(self) -> tuple[str, ...]:
        """Fields set from other parts of the instance, not written (none but a patient's
        stage and hours from a phase: see :mod:`models.phases`)."""
        return ()
