"""Good examples across the country through the API, and sharing through the writes."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.base import Scope
from tests import factories

MakeClient = Callable[..., TestClient]


def test_shared_strengths_and_measures_reach_every_api_client(
    session: Session, make_client: MakeClient
) -> None:
    tromso = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    elsewhere = make_client(factories.token(session, Scope.read, municipalities=["0301"]))
    shared = tromso.post(
        "/api/v1/municipalities/5501/strengths",
        json={"text": "Demenskontakt i hjemmetjenesten", "shared": True},
    )
    assert shared.status_code == 201, shared.text
    assert shared.json()["shared"] is True
    assert (
        tromso.post("/api/v1/municipalities/5501/strengths", json={"text": "Utkast"}).json()[
            "shared"
        ]
        is False
    )

    area = factories.area(session, "5501")
    refused = tromso.post(
        f"/api/v1/improvement-areas/{area}/measures", json={"title": "Ny rutine", "shared": True}
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "shared" in refused.text
    measure = tromso.post(
        f"/api/v1/improvement-areas/{area}/measures",
        json={
            "title": "Ny rutine",
            "status": "done",
            "result": "Alle fikk samtale",
            "shared": True,
        },
    )
    assert measure.status_code == 201, measure.text

    found = elsewhere.get("/api/v1/good-examples", params={"q": "demenskontakt"})
    assert found.status_code == 200
    items = [e for g in found.json()["groups"] for e in g["items"]]
    assert [(e["kind"], e["municipality"], e["title"]) for e in items] == [
        ("strength", "5501", "Demenskontakt i hjemmetjenesten")
    ]
    everything = [
        e for g in elsewhere.get("/api/v1/good-examples").json()["groups"] for e in g["items"]
    ]
    assert {e["title"] for e in everything} == {"Demenskontakt i hjemmetjenesten", "Ny rutine"}
    assert elsewhere.get("/api/v1/good-examples", params={"phase": "x"}).status_code == 422
    assert elsewhere.get("/api/v1/good-examples", params={"limit": 1000}).status_code == 422
    assert make_client(None).get("/api/v1/good-examples").status_code == 401
