"""A NUL character (U+0000) cannot be stored in PostgreSQL's text (SQLite's can). Wherever a
request carries one, both backends answer alike and never with a 500: an address with one
names nothing (404); query strings and forms are cleaned of it before anything reads them,
as the services clean the text they save; JSON fields with a fixed shape refuse it (422)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models.base import Role, Scope
from app.models.identity import User
from app.models.mail import AccessLink
from app.services.access import Principal
from tests import factories
from tests.webtools import sign_in

PROBLEM = "application/problem+json"


def test_an_address_with_a_nul_names_nothing(client: TestClient) -> None:
    page = client.get("/kommuner/55%0001")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    api = client.get("/api/v1/public/municipalities/55%0001/pathway")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith(PROBLEM)


def test_a_nul_in_a_query_is_cleaned_away(client: TestClient) -> None:
    plain = client.get("/", params={"q": "Tromsø"})
    dirty = client.get("/", params={"q": "Trom\x00sø"})
    assert dirty.status_code == 200
    assert "Tromsø" in dirty.text
    assert dirty.text.count("/kommuner/5501") == plain.text.count("/kommuner/5501")
    api = client.get("/api/v1/public/municipalities", params={"q": "Trom\x00sø"})
    assert api.status_code == 200
    assert [m["number"] for m in api.json()["items"]] == ["5501"]


def test_a_nul_in_a_posted_form_is_cleaned_away(client: TestClient, session: Session) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email="ko@example.no")
    user = session.exec(select(User).where(col(User.email) == "ko@example.no")).one()
    asked = client.post("/glemt-passord", data={"email": "ko\x00@example.no"})
    assert asked.status_code < 500
    links = session.exec(select(AccessLink).where(col(AccessLink.user_id) == user.id)).all()
    assert len(links) == 1  # the reset link went to the address without the NUL
    assert sign_in(client, "ko\x00@example.no", factories.PASSWORD)


def test_json_fields_of_a_fixed_shape_refuse_a_nul_and_free_text_is_cleaned(
    session: Session,
    make_client: Callable[..., TestClient],
    client_as: Callable[[Principal], TestClient],
) -> None:
    admin = client_as(factories.admin(session))
    for body in (
        {"email": "ny@example.no", "role": "coordinator", "municipalities": ["55\x0001"]},
        {"email": "ny\x00@example.no", "role": "coordinator", "municipalities": ["5501"]},
        {"email": "ny@example.no", "role": "adviser", "regions": ["troms\x00"]},
        {"email": "ny@example.no", "role": "coordinator", "municipalities": ["Tromsø"]},
    ):
        response = admin.post("/api/v1/invitations", json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith(PROBLEM)
    named = admin.post(
        "/api/v1/invitations",
        json={
            "email": "ny@example.no",
            "role": "coordinator",
            "name": "Ny\x00 Kollega",
            "municipalities": ["5501"],
        },
    )
    assert named.status_code == 201, named.text
    user = session.exec(select(User).where(col(User.email) == "ny@example.no")).one()
    assert user.name == "Ny Kollega"
    writer = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    strength = writer.post(
        "/api/v1/municipalities/5501/strengths", json={"text": "Godt\x00 samarbeid"}
    )
    assert strength.status_code == 201
    assert strength.json()["text"] == "Godt samarbeid"
