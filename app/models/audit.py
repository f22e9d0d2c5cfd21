"""Audit events: who changed what, when, with the values before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.models.base import ApiOutput, JSONType, UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_municipality_occurred", "municipality_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_type: str = Field(max_length=20)
    actor_id: int | None = None
    actor: str = Field(max_length=200)
    action: str = Field(max_length=40)
    entity_type: str = Field(max_length=40)
    entity_id: str = Field(max_length=60)
    municipality_id: int | None = Field(
        default=None, foreign_key="municipality.id", ondelete="SET NULL"
    )
    request_id: str | None = Field(default=None, max_length=64)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSONType)


class AuditEventRead(ApiOutput):
    id: int
    occurred_at: datetime
    actor_type: str
    actor: str
    action: str
    entity_type: str
    entity_id: str
    municipality: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditFiltersRead(ApiOutput):
    """The choices for filtering a municipality's history: what was changed, and by whom."""

    entity_types: list[str]
    actors: list[str]
