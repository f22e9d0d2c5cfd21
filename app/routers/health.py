"""Liveness, readiness and metrics for operators and load balancers."""

from __future__ import annotations

from ipaddress import ip_address

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from app.config import Settings
from app.db import Database
from app.errors import NotFound
from app.security import constant_time_equals

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is alive. Touches nothing else."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """Ready to serve: the database answers and its schema is at the newest migration."""
    # Alembic (10 MB) is loaded by the first readiness check, not by every worker's start.
    from app.migrate import current_revision, head_revision

    database: Database = request.app.state.db
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = current_revision(database.engine)
    except Exception as exc:  # any failure means not ready
        return _json(503, {"status": "unavailable", "database": type(exc).__name__})
    head = head_revision()
    if current != head:
        return _json(503, {"status": "migrations pending", "current": current, "head": head})
    return _json(200, {"status": "ready", "revision": current})


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """For the operators' scraper only (it shows the software and per-route traffic): with
    `METRICS_TOKEN` as a bearer token, or from an address in `METRICS_ALLOW`. Anyone else
    gets the 404 of an address that does not exist."""
    if not metrics_allowed(request, request.app.state.settings):
        raise NotFound("There is nothing at this address.")
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


_PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def metrics_allowed(request: Request, settings: Settings) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if settings.metrics_token and scheme.lower() == "bearer":
        return constant_time_equals(token.strip(), settings.metrics_token)
    if any(name in request.headers for name in _PROXY_HEADERS):
        return False  # relayed by a proxy: the address seen is the proxy's, not the client's
    try:
        address = ip_address(request.client.host if request.client else "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in settings.metrics_networks)


def _json(status: int, body: dict[str, object]) -> Response:
    import json

    return Response(json.dumps(body), status_code=status, media_type="application/json")
