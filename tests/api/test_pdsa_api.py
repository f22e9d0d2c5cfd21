"""PDSA cycles through the API: created under the measure, changed with If-Match, refused
with problem+json when the input is bad."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.base import Scope
from tests import factories


def test_a_cycle_is_created_changed_and_deleted(session: Session, make_client: Any) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    measure = factories.measure(session, factories.area(session, "5501"))
    created = writer.post(
        f"/api/v1/measures/{measure}/pdsa-cycles",
        json={"title": "Samtalegruppe", "prediction": "Flere kommer", "starts_on": "2026-03-01"},
    )
    assert created.status_code == 201, created.text
    cycle = created.json()
    assert created.headers["location"] == f"/api/v1/pdsa-cycles/{cycle['id']}"
    assert created.headers["etag"] == '"1"'
    assert cycle["author"]
    url = created.headers["location"]

    missing = writer.patch(url, json={"act": "adopt"})
    assert missing.status_code == 428
    changed = writer.patch(url, json={"act": "adopt"}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200
    assert changed.json()["act"] == "adopt"
    stale = writer.patch(url, json={"act": "abandon"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    bad = writer.patch(url, json={"act": "maybe"}, headers={"If-Match": '"2"'})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    null_title = writer.patch(url, json={"title": None}, headers={"If-Match": '"2"'})
    assert null_title.status_code == 422
    backwards = writer.post(
        f"/api/v1/measures/{measure}/pdsa-cycles",
        json={"title": "Baklengs", "starts_on": "2026-03-01", "ends_on": "2026-02-01"},
    )
    assert backwards.status_code == 422
    listed = writer.get(f"/api/v1/measures/{measure}/pdsa-cycles").json()
    assert [c["id"] for c in listed["items"]] == [cycle["id"]]

    reader: TestClient = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    assert reader.get(url).status_code == 200
    assert reader.delete(url, headers={"If-Match": '"2"'}).status_code == 403
    assert writer.delete(url, headers={"If-Match": '"2"'}).status_code == 204
    assert writer.get(url).status_code == 404
