"""A NUL character (U+0000) cannot be stored in PostgreSQL's text (SQLite's can): wherever a
request carries one — address, query, form, JSON body — it is a clear 4xx on both backends,
never a 500 on one and stored data on the other."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.base import Scope
from app.services.access import Principal
from tests import factories

PROBLEM = "application/problem+json"


def test_a_nul_in_a_public_address_or_query_is_a_bad_request(client: TestClient) -> None:
    for url in ("/kommuner/55%0001", "/?q=Troms%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.headers["content-type"].startswith("text/html")
        assert "NUL" not in response.text  # the page explains in the reader's language
    api = client.get("/api/v1/public/municipalities", params={"q": "Troms\x00"})
    assert api.status_code == 400
    assert api.headers["content-type"].startswith(PROBLEM)
    assert "NUL" in api.json()["detail"]


def test_a_nul_in_a_posted_form_is_a_bad_request(client: TestClient) -> None:
    response = client.post("/glemt-passord", data={"email": "ko\x00@example.no"})
    assert response.status_code == 400
    signed_in = client.post("/logg-inn", data={"email": "ko\x00@example.no", "password": "x" * 12})
    assert signed_in.status_code == 400


def test_a_nul_anywhere_in_a_json_body_is_refused_by_validation(
    session: Session,
    make_client: Callable[..., TestClient],
    client_as: Callable[[Principal], TestClient],
) -> None:
    admin = client_as(factories.admin(session))
    for body in (
        {"email": "ny@example.no", "role": "coordinator", "municipalities": ["55\x0001"]},
        {"email": "ny\x00@example.no", "role": "coordinator", "municipalities": ["5501"]},
        {"email": "ny@example.no", "role": "adviser", "regions": ["troms\x00"]},
        {"email": "ny@example.no", "role": "coordinator", "name": "A\x00", "municipalities": []},
    ):
        response = admin.post("/api/v1/invitations", json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith(PROBLEM)
    writer = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    strength = writer.post(
        "/api/v1/municipalities/5501/strengths",
        json={"text": "Godt\x00 samarbeid"},
    )
    assert strength.status_code == 422


def test_a_malformed_invitation_list_is_a_422(
    session: Session, client_as: Callable[[Principal], TestClient]
) -> None:
    admin = client_as(factories.admin(session))
    response = admin.post(
        "/api/v1/invitations",
        json={"email": "ny@example.no", "role": "coordinator", "municipalities": ["Tromsø"]},
    )
    assert response.status_code == 422
