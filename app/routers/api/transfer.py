"""Whole-municipality export and import."""

from __future__ import annotations

from fastapi import APIRouter

from app.models.transfer import ImportResult, MunicipalityExport
from app.routers.api.access_first import AccessFirstRoute, access
from app.routers.api.deps import READ, WRITE, PrincipalDep, SessionDep
from app.services import transfer, write_access

router = APIRouter(route_class=AccessFirstRoute, tags=["export and import"])


@router.get("/municipalities/{number}/export", response_model=MunicipalityExport, responses=READ)
def export_municipality(
    number: str, session: SessionDep, principal: PrincipalDep
) -> MunicipalityExport:
    """Everything about the municipality as one JSON document (no database ids)."""
    return transfer.export_municipality(session, principal, number)


@router.post(
    "/municipalities/{number}/import",
    response_model=ImportResult,
    responses=WRITE,
)
@access(write_access.edit_municipality)
def import_municipality(
    number: str, data: MunicipalityExport, session: SessionDep, principal: PrincipalDep
) -> ImportResult:
    """Replace all content of the municipality with an export document, in one
    transaction. Needs write access to the municipality."""
    return transfer.import_municipality(session, principal, number, data)
