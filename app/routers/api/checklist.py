"""A municipality's answers to the checklist (the product's own, based on the national
guideline on dementia)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.deps import (
    READ,
    WRITE,
    IfMatchDep,
    LangDep,
    PrincipalDep,
    SessionDep,
    set_etag,
)
from app.models.pathway import ChecklistAnswerInput, ChecklistAnswerRead, ChecklistAnswersRead
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import checklist, write_access

router = APIRouter(route_class=AccessFirstRoute, tags=["checklist"])


@router.get(
    "/municipalities/{number}/checklist", response_model=ChecklistAnswersRead, responses=READ
)
def get_answers(
    number: str, session: SessionDep, principal: PrincipalDep, lang: LangDep
) -> ChecklistAnswersRead:
    """Every item of the current checklist with this municipality's answer (version 0 and
    answer null: not answered yet)."""
    return checklist.get_answers(session, principal, number, lang)


@router.get(
    "/municipalities/{number}/checklist/{item_key}",
    response_model=ChecklistAnswerRead,
    responses=READ,
)
def get_answer(
    number: str,
    item_key: str,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    response: Response,
) -> ChecklistAnswerRead:
    result = checklist.get_answer(session, principal, number, item_key, lang)
    set_etag(response, result.version)
    return result


@router.put(
    "/municipalities/{number}/checklist/{item_key}",
    response_model=ChecklistAnswerRead,
    responses=WRITE,
)
@access(write_access.edit_municipality)
def put_answer(
    number: str,
    item_key: str,
    data: ChecklistAnswerInput,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    response: Response,
) -> ChecklistAnswerRead:
    """Answer an item. For an item not answered yet, send `If-Match: "0"`."""
    result = checklist.put_answer(session, principal, number, item_key, data, expected, lang)
    set_etag(response, result.version)
    return result
