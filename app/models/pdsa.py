"""PDSA cycles (plan, do, study, act) that test a measure in small steps: what is tried and
what is expected, what was done, what happened, and whether the change is adopted, adapted
or abandoned. Shown as marks on the charts of the measure's improvement area."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import StringConstraints
from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models.base import (
    ApiOutput,
    EnumText,
    PatchInput,
    StrictInput,
    created_at_field,
    updated_at_field,
    version_field,
)
from app.models.improvement import SaneDate, Title

#: Cycles of one measure.
MAX_CYCLES = 50

Notes = Annotated[str, StringConstraints(max_length=4000)]


class Act(StrEnum):
    """What the study led to."""

    adopt = "adopt"
    adapt = "adapt"
    abandon = "abandon"


class PdsaCycle(SQLModel, table=True):
    __tablename__ = "pdsa_cycle"

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="measure.id", index=True, ondelete="CASCADE")
    #: Plan: what is tried, and what is expected to happen.
    title: str = Field(max_length=200)
    prediction: str = Field(default="", sa_type=Text)
    starts_on: date | None = None
    #: Do: what was done (and what did not go as planned).
    done: str = Field(default="", sa_type=Text)
    #: Study: what happened, against the prediction.
    studied: str = Field(default="", sa_type=Text)
    #: Act: adopt, adapt or abandon; empty until decided.
    act: Act | None = Field(default=None, sa_type=EnumText(Act, 10))
    act_notes: str = Field(default="", sa_type=Text)
    ends_on: date | None = None
    author: str = Field(max_length=200)
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class PdsaCycleCreate(StrictInput):
    title: Title
    prediction: Notes = ""
    starts_on: SaneDate | None = None
    done: Notes = ""
    studied: Notes = ""
    act: Act | None = None
    act_notes: Notes = ""
    ends_on: SaneDate | None = None


class PdsaCycleUpdate(PatchInput):
    not_null: ClassVar[frozenset[str]] = frozenset(
        {"title", "prediction", "done", "studied", "act_notes"}
    )

    title: Title | None = None
    prediction: Notes | None = None
    starts_on: SaneDate | None = None
    done: Notes | None = None
    studied: Notes | None = None
    act: Act | None = None
    act_notes: Notes | None = None
    ends_on: SaneDate | None = None


class PdsaCycleRead(ApiOutput):
    id: int
    measure_id: int
    title: str
    prediction: str
    starts_on: date | None
    done: str
    studied: str
    act: Act | None
    act_notes: str
    ends_on: date | None
    author: str
    version: int
    created_at: datetime
    updated_at: datetime
