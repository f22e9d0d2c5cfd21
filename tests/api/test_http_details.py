"""The HTTP details every API resource shares (app.api_http): conditional GETs, HEAD, OPTIONS
and Allow, CORS, If-Match: *, 400/415, WWW-Authenticate, rate limits and paging links."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.api_http import METHOD_ORDER, RateLimiter
from app.config import Settings
from app.main import api_paths, create_app, openapi_document
from app.models.base import Scope
from tests import factories


@pytest.fixture
def writer(session: Session, make_client: Any) -> TestClient:
    client: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    return client


def single_resources(session: Session) -> list[str]:
    area = factories.area(session, "5501")
    measure = factories.measure(session, area)
    strength = factories.strength(session, "5501")
    return [
        f"/api/v1/strengths/{strength}",
        f"/api/v1/improvement-areas/{area}",
        f"/api/v1/measures/{measure}",
        "/api/v1/municipalities/5501/improvement-areas",
        "/api/v1/municipalities/5501/strengths",
        "/api/v1/municipalities",
        "/api/v1/phases",
    ]


def test_every_get_sends_a_strong_etag_and_answers_if_none_match(
    session: Session, writer: TestClient
) -> None:
    for path in single_resources(session):
        first = writer.get(path)
        assert first.status_code == 200, path
        tag = first.headers["etag"]
        assert tag.startswith('"'), (path, tag)  # strong
        again = writer.get(path)
        assert again.headers["etag"] == tag, path  # stable while nothing changes
        current = writer.get(path, headers={"If-None-Match": tag})
        assert current.status_code == 304, path
        assert current.headers["etag"] == tag
        assert current.content == b""
        assert writer.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_list_etag_changes_with_the_list(session: Session, writer: TestClient) -> None:
    path = "/api/v1/municipalities/5501/strengths"
    tag = writer.get(path).headers["etag"]
    factories.strength(session, "5501", "Ny styrke")
    changed = writer.get(path, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag


def test_head_answers_every_get_without_a_body(session: Session, writer: TestClient) -> None:
    for path in single_resources(session):
        get = writer.get(path)
        head = writer.head(path)
        assert head.status_code == 200, path
        assert head.content == b""
        assert head.headers["etag"] == get.headers["etag"]
        assert head.headers["content-length"] == str(len(get.content))


def test_options_and_405_say_the_true_allow(session: Session, writer: TestClient) -> None:
    strength = factories.strength(session, "5501")
    options = writer.options(f"/api/v1/strengths/{strength}")
    assert options.status_code == 204
    assert options.headers["allow"] == "GET, HEAD, PATCH, DELETE, OPTIONS"
    wrong = writer.put(f"/api/v1/strengths/{strength}", json={})
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, HEAD, PATCH, DELETE, OPTIONS"
    assert wrong.headers["content-type"] == "application/problem+json"
    assert writer.options("/api/v1/nothing-here").status_code == 404


def test_allow_is_read_from_the_routes_as_the_openapi_document_lists_them() -> None:
    """The API middleware answers Allow without building the OpenAPI document (it would stay
    in every worker's memory): from the routes, with the same paths and methods."""
    documented = {
        path: {method.upper() for method in item if method.upper() in METHOD_ORDER}
        for path, item in openapi_document()["paths"].items()
    }
    assert {path: set(methods) for path, methods in api_paths()} == documented
    assert len(documented) > 50


def test_deleting_the_import_is_not_taken_for_a_period(
    session: Session, writer: TestClient
) -> None:
    response = writer.delete(
        "/api/v1/indicators/1/observations/import", headers={"If-Match": '"1"'}
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST, OPTIONS"


def test_if_match_star_holds_for_a_current_resource(session: Session, writer: TestClient) -> None:
    strength = factories.strength(session, "5501")
    path = f"/api/v1/strengths/{strength}"
    updated = writer.patch(path, json={"text": "Endret"}, headers={"If-Match": "*"})
    assert updated.status_code == 200, updated.text
    assert updated.json()["text"] == "Endret"
    stale = writer.patch(path, json={"text": "Igjen"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert writer.delete(path, headers={"If-Match": "*"}).status_code == 204
    assert writer.delete(path, headers={"If-Match": "*"}).status_code == 404


def test_malformed_json_is_400_and_a_wrong_content_type_415(
    session: Session, writer: TestClient
) -> None:
    strength = factories.strength(session, "5501")
    path = f"/api/v1/strengths/{strength}"
    malformed = writer.patch(
        path,
        content=b"{not json",
        headers={"Content-Type": "application/json", "If-Match": '"1"'},
    )
    assert malformed.status_code == 400
    assert malformed.json()["type"] == "/problems/malformed-json"
    wrong = writer.patch(
        path, content=b"text=x", headers={"Content-Type": "text/plain", "If-Match": '"1"'}
    )
    assert wrong.status_code == 415
    assert wrong.headers["content-type"] == "application/problem+json"
    assert wrong.json()["type"] == "/problems/unsupported-media-type"


def test_a_refused_token_is_named_invalid_token(make_client: Any, client: TestClient) -> None:
    refused = make_client("not-a-token").get("/api/v1/municipalities")
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]
    anonymous = client.get("/api/v1/municipalities")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert "error=" not in anonymous.headers["www-authenticate"]


def test_cors_public_for_everyone_the_rest_for_configured_origins(
    settings: Settings, db: Any, session: Session
) -> None:
    app = create_app(settings.model_copy(update={"cors_origins": "https://ok.example"}), db)
    token = factories.token(session, Scope.read, municipalities=["5501"])
    with TestClient(app) as client:
        public = client.get("/api/v1/public/municipalities", headers={"Origin": "https://x.test"})
        assert public.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in public.headers
        assert "ETag" in public.headers["access-control-expose-headers"]
        auth = {"Authorization": f"Bearer {token}"}
        elsewhere = client.get(
            "/api/v1/municipalities", headers={**auth, "Origin": "https://x.test"}
        )
        assert "access-control-allow-origin" not in elsewhere.headers
        allowed = client.get(
            "/api/v1/municipalities", headers={**auth, "Origin": "https://ok.example"}
        )
        assert allowed.headers["access-control-allow-origin"] == "https://ok.example"
        assert "Location" in allowed.headers["access-control-expose-headers"]
        preflight = client.options(
            "/api/v1/strengths/1",
            headers={
                "Origin": "https://ok.example",
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "if-match",
            },
        )
        assert preflight.status_code == 204
        assert "PATCH" in preflight.headers["access-control-allow-methods"]
        assert "If-Match" in preflight.headers["access-control-allow-headers"]
        assert "If-None-Match" in preflight.headers["access-control-allow-headers"]


def test_the_public_api_answers_if_modified_since(session: Session, client: TestClient) -> None:
    from app.models.publishing import PublishInput
    from app.services import publishing
    from app.services.access import SYSTEM

    factories.fill_section(session, "5501", "suspicion")
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første"))
    path = "/api/v1/public/municipalities/5501/pathway"
    first = client.get(path)
    modified = first.headers["last-modified"]
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    old = "Mon, 01 Jan 1990 00:00:00 GMT"
    assert client.get(path, headers={"If-Modified-Since": old}).status_code == 200


def test_rate_limit_per_token(settings: Settings, db: Any, session: Session) -> None:
    app = create_app(
        settings.model_copy(update={"api_rate_limit": 3, "api_rate_window_seconds": 3600}), db
    )
    first = factories.token(session, Scope.read, municipalities=["5501"])
    second = factories.token(session, Scope.read, municipalities=["5501"])
    with TestClient(app) as client:
        one = {"Authorization": f"Bearer {first}"}
        answers = [client.get("/api/v1/phases", headers=one) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[0].headers["ratelimit-limit"] == "3"
        assert answers[0].headers["ratelimit-remaining"] == "2"
        assert answers[3].headers["content-type"] == "application/problem+json"
        assert int(answers[3].headers["retry-after"]) > 0
        other = client.get("/api/v1/phases", headers={"Authorization": f"Bearer {second}"})
        assert other.status_code == 200


def test_rate_limiter_opens_a_new_window() -> None:
    limiter = RateLimiter(limit=1, window=60)
    assert limiter.take(b"k", now=0)[0] == 0
    assert limiter.take(b"k", now=30)[0] == -1
    assert limiter.take(b"k", now=61) == (0, 59)


def test_paged_lists_link_to_the_next_page(writer: TestClient) -> None:
    page = writer.get("/api/v1/municipalities?limit=2&offset=0")
    assert page.status_code == 200
    assert page.headers["link"] == '</api/v1/municipalities?limit=2&offset=2>; rel="next"'
    last = writer.get(f"/api/v1/municipalities?limit=2&offset={page.json()['total'] - 1}")
    assert "link" not in last.headers


def test_problem_types_resolve_to_a_page_explaining_them(
    session: Session, writer: TestClient, make_client: Any
) -> None:
    from app.problem_types import PROBLEM_TYPES

    strength = factories.strength(session, "5501")
    path = f"/api/v1/strengths/{strength}"
    answers = [
        make_client("not-a-token").get("/api/v1/municipalities"),
        writer.get("/api/v1/strengths/999999"),
        writer.put(path, json={}),
        writer.patch(path, json={"text": "x"}),
        writer.patch(path, json={"text": "x"}, headers={"If-Match": '"99"'}),
        writer.patch(
            path, content=b"{", headers={"If-Match": '"1"', "Content-Type": "application/json"}
        ),
        writer.patch(path, content=b"x", headers={"If-Match": '"1"', "Content-Type": "text/plain"}),
        writer.patch(path, json={"text": 5}, headers={"If-Match": '"1"'}),
    ]
    kinds = [answer.json()["type"] for answer in answers]
    assert [answer.status_code for answer in answers] == [401, 404, 405, 428, 412, 400, 415, 422]
    for kind in kinds + [f"/problems/{slug}" for slug in PROBLEM_TYPES]:
        page = writer.get(kind)
        assert page.status_code == 200, kind
        assert page.headers["content-type"].startswith("text/plain")
        assert PROBLEM_TYPES[kind.rsplit("/", 1)[1]][0] in page.text
    assert writer.get("/problems/no-such-problem").status_code == 404
