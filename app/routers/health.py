"""Liveness, readiness and metrics for operators and load balancers."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from app.db import Database
from app.migrate import current_revision, head_revision

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is alive. Touches nothing else."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """Ready to serve: the database answers and its schema is at the newest migration."""
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
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _json(status: int, body: dict[str, object]) -> Response:
    import json

    return Response(json.dumps(body), status_code=status, media_type="application/json")
