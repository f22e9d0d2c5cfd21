"""Good examples shared across the country: strengths and completed measures with their
result that a municipality has marked as shared, grouped by municipality size (small
municipalities learn best from their peers)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.models.base import ApiOutput, StrictInput
from app.models.municipality import SizeGroup


class SharedExampleQuery(StrictInput):
    phase: Annotated[str, StringConstraints(max_length=40)] | None = None
    tag: Annotated[str, StringConstraints(max_length=60)] | None = None
    #: Words to look for in the text, title and result (all of them, any case).
    q: Annotated[str, StringConstraints(max_length=200)] | None = None
    #: Only one size group (then `offset` pages through it).
    size: SizeGroup | None = None
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=100_000)


class SharedExample(ApiOutput):
    kind: Literal["strength", "measure"]
    id: int
    municipality: str
    municipality_name: str
    population: int | None
    #: The strength's text or the measure's title.
    title: str
    #: The measure's result (empty for a strength).
    result: str
    #: The strength's phase, or the phases of the measure's improvement area.
    phases: list[str]
    #: The measure's improvement area and its tags (none for a strength).
    improvement_area: str | None
    tags: list[str]


class SharedExampleGroup(ApiOutput):
    size: SizeGroup
    name: str
    #: How many examples the group has in all (the items are one page of them).
    total: int
    items: list[SharedExample]


class SharedExamples(ApiOutput):
    query: SharedExampleQuery
    groups: list[SharedExampleGroup]
