"""Annotations on data points through the API: a resource under the indicator, written with
If-Match like the observations, audited, in the change feed, and refused with problem+json
when the point does not exist or the text is too long or not plain text."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models.audit import AuditEvent
from app.models.base import Scope
from tests import factories

PROBLEM = "application/problem+json"


def _indicator(writer: TestClient, area_id: int) -> str:
    created = writer.post(
        f"/api/v1/improvement-areas/{area_id}/indicators",
        json={"name": "Ventetid", "kind": "value", "unit": "dager", "direction": "down"},
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/indicators/{created.json()['id']}"
    saved = writer.put(
        f"{url}/observations",
        json={
            "items": [{"period": "2026-01-01", "value": 30}, {"period": "2026-02-01", "value": 20}]
        },
        headers={"If-Match": '"1"'},
    )
    assert saved.status_code == 200, saved.text
    return url


def _feed_end(client: TestClient) -> int:
    """The cursor after every event so far."""
    cursor = 0
    while True:
        page = client.get("/api/v1/events", params={"after": cursor, "limit": 1000}).json()
        if not page["items"]:
            return int(page["next_cursor"])
        cursor = page["next_cursor"]


def _writer(session: Session, make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(factories.token(session, Scope.write, municipalities=["5501"]))


def test_an_annotation_is_added_changed_listed_and_removed(
    session: Session, make_client: Callable[..., TestClient]
) -> None:
    writer = _writer(session, make_client)
    url = _indicator(writer, factories.area(session, "5501"))
    listed = writer.get(f"{url}/annotations")
    assert listed.status_code == 200
    assert listed.json()["items"] == []
    tag = listed.headers["etag"]
    assert writer.get(f"{url}/annotations", headers={"If-None-Match": tag}).status_code == 304

    note = f"{url}/annotations/2026-02-01"
    assert writer.put(note, json={"text": "Ny rutine"}).status_code == 428
    added = writer.put(
        note, json={"text": "  Ny rutine\tfor henvisning "}, headers={"If-Match": tag}
    )
    assert added.status_code == 200, added.text
    assert added.json()["text"] == "Ny rutine for henvisning"
    assert added.json()["period"] == "2026-02-01"
    new_tag = added.headers["etag"]
    assert new_tag != tag
    # The same text again changes nothing and keeps the tag.
    again = writer.put(
        note, json={"text": "Ny rutine for henvisning"}, headers={"If-Match": new_tag}
    )
    assert again.status_code == 200
    assert again.headers["etag"] == new_tag
    # A stale tag is refused.
    assert writer.put(note, json={"text": "Annet"}, headers={"If-Match": tag}).status_code == 412

    listed = writer.get(f"{url}/annotations").json()
    assert [(a["period"], a["text"]) for a in listed["items"]] == [
        ("2026-02-01", "Ny rutine for henvisning")
    ]
    assert listed["items"][0]["updated"]
    # The note is the observation's comment: the observation list and the chart show it.
    observations = writer.get(f"{url}/observations").json()["items"]
    assert [o["comment"] for o in observations] == ["", "Ny rutine for henvisning"]
    assert writer.get(f"{url}/observations").headers["etag"] == new_tag

    reader = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    assert reader.get(f"{url}/annotations").json()["total"] == 1
    assert reader.delete(note, headers={"If-Match": new_tag}).status_code == 403
    other = make_client(factories.token(session, Scope.write, municipalities=["0301"]))
    assert other.get(f"{url}/annotations").status_code == 404
    assert other.put(note, json={"text": "X"}, headers={"If-Match": new_tag}).status_code == 404

    removed = writer.delete(note, headers={"If-Match": new_tag})
    assert removed.status_code == 204
    assert writer.get(f"{url}/annotations").json()["items"] == []
    # The observation stays.
    assert len(writer.get(f"{url}/observations").json()["items"]) == 2
    gone = writer.delete(note, headers={"If-Match": removed.headers["etag"]})
    assert gone.status_code == 404
    assert gone.headers["content-type"] == PROBLEM


def test_bad_annotations_are_refused_with_problem_json(
    session: Session, make_client: Callable[..., TestClient]
) -> None:
    writer = _writer(session, make_client)
    url = _indicator(writer, factories.area(session, "5501"))
    tag = writer.get(f"{url}/annotations").headers["etag"]

    def put(period: str, body: object) -> tuple[int, str]:
        response = writer.put(f"{url}/annotations/{period}", json=body, headers={"If-Match": tag})
        return response.status_code, response.headers["content-type"]

    assert put("2026-03-01", {"text": "Ingen måling"}) == (404, PROBLEM)
    assert put("2026-02-15", {"text": "Midt i måneden"}) == (404, PROBLEM)
    assert put("not-a-date", {"text": "X"}) == (422, PROBLEM)
    assert put("2026-02-01", {"text": "x" * 201}) == (422, PROBLEM)
    assert put("2026-02-01", {"text": "x" * 200})[0] == 200
    tag = writer.get(f"{url}/annotations").headers["etag"]
    assert put("2026-01-01", {"text": "   "}) == (422, PROBLEM)
    assert put("2026-01-01", {"text": "<b>Ny</b> rutine"}) == (422, PROBLEM)
    assert put("2026-01-01", {"text": "Ny &amp; bedre"}) == (422, PROBLEM)
    assert put("2026-01-01", {"text": "Ny", "extra": 1}) == (422, PROBLEM)
    # "Fewer than 5" is plain text, not markup.
    assert put("2026-01-01", {"text": "Færre enn < 5 henvisninger"})[0] == 200


def test_annotation_writes_are_audited_and_in_the_change_feed(
    session: Session, make_client: Callable[..., TestClient]
) -> None:
    writer = _writer(session, make_client)
    url = _indicator(writer, factories.area(session, "5501"))
    indicator_id = url.rsplit("/", 1)[1]
    after = _feed_end(writer)
    tag = writer.get(f"{url}/annotations").headers["etag"]
    added = writer.put(
        f"{url}/annotations/2026-01-01", json={"text": "Ferie"}, headers={"If-Match": tag}
    )
    changed = writer.put(
        f"{url}/annotations/2026-01-01",
        json={"text": "Ferieavvikling"},
        headers={"If-Match": added.headers["etag"]},
    )
    writer.delete(f"{url}/annotations/2026-01-01", headers={"If-Match": changed.headers["etag"]})

    events = writer.get("/api/v1/events", params={"after": after, "limit": 1000}).json()["items"]
    mine = [e for e in events if e["entity_type"] == "annotation"]
    assert [e["type"] for e in mine] == [
        "annotation.created",
        "annotation.updated",
        "annotation.deleted",
    ]
    assert {e["entity_id"] for e in mine} == {f"{indicator_id}/2026-01-01"}
    assert mine[0]["municipality"] == "5501"
    audited = session.exec(
        select(AuditEvent.action)
        .where(col(AuditEvent.entity_type) == "annotation")
        .order_by(col(AuditEvent.id))
    ).all()
    assert list(audited) == ["create", "update", "delete"]


def test_deleting_an_annotated_observation_tombstones_its_annotation(
    session: Session, make_client: Callable[..., TestClient]
) -> None:
    writer = _writer(session, make_client)
    url = _indicator(writer, factories.area(session, "5501"))
    tag = writer.get(f"{url}/annotations").headers["etag"]
    added = writer.put(
        f"{url}/annotations/2026-01-01", json={"text": "Ferie"}, headers={"If-Match": tag}
    )
    after = _feed_end(writer)
    deleted = writer.delete(
        f"{url}/observations/2026-01-01", headers={"If-Match": added.headers["etag"]}
    )
    assert deleted.status_code == 204
    events = writer.get("/api/v1/events", params={"after": after}).json()["items"]
    assert {e["type"] for e in events} >= {"observation.deleted", "annotation.deleted"}
