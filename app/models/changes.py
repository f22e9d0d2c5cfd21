"""The change feed: one row per change of content, tombstones for deletions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.models.base import ApiOutput, UTCDateTime, utcnow


class ChangeEvent(SQLModel, table=True):
    """Ids are handed out in commit order (services.changes), so a consumer that follows
    `id` never misses one. Kept at least 180 days."""

    __tablename__ = "change_event"
    __table_args__ = (
        Index("ix_change_event_municipality_id_id", "municipality_id", "id"),
        Index("ix_change_event_region_id_id", "region_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=80)
    entity_type: str = Field(max_length=40)
    entity_id: str = Field(max_length=60)
    #: Where the entity belonged when it changed (none: networks and other shared things).
    municipality_id: int | None = None
    region_id: int | None = None
    municipality: str | None = Field(default=None, max_length=4)
    version: int | None = None
    deleted: bool = False
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class ChangeEventRead(ApiOutput):
    id: int
    type: str
    municipality: str | None
    entity_type: str
    entity_id: str
    version: int | None
    deleted: bool
    occurred_at: datetime


class ChangeFeedRead(ApiOutput):
    items: list[ChangeEventRead]
    #: Pass as `after` for the next page; the same value when nothing new has come.
    next_cursor: int
