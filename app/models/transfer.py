"""The whole-municipality export format. Import validates against the same models, so what
one installation exports another can import, losslessly."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.models.base import (
    Answer,
    Direction,
    Frequency,
    ImprovementStatus,
    IndicatorKind,
    Maturity,
    MeasureStatus,
    OfferingStatus,
    Provider,
)

FORMAT: Literal["demensforlop.municipality"] = "demensforlop.municipality"
FORMAT_VERSION: Literal[1] = 1

Text = Annotated[str, StringConstraints(max_length=10_000)]
Short = Annotated[str, StringConstraints(max_length=300)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfferingOut(_Strict):
    type: str | None
    name: Short
    description: Annotated[str, StringConstraints(max_length=2000)]
    status: OfferingStatus
    provider: Provider
    contact: Short


class SectionOut(_Strict):
    phase: str
    description: Text
    responsible: Short
    contact_name: Short
    contact_phone: Short
    contact_email: Short
    contact_hours: Short
    maturity: Maturity
    needs_knowledge: bool
    version: int = Field(ge=1)
    created_at: datetime
    updated_at: datetime
    offerings: list[OfferingOut] = Field(max_length=60)


class ChecklistAnswerOut(_Strict):
    checklist_version: int
    item: str
    answer: Answer
    comment: Annotated[str, StringConstraints(max_length=2000)]
    version: int = Field(ge=1)
    created_at: datetime
    updated_at: datetime


class StrengthOut(_Strict):
    position: int
    text: Annotated[str, StringConstraints(max_length=500)]
    phase: str | None
    version: int = Field(ge=1)
    created_at: datetime
    updated_at: datetime


class NoteOut(_Strict):
    date: date
    text: Text
    author: Short
    version: int = Field(ge=1)
    created_at: datetime
    updated_at: datetime


class MeasureOut(_Strict):
    position: int
    title: Short
    description: Text
    responsible: Short
    start_date: date | None
    due_date: date | None
    status: MeasureStatus
    version: int = Field(ge=1)
    created_at: datetime
    updated_at: datetime
    notes: list[NoteOut]


class ObservationOut(_Strict):
    period: date
    value: float | None
    numerator: int | None
    denominator: int | None
    comment: Annotated[str, StringConstraints(max_length=500)]
    created_at: datetime
    updated_at: datetime


class IndicatorOut(_Strict):
    position: int
    name: Short
    definition: Text
    kind: IndicatorKind
    unit: Short
    direction: Direction
    target: float | None
    frequency: Frequency
    baseline_points: int | None
    baseline_restart: date | None
    version: int = Field(ge=1)
    data_version: int = Field(ge=1)
    created_at: datetime
    updated_at: datetime
    observations: list[ObservationOut]


class ImprovementAreaOut(_Strict):
    priority: int = Field(ge=1)
    title: Short
    rationale: Text
    aim: Text
    target_date: date | None
    status: ImprovementStatus
    tags: list[Annotated[str, StringConstraints(max_length=50)]]
    phases: list[str]
    version: int = Field(ge=1)
    created_at: datetime
    updated_at: datetime
    notes: list[NoteOut]
    measures: list[MeasureOut]
    indicators: list[IndicatorOut]


class CommentOut(_Strict):
    ref: int
    parent_ref: int | None
    target: Literal["pathway", "phase_section", "improvement_area"]
    phase: str | None
    improvement_area_priority: int | None
    text: Text
    author: Short
    author_role: Short
    resolved_at: datetime | None
    resolved_by: Short | None
    version: int = Field(ge=1)
    created_at: datetime
    updated_at: datetime


class ReviewOut(_Strict):
    reviewed_at: datetime
    reviewer: Short
    note: Text


class PublishedVersionOut(_Strict):
    number: int = Field(ge=1)
    published_at: datetime
    published_by: Short
    summary: Short
    source_version: int
    snapshot: dict[str, Any]


class MunicipalityOut(_Strict):
    number: Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
    name: Short
    region: str
    population: int | None
    persons_with_dementia: int | None
    figures_year: int | None
    website: Short | None
    is_example: bool
    version: int = Field(ge=1)
    priority_version: int = Field(ge=1)
    created_at: datetime
    updated_at: datetime


class MunicipalityExport(_Strict):
    format: Literal["demensforlop.municipality"]
    format_version: Literal[1]
    municipality: MunicipalityOut
    sections: list[SectionOut]
    checklist_answers: list[ChecklistAnswerOut]
    strengths: list[StrengthOut]
    improvement_areas: list[ImprovementAreaOut]
    comments: list[CommentOut]
    reviews: list[ReviewOut]
    published_versions: list[PublishedVersionOut]


class ImportResult(BaseModel):
    number: str
    version: int
    sections: int
    strengths: int
    improvement_areas: int
    measures: int
    indicators: int
    observations: int
    published_versions: int
