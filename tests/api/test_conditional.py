"""Conditional GETs answered before routing (app.conditional) are exactly the routes' own 304s,
and everything else still reaches the route."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlmodel import Session

from app.conditional import ConditionalRoute
from app.models.base import Scope
from app.models.publishing import PublishInput
from app.services import publishing
from app.services.access import SYSTEM
from tests import factories
from tests.conftest import QueryCounter

PATHWAY = "/api/v1/municipalities/5501/pathway"
PATHWAY_ROUTE = "/api/v1/municipalities/{number}/pathway"
PUBLIC = "/kommuner/5501"
PUBLIC_ROUTE = "/kommuner/{number}"


def answered(route: str) -> float:
    value = REGISTRY.get_sample_value("demensforlop_conditional_answered_total", {"route": route})
    return value or 0.0


@contextmanager
def routes_only(app: FastAPI) -> Iterator[None]:
    """The app with no early answers: every request reaches its route."""
    routes = app.state.conditional_routes
    saved = list(routes)
    routes.clear()
    try:
        yield
    finally:
        routes.extend(saved)


def comparable(headers: Any) -> dict[str, str]:
    """The headers but the request id and the rate-limit counters, which differ per request."""
    varying = ("x-request-id", "ratelimit-remaining", "ratelimit-reset")
    return {k: v for k, v in headers.items() if k.lower() not in varying}


def test_an_early_304_for_the_pathway_is_the_routes_own(
    app: FastAPI, session: Session, make_client: Any, queries: QueryCounter
) -> None:
    client = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    factories.tokens_just_used(session)
    tag = client.get(PATHWAY).headers["etag"]
    before = answered(PATHWAY_ROUTE)

    with queries.counting():
        early = client.get(PATHWAY, headers={"If-None-Match": tag})
    assert early.status_code == 304
    assert answered(PATHWAY_ROUTE) == before + 1
    # The token and the version are kept under the access and content stamps, and the
    # stamps are read in one query: a revocation or a change made by any means moves a
    # stamp, so it counts at once (tests/api/test_outside_writes.py).
    assert queries.count == 1, queries.statements

    with routes_only(app):
        routed = client.get(PATHWAY, headers={"If-None-Match": tag})
    assert routed.status_code == 304
    assert answered(PATHWAY_ROUTE) == before + 1
    assert comparable(early.headers) == comparable(routed.headers)
    assert early.headers["cache-control"] == "private, no-cache"
    assert early.headers["x-content-type-options"] == "nosniff"


def test_anything_but_a_current_copy_reaches_the_route(
    session: Session, make_client: Any, client: TestClient
) -> None:
    reader = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    tag = reader.get(PATHWAY).headers["etag"]
    before = answered(PATHWAY_ROUTE)

    stale = reader.get(PATHWAY, headers={"If-None-Match": '"999"'})
    assert stale.status_code == 200
    assert stale.json()["municipality"] == "5501"
    assert len(stale.json()["sections"]) == 6
    # Errors are the route's: a bad token, no access, no such municipality.
    bad = make_client("not-a-token").get(PATHWAY, headers={"If-None-Match": tag})
    assert bad.status_code == 401
    assert bad.headers["content-type"] == "application/problem+json"
    other = make_client(factories.token(session, Scope.read, municipalities=["5540"]))
    assert other.get(PATHWAY, headers={"If-None-Match": tag}).status_code == 403
    assert client.get(PATHWAY, headers={"If-None-Match": tag}).status_code == 401
    missing = reader.get("/api/v1/municipalities/0000/pathway", headers={"If-None-Match": "*"})
    assert missing.status_code == 404
    assert answered(PATHWAY_ROUTE) == before


def test_an_early_304_for_the_public_page_is_the_pages_own(
    app: FastAPI, session: Session, client: TestClient
) -> None:
    unpublished = client.get(PUBLIC, headers={"If-None-Match": "*"})
    assert unpublished.status_code == 200  # the polite notice, from the route
    factories.fill_section(session, "5501", "suspicion")
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første"))
    first = client.get(PUBLIC, headers={"Accept-Encoding": "gzip"})
    tag, modified = first.headers["etag"], first.headers["last-modified"]
    before = answered(PUBLIC_ROUTE)

    for conditional in ({"If-None-Match": tag}, {"If-Modified-Since": modified}):
        headers = {"Accept-Encoding": "gzip", **conditional}
        early = client.get(PUBLIC, headers=headers)
        with routes_only(app):
            routed = client.get(PUBLIC, headers=headers)
        assert early.status_code == routed.status_code == 304
        assert comparable(early.headers) == comparable(routed.headers)
    assert answered(PUBLIC_ROUTE) == before + 2

    english = client.get(PUBLIC, headers={"If-None-Match": tag, "Accept-Language": "en"})
    assert english.status_code == 200
    assert answered(PUBLIC_ROUTE) == before + 2


def test_a_failing_early_check_leaves_the_answer_to_the_route(
    app: FastAPI, session: Session, make_client: Any
) -> None:
    client = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    tag = client.get(PATHWAY).headers["etag"]

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("the early check broke")

    before = answered(PATHWAY_ROUTE)
    with routes_only(app):
        app.state.conditional_routes.append(
            ConditionalRoute(PATHWAY_ROUTE, broken, lambda *_, **__: False)
        )
        response = client.get(PATHWAY, headers={"If-None-Match": tag})
        app.state.conditional_routes.clear()
    assert response.status_code == 304
    assert response.headers["etag"] == tag
    assert answered(PATHWAY_ROUTE) == before
