"""Learning networks (læringsnettverk): a regional centre or FHI runs one for one to two
years with member municipalities, gatherings (samlinger) and work between gatherings
(mellomarbeid) that each member answers and presents at the next gathering."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import pydantic
from pydantic import StringConstraints
from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import (
    ApiOutput,
    EnumText,
    PatchInput,
    StrictInput,
    UTCDateTime,
    created_at_field,
    updated_at_field,
    version_field,
)
from app.models.improvement import LongText, SaneDate, Title

#: Members of one network, gatherings of one network, tasks of one network.
MAX_MEMBERS = 400
MAX_GATHERINGS = 100
MAX_TASKS = 300
MAX_FACILITATORS = 20

Number = Annotated[str, StringConstraints(min_length=4, max_length=4, pattern=r"^\d{4}$")]
Markdown = Annotated[str, StringConstraints(max_length=20_000)]
Email = Annotated[str, StringConstraints(min_length=3, max_length=254)]


class MemberStatus(StrEnum):
    invited = "invited"
    taking_part = "taking_part"
    withdrew = "withdrew"
    completed = "completed"


class AnswerStatus(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    done = "done"


# ---- tables ------------------------------------------------------------------------------


class Network(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    #: None: a national network (run by administrators and its named facilitators).
    region_id: int | None = Field(default=None, foreign_key="region.id", index=True)
    starts_on: date
    ends_on: date
    goal: str = Field(default="", sa_type=Text)
    is_example: bool = Field(default=False)
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class NetworkFacilitator(SQLModel, table=True):
    __tablename__ = "network_facilitator"

    network_id: int = Field(foreign_key="network.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")


class NetworkMember(SQLModel, table=True):
    __tablename__ = "network_member"
    __table_args__ = (UniqueConstraint("network_id", "municipality_id"),)

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True, ondelete="CASCADE")
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    status: MemberStatus = Field(default=MemberStatus.invited, sa_type=EnumText(MemberStatus, 20))
    joined_on: date | None = None
    left_on: date | None = None
    #: The reason for a status (why a member withdrew): for the facilitators only.
    note: str = Field(default="", sa_type=Text)
    version: int = version_field()
    updated_at: datetime = updated_at_field()


class NetworkMemberChange(SQLModel, table=True):
    """A member's status from a date: the history the network page shows."""

    __tablename__ = "network_member_change"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="network_member.id", index=True, ondelete="CASCADE")
    status: MemberStatus = Field(sa_type=EnumText(MemberStatus, 20))
    changed_on: date
    recorded_at: datetime = created_at_field()


class Gathering(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    place: str = Field(default="", max_length=200)
    digital: bool = False
    programme: str = Field(default="", sa_type=Text)
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class GatheringAttendance(SQLModel, table=True):
    """How many came from a member municipality: a count, never names."""

    __tablename__ = "gathering_attendance"

    gathering_id: int = Field(foreign_key="gathering.id", primary_key=True, ondelete="CASCADE")
    municipality_id: int = Field(
        foreign_key="municipality.id", primary_key=True, ondelete="CASCADE"
    )
    count: int


class NetworkTask(SQLModel, table=True):
    """Work between gatherings (mellomarbeid), presented at `gathering_id`."""

    __tablename__ = "network_task"

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True, ondelete="CASCADE")
    gathering_id: int | None = Field(
        default=None, foreign_key="gathering.id", index=True, ondelete="SET NULL"
    )
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    due_on: date | None = None
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class TaskAnswer(SQLModel, table=True):
    __tablename__ = "task_answer"
    __table_args__ = (UniqueConstraint("task_id", "municipality_id"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="network_task.id", index=True, ondelete="CASCADE")
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    status: AnswerStatus = Field(
        default=AnswerStatus.not_started, sa_type=EnumText(AnswerStatus, 20)
    )
    report: str = Field(default="", sa_type=Text)
    answered_by: str = Field(default="", max_length=200)
    version: int = version_field()
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class NetworkEvaluation(SQLModel, table=True):
    """A member's answer to the end-of-network evaluation; shown only aggregated."""

    __tablename__ = "network_evaluation"
    __table_args__ = (UniqueConstraint("network_id", "municipality_id"),)

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True, ondelete="CASCADE")
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    #: Relevance and content, 1 (poor) to 5 (very good).
    relevance: int
    best: str = Field(default="", sa_type=Text)
    next_steps: str = Field(default="", sa_type=Text)
    version: int = version_field()
    updated_at: datetime = updated_at_field()


# ---- API schemas -------------------------------------------------------------------------


class FacilitatorRead(ApiOutput):
    email: str
    name: str


class NetworkCreate(StrictInput):
    name: Title
    #: The region's slug; leave out for a national network.
    region: Annotated[str, StringConstraints(max_length=60)] | None = None
    starts_on: SaneDate
    ends_on: SaneDate
    goal: Markdown = ""
    #: E-mail addresses of advisers who run the network with the region's advisers.
    facilitators: list[Email] = Field(default_factory=list, max_length=MAX_FACILITATORS)
    #: Municipality numbers invited at once (each may be named once).
    members: list[Number] = Field(default_factory=list, max_length=MAX_MEMBERS)


class NetworkUpdate(PatchInput):
    not_null = frozenset({"name", "starts_on", "ends_on", "goal", "facilitators"})

    name: Title | None = None
    starts_on: SaneDate | None = None
    ends_on: SaneDate | None = None
    goal: Markdown | None = None
    facilitators: list[Email] | None = Field(default=None, max_length=MAX_FACILITATORS)


class NetworkRead(ApiOutput):
    id: int
    name: str
    region: str | None
    region_name: str | None
    starts_on: date
    ends_on: date
    goal: str
    facilitators: list[FacilitatorRead]
    member_count: int
    is_example: bool
    #: Whether the caller runs the network (plans gatherings, sees members' notes).
    runs: bool
    version: int
    updated_at: datetime


class MemberChangeRead(ApiOutput):
    status: MemberStatus
    changed_on: date


class MemberPut(StrictInput):
    status: MemberStatus
    joined_on: SaneDate | None = None
    left_on: SaneDate | None = None
    #: The reason (why a member withdrew): only the facilitators see it.
    note: LongText = ""


class MemberRead(ApiOutput):
    network_id: int
    municipality: str
    municipality_name: str
    status: MemberStatus
    joined_on: date | None
    left_on: date | None
    #: None for callers who do not run the network.
    note: str | None
    changes: list[MemberChangeRead]
    version: int


class AttendanceEntry(StrictInput):
    municipality: Number
    count: Annotated[int, pydantic.Field(ge=0, le=10_000)]


class AttendanceRead(ApiOutput):
    municipality: str
    municipality_name: str
    count: int


class GatheringCreate(StrictInput):
    title: Title
    starts_on: SaneDate
    ends_on: SaneDate | None = None
    place: Annotated[str, StringConstraints(max_length=200)] = ""
    digital: bool = False
    programme: Markdown = ""
    attendance: list[AttendanceEntry] = Field(default_factory=list, max_length=MAX_MEMBERS)


class GatheringUpdate(PatchInput):
    not_null = frozenset({"title", "starts_on", "ends_on", "place", "digital", "programme"})

    title: Title | None = None
    starts_on: SaneDate | None = None
    ends_on: SaneDate | None = None
    place: Annotated[str, StringConstraints(max_length=200)] | None = None
    digital: bool | None = None
    programme: Markdown | None = None
    attendance: list[AttendanceEntry] | None = Field(default=None, max_length=MAX_MEMBERS)


class GatheringRead(ApiOutput):
    id: int
    network_id: int
    title: str
    starts_on: date
    ends_on: date
    place: str
    digital: bool
    programme: str
    attendance: list[AttendanceRead]
    #: Everyone who came, summed over the members.
    attendance_total: int
    version: int
    updated_at: datetime


class TaskCreate(StrictInput):
    title: Title
    description: Markdown = ""
    due_on: SaneDate | None = None
    #: The gathering of this network where the work is presented.
    gathering_id: Annotated[int, pydantic.Field(ge=1, le=2_147_483_647)] | None = None


class TaskUpdate(PatchInput):
    not_null = frozenset({"title", "description"})

    title: Title | None = None
    description: Markdown | None = None
    due_on: SaneDate | None = None
    gathering_id: Annotated[int, pydantic.Field(ge=1, le=2_147_483_647)] | None = None


class AnswerPut(StrictInput):
    status: AnswerStatus
    report: Markdown = ""


class AnswerRead(ApiOutput):
    task_id: int
    municipality: str
    municipality_name: str
    status: AnswerStatus
    report: str
    answered_by: str
    #: 0: not answered yet (send `If-Match: "0"` to answer).
    version: int
    updated_at: datetime | None


class TaskRead(ApiOutput):
    id: int
    network_id: int
    gathering_id: int | None
    title: str
    description: str
    due_on: date | None
    #: One per member taking part (or who answered), in alphabetical order.
    answers: list[AnswerRead]
    version: int
    updated_at: datetime


class EvaluationPut(StrictInput):
    #: Relevance and content of the network, 1 (poor) to 5 (very good).
    relevance: Annotated[int, pydantic.Field(ge=1, le=5)]
    #: What was best about taking part.
    best: LongText = ""
    #: The plan for further work after the network.
    next_steps: LongText = ""


class EvaluationRead(ApiOutput):
    network_id: int
    municipality: str
    relevance: int | None
    best: str
    next_steps: str
    #: 0: not answered yet (send `If-Match: "0"` to answer).
    version: int


class EvaluationSummary(ApiOutput):
    """The members' answers together, never by member: counts, the mean, and the texts in
    alphabetical order."""

    network_id: int
    members: int
    answered: int
    #: Null until at least three members have answered.
    mean_relevance: float | None
    #: How many answered 1, 2, 3, 4 and 5 (null until at least three have answered).
    relevance_counts: list[int] | None
    best: list[str]
    next_steps: list[str]
