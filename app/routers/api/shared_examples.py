"""Good examples shared across the country."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import READ, LangDep, PrincipalDep, SessionDep
from app.models.municipality import SizeGroup
from app.models.shared import SharedExampleQuery, SharedExamples
from app.services import shared_examples

router = APIRouter(tags=["good examples"])


@router.get("/good-examples", response_model=SharedExamples, responses=READ)
def search_good_examples(
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    phase: Annotated[str | None, Query(max_length=40, description="A phase key")] = None,
    tag: Annotated[
        str | None, Query(max_length=60, description="An improvement area's tag")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Words in the text, title or result")
    ] = None,
    size: Annotated[SizeGroup | None, Query(description="Only one size group")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Examples per group")] = 20,
    offset: Annotated[
        int, Query(ge=0, le=100_000, description="Where a group's page starts (with `size`)")
    ] = 0,
) -> SharedExamples:
    """Strengths and completed measures with their result that municipalities anywhere in
    the country marked as shared, grouped by municipality size (under 5,000 / 5,000–20,000 /
    over 20,000 inhabitants: small municipalities learn best from their peers), each group
    in alphabetical order of municipality. For everyone signed in and every API client."""
    query = SharedExampleQuery(
        phase=phase or None, tag=tag or None, q=q or None, size=size, limit=limit, offset=offset
    )
    return shared_examples.search(session, principal, query, lang)
