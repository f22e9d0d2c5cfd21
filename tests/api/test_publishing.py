"""Publishing through the API: versions, the public pathway and its caching, diffs, restore,
and the public municipality search."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.base import Scope
from tests import factories
from tests.conftest import QueryCounter, TransactionalDatabase

SECTION = "/api/v1/municipalities/{number}/pathway/phases/{phase}"
VERSIONS = "/api/v1/municipalities/{number}/pathway/versions"
PUBLIC = "/api/v1/public/municipalities/{number}/pathway"


def _writer(session: Session, make_client: Any, number: str = "5501") -> TestClient:
    client: TestClient = make_client(factories.token(session, Scope.write, municipalities=[number]))
    return client


def _write_section(
    client: TestClient,
    phase: str,
    description: str,
    number: str = "5501",
    offerings: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    url = SECTION.format(number=number, phase=phase)
    current = client.get(url)
    body = {
        "description": description,
        "responsible": "Hukommelsesteamet",
        "contact": {"name": "Demenskoordinator", "phone": "77 79 00 00"},
        "maturity": "established",
        "offerings": offerings
        if offerings is not None
        else [{"type": "memory_team", "status": "available"}],
    }
    saved = client.put(url, json=body, headers={"If-Match": current.headers["etag"]})
    assert saved.status_code == 200, saved.text
    result: dict[str, Any] = saved.json()
    return result


def _publish(client: TestClient, summary: str, number: str = "5501") -> dict[str, Any]:
    response = client.post(VERSIONS.format(number=number), json={"summary": summary})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _phase(pathway: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(p for p in pathway["phases"] if p["phase"] == key)
    return found


def test_the_public_sees_only_what_was_published(session: Session, make_client: Any) -> None:
    writer = _writer(session, make_client)
    anonymous: TestClient = make_client()
    municipality = writer.get("/api/v1/municipalities/5501")
    writer.patch(
        "/api/v1/municipalities/5501",
        json={"website": "https://tromso.kommune.no/demens"},
        headers={"If-Match": municipality.headers["etag"]},
    )
    _write_section(writer, "assessment", "Ring hukommelsesteamet.")

    before = anonymous.get(PUBLIC.format(number="5501"))
    assert before.status_code == 404
    assert before.headers["content-type"] == "application/problem+json"
    problem = before.json()
    assert problem["type"] == "/problems/not-published"
    assert problem["website"] == "https://tromso.kommune.no/demens"
    assert "Ring hukommelsesteamet" not in before.text

    created = writer.post(VERSIONS.format(number="5501"), json={"summary": "Første versjon"})
    assert created.status_code == 201
    assert created.headers["location"] == "/api/v1/municipalities/5501/pathway/versions/1"
    assert created.json()["number"] == 1

    published = anonymous.get(PUBLIC.format(number="5501"))
    assert published.status_code == 200
    body = published.json()
    assert _phase(body, "assessment")["description"] == "Ring hukommelsesteamet."
    assert body["version"] == 1
    assert body["summary"] == "Første versjon"
    assert body["contacts"][0]["responsible"] == "Hukommelsesteamet"
    assert "published_by" not in body

    _write_section(writer, "assessment", "Kontakt fastlegen først.")
    unchanged = anonymous.get(PUBLIC.format(number="5501"))
    assert _phase(unchanged.json(), "assessment")["description"] == "Ring hukommelsesteamet."
    assert unchanged.headers["etag"] == published.headers["etag"]

    _publish(writer, "Ny rekkefølge")
    republished = anonymous.get(PUBLIC.format(number="5501"))
    assert _phase(republished.json(), "assessment")["description"] == "Kontakt fastlegen først."
    assert republished.headers["etag"] != published.headers["etag"]


def test_unpublished_without_website_and_unknown_numbers(client: TestClient) -> None:
    unpublished = client.get(PUBLIC.format(number="5540"))
    assert unpublished.status_code == 404
    assert unpublished.json()["name"] == "Gáivuotna - Kåfjord - Kaivuono"
    assert "website" not in unpublished.json()
    unknown = client.get(PUBLIC.format(number="9999"))
    assert unknown.status_code == 404
    assert unknown.json()["type"] == "/problems/not-found"


def test_conditional_public_get_answers_304_after_one_small_query(
    session: Session, make_client: Any, queries: QueryCounter, db: TransactionalDatabase
) -> None:
    writer = _writer(session, make_client)
    _write_section(writer, "suspicion", "Snakk med fastlegen.")
    _publish(writer, "Første versjon")
    anonymous: TestClient = make_client()
    url = PUBLIC.format(number="5501")

    with queries.counting():
        full = anonymous.get(url)
    assert full.status_code == 200
    assert any("snapshot" in s for s in queries.statements)
    assert full.headers["etag"] == '"p5501-1"'
    assert full.headers["last-modified"].endswith(" GMT")
    cache_control = full.headers["cache-control"]
    assert "public" in cache_control
    assert "max-age=60" in cache_control
    assert "stale-while-revalidate" in cache_control

    with queries.counting():
        again = anonymous.get(url, headers={"If-None-Match": full.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == full.headers["etag"]
    # The stamp of the latest version, in one small query; never the snapshot.
    assert queries.count == 1, queries.statements
    assert not any("snapshot" in s for s in queries.statements)

    stale = anonymous.get(url, headers={"If-None-Match": '"p5501-0"'})
    assert stale.status_code == 200


def test_publishing_needs_a_change_and_a_summary(session: Session, make_client: Any) -> None:
    writer = _writer(session, make_client)
    url = VERSIONS.format(number="5501")
    _write_section(writer, "suspicion", "Snakk med fastlegen.")
    assert writer.post(url, json={"summary": ""}).status_code == 422
    too_long = writer.post(url, json={"summary": "x" * 501})
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "summary"
    assert writer.post(url, json={"summary": "ok", "draft": True}).status_code == 422
    _publish(writer, "Første versjon")

    again = writer.post(url, json={"summary": "Igjen"})
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert "version 1" in again.json()["detail"]
    assert writer.get(url).json()["total"] == 1


def test_versions_are_listed_and_never_change(session: Session, make_client: Any) -> None:
    writer = _writer(session, make_client)
    _write_section(writer, "suspicion", "Første tekst.")
    first = _publish(writer, "Første versjon")
    _write_section(writer, "suspicion", "Andre tekst.")
    _publish(writer, "Andre versjon")

    listed = writer.get(VERSIONS.format(number="5501")).json()
    assert [v["number"] for v in listed["items"]] == [2, 1]
    assert [v["summary"] for v in listed["items"]] == ["Andre versjon", "Første versjon"]
    assert listed["items"][0]["published_by"].startswith("API: ")
    assert "pathway" not in listed["items"][0]

    url = VERSIONS.format(number="5501") + "/1"
    one = writer.get(url)
    assert one.status_code == 200
    assert one.json() == first
    assert _phase(one.json()["pathway"], "suspicion")["description"] == "Første tekst."
    assert writer.get(url, headers={"If-None-Match": one.headers["etag"]}).status_code == 304
    assert writer.get(VERSIONS.format(number="5501") + "/3").status_code == 404
    assert writer.get(VERSIONS.format(number="5501") + "/0").status_code == 422
    assert writer.get(VERSIONS.format(number="5501") + "/" + "9" * 20).status_code == 422

    events = writer.get(
        "/api/v1/audit-events", params={"municipality": "5501", "entity_type": "published_version"}
    ).json()
    assert [(e["action"], e["entity_id"]) for e in events["items"]] == [
        ("publish", "5501/2"),
        ("publish", "5501/1"),
    ]
    assert events["items"][0]["after"]["summary"] == "Andre versjon"


def test_only_editors_of_the_municipality_publish(session: Session, make_client: Any) -> None:
    _write_section(_writer(session, make_client), "suspicion", "Tekst.")
    url = VERSIONS.format(number="5501")
    kafjord_writer = _writer(session, make_client, "5540")
    assert kafjord_writer.post(url, json={"summary": "Nei"}).status_code == 403
    reader: TestClient = make_client(factories.token(session, Scope.read, regions=["troms"]))
    assert reader.post(url, json={"summary": "Nei"}).status_code == 403
    assert reader.get(url).status_code == 200
    anonymous: TestClient = make_client()
    assert anonymous.post(url, json={"summary": "Nei"}).status_code == 401
    assert anonymous.get(url).status_code == 401
    assert reader.get(url).json()["total"] == 0


def test_diff_between_two_versions_shows_exactly_the_changed_phase(
    session: Session, make_client: Any
) -> None:
    writer = _writer(session, make_client)
    for phase in ("suspicion", "assessment", "end_of_life"):
        _write_section(writer, phase, f"Slik gjør vi det i fasen {phase}.")
    _publish(writer, "Første versjon")
    _write_section(
        writer,
        "assessment",
        "Slik gjør vi det sammen med fastlegen.",
        offerings=[
            {"type": "memory_team", "status": "available"},
            {"name": "Pårørendeskole", "status": "planned"},
        ],
    )
    _publish(writer, "Utredning oppdatert")

    response = writer.get(VERSIONS.format(number="5501") + "/1/diff", params={"against": "2"})
    assert response.status_code == 200, response.text
    diff = response.json()
    assert diff["base"] == 1
    assert diff["against"] == 2
    assert diff["changed_phases"] == ["assessment"]
    assert len(diff["phases"]) == 6
    assessment = _phase(diff, "assessment")
    assert [f["field"] for f in assessment["fields"]] == ["description"]
    segments = assessment["fields"][0]["segments"]
    assert {"op": "delete", "text": "i fasen assessment."} in segments
    assert {"op": "insert", "text": "sammen med fastlegen."} in segments
    assert segments[0] == {"op": "equal", "text": "Slik gjør vi det "}
    assert [o["name"] for o in assessment["offerings"]["added"]] == ["Pårørendeskole"]
    assert assessment["offerings"]["removed"] == []
    assert _phase(diff, "suspicion")["changed"] is False

    # Against the draft: a later edit shows up, the published versions stay as they were.
    _write_section(writer, "end_of_life", "Palliativt team.")
    draft = writer.get(VERSIONS.format(number="5501") + "/2/diff").json()
    assert draft["against"] == "draft"
    assert draft["changed_phases"] == ["end_of_life"]
    assert writer.get(VERSIONS.format(number="5501") + "/1/diff", params={"against": "2"}).json()[
        "changed_phases"
    ] == ["assessment"]

    bad = writer.get(VERSIONS.format(number="5501") + "/1/diff", params={"against": "yesterday"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "against"
    missing = writer.get(VERSIONS.format(number="5501") + "/1/diff", params={"against": "7"})
    assert missing.status_code == 404


def test_diff_covers_strengths_and_improvement_areas(
    session: Session, make_client: Any, queries: QueryCounter
) -> None:
    writer = _writer(session, make_client)
    factories.strength(session, "5501", "Godt samarbeid med fastlegene")
    area_id = factories.area(session, "5501", "Synlig informasjon", ["suspicion"])
    _publish(writer, "Første versjon")
    factories.strength(session, "5501", "Aktiv pårørendeskole")
    factories.measure(session, area_id, "Nettside")
    url = VERSIONS.format(number="5501") + "/1/diff"
    writer.get(url)  # the token looked up and kept, as for the second count below
    with queries.counting():
        diff = writer.get(url).json()
    few = queries.count

    # More content, same number of queries.
    for n in range(5):
        factories.area(session, "5501", f"Område {n}", ["assessment", "end_of_life"])
        factories.fill_section(session, "5501", "round_the_clock_care", offerings=n + 2)
    with queries.counting():
        assert writer.get(url).status_code == 200
    assert queries.count == few
    assert diff["changed_phases"] == []
    assert [s["text"] for s in diff["strengths"]["added"]] == ["Aktiv pårørendeskole"]
    assert diff["strengths"]["removed"] == []
    (changed,) = diff["improvement_areas"]["changed"]
    assert changed["title"] == "Synlig informasjon"
    (counts,) = changed["changes"]
    assert counts["field"] == "measure_counts"
    assert counts["after"]["not_started"] == counts["before"]["not_started"] + 1


def test_restoring_old_text_is_a_new_audited_change(session: Session, make_client: Any) -> None:
    writer = _writer(session, make_client)
    _write_section(writer, "assessment", "Gammel tekst.")
    _publish(writer, "Første versjon")
    current = _write_section(
        writer, "assessment", "Ny tekst.", offerings=[{"name": "Kafé", "status": "available"}]
    )
    _publish(writer, "Andre versjon")
    url = SECTION.format(number="5501", phase="assessment") + "/restore"
    body = {"from_version": 1}

    assert writer.post(url, json=body).status_code == 428
    stale = writer.post(url, json=body, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == current["version"]
    tag = {"If-Match": stale.headers["etag"]}
    missing = writer.post(url, json={"from_version": 9}, headers=tag)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "from_version"

    restored = writer.post(url, json=body, headers={"If-Match": stale.headers["etag"]})
    assert restored.status_code == 200, restored.text
    section = restored.json()
    assert section["description"] == "Gammel tekst."
    assert section["version"] == current["version"] + 1
    assert restored.headers["etag"] == f'"{section["version"]}"'
    assert [o["name"] for o in section["offerings"]] == ["Kafé"]  # offerings were not asked for
    assert section["maturity"] == "established"

    with_offerings = writer.post(
        url,
        json={"from_version": 1, "include_offerings": True},
        headers={"If-Match": restored.headers["etag"]},
    ).json()
    assert [(o["type"], o["name"]) for o in with_offerings["offerings"]] == [
        ("memory_team", "Hukommelsesteam eller ressursperson")
    ]

    events = writer.get(
        "/api/v1/audit-events", params={"municipality": "5501", "entity_type": "phase_section"}
    ).json()["items"]
    assert [e["action"] for e in events[:2]] == ["restore", "restore"]
    assert events[1]["after"]["restored_from_version"] == 1
    assert events[1]["before"]["description"] == "Ny tekst."
    assert events[1]["after"]["description"] == "Gammel tekst."

    # The draft differs from version 2 in that phase only; the public still sees version 2.
    diff = writer.get(VERSIONS.format(number="5501") + "/2/diff").json()
    assert diff["changed_phases"] == ["assessment"]
    public = make_client().get(PUBLIC.format(number="5501")).json()
    assert _phase(public, "assessment")["description"] == "Ny tekst."

    adviser_like = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    refused = adviser_like.post(url, json=body, headers={"If-Match": '"1"'})
    assert refused.status_code == 403


def test_public_search_finds_every_name_form_and_number(client: TestClient) -> None:
    for query in ("Kåfjord", "Gáivuotna", "gaivuotna", "KAFJORD", "Kaivuono", "5540"):
        found = client.get("/api/v1/public/municipalities", params={"q": query})
        assert found.status_code == 200
        numbers = [m["number"] for m in found.json()["items"]]
        assert "5540" in numbers, query
    only = client.get("/api/v1/public/municipalities", params={"q": "5540"}).json()
    assert only["total"] == 1
    assert only["items"][0]["names"] == ["Gáivuotna", "Kåfjord", "Kaivuono"]
    assert only["items"][0]["region"] == "troms"
    tromso = client.get("/api/v1/public/municipalities", params={"q": "tromso"}).json()
    assert [m["name"] for m in tromso["items"]] == ["Tromsø"]
    nothing = client.get("/api/v1/public/municipalities", params={"q": "Atlantis"}).json()
    assert nothing == {"items": [], "total": 0, "limit": 50, "offset": 0}


def test_public_search_is_alphabetical_paged_and_cacheable(
    session: Session, make_client: Any
) -> None:
    writer = _writer(session, make_client)
    _write_section(writer, "suspicion", "Snakk med fastlegen.")
    _publish(writer, "Første versjon")
    anonymous: TestClient = make_client()
    url = "/api/v1/public/municipalities"
    everything = anonymous.get(url, params={"limit": 500}).json()
    assert everything["total"] == 357
    names = [m["name"] for m in everything["items"]]
    assert names.index("Vadsø") < names.index("Ørland") < names.index("Åfjord")
    assert names.index("Alta") < names.index("Bø")
    published = {m["number"] for m in everything["items"] if m["published"]}
    assert published == {"5501"}

    first = anonymous.get(url, params={"q": "a", "limit": 10})
    second = anonymous.get(url, params={"q": "a", "limit": 10, "offset": 10}).json()
    assert first.json()["total"] == second["total"] > 20
    assert len(second["items"]) == 10
    assert first.json()["items"][-1]["name"] != second["items"][0]["name"]
    assert "public" in first.headers["cache-control"]
    tag = first.headers["etag"]
    again = anonymous.get(url, params={"q": "a", "limit": 10}, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert anonymous.get(url, params={"q": "x" * 101}).status_code == 422


def test_history_can_be_filtered_by_person(session: Session, make_client: Any) -> None:
    first = _writer(session, make_client)
    _write_section(first, "suspicion", "Tekst.")
    factories.strength(session, "5501", "Godt samarbeid")
    filters = first.get("/api/v1/audit-events/filters", params={"municipality": "5501"})
    assert filters.status_code == 200
    body = filters.json()
    assert body["entity_types"] == ["phase_section", "strength"]
    assert len(body["actors"]) == 2
    (api_actor,) = [a for a in body["actors"] if a.startswith("API: ")]
    mine = first.get(
        "/api/v1/audit-events", params={"municipality": "5501", "actor": api_actor}
    ).json()
    assert [e["entity_type"] for e in mine["items"]] == ["phase_section"]
    other = make_client(factories.token(session, Scope.read, municipalities=["5540"]))
    assert (
        other.get("/api/v1/audit-events/filters", params={"municipality": "5501"}).status_code
        == 403
    )
