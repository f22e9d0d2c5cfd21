"""Messages citizens send a municipality from its public page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import EmailStr, StringConstraints, field_validator
from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models.base import ApiOutput, StrictInput, UTCDateTime, created_at_field

#: The longest message a citizen may send.
MESSAGE_MAX = 2000


class CitizenMessage(SQLModel, table=True):
    __tablename__ = "citizen_message"

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    #: Plain text as sent; never rendered as HTML.
    text: str = Field(sa_type=Text)
    #: Who wrote, if they said (optional), and where they want an answer (optional).
    sender_name: str = Field(default="", max_length=200)
    reply_email: str = Field(default="", max_length=254)
    created_at: datetime = created_at_field()
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handled_by: str | None = Field(default=None, max_length=200)


class CitizenMessageInput(StrictInput):
    text: Annotated[str, StringConstraints(min_length=1, max_length=MESSAGE_MAX)]
    sender_name: Annotated[str, StringConstraints(max_length=200)] = ""
    reply_email: EmailStr | None = None

    @field_validator("reply_email", mode="before")
    @classmethod
    def _empty_email(cls, value: object) -> object:
        return None if value == "" else value


class CitizenMessageRead(ApiOutput):
    id: int
    text: str
    sender_name: str
    reply_email: str
    created_at: datetime
    handled_at: datetime | None
    handled_by: str | None
