"""The change feed: every change as an event, deletions as tombstones with what they take
along, filtered to what the caller may read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models.base import Scope, utcnow
from app.models.changes import ChangeEvent
from app.services import changes
from tests import factories


def _feed(client: TestClient, after: int = 0) -> dict:  # type: ignore[type-arg]
    response = client.get("/api/v1/events", params={"after": after, "limit": 1000})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _last_id(session: Session) -> int:
    row = session.exec(select(ChangeEvent.id).order_by(col(ChangeEvent.id).desc())).first()
    return row or 0


def test_deleting_a_measure_is_a_tombstone_in_the_feed(
    session: Session, make_client: Callable[..., TestClient]
) -> None:
    start = _last_id(session)
    area_id = factories.area(session, "5501")
    measure_id = factories.measure(session, area_id)
    client = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    etag = client.get(f"/api/v1/measures/{measure_id}").headers["etag"]
    assert (
        client.delete(f"/api/v1/measures/{measure_id}", headers={"If-Match": etag}).status_code
        == 204
    )
    items = _feed(client, start)["items"]
    kinds = [(i["type"], i["entity_id"]) for i in items]
    assert kinds == [
        ("improvement_area.created", str(area_id)),
        ("measure.created", str(measure_id)),
        ("measure.deleted", str(measure_id)),
    ]
    tombstone = items[-1]
    assert tombstone["deleted"] is True
    assert tombstone["municipality"] == "5501"
    assert tombstone["entity_type"] == "measure"
    assert tombstone["version"] == 1
    assert items[1]["deleted"] is False


def test_deleting_an_area_emits_the_deletions_of_its_measures(
    session: Session, make_client: Callable[..., TestClient]
) -> None:
    area_id = factories.area(session, "5501")
    first = factories.measure(session, area_id)
    second = factories.measure(session, area_id, title="Andre")
    start = _last_id(session)
    client = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    etag = client.get(f"/api/v1/improvement-areas/{area_id}").headers["etag"]
    response = client.delete(f"/api/v1/improvement-areas/{area_id}", headers={"If-Match": etag})
    assert response.status_code == 204
    deleted = {(i["type"], i["entity_id"]) for i in _feed(client, start)["items"]}
    assert {
        ("measure.deleted", str(first)),
        ("measure.deleted", str(second)),
        ("improvement_area.deleted", str(area_id)),
    } <= deleted


def test_a_region_token_sees_its_regions_events_and_none_from_elsewhere(
    session: Session, make_client: Callable[..., TestClient]
) -> None:
    start = _last_id(session)
    factories.fill_section(session, "5501", "assessment", text="Tromsø")  # troms
    factories.fill_section(session, "3403", "assessment", text="Hamar")  # innlandet
    troms = make_client(factories.token(session, regions=["troms"]))
    items = _feed(troms, start)["items"]
    assert [(i["type"], i["municipality"]) for i in items] == [("phase_section.updated", "5501")]
    assert items[0]["entity_id"] == "5501/assessment"
    innlandet = make_client(factories.token(session, regions=["innlandet"]))
    assert [i["municipality"] for i in _feed(innlandet, start)["items"]] == ["3403"]
    single = make_client(factories.token(session, municipalities=["5540"]))
    assert _feed(single, start)["items"] == []


def test_the_cursor_pages_through_the_events(
    session: Session, make_client: Callable[..., TestClient]
) -> None:
    start = _last_id(session)
    for i in range(3):
        factories.area(session, "5501", title=f"Område {i}")
    client = make_client(factories.token(session, municipalities=["5501"]))
    first = client.get("/api/v1/events", params={"after": start, "limit": 2}).json()
    assert len(first["items"]) == 2
    second = _feed(client, first["next_cursor"])
    assert len(second["items"]) == 1
    assert second["items"][0]["id"] > first["items"][1]["id"]
    empty = _feed(client, second["next_cursor"])
    assert empty == {"items": [], "next_cursor": second["next_cursor"]}


def test_accounts_stay_out_of_the_feed_and_the_anonymous_get_401(
    session: Session, client: TestClient
) -> None:
    start = _last_id(session)
    factories.token(session, municipalities=["5501"])
    assert _last_id(session) == start
    response = client.get("/api/v1/events")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_bad_cursor_is_a_problem(
    session: Session, make_client: Callable[..., TestClient]
) -> None:
    client = make_client(factories.token(session, municipalities=["5501"]))
    for after in (-1, 2**31, "x"):
        response = client.get("/api/v1/events", params={"after": after})
        assert response.status_code == 422, after
        assert response.headers["content-type"].startswith("application/problem+json")
    # The largest id the database holds is still a cursor: nothing comes after it.
    last = client.get("/api/v1/events", params={"after": 2**31 - 1})
    assert last.status_code == 200
    assert last.json()["items"] == []


def test_pruning_keeps_180_days(session: Session) -> None:
    now = utcnow()
    old = ChangeEvent(
        type="strength.updated",
        entity_type="strength",
        entity_id="1",
        occurred_at=now - timedelta(days=181),
    )
    kept = ChangeEvent(
        type="strength.updated",
        entity_type="strength",
        entity_id="2",
        occurred_at=now - timedelta(days=179),
    )
    session.add_all([old, kept])
    session.commit()
    assert changes.prune(session, now) >= 1
    assert session.get(ChangeEvent, old.id) is None
    assert session.get(ChangeEvent, kept.id) is not None


def test_a_webhook_gets_only_what_its_client_may_read(
    session: Session, make_client: Callable[..., TestClient]
) -> None:
    from app.models.webhooks import WebhookDelivery

    tromso = make_client(factories.token(session, municipalities=["5501"]))
    elsewhere = make_client(factories.token(session, regions=["innlandet"]))
    only_deletions = make_client(factories.token(session, regions=["troms"]))
    hooks = {}
    for name, client, types in (
        ("tromso", tromso, []),
        ("elsewhere", elsewhere, []),
        ("deletions", only_deletions, ["measure.deleted"]),
    ):
        response = client.post(
            "/api/v1/webhooks", json={"url": "https://hooks.example.no/x", "event_types": types}
        )
        assert response.status_code == 201, response.text
        hooks[name] = response.json()["id"]
    factories.fill_section(session, "5501", "assessment", text="Til webhooks")
    rows = session.exec(
        select(WebhookDelivery.webhook_id, WebhookDelivery.event_type).where(
            col(WebhookDelivery.webhook_id).in_(hooks.values())
        )
    ).all()
    assert rows == [(hooks["tromso"], "phase_section.updated")]
    assert tromso.get(f"/api/v1/webhooks/{hooks['elsewhere']}").status_code == 404


def test_deleting_an_indicator_leaves_tombstones_of_its_observations(
    session: Session, make_client: Callable[..., TestClient]
) -> None:
    client = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    area_id = factories.area(session, "5501")
    indicator = client.post(
        f"/api/v1/improvement-areas/{area_id}/indicators", json={"name": "Antall", "kind": "count"}
    ).json()
    path = f"/api/v1/indicators/{indicator['id']}"
    tag = client.get(f"{path}/observations").headers["etag"]
    response = client.put(
        f"{path}/observations",
        json={"items": [{"period": "2024-01-01", "value": 3}]},
        headers={"If-Match": tag},
    )
    assert response.status_code == 200, response.text
    start = _last_id(session)
    tag = client.get(path).headers["etag"]
    assert client.delete(path, headers={"If-Match": tag}).status_code == 204
    kinds = [(i["type"], i["entity_id"]) for i in _feed(client, start)["items"]]
    assert kinds == [
        ("observation.deleted", f"{indicator['id']}/2024-01-01"),
        ("indicator.deleted", str(indicator["id"])),
    ]


def test_deleting_a_measure_leaves_tombstones_of_its_pdsa_cycles(
    session: Session, make_client: Callable[..., TestClient]
) -> None:
    area_id = factories.area(session, "5501")
    measure_id = factories.measure(session, area_id)
    client = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    cycle = client.post(f"/api/v1/measures/{measure_id}/pdsa-cycles", json={"title": "Prøve"})
    assert cycle.status_code == 201
    start = _last_id(session)
    etag = client.get(f"/api/v1/measures/{measure_id}").headers["etag"]
    deleted = client.delete(f"/api/v1/measures/{measure_id}", headers={"If-Match": etag})
    assert deleted.status_code == 204
    kinds = [(i["type"], i["entity_id"]) for i in _feed(client, start)["items"]]
    assert ("pdsa_cycle.deleted", str(cycle.json()["id"])) in kinds
    assert ("measure.deleted", str(measure_id)) in kinds
