"""Webhooks: where the change feed's events are sent, and the outbox of their deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlmodel import Field, SQLModel

from app.models.base import (
    ApiOutput,
    JSONType,
    PatchInput,
    StrictInput,
    UTCDateTime,
    created_at_field,
    updated_at_field,
    utcnow,
    version_field,
)


class Webhook(SQLModel, table=True):
    """Owned by an API client (bound as its tokens are) or made by an administrator
    (national)."""

    __tablename__ = "webhook"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    #: Event types sent (empty: all).
    event_types: list[str] = Field(default_factory=list, sa_type=JSONType)
    api_client_id: int | None = Field(
        default=None, foreign_key="api_client.id", index=True, ondelete="CASCADE"
    )
    user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="CASCADE")
    #: The Standard Webhooks signing secret ("whsec_…"); shown once, when made.
    secret: str = Field(max_length=100)
    is_active: bool = True
    disabled_reason: str = Field(default="", max_length=1000)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_delivery"

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhook.id", index=True, ondelete="CASCADE")
    event_id: int
    event_type: str = Field(max_length=80)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    #: pending → sending → delivered, or failed after 24 hours of retries.
    status: str = Field(default="pending", max_length=20, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    created_at: datetime = created_at_field()
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status: int | None = None
    last_error: str = Field(default="", max_length=1000)


class WebhookCreate(StrictInput):
    url: str = Field(min_length=1, max_length=2000, description="Where events are POSTed")
    event_types: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Event types to send, e.g. `measure.deleted`; empty: all",
    )


class WebhookUpdate(PatchInput):
    not_null: ClassVar[frozenset[str]] = frozenset({"url", "event_types", "active"})

    url: str | None = Field(default=None, min_length=1, max_length=2000)
    event_types: list[str] | None = Field(default=None, max_length=100)
    #: true turns a disabled webhook on again.
    active: bool | None = None


class WebhookRead(ApiOutput):
    id: int
    url: str
    event_types: list[str]
    active: bool
    disabled_reason: str
    disabled_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookRead):
    #: The signing secret, shown only in this answer.
    secret: str


class WebhookDeliveryRead(ApiOutput):
    id: int
    event_id: int
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    last_status: int | None
    last_error: str
