"""Indicator templates and indicator roles through the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.base import Scope
from tests import factories


def test_templates_are_public_and_in_the_language_asked_for(client: TestClient) -> None:
    listed = client.get("/api/v1/indicator-templates")
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert {t["role"] for t in items} == {"process", "outcome", "balancing"}
    by_key = {t["key"]: t for t in items}
    assert by_key["pathway_checklist"]["name"] == "Sjekkliste for pasientforløp fulgt"
    assert by_key["referral_to_diagnosis"]["unit"] == "uker"
    english = client.get("/api/v1/indicator-templates", headers={"Accept-Language": "en"})
    english_items = english.json()["items"]
    assert {t["key"]: t for t in english_items}["referral_to_diagnosis"]["unit"] == "weeks"


def test_one_click_add_and_the_role_of_an_indicator(session: Session, make_client: Any) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    area_id = factories.area(session, "5501")
    url = f"/api/v1/improvement-areas/{area_id}/indicators/from-template"
    created = writer.post(url, json={"template": "pathway_checklist"})
    assert created.status_code == 201
    body = created.json()
    assert created.headers["location"] == f"/api/v1/indicators/{body['id']}"
    assert (body["kind"], body["role"], body["frequency"]) == ("proportion", "process", "month")
    again = writer.post(url, json={"template": "pathway_checklist"})
    assert again.status_code == 422
    assert [e["field"] for e in again.json()["errors"]] == ["template"]
    unknown = writer.post(url, json={"template": "nps"})
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == "application/problem+json"
    assert "template" in {e["field"] for e in unknown.json()["errors"]}

    # An indicator made by hand is a process measure unless it says otherwise.
    plain = writer.post(
        f"/api/v1/improvement-areas/{area_id}/indicators", json={"name": "Nye", "kind": "count"}
    ).json()
    assert plain["role"] == "process"
    changed = writer.patch(
        f"/api/v1/indicators/{plain['id']}",
        json={"role": "balancing"},
        headers={"If-Match": f'"{plain["version"]}"'},
    )
    assert changed.status_code == 200
    assert changed.json()["role"] == "balancing"
    refused = writer.patch(
        f"/api/v1/indicators/{plain['id']}",
        json={"role": None},
        headers={"If-Match": f'"{changed.json()["version"]}"'},
    )
    assert refused.status_code == 422


def test_readers_cannot_add_templates(session: Session, make_client: Any) -> None:
    reader: TestClient = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    area_id = factories.area(session, "5501")
    refused = reader.post(
        f"/api/v1/improvement-areas/{area_id}/indicators/from-template",
        json={"template": "readmissions"},
    )
    assert refused.status_code == 403
