"""Regions (one per county, served by a development centre) and municipalities."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import pydantic
from pydantic import EmailStr, StringConstraints, field_validator
from sqlmodel import Field, SQLModel

from app.models.base import (
    ApiOutput,
    PatchInput,
    StrictInput,
    UTCDateTime,
    created_at_field,
    updated_at_field,
    version_field,
)

MunicipalityNumber = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
RegionSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]


WebAddress = (
    Annotated[str, StringConstraints(max_length=300, pattern=r"^https?://[^\s/]+\.[^\s]+$")] | None
)
ContactName = Annotated[str, StringConstraints(max_length=200)]
ContactPhone = Annotated[str, StringConstraints(max_length=50, pattern=r"^[0-9+() .\-]*$")]
#: An e-mail address (the validator refuses one over 254 characters; the schema says so).
ContactEmail = Annotated[EmailStr, pydantic.Field(json_schema_extra={"maxLength": 254})]


class LanguageForm(StrEnum):
    """A municipality's official written form of Norwegian (målform): its public page
    speaks it unless the visitor chooses otherwise."""

    bokmaal = "nb"
    nynorsk = "nn"
    #: Neither: the visitor's browser decides, bokmål by default.
    neutral = "neutral"


class Region(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True, index=True)
    name: str = Field(max_length=200)
    centre: str | None = Field(default=None, max_length=300)
    county_number: str | None = Field(default=None, max_length=2)
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class Municipality(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=4, unique=True, index=True)
    name: str = Field(max_length=200)
    region_id: int = Field(foreign_key="region.id", index=True)
    population: int | None = None
    persons_with_dementia: int | None = None
    figures_year: int | None = None
    website: str | None = Field(default=None, max_length=300)
    #: The official language form (`LanguageForm`), bokmål unless the municipality says.
    language_form: str = Field(
        default=LanguageForm.bokmaal.value, max_length=10, sa_column_kwargs={"server_default": "nb"}
    )
    #: Who citizens may contact about dementia (name or role, phone, e-mail, web address),
    #: shown on the public page whether or not the pathway is published.
    contact_name: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    contact_phone: str = Field(default="", max_length=50, sa_column_kwargs={"server_default": ""})
    contact_email: str = Field(default="", max_length=254, sa_column_kwargs={"server_default": ""})
    contact_url: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
    #: Content loaded from the demo data set; the UI labels it as example data.
    is_example: bool = Field(default=False)
    #: The aggregate version: bumped by every change to the municipality or its content.
    version: int = version_field()
    #: Bumped when improvement areas are added, removed or reordered: the ETag of the order.
    priority_version: int = version_field()
    created_at: datetime = created_at_field()
    #: Time of the last change to the municipality or any of its content.
    updated_at: datetime = Field(sa_type=UTCDateTime, index=True, nullable=False)


class RegionRead(ApiOutput):
    slug: str
    name: str
    centre: str | None
    county_number: str | None
    municipality_count: int
    version: int


class MunicipalityRead(ApiOutput):
    number: str
    name: str
    region: str
    population: int | None
    persons_with_dementia: int | None
    figures_year: int | None
    website: str | None
    #: The official language form: "nb" (bokmål), "nn" (nynorsk) or "neutral".
    language_form: LanguageForm
    #: The contact for citizens on the public page ("" when not given).
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_url: str = ""
    is_example: bool
    version: int
    updated_at: datetime


class RegionDetail(RegionRead):
    municipalities: list[MunicipalityRead]


class MunicipalityFigures(StrictInput):
    """What the municipality's editors may change about it: figures and website."""

    population: int | None = Field(default=None, ge=0, le=10_000_000)
    persons_with_dementia: int | None = Field(default=None, ge=0, le=1_000_000)
    figures_year: int | None = Field(default=None, ge=1990, le=2100)
    website: WebAddress = None
    #: Bokmål ("nb"), nynorsk ("nn") or neutral; the public page's default language.
    language_form: LanguageForm | None = None
    #: The contact for citizens: name or role, phone, e-mail and web address ("" clears).
    contact_name: ContactName | None = None
    contact_phone: ContactPhone | None = None
    contact_email: ContactEmail | None = None
    contact_url: WebAddress = None

    @field_validator("contact_email", "contact_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value


class MunicipalityCreate(MunicipalityFigures):
    number: MunicipalityNumber
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    region: RegionSlug


class MunicipalityUpdate(MunicipalityFigures, PatchInput):
    """Fields left out are unchanged. `name` and `region` only an administrator may change."""

    not_null = frozenset({"name", "region", "language_form"})

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    region: RegionSlug | None = None


class SizeGroup(StrEnum):
    """Municipalities by inhabitants: under 5,000, 5,000 to 20,000, over 20,000 (small
    municipalities learn best from their peers)."""

    small = "small"
    medium = "medium"
    large = "large"
    #: No population figure.
    unknown = "unknown"


#: Inhabitants: under SMALL_BELOW is small, over LARGE_ABOVE is large, between is medium.
SMALL_BELOW = 5_000
LARGE_ABOVE = 20_000


def size_group(population: int | None) -> SizeGroup:
    if population is None:
        return SizeGroup.unknown
    if population < SMALL_BELOW:
        return SizeGroup.small
    return SizeGroup.medium if population <= LARGE_ABOVE else SizeGroup.large
