"""The pathway: a phase section per municipality and phase, with its offerings;
checklist answers and strengths."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import EmailStr, StringConstraints, field_validator, model_validator
from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import (
    Answer,
    ApiOutput,
    EnumText,
    Maturity,
    OfferingStatus,
    PatchInput,
    Provider,
    StrictInput,
    UTCDateTime,
    created_at_field,
    updated_at_field,
    version_field,
)

DESCRIPTION_MAX = 10_000
# The per-collection limits: the API and the whole-municipality import enforce the same ones.
#: Offerings of a phase section.
OFFERINGS_MAX = 60
#: Strengths of a municipality.
MAX_STRENGTHS = 50
#: Checklist answers of a municipality: more than any checklist version has items.
MAX_CHECKLIST_ANSWERS = 500


class PhaseSection(SQLModel, table=True):
    __tablename__ = "phase_section"
    __table_args__ = (UniqueConstraint("municipality_id", "phase"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    phase: str = Field(foreign_key="phase.key", max_length=40)
    description: str = Field(default="", sa_type=Text)
    responsible: str = Field(default="", max_length=300)
    contact_name: str = Field(default="", max_length=200)
    contact_phone: str = Field(default="", max_length=50)
    contact_email: str = Field(default="", max_length=254)
    contact_hours: str = Field(default="", max_length=300)
    maturity: Maturity = Field(default=Maturity.unknown, sa_type=EnumText(Maturity, 20))
    needs_knowledge: bool = False
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class Offering(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    phase_section_id: int = Field(foreign_key="phase_section.id", index=True, ondelete="CASCADE")
    position: int
    type: str | None = Field(default=None, foreign_key="offering_type.key", max_length=60)
    name: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=2000)
    status: OfferingStatus = Field(
        default=OfferingStatus.available, sa_type=EnumText(OfferingStatus, 20)
    )
    provider: Provider = Field(default=Provider.own, sa_type=EnumText(Provider, 20))
    contact: str = Field(default="", max_length=300)


class ChecklistAnswer(SQLModel, table=True):
    __tablename__ = "checklist_answer"
    __table_args__ = (UniqueConstraint("municipality_id", "checklist_item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    checklist_item_id: int = Field(foreign_key="checklist_item.id", index=True)
    answer: Answer = Field(sa_type=EnumText(Answer, 20))
    comment: str = Field(default="", max_length=2000)
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class Strength(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    position: int
    text: str = Field(max_length=500)
    phase: str | None = Field(default=None, foreign_key="phase.key", max_length=40)
    #: Marked by the municipality as a good example other municipalities may read.
    shared: bool = False
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


# ---- API schemas -------------------------------------------------------------------------

ShortText = Annotated[str, StringConstraints(max_length=300)]


class Contact(StrictInput):
    name: Annotated[str, StringConstraints(max_length=200)] = ""
    phone: Annotated[str, StringConstraints(max_length=50, pattern=r"^[0-9+() .\-]*$")] = ""
    email: EmailStr | None = None
    hours: ShortText = ""

    @field_validator("email", mode="before")
    @classmethod
    def _empty_email(cls, value: object) -> object:
        return None if value == "" else value


class OfferingInput(StrictInput):
    type: Annotated[str, StringConstraints(max_length=60)] | None = None
    name: Annotated[str, StringConstraints(max_length=200)] = ""
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    status: OfferingStatus = OfferingStatus.available
    provider: Provider = Provider.own
    contact: ShortText = ""

    @model_validator(mode="after")
    def _type_or_name(self) -> OfferingInput:
        if not self.type and not self.name:
            raise ValueError("an offering needs a type from the catalogue or a name")
        return self


class PhaseSectionText(StrictInput):
    """What the public reads of a phase section (and a published version keeps): the
    description (Markdown), who is responsible, the contact and the offerings."""

    description: Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX)] = ""
    responsible: ShortText = ""
    contact: Contact = Field(default_factory=Contact)
    offerings: list[OfferingInput] = Field(default_factory=list, max_length=OFFERINGS_MAX)


class PhaseSectionInput(PhaseSectionText):
    """The whole section; offerings replace the section's current list."""

    maturity: Maturity = Maturity.unknown
    needs_knowledge: bool = False


class ContactRead(ApiOutput):
    name: str
    phone: str
    email: str | None
    hours: str


class OfferingRead(ApiOutput):
    type: str | None
    name: str
    description: str
    status: OfferingStatus
    provider: Provider
    contact: str


class PhaseSectionRead(ApiOutput):
    phase: str
    phase_name: str
    description: str
    description_html: str
    responsible: str
    contact: ContactRead
    maturity: Maturity
    needs_knowledge: bool
    offerings: list[OfferingRead]
    version: int
    updated_at: datetime


class PathwayRead(ApiOutput):
    municipality: str
    name: str
    version: int
    updated_at: datetime
    sections: list[PhaseSectionRead]


class ChecklistAnswerInput(StrictInput):
    answer: Answer
    comment: Annotated[str, StringConstraints(max_length=2000)] = ""


class ChecklistAnswerRead(ApiOutput):
    item: str
    phase: str
    text: str
    answer: Answer | None
    comment: str
    checklist_version: int
    version: int
    updated_at: datetime | None


class ChecklistAnswersRead(ApiOutput):
    checklist_version: int
    answered: int
    total: int
    items: list[ChecklistAnswerRead]


class StrengthText(StrictInput):
    """A strength as a published version shows it."""

    text: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    phase: Annotated[str, StringConstraints(max_length=40)] | None = None


class StrengthCreate(StrengthText):
    #: Share as a good example with every municipality (`GET /good-examples`).
    shared: bool = False


class StrengthUpdate(PatchInput):
    not_null = frozenset({"text", "shared"})

    text: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None
    phase: Annotated[str, StringConstraints(max_length=40)] | None = None
    shared: bool | None = None


class StrengthRead(ApiOutput):
    id: int
    municipality: str
    text: str
    phase: str | None
    shared: bool
    position: int
    version: int
    updated_at: datetime
