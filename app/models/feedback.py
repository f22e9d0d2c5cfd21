"""Comments on a pathway, a phase section or an improvement area, and guidance conversations
(the `review` table and `/reviews` resource, kept under that name for integrators)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

import pydantic
from pydantic import StringConstraints, model_validator
from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models.base import ApiOutput, StrictInput, UTCDateTime, created_at_field, version_field


class CommentTarget(StrEnum):
    pathway = "pathway"
    phase_section = "phase_section"
    improvement_area = "improvement_area"


class Comment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    target: str = Field(max_length=20)
    phase: str | None = Field(default=None, foreign_key="phase.key", max_length=40)
    improvement_area_id: int | None = Field(
        default=None, foreign_key="improvement_area.id", index=True, ondelete="CASCADE"
    )
    parent_id: int | None = Field(
        default=None, foreign_key="comment.id", index=True, ondelete="CASCADE"
    )
    text: str = Field(sa_type=Text)
    author: str = Field(max_length=200)
    author_role: str = Field(default="", max_length=20)
    author_user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by: str | None = Field(default=None, max_length=200)
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class Review(SQLModel, table=True):
    """A guidance conversation (veiledningssamtale) between the region's advisers and a
    municipality: when it was held, what it was about and the follow-up agreed. Not an
    inspection: nothing in it grades the municipality."""

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    reviewed_at: datetime = created_at_field()
    reviewer: str = Field(max_length=200)
    reviewer_user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    note: str = Field(default="", sa_type=Text)
    #: What the conversation was about.
    topics: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})
    #: The follow-up agreed (who does what before the next conversation).
    follow_up: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})


class CommentCreate(StrictInput):
    target: CommentTarget = CommentTarget.pathway
    phase: Annotated[str, StringConstraints(max_length=40)] | None = None
    improvement_area_id: Annotated[int, pydantic.Field(ge=1, le=2_147_483_647)] | None = None
    parent_id: Annotated[int, pydantic.Field(ge=1, le=2_147_483_647)] | None = None
    text: Annotated[str, StringConstraints(min_length=1, max_length=4000)]

    @model_validator(mode="after")
    def _target_fields(self) -> CommentCreate:
        if self.target == CommentTarget.phase_section and not self.phase:
            raise ValueError("a comment on a phase section names the phase")
        if self.target == CommentTarget.improvement_area and not self.improvement_area_id:
            raise ValueError("a comment on an improvement area names improvement_area_id")
        return self


class CommentUpdate(StrictInput):
    """`resolved` resolves or reopens a thread (on its first comment only); `text` changes
    the comment's text (its author only). Fields left out are unchanged."""

    resolved: bool | None = None
    text: Annotated[str, StringConstraints(min_length=1, max_length=4000)] | None = None


class CommentRead(ApiOutput):
    id: int
    municipality: str
    target: CommentTarget
    phase: str | None
    improvement_area_id: int | None
    parent_id: int | None
    #: The id of the thread's first comment (the comment's own id for a first comment).
    thread_id: int
    text: str
    author: str
    author_role: str
    created_at: datetime
    updated_at: datetime
    #: Set on the first comment of a thread: resolving it resolves the thread.
    resolved: bool
    resolved_at: datetime | None
    resolved_by: str | None
    version: int


class CommentThreadRead(ApiOutput):
    """A first comment with all its replies (in the order written)."""

    id: int
    municipality: str
    municipality_name: str
    target: CommentTarget
    phase: str | None
    improvement_area_id: int | None
    improvement_area_title: str | None
    resolved: bool
    #: Who is expected to answer: the adviser side when a municipality had the last word.
    awaiting: Literal["adviser", "municipality"]
    last_comment_at: datetime
    comments: list[CommentRead]
    #: The version of the first comment, for resolving or reopening the thread.
    version: int


class ReviewCreate(StrictInput):
    """A guidance conversation. `note` is kept for integrators that send only it."""

    note: Annotated[str, StringConstraints(max_length=2000)] = ""
    topics: Annotated[str, StringConstraints(max_length=2000)] = ""
    follow_up: Annotated[str, StringConstraints(max_length=2000)] = ""


class ReviewRead(ApiOutput):
    """A guidance conversation; `reviewed_at` is when it was held."""

    id: int
    municipality: str
    reviewed_at: datetime
    reviewer: str
    note: str
    topics: str
    follow_up: str
