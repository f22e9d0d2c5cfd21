"""E-mail waiting to go out (the outbox), one-time links sent by e-mail, and the requests
for them that are throttled."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import (
    ApiOutput,
    JSONType,
    Role,
    StrictInput,
    UTCDateTime,
    created_at_field,
    utcnow,
)
from app.models.municipality import MunicipalityNumber, RegionSlug


class OutboxStatus(StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"


class OutboxMessage(SQLModel, table=True):
    """One e-mail, queued in the transaction of the write that caused it and sent by the
    sender after commit (services/outbox.py)."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    text_body: str
    html_body: str = ""
    headers: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    status: str = Field(default=OutboxStatus.queued.value, max_length=10, index=True)
    attempts: int = 0
    #: When the message may next be tried; while it is being sent, when its claim lapses.
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = created_at_field()
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LinkPurpose(StrEnum):
    reset = "reset"
    invite = "invite"


class AccessLink(SQLModel, table=True):
    """A single-use link sent by e-mail: a password reset or an invitation. Only the
    SHA-256 of the token is kept."""

    __tablename__ = "access_link"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=10)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ResetRequest(SQLModel, table=True):
    """A request for a password-reset link, counted per address and per client address."""

    __tablename__ = "reset_request"

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=300, index=True)
    address: str = Field(max_length=64, index=True)
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class InvitationCreate(StrictInput):
    """An invitation by e-mail. Coordinators need municipalities, advisers regions."""

    email: str = Field(min_length=3, max_length=254)
    role: Role
    name: str = Field(default="", max_length=200)
    municipalities: list[MunicipalityNumber] = Field(default_factory=list, max_length=100)
    regions: list[RegionSlug] = Field(default_factory=list, max_length=20)
    #: The language of the e-mail.
    language: Literal["nb", "en"] = "nb"


class InvitationRead(ApiOutput):
    user_id: int
    email: str
    role: str
    municipalities: list[str]
    regions: list[str]
    #: When the link in the e-mail stops working.
    expires_at: datetime


class NotificationPreference(SQLModel, table=True):
    """How one person wants to hear of one kind of event: off, an e-mail at once or the
    weekly digest. No row: off."""

    __tablename__ = "notification_preference"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    kind: str = Field(max_length=20, primary_key=True)
    mode: str = Field(max_length=10)
    changed_at: datetime = created_at_field()


class SentNotice(SQLModel, table=True):
    """One notice e-mailed to one person: about `subject` (e.g. `measure:12`) for `period`
    (e.g. the deadline, the month, the ISO week of a digest). The unique key is what makes
    `demensforlop notify` safe to run again: a notice already recorded is never sent twice."""

    __tablename__ = "sent_notice"
    __table_args__ = (UniqueConstraint("user_id", "kind", "subject", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)
    subject: str = Field(max_length=60)
    period: str = Field(default="", max_length=20)
    sent_at: datetime = created_at_field()
