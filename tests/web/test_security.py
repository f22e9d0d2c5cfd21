"""Security properties a client or browser can observe: headers on every kind of response,
no internals in errors, hostile input refused or rendered harmless."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from app.config import Settings
from app.main import create_app
from app.models.base import Scope
from app.services import strengths as strengths_service
from app.services.access import SYSTEM
from tests import factories
from tests.webtools import SignedInClient

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}


def _check_headers(response: Any) -> None:
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name


def test_every_kind_of_response_carries_the_security_headers(
    coordinator: SignedInClient, anonymous: TestClient
) -> None:
    for response in (
        coordinator.get("/app"),  # a page
        coordinator.get("/app/kommuner/5540/forlop"),  # a forbidden page
        anonymous.get("/api/v1/phases"),  # JSON
        anonymous.get("/api/v1/municipalities"),  # a problem
        anonymous.get("/static/app.css"),  # a static file
        anonymous.get("/finnes-ikke"),  # not found
        anonymous.get("/healthz"),
    ):
        _check_headers(response)
    assert "strict-transport-security" not in anonymous.get("/healthz").headers


def test_production_sends_hsts(settings: Settings, db: Any) -> None:
    production = settings.model_copy(
        update={"environment": "production", "secret_key": "p" * 40, "demo": False}
    )
    with TestClient(create_app(production, database=db)) as client:
        hsts = client.get("/healthz").headers["strict-transport-security"]
    assert hsts.startswith("max-age=")
    assert int(hsts.split("=")[1].split(";")[0]) >= 31536000


def test_production_refuses_a_default_or_short_secret() -> None:
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(environment="production")
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(environment="production", secret_key="short")
    with pytest.raises(ValueError, match="DEMO"):
        Settings(environment="production", secret_key="x" * 40, demo=True)


def test_server_errors_never_show_internals(
    app: FastAPI, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure deep inside (here: a database error with SQL in its message) gives a plain
    problem or page, never a stack trace or the SQL."""

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError('SELECT password_hash FROM "user" -- secret internals')

    monkeypatch.setattr(strengths_service, "list_strengths", broken)
    token = factories.token(session, Scope.read, municipalities=["5501"])
    with TestClient(app, raise_server_exceptions=False) as client:
        api = client.get(
            "/api/v1/municipalities/5501/strengths", headers={"Authorization": f"Bearer {token}"}
        )
    assert api.status_code == 500
    assert api.headers["content-type"] == "application/problem+json"
    for leak in ("SELECT", "password_hash", "Traceback", "RuntimeError", ".py"):
        assert leak not in api.text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"text": "uavsluttet', "application/json"),
        (b'{"text": "\xff\xfe ugyldig utf-8"}', "application/json"),
        (b"text=hei", "application/x-www-form-urlencoded"),
        (b'{"text": "hei"}', "text/plain"),
        (b"<text>hei</text>", "application/xml"),
        (b"[1, 2, 3]", "application/json"),
        (b"null", "application/json"),
        (b"", "application/json"),
    ],
)
def test_malformed_bodies_get_a_4xx_problem(
    session: Session, make_client: Any, body: bytes, content_type: str
) -> None:
    client: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    response = client.post(
        "/api/v1/municipalities/5501/strengths",
        content=body,
        headers={"Content-Type": content_type},
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == response.status_code
    listed = client.get("/api/v1/municipalities/5501/strengths").json()
    assert listed["total"] == 0  # nothing was saved


HOSTILE_TEXT = st.one_of(
    st.text(min_size=1, max_size=300),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "javascript:alert(1)",
            "=cmd|' /C calc'!A0",
            "\u202eevil\u202c",
            "null\x00byte",
            "linje\r\nlinje",
            "{{ 7*7 }} {% raw %}",
            "a" * 500,
        ]
    ),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=HOSTILE_TEXT)
def test_hostile_text_is_stored_clean_and_shown_escaped(
    coordinator: SignedInClient, session: Session, text: str
) -> None:
    """Any Unicode, control characters, markup and template syntax: the API either refuses it
    with a 422 or stores it without control characters, and the page shows it as text."""
    response = coordinator.client.post(
        "/api/v1/municipalities/5501/strengths",
        json={"text": text},
        headers={"X-CSRF-Token": coordinator.csrf},
    )
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        return
    stored = response.json()["text"]
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", stored)
    html = coordinator.get("/app/kommuner/5501/styrker").text
    assert "<script>alert(1)" not in html
    assert "<img src=x onerror" not in html
    strengths_service.delete_strength(
        session,
        SYSTEM,
        response.json()["id"],
        response.json()["version"],
    )


def test_ids_too_large_for_the_database_find_no_page(coordinator: SignedInClient) -> None:
    for path in (
        "/app/forbedringsomrader/99999999999999999999999",
        "/app/tiltak/99999999999999999999999",
        "/app/malinger/99999999999999999999999",
    ):
        response = coordinator.get(path)
        assert response.status_code == 404, path
