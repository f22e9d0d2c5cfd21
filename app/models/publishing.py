"""Published versions: immutable, numbered snapshots of a municipality's pathway."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import StringConstraints
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import ApiOutput, JSONType, StrictInput, created_at_field


class PublishedVersion(SQLModel, table=True):
    __tablename__ = "published_version"
    __table_args__ = (UniqueConstraint("municipality_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    number: int
    published_at: datetime = created_at_field()
    published_by: str = Field(max_length=200)
    published_by_user_id: int | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL"
    )
    summary: str = Field(default="", max_length=500)
    #: The municipality version that was published.
    source_version: int = 0
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)


class PublishInput(StrictInput):
    summary: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class PublishedVersionSummary(ApiOutput):
    number: int
    published_at: datetime
    published_by: str
    summary: str


class PublishedVersionRead(PublishedVersionSummary):
    pathway: dict[str, Any]
