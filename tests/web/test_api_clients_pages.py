"""The API clients page: a coordinator makes a token for their municipality, sees it once,
sees it listed by its prefix with its last use, and revokes it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from app.models.base import Role
from tests.web.conftest import SignedIn
from tests.webtools import page, parse

PATH = "/app/admin/api-klienter"


def _token(html: str) -> str:
    value = parse(html).by_id("new-token").get("value")
    assert value
    return value


def _revoke_action(html: str) -> str:
    actions = [f.get("action") or "" for f in parse(html).find_all("form", method="post")]
    found = [a for a in actions if a.endswith("/trekk-tilbake")]
    assert len(found) == 1, actions
    return found[0]


def test_a_coordinator_makes_uses_and_revokes_a_write_token(
    signed_in: SignedIn, make_client: Callable[..., TestClient]
) -> None:
    coordinator = signed_in(Role.coordinator, municipalities=["5501"])
    shown = coordinator.get(PATH)
    assert shown.status_code == 200
    assert 'href="/app/admin/api-klienter"' in shown.text  # in the main menu

    made = coordinator.post(
        PATH, {"name": "Journalsystemet", "scope": "write", "municipality": "5501"}
    )
    assert made.status_code == 201
    token = _token(made.text)
    assert made.headers["cache-control"] == "no-store"

    api = make_client(token)
    # A write, whose transaction also notes the use (a read notes it in one of its own).
    created = api.post("/api/v1/municipalities/5501/strengths", json={"text": "Fra journalen"})
    assert created.status_code == 201
    other = api.post("/api/v1/municipalities/5540/strengths", json={"text": "Fra journalen"})
    assert other.status_code == 403

    listed = coordinator.get(PATH)
    assert token not in listed.text
    assert token[:12] in listed.text
    assert "Aldri brukt" not in listed.text  # the use above was recorded

    revoked = coordinator.post(_revoke_action(listed.text))
    assert revoked.status_code == 303
    assert api.get("/api/v1/municipalities/5501/pathway").status_code == 401


def test_a_coordinator_cannot_bind_a_token_to_another_municipality(signed_in: SignedIn) -> None:
    coordinator = signed_in(Role.coordinator, municipalities=["5501"])
    refused = coordinator.post(PATH, {"name": "Annen", "scope": "read", "municipality": "5540"})
    assert refused.status_code == 403


def test_a_bad_form_comes_back_with_the_input_kept(signed_in: SignedIn) -> None:
    admin = signed_in(Role.admin)
    answer = admin.post(PATH, {"name": "Uten binding", "scope": "read", "municipality": ""})
    assert answer.status_code == 422
    document = page(answer)
    assert document.by_id("name").get("value") == "Uten binding"
    assert document.find("input", id="new-token") is None
