"""Strengths, improvement areas and their order, measures, notes, checklist answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.errors import Forbidden
from app.models.base import Scope, utcnow
from app.models.improvement import ProgressNoteCreate, ProgressNoteUpdate
from app.services import progress_notes
from tests import factories


def _writer(session: Session, make_client: Any, number: str = "5501") -> TestClient:
    client: TestClient = make_client(factories.token(session, Scope.write, municipalities=[number]))
    return client


def test_strength_lifecycle(session: Session, make_client: Any) -> None:
    client = _writer(session, make_client)
    created = client.post(
        "/api/v1/municipalities/5501/strengths",
        json={"text": "Sterkt hukommelsesteam", "phase": "assessment"},
    )
    assert created.status_code == 201
    location = created.headers["location"]
    assert location == f"/api/v1/strengths/{created.json()['id']}"
    assert client.get(location).json()["text"] == "Sterkt hukommelsesteam"
    assert client.patch(location, json={"text": "x"}).status_code == 428
    patched = client.patch(
        location, json={"phase": None}, headers={"If-Match": created.headers["etag"]}
    )
    assert patched.status_code == 200
    assert patched.json()["phase"] is None
    assert (
        client.post("/api/v1/municipalities/5501/strengths", json={"text": ""}).status_code == 422
    )
    assert (
        client.post(
            "/api/v1/municipalities/5501/strengths", json={"text": "x", "phase": "nope"}
        ).status_code
        == 422
    )
    assert client.delete(location, headers={"If-Match": created.headers["etag"]}).status_code == 412
    assert client.delete(location, headers={"If-Match": patched.headers["etag"]}).status_code == 204
    assert client.get(location).status_code == 404


def test_entities_of_other_municipalities_are_invisible(session: Session, make_client: Any) -> None:
    strength_id = factories.strength(session, "5540")
    area_id = factories.area(session, "5540")
    client = _writer(session, make_client, "5501")
    assert client.get(f"/api/v1/strengths/{strength_id}").status_code == 404
    assert client.get(f"/api/v1/improvement-areas/{area_id}").status_code == 404
    assert (
        client.patch(
            f"/api/v1/improvement-areas/{area_id}", json={"title": "x"}, headers={"If-Match": '"1"'}
        ).status_code
        == 404
    )


def test_improvement_areas_keep_a_strict_priority_order(session: Session, make_client: Any) -> None:
    client = _writer(session, make_client, "5540")
    ids = []
    for title in ("Første", "Andre", "Tredje"):
        response = client.post(
            "/api/v1/municipalities/5540/improvement-areas",
            json={
                "title": title,
                "phases": ["assessment", "suspicion", "assessment"],
                "tags": ["Pårørende", "pårørende"],
            },
        )
        assert response.status_code == 201
        ids.append(response.json()["id"])
    listing = client.get("/api/v1/municipalities/5540/improvement-areas")
    # The demo data has none for 5540 in the test database (no --demo), so ours are 1..3.
    assert [a["priority"] for a in listing.json()["items"]] == [1, 2, 3]
    first = listing.json()["items"][0]
    assert first["phases"] == ["suspicion", "assessment"]
    assert first["tags"] == ["pårørende"]
    order_tag = listing.headers["etag"]

    reordered = client.put(
        "/api/v1/municipalities/5540/improvement-areas/order",
        json={"ids": [ids[2], ids[0], ids[1]]},
        headers={"If-Match": order_tag},
    )
    assert reordered.status_code == 200
    titles = [
        a["title"]
        for a in client.get("/api/v1/municipalities/5540/improvement-areas").json()["items"]
    ]
    assert titles == ["Tredje", "Første", "Andre"]
    stale = client.put(
        "/api/v1/municipalities/5540/improvement-areas/order",
        json={"ids": ids},
        headers={"If-Match": order_tag},
    )
    assert stale.status_code == 412
    incomplete = client.put(
        "/api/v1/municipalities/5540/improvement-areas/order",
        json={"ids": ids[:2]},
        headers={"If-Match": reordered.headers["etag"]},
    )
    assert incomplete.status_code == 422

    area = client.get(f"/api/v1/improvement-areas/{ids[0]}")
    deleted = client.delete(
        f"/api/v1/improvement-areas/{ids[0]}", headers={"If-Match": area.headers["etag"]}
    )
    assert deleted.status_code == 204
    remaining = client.get("/api/v1/municipalities/5540/improvement-areas").json()["items"]
    assert [(a["title"], a["priority"]) for a in remaining] == [("Tredje", 1), ("Andre", 2)]


def test_missing_title_is_a_field_error(session: Session, make_client: Any) -> None:
    client = _writer(session, make_client)
    response = client.post(
        "/api/v1/municipalities/5501/improvement-areas",
        json={"rationale": "Fordi", "phases": ["assessment"]},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "title", "message": "Field required"}]


def test_measures_and_notes(session: Session, make_client: Any) -> None:
    client = _writer(session, make_client)
    area_id = factories.area(session, "5501")
    created = client.post(
        f"/api/v1/improvement-areas/{area_id}/measures",
        json={
            "title": "Rutine for oppfølging",
            "start_date": "2024-01-01",
            "due_date": "2024-03-01",
            "status": "in_progress",
        },
    )
    assert created.status_code == 201
    measure = created.json()
    assert measure["overdue"] is True
    backwards = client.post(
        f"/api/v1/improvement-areas/{area_id}/measures",
        json={"title": "x", "start_date": "2024-05-01", "due_date": "2024-03-01"},
    )
    assert backwards.status_code == 422
    silly = client.post(
        f"/api/v1/improvement-areas/{area_id}/measures",
        json={"title": "x", "due_date": "3024-03-01"},
    )
    assert silly.status_code == 422
    done = client.patch(
        f"/api/v1/measures/{measure['id']}",
        json={"status": "done"},
        headers={"If-Match": created.headers["etag"]},
    )
    assert done.json()["overdue"] is False
    counts = client.get(f"/api/v1/improvement-areas/{area_id}").json()["measure_counts"]
    assert counts == {"not_started": 0, "in_progress": 0, "done": 1, "stopped": 0}

    note = client.post(
        f"/api/v1/measures/{measure['id']}/notes",
        json={"text": "Startet opp", "date": "2024-01-15"},
    )
    assert note.status_code == 201
    notes = client.get(f"/api/v1/measures/{measure['id']}/notes").json()
    assert notes["items"][0]["text"] == "Startet opp"
    area_note = client.post(
        f"/api/v1/improvement-areas/{area_id}/notes", json={"text": "Status fra samling"}
    )
    assert area_note.status_code == 201
    assert client.get(f"/api/v1/improvement-areas/{area_id}/notes").json()["total"] == 1


def test_notes_are_frozen_after_24_hours(session: Session) -> None:
    author = factories.coordinator(session, "5501")
    area_id = factories.area(session, "5501")
    note = progress_notes.create_note(
        session, author, ProgressNoteCreate(text="Først"), area_id=area_id
    )
    fixed = progress_notes.update_note(
        session, author, note.id, ProgressNoteUpdate(text="Rettet"), note.version
    )
    assert fixed.text == "Rettet"
    late = utcnow() + timedelta(hours=25)
    with pytest.raises(Forbidden):
        progress_notes.update_note(
            session, author, note.id, ProgressNoteUpdate(text="For sent"), fixed.version, now=late
        )


def test_checklist_answers(session: Session, make_client: Any) -> None:
    client = _writer(session, make_client)
    answers = client.get("/api/v1/municipalities/5501/checklist").json()
    assert answers["answered"] == 0
    assert answers["total"] == len(answers["items"]) >= 16
    url = "/api/v1/municipalities/5501/checklist/memory_team"
    assert client.put(url, json={"answer": "yes"}).status_code == 428
    saved = client.put(
        url, json={"answer": "partly", "comment": "Interkommunalt"}, headers={"If-Match": '"0"'}
    )
    assert saved.status_code == 200
    assert saved.json()["checklist_version"] == 2
    assert client.put(url, json={"answer": "yes"}, headers={"If-Match": '"0"'}).status_code == 412
    assert (
        client.put(
            url, json={"answer": "maybe"}, headers={"If-Match": saved.headers["etag"]}
        ).status_code
        == 422
    )
    assert (
        client.put(
            "/api/v1/municipalities/5501/checklist/nope",
            json={"answer": "yes"},
            headers={"If-Match": '"0"'},
        ).status_code
        == 404
    )
    assert client.get("/api/v1/municipalities/5501/checklist").json()["answered"] == 1


def test_adviser_token_reads_the_region_but_cannot_write(
    session: Session, make_client: Any
) -> None:
    client = make_client(factories.token(session, Scope.read, regions=["troms"]))
    assert client.get("/api/v1/municipalities/5540/pathway").status_code == 200
    assert client.get("/api/v1/municipalities/0301/pathway").status_code == 403
    assert (
        client.post("/api/v1/municipalities/5540/strengths", json={"text": "x"}).status_code == 403
    )
