"""POST /api/v1/invitations: the users page's invitation service on the JSON API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models.base import Role, Scope, utcnow
from app.models.mail import OutboxMessage
from app.services.access import Principal
from tests import factories

URL = "/api/v1/invitations"


def _body(email: str, *municipalities: str) -> dict[str, object]:
    return {"email": email, "role": "coordinator", "municipalities": list(municipalities)}


def test_a_coordinator_invites_to_their_own_municipality_only(
    client_as: Callable[[Principal], TestClient], session: Session
) -> None:
    kafjord = client_as(factories.coordinator(session, "5540"))
    created = kafjord.post(URL, json=_body("ny@example.no", "5540"))
    assert created.status_code == 201, created.text
    data = created.json()
    assert data["email"] == "ny@example.no"
    assert data["municipalities"] == ["5540"]
    expires = datetime.fromisoformat(data["expires_at"])
    assert abs(expires - (utcnow() + timedelta(hours=72))) < timedelta(minutes=1)
    assert session.exec(
        select(OutboxMessage).where(col(OutboxMessage.to_address) == "ny@example.no")
    ).one()
    refused = kafjord.post(URL, json=_body("tromso@example.no", "5501"))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"


def test_tokens_and_strangers_cannot_invite_and_bad_input_names_the_field(
    client_as: Callable[[Principal], TestClient],
    make_client: Callable[..., TestClient],
    session: Session,
) -> None:
    token = factories.token(session, Scope.write, municipalities=["5540"])
    assert make_client(token).post(URL, json=_body("a@example.no", "5540")).status_code == 403
    assert make_client().post(URL, json=_body("a@example.no", "5540")).status_code == 401
    admin = client_as(factories.admin(session))
    bad = admin.post(URL, json={"email": "a@example.no", "role": "boss"})
    assert bad.status_code == 422
    assert "role" in bad.text
    taken = admin.post(URL, json=_body("a@example.no", "5540"))
    assert taken.status_code == 201
    again = admin.post(URL, json=_body("A@example.no", "5540"))
    assert again.status_code == 422
    assert "email" in again.text
    assert Role.coordinator.value == taken.json()["role"]
