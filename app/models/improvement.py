"""Improvement work: improvement areas in priority order, their measures and progress notes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import pydantic
from pydantic import AfterValidator, StringConstraints, model_validator
from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models.base import (
    MAX_DATE,
    MIN_DATE,
    ApiOutput,
    EnumText,
    ImprovementStatus,
    JSONType,
    MeasureStatus,
    PatchInput,
    StrictInput,
    created_at_field,
    updated_at_field,
    version_field,
)


def _sane_date(value: date | None) -> date | None:
    if value is not None and not (MIN_DATE <= value <= MAX_DATE):
        raise ValueError(f"must be between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}")
    return value


SaneDate = Annotated[date, AfterValidator(_sane_date)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=4000)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=50)]
PhaseKey = Annotated[str, StringConstraints(max_length=40)]

# The per-collection limits: the API and the whole-municipality import enforce the same ones.
#: Improvement areas of a municipality.
MAX_AREAS = 100
#: Measures of an improvement area.
MAX_MEASURES = 100
#: Progress notes of an improvement area, and of a measure.
MAX_NOTES = 500
#: Phases an improvement area belongs to (there are six).
MAX_PHASES = 6
#: Tags of an improvement area.
MAX_TAGS = 10


def _unique(values: list[Any]) -> list[Any]:
    """The strings without repeats, in order. Anything else (a number, an object, a list)
    is kept as it is, for the field's own validation to refuse: it runs before the types
    are checked, so it may be given any JSON."""
    seen: set[str] = set()
    result = []
    for value in values:
        if isinstance(value, str):
            if value in seen:
                continue
            seen.add(value)
        result.append(value)
    return result


class ImprovementArea(SQLModel, table=True):
    __tablename__ = "improvement_area"

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    #: 1..n without gaps within a municipality; 1 is the highest priority.
    priority: int
    title: str = Field(max_length=200)
    rationale: str = Field(default="", sa_type=Text)
    aim: str = Field(default="", sa_type=Text)
    target_date: date | None = None
    status: ImprovementStatus = Field(
        default=ImprovementStatus.not_started, sa_type=EnumText(ImprovementStatus, 20)
    )
    tags: list[str] = Field(default_factory=list, sa_type=JSONType)
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class ImprovementAreaPhase(SQLModel, table=True):
    __tablename__ = "improvement_area_phase"

    improvement_area_id: int = Field(
        foreign_key="improvement_area.id", primary_key=True, ondelete="CASCADE"
    )
    phase: str = Field(foreign_key="phase.key", primary_key=True, max_length=40)


class Measure(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    improvement_area_id: int = Field(
        foreign_key="improvement_area.id", index=True, ondelete="CASCADE"
    )
    position: int
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    responsible: str = Field(default="", max_length=200)
    start_date: date | None = None
    due_date: date | None = None
    status: MeasureStatus = Field(
        default=MeasureStatus.not_started, sa_type=EnumText(MeasureStatus, 20)
    )
    #: What the measure achieved (for a completed measure shared as a good example).
    result: str = Field(default="", sa_type=Text)
    #: Marked as a good example other municipalities may read (done, with a result).
    shared: bool = False
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class ProgressNote(SQLModel, table=True):
    __tablename__ = "progress_note"

    id: int | None = Field(default=None, primary_key=True)
    #: Exactly one of the two is set.
    improvement_area_id: int | None = Field(
        default=None, foreign_key="improvement_area.id", index=True, ondelete="CASCADE"
    )
    measure_id: int | None = Field(
        default=None, foreign_key="measure.id", index=True, ondelete="CASCADE"
    )
    date: date
    text: str = Field(sa_type=Text)
    author: str = Field(max_length=200)
    author_user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


# ---- API schemas -------------------------------------------------------------------------


class _AreaFields(StrictInput):
    @model_validator(mode="before")
    @classmethod
    def _dedupe(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("phases", "tags"):
                if isinstance(data.get(key), list):
                    data = {**data, key: _unique(data[key])}
        return data


class ImprovementAreaCreate(_AreaFields):
    title: Title
    rationale: LongText = ""
    phases: list[PhaseKey] = Field(default_factory=list, max_length=MAX_PHASES)
    aim: Annotated[str, StringConstraints(max_length=1000)] = ""
    target_date: SaneDate | None = None
    status: ImprovementStatus = ImprovementStatus.not_started
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)


class ImprovementAreaUpdate(_AreaFields, PatchInput):
    not_null = frozenset({"title", "rationale", "phases", "aim", "status", "tags"})

    title: Title | None = None
    rationale: LongText | None = None
    phases: list[PhaseKey] | None = Field(default=None, max_length=MAX_PHASES)
    aim: Annotated[str, StringConstraints(max_length=1000)] | None = None
    target_date: SaneDate | None = None
    status: ImprovementStatus | None = None
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)


class ImprovementAreaRead(ApiOutput):
    id: int
    municipality: str
    title: str
    rationale: str
    phases: list[str]
    priority: int
    aim: str
    target_date: date | None
    status: ImprovementStatus
    tags: list[str]
    measure_counts: dict[str, int]
    version: int
    updated_at: datetime


class PriorityOrder(StrictInput):
    ids: list[Annotated[int, pydantic.Field(ge=1, le=2_147_483_647)]] = Field(max_length=500)


class PriorityOrderRead(ApiOutput):
    ids: list[int]
    version: int


class _MeasureDates(StrictInput):
    @model_validator(mode="after")
    def _due_after_start(self) -> Any:
        start = getattr(self, "start_date", None)
        due = getattr(self, "due_date", None)
        if start and due and due < start:
            raise ValueError("due_date cannot be before start_date")
        return self


class MeasureCreate(_MeasureDates):
    title: Title
    description: LongText = ""
    responsible: Annotated[str, StringConstraints(max_length=200)] = ""
    start_date: SaneDate | None = None
    due_date: SaneDate | None = None
    status: MeasureStatus = MeasureStatus.not_started
    #: What the measure achieved.
    result: LongText = ""
    #: Share as a good example with every municipality: only a done measure with a result.
    shared: bool = False


class MeasureUpdate(_MeasureDates, PatchInput):
    not_null = frozenset({"title", "description", "responsible", "status", "result", "shared"})

    title: Title | None = None
    description: LongText | None = None
    responsible: Annotated[str, StringConstraints(max_length=200)] | None = None
    start_date: SaneDate | None = None
    due_date: SaneDate | None = None
    status: MeasureStatus | None = None
    result: LongText | None = None
    shared: bool | None = None


class MeasureLight(StrEnum):
    """A measure's status colour, as learning networks show it on posters: green on track
    (or done), yellow delayed (its due date has passed and it is still open), red stopped."""

    green = "green"
    yellow = "yellow"
    red = "red"


class MeasureRead(ApiOutput):
    id: int
    improvement_area_id: int
    title: str
    description: str
    responsible: str
    start_date: date | None
    due_date: date | None
    status: MeasureStatus
    result: str
    shared: bool
    position: int
    overdue: bool
    #: The status colour: green on track or done, yellow delayed, red stopped.
    light: MeasureLight
    version: int
    updated_at: datetime


class ProgressNoteCreate(StrictInput):
    date: SaneDate | None = None
    text: Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class ProgressNoteUpdate(StrictInput):
    text: Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class ProgressNoteRead(ApiOutput):
    id: int
    date: date
    text: str
    author: str
    improvement_area_id: int | None
    measure_id: int | None
    editable_until: datetime
    version: int
    created_at: datetime
