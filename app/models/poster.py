"""What the poster adds to the improvement work: the municipality's plan for further work
("plan for videre arbeid"), presented at a network's final gathering."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints
from sqlmodel import Field, SQLModel, Text

from app.models.base import ApiOutput, StrictInput, updated_at_field, version_field

#: Characters of Markdown in a plan for further work.
MAX_PLAN_CHARS = 4000


class FurtherWorkPlan(SQLModel, table=True):
    __tablename__ = "further_work_plan"

    municipality_id: int = Field(
        foreign_key="municipality.id", primary_key=True, ondelete="CASCADE"
    )
    #: Markdown (the editor's safe subset).
    plan: str = Field(default="", sa_type=Text)
    version: int = version_field()
    updated_at: datetime = updated_at_field()


class FurtherWorkPlanPut(StrictInput):
    plan: Annotated[str, StringConstraints(max_length=MAX_PLAN_CHARS)] = ""


class FurtherWorkPlanRead(ApiOutput):
    municipality: str
    #: Markdown (the editor's safe subset).
    plan: str
    #: The plan rendered by the same cleaner as every other description.
    plan_html: str
    #: 0: nothing written yet (send `If-Match: "0"` to write it).
    version: int
    updated_at: datetime | None
