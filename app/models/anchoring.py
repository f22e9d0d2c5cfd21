"""Anchoring with management and politicians, and the improvement team by role, per
municipality: what a learning network asks each member to have in place."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import pydantic
from pydantic import StringConstraints
from sqlmodel import Field, SQLModel

from app.models.base import (
    ApiOutput,
    EnumText,
    JSONType,
    StrictInput,
    updated_at_field,
    version_field,
)

MAX_TEAM_MEMBERS = 30


class AnchoringLevel(StrEnum):
    not_started = "not_started"
    informed = "informed"
    anchored = "anchored"


class DementiaPlan(StrEnum):
    none = "none"
    in_revision = "in_revision"
    adopted = "adopted"


class AbcStatus(StrEnum):
    """Demensomsorgens ABC (the national training programme)."""

    none = "none"
    planned = "planned"
    running = "running"
    completed = "completed"


class TeamRole(StrEnum):
    leader = "leader"
    coordinator = "coordinator"
    service_leader = "service_leader"
    gp_representative = "gp_representative"
    user_representative = "user_representative"
    carer_representative = "carer_representative"
    other = "other"


class MunicipalityAnchoring(SQLModel, table=True):
    __tablename__ = "municipality_anchoring"

    municipality_id: int = Field(
        foreign_key="municipality.id", primary_key=True, ondelete="CASCADE"
    )
    management: AnchoringLevel = Field(
        default=AnchoringLevel.not_started, sa_type=EnumText(AnchoringLevel, 20)
    )
    political: AnchoringLevel = Field(
        default=AnchoringLevel.not_started, sa_type=EnumText(AnchoringLevel, 20)
    )
    dementia_plan: DementiaPlan = Field(
        default=DementiaPlan.none, sa_type=EnumText(DementiaPlan, 20)
    )
    dementia_plan_year: int | None = None
    stakeholder_analysis: bool = False
    communication_plan: bool = False
    abc_status: AbcStatus = Field(default=AbcStatus.none, sa_type=EnumText(AbcStatus, 20))
    abc_contacts: int = 0
    version: int = version_field()
    updated_at: datetime = updated_at_field()


class ImprovementTeam(SQLModel, table=True):
    """The municipality's improvement team: roles, each with an optional name. Never
    health data."""

    __tablename__ = "improvement_team"

    municipality_id: int = Field(
        foreign_key="municipality.id", primary_key=True, ondelete="CASCADE"
    )
    members: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    version: int = version_field()
    updated_at: datetime = updated_at_field()


class AnchoringPut(StrictInput):
    management: AnchoringLevel = AnchoringLevel.not_started
    political: AnchoringLevel = AnchoringLevel.not_started
    dementia_plan: DementiaPlan = DementiaPlan.none
    dementia_plan_year: Annotated[int, pydantic.Field(ge=1990, le=2100)] | None = None
    stakeholder_analysis: bool = False
    communication_plan: bool = False
    abc_status: AbcStatus = AbcStatus.none
    abc_contacts: Annotated[int, pydantic.Field(ge=0, le=100_000)] = 0


class AnchoringRead(ApiOutput):
    municipality: str
    management: AnchoringLevel
    political: AnchoringLevel
    dementia_plan: DementiaPlan
    dementia_plan_year: int | None
    stakeholder_analysis: bool
    communication_plan: bool
    abc_status: AbcStatus
    abc_contacts: int
    #: 0: nothing recorded yet (send `If-Match: "0"` to record it).
    version: int
    updated_at: datetime | None


class TeamMember(StrictInput):
    role: TeamRole
    #: Optional: a role may be named without a person.
    name: Annotated[str, StringConstraints(max_length=200)] = ""


class TeamPut(StrictInput):
    members: list[TeamMember] = pydantic.Field(default_factory=list, max_length=MAX_TEAM_MEMBERS)


class TeamRead(ApiOutput):
    municipality: str
    members: list[TeamMember]
    version: int
    updated_at: datetime | None
