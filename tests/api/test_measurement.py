"""Indicators and observations (plain CRUD, validation, small numbers)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.base import Scope
from tests import factories


def test_indicator_and_observations(session: Session, make_client: Any) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    area_id = factories.area(session, "5501")
    created = writer.post(
        f"/api/v1/improvement-areas/{area_id}/indicators",
        json={"name": "Nye brukere i pårørendeskolen", "kind": "count", "frequency": "month"},
    )
    assert created.status_code == 201
    indicator = created.json()
    url = f"/api/v1/indicators/{indicator['id']}/observations"
    listing = writer.get(url)
    assert listing.json()["items"] == []
    tag = listing.headers["etag"]
    items = [{"period": f"2024-{m:02d}-01", "value": m} for m in range(1, 13)]
    saved = writer.put(url, json={"items": items}, headers={"If-Match": tag})
    assert saved.status_code == 200
    assert saved.json()["total"] == 12
    same = writer.put(url, json={"items": items}, headers={"If-Match": saved.headers["etag"]})
    assert same.headers["etag"] == saved.headers["etag"]

    bad = writer.put(
        url,
        json={
            "items": [
                {"period": "2025-01-01", "value": 3},
                {"period": "2025-02-15", "value": 2},
                {"period": "2025-03-01", "value": -1},
            ]
        },
        headers={"If-Match": saved.headers["etag"]},
    )
    assert bad.status_code == 422
    messages = [e["message"] for e in bad.json()["errors"]]
    assert any(m.startswith("row 2") for m in messages)
    assert any(m.startswith("row 3") for m in messages)
    assert writer.get(url).json()["total"] == 12  # nothing of the bad list was saved


def test_proportions_and_small_numbers(session: Session, make_client: Any) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    area_id = factories.area(session, "5501")
    indicator = writer.post(
        f"/api/v1/improvement-areas/{area_id}/indicators",
        json={"name": "Andel med kontaktperson", "kind": "proportion"},
    ).json()
    url = f"/api/v1/indicators/{indicator['id']}/observations"
    too_many = writer.put(
        url,
        json={"items": [{"period": "2024-01-01", "numerator": 5, "denominator": 4}]},
        headers={"If-Match": '"1"'},
    )
    assert too_many.status_code == 422
    ok = writer.put(
        url,
        json={
            "items": [
                {"period": "2024-01-01", "numerator": 3, "denominator": 40},
                {"period": "2024-02-01", "numerator": 20, "denominator": 40},
            ]
        },
        headers={"If-Match": '"1"'},
    )
    assert ok.status_code == 200
    assert ok.json()["items"][0] == {
        "period": "2024-01-01",
        "value": 7.5,
        "numerator": 3,
        "denominator": 40,
        "suppressed": None,
        "comment": "",
    }
    reader: TestClient = make_client(factories.token(session, Scope.read, regions=["troms"]))
    seen = reader.get(url).json()["items"]
    assert seen[0]["suppressed"] == "<5"
    assert seen[0]["value"] is None
    assert seen[0]["numerator"] is None
    assert seen[1]["value"] == 50.0
