"""Reference catalogues, open to everyone."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.deps import PUBLIC_READ, LangDep, PageOut, SessionDep
from app.models.catalogue import ChecklistRead, OfferingTypeRead, PhaseRead
from app.models.measurement import IndicatorTemplateRead
from app.services import catalogue, indicator_templates

router = APIRouter(tags=["catalogues"], responses=PUBLIC_READ)

CACHE = "public, max-age=300"


@router.get("/phases", response_model=PageOut[PhaseRead])
def list_phases(session: SessionDep, lang: LangDep, response: Response) -> PageOut[PhaseRead]:
    """The six phases of the pathway, in order."""
    items = catalogue.list_phases(session, lang)
    response.headers["Cache-Control"] = CACHE
    return PageOut(items=items, total=len(items), limit=len(items), offset=0)


@router.get("/offering-types", response_model=PageOut[OfferingTypeRead])
def list_offering_types(
    session: SessionDep, lang: LangDep, response: Response
) -> PageOut[OfferingTypeRead]:
    """The offering catalogue, each type with its default phase."""
    items = catalogue.list_offering_types(session, lang)
    response.headers["Cache-Control"] = CACHE
    return PageOut(items=items, total=len(items), limit=len(items), offset=0)


@router.get("/checklist", response_model=ChecklistRead)
def get_checklist(session: SessionDep, lang: LangDep, response: Response) -> ChecklistRead:
    """The current version of the checklist: the product's own, based on the national
    guideline on dementia (Nasjonal faglig retningslinje om demens), not a national checklist."""
    response.headers["Cache-Control"] = CACHE
    return catalogue.get_checklist(session, lang)


@router.get("/indicator-templates", response_model=PageOut[IndicatorTemplateRead])
def list_indicator_templates(lang: LangDep, response: Response) -> PageOut[IndicatorTemplateRead]:
    """The measures the learning networks used, each with its role (process, outcome or
    balancing): add one to an improvement area with
    `POST /improvement-areas/{area_id}/indicators/from-template`."""
    items = indicator_templates.list_templates(lang)
    response.headers["Cache-Control"] = CACHE
    return PageOut(items=items, total=len(items), limit=len(items), offset=0)
