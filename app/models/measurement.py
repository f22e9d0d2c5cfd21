"""Indicators on an improvement area and their observations (aggregated numbers only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import pydantic
from pydantic import StringConstraints, model_validator
from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import (
    ApiOutput,
    Direction,
    Frequency,
    IndicatorKind,
    PatchInput,
    StrictInput,
    created_at_field,
    updated_at_field,
    version_field,
)
from app.models.improvement import SaneDate, Title

FiniteFloat = Annotated[float, pydantic.Field(allow_inf_nan=False, ge=-1e12, le=1e12)]


class Indicator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    improvement_area_id: int = Field(
        foreign_key="improvement_area.id", index=True, ondelete="CASCADE"
    )
    position: int = 1
    name: str = Field(max_length=200)
    definition: str = Field(default="", sa_type=Text)
    kind: str = Field(max_length=20)
    unit: str = Field(default="", max_length=50)
    direction: str = Field(default=Direction.up.value, max_length=10)
    target: float | None = None
    frequency: str = Field(default=Frequency.month.value, max_length=10)
    #: How many points (from the start, or from `baseline_restart`) form the baseline.
    #: None: all points.
    baseline_points: int | None = None
    #: The centre line restarts at this period: points from here get a new baseline.
    baseline_restart: date | None = None
    version: int = version_field()
    #: Bumped whenever the observations change; the ETag of the observation list.
    data_version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class Observation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("indicator_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True, ondelete="CASCADE")
    period: date
    value: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    comment: str = Field(default="", max_length=500)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


# ---- API schemas -------------------------------------------------------------------------


class IndicatorCreate(StrictInput):
    name: Title
    definition: Annotated[str, StringConstraints(max_length=2000)] = ""
    kind: IndicatorKind
    unit: Annotated[str, StringConstraints(max_length=50)] = ""
    direction: Direction = Direction.up
    target: FiniteFloat | None = None
    frequency: Frequency = Frequency.month
    baseline_points: int | None = Field(default=None, ge=1, le=1000)
    baseline_restart: SaneDate | None = None


class IndicatorUpdate(PatchInput):
    not_null = frozenset({"name", "definition", "kind", "unit", "direction", "frequency"})

    name: Title | None = None
    definition: Annotated[str, StringConstraints(max_length=2000)] | None = None
    kind: IndicatorKind | None = None
    unit: Annotated[str, StringConstraints(max_length=50)] | None = None
    direction: Direction | None = None
    target: FiniteFloat | None = None
    frequency: Frequency | None = None
    baseline_points: int | None = Field(default=None, ge=1, le=1000)
    baseline_restart: SaneDate | None = None


class IndicatorRead(ApiOutput):
    id: int
    improvement_area_id: int
    name: str
    definition: str
    kind: IndicatorKind
    unit: str
    direction: Direction
    target: float | None
    frequency: Frequency
    baseline_points: int | None
    baseline_restart: date | None
    version: int
    data_version: int
    updated_at: datetime


class ObservationInput(StrictInput):
    period: SaneDate
    value: FiniteFloat | None = None
    numerator: int | None = Field(default=None, ge=0, le=1_000_000_000)
    denominator: int | None = Field(default=None, ge=0, le=1_000_000_000)
    comment: Annotated[str, StringConstraints(max_length=500)] = ""

    @model_validator(mode="after")
    def _one_kind_of_number(self) -> ObservationInput:
        has_ratio = self.numerator is not None or self.denominator is not None
        if has_ratio and self.value is not None:
            raise ValueError("give either value or numerator and denominator, not both")
        if has_ratio:
            if self.numerator is None or self.denominator is None:
                raise ValueError("numerator and denominator go together")
            if self.denominator == 0:
                raise ValueError("denominator must be greater than 0")
            if self.numerator > self.denominator:
                raise ValueError("numerator cannot be greater than denominator")
        elif self.value is None:
            raise ValueError("an observation needs a value, or a numerator and a denominator")
        return self


class ObservationList(StrictInput):
    """Observations to insert or replace, by period. Periods not listed are left alone."""

    items: list[ObservationInput] = Field(max_length=1000)


class ObservationRead(ApiOutput):
    period: date
    #: A count or value; for proportions the percentage. Null when suppressed.
    value: float | None
    numerator: int | None
    denominator: int | None
    #: Set (e.g. "<5") when the number is hidden to protect small groups.
    suppressed: str | None = None
    comment: str


class ObservationsRead(ApiOutput):
    indicator_id: int
    data_version: int
    items: list[ObservationRead]
    total: int
