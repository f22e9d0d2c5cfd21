"""Comments and reviews through the API: threads, replies, resolving, the coordinator's and
the adviser's lists, access, the audit trail, and the lossless export round trip."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import Database
from app.models.base import Scope
from app.models.feedback import CommentCreate
from app.models.overview import Overview
from app.models.transfer import MunicipalityExport
from app.services import feedback, overview, review, transfer
from app.services.access import SYSTEM, Principal
from app.services.seed import seed
from tests import factories
from tests.conftest import SIGNED_IN_QUERIES, QueryCounter, fresh_database_url

ClientAs = Callable[[Principal], TestClient]
COMMENTS = "/api/v1/municipalities/5501/comments"


def _thread_ids(page: dict[str, Any]) -> list[int]:
    return [t["id"] for t in page["items"]]


# ---- acceptance 5 ------------------------------------------------------------------------


def test_an_advisers_comment_reaches_the_dashboard_and_resolving_clears_both_lists(
    session: Session, client_as: ClientAs
) -> None:
    adviser_principal = factories.adviser(session, "troms")
    coordinator_principal = factories.coordinator(session, "5501")
    adviser = client_as(adviser_principal)
    coordinator = client_as(coordinator_principal)

    created = adviser.post(
        COMMENTS,
        json={
            "target": "phase_section",
            "phase": "assessment",
            "text": "Kan dere beskrive samarbeidet med fastlegene?",
        },
    )
    assert created.status_code == 201, created.text
    comment = created.json()
    assert created.headers["location"] == f"/api/v1/comments/{comment['id']}"
    assert created.headers["etag"] == '"1"'
    assert (comment["author_role"], comment["thread_id"], comment["resolved"]) == (
        "adviser",
        comment["id"],
        False,
    )

    # The coordinator's dashboard shows it (the service the page calls, and the API).
    dashboard = feedback.open_threads_for_dashboard(session, coordinator_principal)
    assert [t.id for t in dashboard.items] == [comment["id"]]
    assert dashboard.items[0].awaiting == "municipality"
    assert _thread_ids(coordinator.get("/api/v1/comment-threads").json()) == [comment["id"]]
    # The adviser sees it among the region's open threads; it awaits the municipality.
    assert _thread_ids(
        adviser.get("/api/v1/comment-threads", params={"region": "troms"}).json()
    ) == [comment["id"]]
    assert feedback.unanswered_threads(session, adviser_principal, "troms").total == 0

    reply = coordinator.post(
        COMMENTS, json={"parent_id": comment["id"], "text": "Vi har faste møter hver måned."}
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["thread_id"] == comment["id"]
    assert reply.json()["target"] == "phase_section"
    assert reply.json()["phase"] == "assessment"
    unanswered = adviser.get("/api/v1/comment-threads", params={"awaiting": "adviser"}).json()
    assert _thread_ids(unanswered) == [comment["id"]]
    assert [c["text"] for c in unanswered["items"][0]["comments"]] == [
        "Kan dere beskrive samarbeidet med fastlegene?",
        "Vi har faste møter hver måned.",
    ]
    assert [t.id for t in feedback.unanswered_threads(session, adviser_principal).items] == [
        comment["id"]
    ]

    resolved = coordinator.patch(
        f"/api/v1/comments/{comment['id']}",
        json={"resolved": True},
        headers={"If-Match": created.headers["etag"]},
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["resolved"] is True
    assert resolved.json()["resolved_by"] == coordinator_principal.label
    assert resolved.headers["etag"] == '"2"'

    assert feedback.open_threads_for_dashboard(session, coordinator_principal).total == 0
    assert coordinator.get("/api/v1/comment-threads").json()["total"] == 0
    assert adviser.get("/api/v1/comment-threads", params={"region": "troms"}).json()["total"] == 0
    assert feedback.unanswered_threads(session, adviser_principal, "troms").total == 0
    everything = adviser.get("/api/v1/comment-threads", params={"status": "all"}).json()
    assert _thread_ids(everything) == [comment["id"]]
    assert everything["items"][0]["resolved"] is True

    events = adviser.get(
        "/api/v1/audit-events", params={"municipality": "5501", "entity_type": "comment"}
    ).json()["items"]
    assert [(e["action"], e["entity_id"], e["actor"]) for e in events] == [
        ("resolve", str(comment["id"]), coordinator_principal.label),
        ("create", str(reply.json()["id"]), coordinator_principal.label),
        ("create", str(comment["id"]), adviser_principal.label),
    ]
    assert events[0]["before"]["resolved"] is False
    assert events[0]["after"]["resolved"] is True

    # Reopening brings it back.
    reopened = adviser.patch(
        f"/api/v1/comments/{comment['id']}",
        json={"resolved": False},
        headers={"If-Match": resolved.headers["etag"]},
    )
    assert reopened.status_code == 200
    assert feedback.open_threads_for_dashboard(session, coordinator_principal).total == 1


# ---- the rules of comments ---------------------------------------------------------------


def test_comment_targets_replies_and_filters(session: Session, client_as: ClientAs) -> None:
    area_id = factories.area(session, "5501", "Oppfølging", ["independent_with_support"])
    other_area = factories.area(session, "5540", "Annet sted")
    adviser = client_as(factories.adviser(session, "troms"))

    on_area = adviser.post(
        COMMENTS, json={"target": "improvement_area", "improvement_area_id": area_id, "text": "A"}
    )
    assert on_area.status_code == 201
    on_pathway = adviser.post(COMMENTS, json={"text": "  Hele forløpet  "})
    assert on_pathway.json()["text"] == "Hele forløpet"
    first_reply = adviser.post(COMMENTS, json={"parent_id": on_area.json()["id"], "text": "B"})
    deeper = adviser.post(COMMENTS, json={"parent_id": first_reply.json()["id"], "text": "C"})
    assert deeper.status_code == 201
    assert deeper.json()["thread_id"] == on_area.json()["id"]
    assert deeper.json()["improvement_area_id"] == area_id

    for bad in (
        {"target": "phase_section", "phase": "nowhere", "text": "x"},
        {"target": "phase_section", "text": "x"},
        {"target": "improvement_area", "improvement_area_id": other_area, "text": "x"},
        {"target": "pathway", "phase": "assessment", "text": "x"},
        {"parent_id": 999_999, "text": "x"},
        {"parent_id": on_area.json()["id"], "target": "pathway", "text": "x"},
        {"text": ""},
        {"text": "x", "unknown": 1},
    ):
        refused = adviser.post(COMMENTS, json=bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"

    listed = adviser.get(COMMENTS).json()
    assert [c["text"] for c in listed["items"]] == ["A", "B", "C", "Hele forløpet"]
    assert listed["total"] == 4
    by_area = adviser.get(COMMENTS, params={"improvement_area_id": area_id}).json()
    assert [c["text"] for c in by_area["items"]] == ["A", "B", "C"]
    only_pathway = adviser.get(COMMENTS, params={"target": "pathway"}).json()
    assert [c["text"] for c in only_pathway["items"]] == ["Hele forløpet"]
    assert adviser.get(COMMENTS, params={"limit": 2, "offset": 1}).json()["items"][0]["text"] == (
        "B"
    )

    # A reply cannot resolve; a resolved thread takes no replies; open=true leaves it out.
    reply_id = first_reply.json()["id"]
    assert (
        adviser.patch(
            f"/api/v1/comments/{reply_id}", json={"resolved": True}, headers={"If-Match": '"1"'}
        ).status_code
        == 422
    )
    assert (
        adviser.patch(
            f"/api/v1/comments/{on_area.json()['id']}",
            json={"resolved": True},
            headers={"If-Match": '"1"'},
        ).status_code
        == 200
    )
    late = adviser.post(COMMENTS, json={"parent_id": reply_id, "text": "For sent"})
    assert late.status_code == 422
    assert late.json()["errors"][0]["field"] == "parent_id"
    still_open = adviser.get(COMMENTS, params={"open": "true"}).json()
    assert [c["text"] for c in still_open["items"]] == ["Hele forløpet"]


def test_versions_and_who_may_change_what(
    session: Session, client_as: ClientAs, make_client: Any
) -> None:
    author = client_as(factories.adviser(session, "troms"))
    colleague = client_as(factories.adviser(session, "troms"))
    created = author.post(COMMENTS, json={"text": "Første utkast"}).json()
    path = f"/api/v1/comments/{created['id']}"

    assert author.patch(path, json={"text": "Ny tekst"}).status_code == 428
    assert (
        colleague.patch(path, json={"text": "Ikke min"}, headers={"If-Match": '"1"'}).status_code
        == 403
    )
    edited = author.patch(path, json={"text": "Ny tekst"}, headers={"If-Match": '"1"'})
    assert edited.status_code == 200
    assert (edited.json()["text"], edited.json()["version"]) == ("Ny tekst", 2)
    stale = author.patch(path, json={"text": "Igjen"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    # An identical write changes nothing and records nothing.
    same = author.patch(path, json={"text": "Ny tekst"}, headers={"If-Match": '"2"'})
    assert (same.status_code, same.json()["version"]) == (200, 2)
    actions = [
        e["action"]
        for e in author.get(
            "/api/v1/audit-events", params={"municipality": "5501", "entity_type": "comment"}
        ).json()["items"]
    ]
    assert actions == ["update", "create"]
    assert author.get(path).headers["etag"] == '"2"'

    # Coordinators and write-scoped clients of the municipality comment; readers do not.
    assert (
        client_as(factories.coordinator(session, "5501"))
        .post(COMMENTS, json={"text": "Fra kommunen"})
        .json()["author_role"]
        == "coordinator"
    )
    writer = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    assert writer.post(COMMENTS, json={"text": "Fra fagsystemet"}).json()["author_role"] == (
        "api_client"
    )
    reader = make_client(factories.token(session, Scope.read, regions=["troms"]))
    assert reader.get(COMMENTS).status_code == 200
    assert reader.post(COMMENTS, json={"text": "Nei"}).status_code == 403
    # Another region's adviser and another municipality's coordinator see nothing.
    outsider = client_as(factories.adviser(session, "innlandet"))
    assert outsider.get(path).status_code == 404
    assert outsider.post(COMMENTS, json={"text": "Nei"}).status_code == 403
    assert outsider.get("/api/v1/comment-threads").json()["total"] == 0
    neighbour = client_as(factories.coordinator(session, "5540"))
    assert neighbour.get(path).status_code == 404
    assert neighbour.get("/api/v1/comment-threads").json()["total"] == 0
    assert make_client().get(COMMENTS).status_code == 401


def test_thread_lists_take_a_fixed_number_of_queries(
    session: Session, client_as: ClientAs, queries: QueryCounter
) -> None:
    adviser_principal = factories.adviser(session, "troms")
    adviser = client_as(adviser_principal)

    def measure() -> int:
        with queries.counting():
            assert adviser.get("/api/v1/comment-threads", params={"status": "all"}).status_code
        return queries.count

    def discuss(number: str) -> None:
        area_id = factories.area(session, number, "Område")
        parent = feedback.create_comment(
            session,
            adviser_principal,
            number,
            _text("Om området", target="improvement_area", improvement_area_id=area_id),
        )
        feedback.create_comment(session, adviser_principal, number, _text("Svar", parent.id))

    measure()  # the signed-in person is kept from here on
    discuss("5501")
    few = measure()
    for number in ("5540", "5503", "5510", "5512"):
        discuss(number)
    assert measure() == few
    assert few <= 4 + SIGNED_IN_QUERIES


def _text(text: str, parent_id: int | None = None, **fields: Any) -> CommentCreate:
    return CommentCreate.model_validate({"text": text, "parent_id": parent_id, **fields})


# ---- reviews -----------------------------------------------------------------------------


def test_an_adviser_marks_a_pathway_as_reviewed(
    session: Session, client_as: ClientAs, make_client: Any
) -> None:
    adviser_principal = factories.adviser(session, "troms")
    adviser = client_as(adviser_principal)
    reviews = "/api/v1/municipalities/5501/reviews"
    created = adviser.post(reviews, json={"note": "Gjennomgått på nettverkssamlingen"})
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/api/v1/reviews/{created.json()['id']}"
    assert adviser.get(created.headers["location"]).json()["note"] == (
        "Gjennomgått på nettverkssamlingen"
    )
    second = adviser.post(reviews, json={})
    assert second.status_code == 201
    listed = adviser.get(reviews).json()
    assert [r["id"] for r in listed["items"]] == [second.json()["id"], created.json()["id"]]
    assert listed["items"][1]["reviewer"] == adviser_principal.label

    coordinator = client_as(factories.coordinator(session, "5501"))
    assert coordinator.get(reviews).json()["total"] == 2
    assert coordinator.post(reviews, json={"note": "Selv"}).status_code == 403
    writer = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    assert writer.post(reviews, json={"note": "Nei"}).status_code == 403
    outsider = client_as(factories.adviser(session, "innlandet"))
    assert outsider.post(reviews, json={}).status_code == 403
    assert adviser.post(reviews, json={"note": "x" * 2001}).status_code == 422
    for name in ("topics", "follow_up"):
        refused = adviser.post(reviews, json={name: "x" * 2001})
        assert refused.status_code == 422
        assert name in refused.text
    talk = adviser.post(reviews, json={"topics": "Kartlegging", "follow_up": "Ny samtale i mai"})
    assert talk.status_code == 201
    assert (talk.json()["topics"], talk.json()["follow_up"]) == ("Kartlegging", "Ny samtale i mai")
    assert client_as(factories.admin(session)).post(reviews, json={}).status_code == 201

    events = adviser.get(
        "/api/v1/audit-events", params={"municipality": "5501", "entity_type": "review"}
    ).json()
    assert events["total"] == 4
    # The overview now counts from the last review.
    result = overview.get_overview(session, adviser_principal, "troms")
    assert isinstance(result, Overview)
    tromso = next(m for m in result.municipalities if m.number == "5501")
    assert tromso.review.basis == "review"
    assert tromso.review.last_reviewed_at is not None


# ---- comments and reviews are not moved by an import ------------------------------------


def test_an_import_neither_brings_nor_forges_comments_and_reviews(
    session: Session, client_as: ClientAs, make_client: Any
) -> None:
    """Comments and reviews are the installation's own conversation and history: the
    export leaves them out, an import never writes one, and they go only with an
    improvement area the import removes (listed in its answer)."""
    area_id = factories.area(session, "5501", "Oppfølging", ["assessment"])
    other_area = factories.area(session, "5501", "Informasjon", [])
    adviser = client_as(factories.adviser(session, "troms"))
    coordinator = client_as(factories.coordinator(session, "5501"))
    root = adviser.post(
        COMMENTS,
        json={"target": "improvement_area", "improvement_area_id": area_id, "text": "Spørsmål"},
    ).json()
    reply = coordinator.post(COMMENTS, json={"parent_id": root["id"], "text": "Svar"}).json()
    kept = adviser.post(
        COMMENTS,
        json={"target": "improvement_area", "improvement_area_id": other_area, "text": "Fint"},
    ).json()
    adviser.post("/api/v1/municipalities/5501/reviews", json={"note": "Bra"})
    writer = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    exported = writer.get("/api/v1/municipalities/5501/export")
    document = exported.json()
    assert "comments" not in document
    assert "reviews" not in document

    document["improvement_areas"] = [
        a for a in document["improvement_areas"] if a["id"] == other_area
    ]
    answer = writer.post(
        "/api/v1/municipalities/5501/import",
        json=document,
        headers={"If-Match": exported.headers["etag"]},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["changes"]["comments"]["removed"] == [
        {"id": root["id"], "path": None},
        {"id": reply["id"], "path": None},
    ]
    comments = coordinator.get(COMMENTS).json()["items"]
    assert [c["id"] for c in comments] == [kept["id"]]
    assert coordinator.get("/api/v1/municipalities/5501/reviews").json()["total"] == 1

    target = Database(fresh_database_url("feedback_import"))
    try:
        with target.session(write=True) as other:
            seed(other)
        with target.session(write=True) as other:
            transfer.import_municipality(
                other, SYSTEM, "5501", MunicipalityExport.model_validate(document), None
            )
        with target.session() as other:
            threads = feedback.list_threads(other, SYSTEM, status="all")
            reviews = review.list_reviews(other, SYSTEM, "5501")
    finally:
        target.dispose()
    assert threads.total == 0
    assert reviews.total == 0


def test_an_area_filter_beyond_any_id_is_a_problem(
    session: Session, make_client: Callable[..., TestClient]
) -> None:
    adviser = make_client(factories.token(session, regions=["troms"]))
    response = adviser.get(COMMENTS, params={"improvement_area_id": 2**31})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
