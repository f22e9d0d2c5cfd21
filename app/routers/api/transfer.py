"""Whole-municipality export and import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

from app.deps import (
    READ,
    WRITE,
    PrincipalDep,
    SessionDep,
    etag,
    expected_version,
    set_etag,
)
from app.errors import UnsupportedMediaType
from app.models.transfer import ImportResult, MunicipalityExport
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import transfer, write_access

router = APIRouter(route_class=AccessFirstRoute, tags=["export and import"])

_SCHEMA_REF = "#/components/schemas/MunicipalityExport"
#: The body and the query are read by the handler itself, after the access check (a request
#: the caller may not make is never looked at), so they are described here for the
#: documentation.
_IMPORT_REQUEST: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": _SCHEMA_REF}}},
    },
    "parameters": [
        {
            "name": "dry_run",
            "in": "query",
            "required": False,
            "description": "Answer what the import would change, and change nothing",
            "schema": {"type": "boolean", "default": False},
        }
    ],
}
_FLAG: TypeAdapter[bool] = TypeAdapter(bool)


@router.get("/municipalities/{number}/export", response_model=MunicipalityExport, responses=READ)
def export_municipality(number: str, session: SessionDep, principal: PrincipalDep) -> Any:
    """Everything the format holds about the municipality as one JSON document: content
    with its ids, published versions as Markdown. The ETag is the pathway's (as `GET
    …/pathway` sends it): send it as `If-Match` to import the edited document. Counts below
    the small-number threshold are `"<5"` for readers who do not edit the municipality."""
    exported = transfer.export_municipality(session, principal, number)
    return JSONResponse(exported.document, headers={"ETag": etag(exported.version)})


async def raw_body(request: Request) -> bytes:
    return await request.body()


@router.post(
    "/municipalities/{number}/import",
    response_model=ImportResult,
    responses=WRITE,
    openapi_extra=_IMPORT_REQUEST,
)
@access(write_access.edit_municipality)
def import_municipality(
    number: str,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    body: Annotated[bytes, Depends(raw_body)],
) -> ImportResult:
    """Bring the municipality in line with an export document, in one transaction. Needs
    write access and `If-Match` with the pathway's current ETag. Objects are matched by id:
    those in the document are created or changed, those it leaves out are removed; the
    answer lists each, by type. Published versions and progress notes the document adds
    are recorded as the importer's, now; those already here never change."""
    transfer.check_import_access(session, principal, number)
    expected = expected_version(request)
    dry_run = _dry_run(request)
    data = _document(request, body)
    result = transfer.import_municipality(
        session, principal, number, data, expected, dry_run=dry_run
    )
    set_etag(response, result.version)
    return result


def _dry_run(request: Request) -> bool:
    raw = request.query_params.get("dry_run")
    if raw is None:
        return False
    try:
        return _FLAG.validate_python(raw)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("query", "dry_run")} for error in exc.errors()]
        ) from None


def _document(request: Request, body: bytes) -> MunicipalityExport:
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType("Send the export document as application/json.")
    try:
        return MunicipalityExport.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        ) from None
