"""The phase-section write path: preconditions, access, validation, limits, audit."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.base import Scope
from tests import factories
from tests.conftest import QueryCounter, TransactionalDatabase

URL = "/api/v1/municipalities/{number}/pathway/phases/{phase}"

BODY: dict[str, Any] = {
    "description": "Kontakt *fastlegen* eller hukommelsesteamet.",
    "responsible": "Hukommelsesteamet",
    "contact": {
        "name": "Demenskoordinator",
        "phone": "77 79 00 00",
        "email": "demens@tromso.kommune.no",
        "hours": "Man–fre 08–15",
    },
    "maturity": "established",
    "needs_knowledge": True,
    "offerings": [
        {"type": "memory_team", "status": "available", "provider": "own"},
        {"name": "Drop-in på biblioteket", "status": "planned", "provider": "voluntary"},
    ],
}


def _writer(session: Session, make_client: Any, number: str = "5501") -> TestClient:
    client: TestClient = make_client(factories.token(session, Scope.write, municipalities=[number]))
    return client


def test_put_section_follows_the_precondition_rules(session: Session, make_client: Any) -> None:
    client = _writer(session, make_client)
    url = URL.format(number="5501", phase="assessment")

    missing = client.put(url, json=BODY)
    assert missing.status_code == 428
    assert missing.headers["content-type"] == "application/problem+json"

    current = client.get(url)
    assert current.status_code == 200
    first_tag = current.headers["etag"]
    assert first_tag == '"1"'

    saved = client.put(url, json=BODY, headers={"If-Match": first_tag})
    assert saved.status_code == 200
    assert saved.headers["etag"] != first_tag
    body = saved.json()
    assert body["description"] == BODY["description"]
    assert body["description_html"] == (
        "<p>Kontakt <em>fastlegen</em> eller hukommelsesteamet.</p>"
    )
    assert [o["name"] for o in body["offerings"]] == [
        "Hukommelsesteam eller ressursperson",
        "Drop-in på biblioteket",
    ]
    assert body["contact"]["email"] == "demens@tromso.kommune.no"

    stale = client.put(
        url, json={**BODY, "description": "Annen tekst"}, headers={"If-Match": first_tag}
    )
    assert stale.status_code == 412
    problem = stale.json()
    assert problem["current_version"] == 2
    assert problem["current"]["description"] == BODY["description"]
    assert stale.headers["etag"] == saved.headers["etag"]
    # The stale write changed nothing.
    assert client.get(url).json()["description"] == BODY["description"]


def test_identical_put_keeps_the_version(session: Session, make_client: Any) -> None:
    client = _writer(session, make_client)
    url = URL.format(number="5501", phase="suspicion")
    first = client.put(url, json=BODY, headers={"If-Match": '"1"'})
    again = client.put(url, json=BODY, headers={"If-Match": first.headers["etag"]})
    assert again.status_code == 200
    assert again.headers["etag"] == first.headers["etag"]


def test_saving_one_phase_never_touches_another(session: Session, make_client: Any) -> None:
    client = _writer(session, make_client)
    before = client.get("/api/v1/municipalities/5501/pathway").json()["sections"]
    client.put(
        URL.format(number="5501", phase="assessment"), json=BODY, headers={"If-Match": '"1"'}
    )
    after = client.get("/api/v1/municipalities/5501/pathway").json()["sections"]
    changed = [a["phase"] for a, b in zip(after, before, strict=True) if a != b]
    assert changed == ["assessment"]


def test_access_and_errors(session: Session, make_client: Any) -> None:
    writer = _writer(session, make_client)
    other = writer.put(
        URL.format(number="5540", phase="assessment"), json=BODY, headers={"If-Match": '"1"'}
    )
    assert other.status_code == 403
    anonymous = make_client().put(
        URL.format(number="5501", phase="assessment"), json=BODY, headers={"If-Match": '"1"'}
    )
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    bad_token = make_client("dfl_not-a-real-token").get("/api/v1/municipalities/5501")
    assert bad_token.status_code == 401
    nonsense = writer.put(
        URL.format(number="5501", phase="nonsense"), json=BODY, headers={"If-Match": '"1"'}
    )
    assert nonsense.status_code == 404
    assert nonsense.headers["content-type"] == "application/problem+json"
    assert nonsense.json()["status"] == 404
    unknown = writer.put(
        URL.format(number="5501", phase="assessment"),
        json={**BODY, "colour": "red"},
        headers={"If-Match": '"1"'},
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [
        {"field": "colour", "message": "unknown field; it is not part of this resource"}
    ]
    huge = writer.put(
        URL.format(number="5501", phase="assessment"),
        content=b'{"description": "' + b"a" * 2_000_000 + b'"}',
        headers={"If-Match": '"1"', "Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    assert huge.json()["status"] == 413
    read_only = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    assert read_only.get(URL.format(number="5501", phase="assessment")).status_code == 200
    assert (
        read_only.put(
            URL.format(number="5501", phase="assessment"), json=BODY, headers={"If-Match": '"1"'}
        ).status_code
        == 403
    )


def test_validation_names_each_field(session: Session, make_client: Any) -> None:
    client = _writer(session, make_client)
    response = client.put(
        URL.format(number="5501", phase="assessment"),
        json={
            "description": "x" * 10_001,
            "maturity": "excellent",
            "contact": {"email": "not-an-address"},
            "offerings": [{"status": "available"}, {"type": "no_such_type"}],
        },
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"description", "maturity", "contact.email", "offerings.0"} <= fields


def test_unknown_offering_type_is_a_field_error(session: Session, make_client: Any) -> None:
    client = _writer(session, make_client)
    response = client.put(
        URL.format(number="5501", phase="assessment"),
        json={"offerings": [{"type": "no_such_type"}]},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "offerings.0.type"


def test_markup_is_stripped_on_save(session: Session, make_client: Any) -> None:
    client = _writer(session, make_client)
    response = client.put(
        URL.format(number="5501", phase="assessment"),
        json={
            "description": "# Overskrift\n<script>alert(1)</script>"
            "Hei [lenke](javascript:alert(1)) og [nav](https://nav.no)"
        },
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200
    body = response.json()
    assert "<script" not in body["description"]
    assert "javascript:" not in body["description"]
    assert body["description_html"] == (
        "<p>Overskrift<br>\nHei lenke og "
        '<a href="https://nav.no" rel="noopener noreferrer">nav</a></p>'
    )


def test_successful_writes_are_audited_and_failed_ones_leave_no_trace(
    session: Session, make_client: Any
) -> None:
    client = _writer(session, make_client)
    url = URL.format(number="5501", phase="assessment")
    client.put(url, json=BODY, headers={"If-Match": '"1"'})
    client.put(url, json={"description": "stale"}, headers={"If-Match": '"1"'})  # 412
    client.put(url, json={"foo": 1}, headers={"If-Match": '"2"'})  # 422
    client.put(url, json=BODY)  # 428
    events = client.get("/api/v1/audit-events", params={"municipality": "5501"}).json()
    updates = [e for e in events["items"] if e["entity_type"] == "phase_section"]
    assert len(updates) == 1
    event = updates[0]
    assert event["actor"].startswith("API: client")
    assert event["actor_type"] == "api_client"
    assert event["before"]["description"] == ""
    assert event["after"]["description"] == BODY["description"]
    assert event["after"]["offerings"][0]["type"] == "memory_team"
    assert client.get(url).json()["version"] == 2


def test_if_none_match_answers_304(session: Session, make_client: Any) -> None:
    client = _writer(session, make_client)
    first = client.get("/api/v1/municipalities/5501/pathway")
    tag = first.headers["etag"]
    again = client.get("/api/v1/municipalities/5501/pathway", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    client.put(
        URL.format(number="5501", phase="assessment"), json=BODY, headers={"If-Match": '"1"'}
    )
    changed = client.get("/api/v1/municipalities/5501/pathway", headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag


def test_pathway_query_count_does_not_grow_with_offerings(
    session: Session, make_client: Any, queries: QueryCounter, db: TransactionalDatabase
) -> None:
    client = make_client(factories.token(session, Scope.read, municipalities=["5501", "5540"]))
    factories.tokens_just_used(session)
    assert client.get("/api/v1/municipalities/5540/pathway").status_code == 200  # the token kept
    factories.fill_section(session, "5540", "assessment", offerings=1)

    with queries.counting():
        assert client.get("/api/v1/municipalities/5540/pathway").status_code == 200
    few = queries.count
    for phase in ("suspicion", "assessment", "independent_with_support", "home_with_services"):
        factories.fill_section(session, "5501", phase, offerings=30)
    with queries.counting():
        response = client.get("/api/v1/municipalities/5501/pathway")
    assert response.status_code == 200
    assert sum(len(s["offerings"]) for s in response.json()["sections"]) == 120
    assert queries.count == few, "\n".join(s[:100] for s in queries.statements)
    # After a write: the stamps, the draft's facts and the stamps again (they are kept only
    # if nothing was written meanwhile), the municipality, the catalogue (2), the sections,
    # their offerings, and the stamps once more before the body is kept.
    assert queries.count <= 9, "\n".join(s[:90] for s in queries.statements)
