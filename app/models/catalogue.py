"""Reference catalogues: the six phases, offering types and the versioned checklist (the
product's own, based on the national guideline on dementia)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import ApiOutput, created_at_field, updated_at_field, version_field


class Phase(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=40)
    position: int = Field(unique=True)
    name_nb: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    summary_nb: str = Field(default="", max_length=1000)
    summary_en: str = Field(default="", max_length=1000)


class OfferingType(SQLModel, table=True):
    __tablename__ = "offering_type"

    key: str = Field(primary_key=True, max_length=60)
    position: int
    name_nb: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    default_phase: str = Field(foreign_key="phase.key", max_length=40)
    #: The category of the national survey of dementia services this type maps to.
    survey_category: str = Field(default="", max_length=200)
    active: bool = True
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class ChecklistVersion(SQLModel, table=True):
    __tablename__ = "checklist_version"

    id: int = Field(primary_key=True)
    title: str = Field(max_length=200)
    published_on: datetime = created_at_field()
    is_current: bool = False


class ChecklistItem(SQLModel, table=True):
    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("checklist_version_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    checklist_version_id: int = Field(foreign_key="checklist_version.id", index=True)
    key: str = Field(max_length=60)
    position: int
    #: A phase key, or "cross_cutting".
    phase: str = Field(max_length=40)
    text_nb: str = Field(max_length=1000)
    text_en: str = Field(max_length=1000)


class PhaseRead(ApiOutput):
    key: str
    position: int
    name: str
    name_nb: str
    name_en: str
    summary: str


class OfferingTypeRead(ApiOutput):
    key: str
    name: str
    name_nb: str
    name_en: str
    default_phase: str
    survey_category: str
    active: bool


class ChecklistItemRead(ApiOutput):
    key: str
    position: int
    phase: str
    text: str
    text_nb: str
    text_en: str


class ChecklistRead(ApiOutput):
    version: int
    title: str
    items: list[ChecklistItemRead]
