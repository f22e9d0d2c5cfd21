"""Regression tests for the findings of the attack and integrator review (issue 14) on the
whole-municipality export and import: findings 1–5, the export's share of finding 8 and the
import's share of finding 14, and the issue's acceptance items 2 and 3.

Some hostile documents below put things into an export the format does not have (rendered
HTML, authors, dates): an import either refuses such a document or keeps nothing of it, and
the tests accept either — what they check is what ends up stored and shown."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models.base import Role, Scope
from app.models.feedback import Comment, Review
from app.models.improvement import ProgressNote
from app.models.publishing import PublishedVersion, PublishInput
from app.services import publishing
from app.services.access import SYSTEM
from tests import factories
from tests.api.test_transfer import EXPORT, IMPORT, _rich_municipality
from tests.webtools import page, sign_in

VERSIONS = "/api/v1/municipalities/5501/pathway/versions"
#: What an attacker stored on the public page: anonymous visitors were sent elsewhere.
REFRESH = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
SCRIPT = "<script>alert(1)</script>"
FORGED_AUTHOR = "Forged adviser"
FORGED_TIME = "2001-01-01T00:00:00Z"


def _writer(session: Session, make_client: Any) -> TestClient:
    client: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    return client


def _export(client: TestClient) -> tuple[dict[str, Any], str]:
    exported = client.get(EXPORT)
    assert exported.status_code == 200, exported.text
    return exported.json(), exported.headers.get("etag", '"0"')


def _import(client: TestClient, document: dict[str, Any], tag: str | None, **params: str) -> Any:
    headers = {"If-Match": tag} if tag is not None else {}
    return client.post(IMPORT, json=document, headers=headers, params=params)


def _no_markup(text: str) -> None:
    assert "<meta http-equiv" not in text
    assert "<script>alert" not in text
    assert "evil.example" not in text or "&lt;" in text


# ---- finding 1 ---------------------------------------------------------------------------


def test_finding_01_import_cannot_store_html_on_public_page(
    session: Session, make_client: Any, client: TestClient
) -> None:
    factories.fill_section(session, "5501", "assessment", text="Ring hukommelsesteamet.")
    writer = _writer(session, make_client)
    assert writer.post(VERSIONS, json={"summary": "Første"}).status_code == 201
    document, tag = _export(writer)

    # Rendered HTML from outside is refused: the format carries Markdown only.
    hostile = copy.deepcopy(document)
    for version in hostile["published_versions"]:
        for phase in version.get("pathway", version.get("snapshot", {})).get("phases", []):
            phase["description_html"] = REFRESH
    answer = _import(writer, hostile, tag)
    assert answer.status_code == 422
    assert "description_html" in answer.json()["errors"][0]["field"]

    # Markup in the Markdown is cleaned and rendered by the editor's renderer.
    hostile = copy.deepcopy(document)
    second = copy.deepcopy(hostile["published_versions"][0])
    second["number"] = 2
    second["pathway"]["phases"][1]["description"] = f"Ring oss. {REFRESH}{SCRIPT}"
    hostile["published_versions"].append(second)
    answer = _import(writer, hostile, tag)
    assert answer.status_code == 200, answer.text

    public = client.get("/kommuner/5501")
    assert public.status_code == 200
    _no_markup(public.text)
    assert "Ring oss." in public.text
    api = client.get("/api/v1/public/municipalities/5501/pathway").json()
    assert api["version"] == 2
    assert api["phases"][1]["description_html"] == "<p>Ring oss.</p>"


def test_finding_01_a_poisoned_stored_snapshot_is_not_served(
    session: Session, client: TestClient
) -> None:
    """A database that already holds rendered HTML from an import stops serving it: the
    public page and API render the snapshot's Markdown again."""
    municipality = factories.municipality(session, "5501")
    session.add(
        PublishedVersion(
            municipality_id=municipality.id or 0,
            number=1,
            published_by="import",
            summary="Importert",
            snapshot={
                "municipality": "5501",
                "name": "Tromsø",
                "website": "javascript:alert(1)",
                "phases": [
                    {
                        "phase": "assessment",
                        "description": "Ring oss.",
                        "description_html": REFRESH + SCRIPT,
                    }
                ],
            },
        )
    )
    session.commit()
    public = client.get("/kommuner/5501")
    assert public.status_code == 200
    _no_markup(public.text)
    assert "javascript:" not in public.text
    assert "Ring oss." in public.text
    api = client.get("/api/v1/public/municipalities/5501/pathway").json()
    assert api["phases"][0]["description_html"] == "<p>Ring oss.</p>"
    assert api["website"] is None


# ---- finding 2 ---------------------------------------------------------------------------


def test_finding_02_import_cannot_forge_history(session: Session, make_client: Any) -> None:
    _rich_municipality(session, "5501")
    writer = _writer(session, make_client)
    assert writer.post(VERSIONS, json={"summary": "Første"}).status_code == 201
    document, tag = _export(writer)

    # Claims of who published or wrote what, and when: refused, or kept nowhere.
    forged = copy.deepcopy(document)
    for version in forged["published_versions"]:
        version.update(published_by=FORGED_AUTHOR, published_at=FORGED_TIME)
    forged["reviews"] = [{"reviewed_at": FORGED_TIME, "reviewer": FORGED_AUTHOR, "note": "OK"}]
    forged["comments"] = [
        {
            "ref": 1,
            "parent_ref": None,
            "target": "pathway",
            "phase": None,
            "improvement_area_priority": None,
            "text": "Godkjent",
            "author": FORGED_AUTHOR,
            "author_role": "adviser",
            "resolved_at": None,
            "resolved_by": None,
            "version": 1,
            "created_at": FORGED_TIME,
            "updated_at": FORGED_TIME,
        }
    ]
    _import(writer, forged, tag)
    stored_by = set(session.exec(select(PublishedVersion.published_by)).all())
    assert FORGED_AUTHOR not in stored_by
    assert FORGED_AUTHOR not in set(session.exec(select(Review.reviewer)).all())
    assert FORGED_AUTHOR not in set(session.exec(select(Comment.author)).all())
    oldest = session.exec(select(PublishedVersion.published_at)).all()
    assert all(at.year > 2001 for at in oldest)

    # What an import adds to history is the importer's, at the time of the import.
    document, tag = _export(writer)
    new_version = copy.deepcopy(document["published_versions"][0])
    new_version["number"] = 2
    document["published_versions"].append(new_version)
    document["improvement_areas"][0]["notes"].append({"date": "2024-03-01", "text": "Nytt"})
    before = datetime.now(UTC) - timedelta(seconds=5)
    answer = _import(writer, document, tag)
    assert answer.status_code == 200, answer.text
    imported = writer.get(f"{VERSIONS}/2").json()
    token_label = writer.get(VERSIONS).json()["items"][1]["published_by"]
    assert imported["imported_by"] == imported["published_by"] == token_label
    assert datetime.fromisoformat(imported["imported_at"]) >= before
    assert datetime.fromisoformat(imported["published_at"]) >= before
    note = session.exec(select(ProgressNote).where(col(ProgressNote.text) == "Nytt")).one()
    assert note.author == token_label
    assert note.created_at >= before


# ---- finding 3 ---------------------------------------------------------------------------


def test_finding_03_import_cannot_silently_overwrite_a_newer_edit(
    session: Session, make_client: Any
) -> None:
    _rich_municipality(session, "5501")
    writer = _writer(session, make_client)
    document, tag = _export(writer)
    # A colleague saves after the export was taken.
    colleague = writer.post("/api/v1/municipalities/5501/strengths", json={"text": "Ny styrke"})
    assert colleague.status_code == 201

    without = _import(writer, document, None)
    assert without.status_code == 428
    stale = _import(writer, document, tag)
    assert stale.status_code == 412
    current = writer.get("/api/v1/municipalities/5501/pathway").headers["etag"]
    assert stale.json()["current_version"] == int(current.strip('"'))
    assert stale.headers["etag"] == current
    texts = [s["text"] for s in writer.get("/api/v1/municipalities/5501/strengths").json()["items"]]
    assert "Ny styrke" in texts


def test_finding_03_ids_survive_and_every_change_is_listed_and_audited(
    session: Session, make_client: Any
) -> None:
    _rich_municipality(session, "5501")
    writer = _writer(session, make_client)
    document, tag = _export(writer)
    assert (
        writer.get(EXPORT).headers["etag"]
        == writer.get("/api/v1/municipalities/5501/pathway").headers["etag"]
    )
    kept, dropped = document["strengths"]
    document["strengths"] = [{**kept, "text": "Godt samarbeid med alle fastlegene"}]
    document["strengths"].append({"text": "Ny styrke", "phase": None})
    first_area = document["improvement_areas"][0]
    document["improvement_areas"] = [document["improvement_areas"][1], first_area]

    answer = _import(writer, document, tag)
    assert answer.status_code == 200, answer.text
    changes = answer.json()["changes"]
    new_id = changes["strengths"]["created"][0]["id"]
    assert changes["strengths"] == {
        "created": [{"id": new_id, "path": "strengths.1"}],
        "changed": [{"id": kept["id"], "path": "strengths.0"}],
        "removed": [{"id": dropped["id"], "path": None}],
    }
    assert {c["id"] for c in changes["improvement_areas"]["changed"]} == {
        a["id"] for a in document["improvement_areas"]
    }
    strengths = writer.get("/api/v1/municipalities/5501/strengths").json()["items"]
    assert [(s["id"], s["text"]) for s in strengths] == [
        (kept["id"], "Godt samarbeid med alle fastlegene"),
        (new_id, "Ny styrke"),
    ]
    areas = writer.get("/api/v1/municipalities/5501/improvement-areas").json()["items"]
    assert [a["id"] for a in areas] == [a["id"] for a in document["improvement_areas"]]
    events = writer.get(
        "/api/v1/audit-events", params={"municipality": "5501", "entity_type": "strength"}
    ).json()["items"]
    assert [(e["action"], e["entity_id"]) for e in events[:3]] == [
        ("delete", str(dropped["id"])),
        ("import", str(new_id)),
        ("update", str(kept["id"])),
    ]
    assert not writer.get(
        "/api/v1/audit-events", params={"municipality": "5501", "entity_type": "municipality"}
    ).json()["items"]


# ---- finding 4 ---------------------------------------------------------------------------


def test_finding_04_import_obeys_the_api_limits(session: Session, make_client: Any) -> None:
    factories.strength(session, "5501", "Godt samarbeid")
    writer = _writer(session, make_client)
    document, tag = _export(writer)
    flood = copy.deepcopy(document)
    flood["strengths"] = [document["strengths"][0]] * 100_000
    answer = _import(writer, flood, tag)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["strengths"]
    assert "50" in answer.json()["errors"][0]["message"]
    assert writer.get("/api/v1/municipalities/5501/strengths").json()["total"] == 1


def test_finding_04_other_municipalities_strengths_do_not_weigh_down_a_dashboard(
    session: Session, client: TestClient
) -> None:
    for n in range(50):
        factories.strength(session, "5540", f"Styrke nummer {n} " + "x" * 450)
    # Others see what a municipality published (finding 9): all 50 are public.
    publishing.publish(session, SYSTEM, "5540", PublishInput(summary="Alle styrkene"))
    factories.user(session, Role.coordinator, municipalities=["5501"], email="f4@example.no")
    sign_in(client, "f4@example.no", factories.PASSWORD)
    board = client.get("/app")
    assert board.status_code == 200
    examples = page(board).one("section", data_good_examples="troms")
    assert len(examples.find_all("li")) <= 5
    more = [a.get("href") or "" for a in examples.find_all("a")]
    assert any("/gode-eksempler" in href for href in more)
    assert len(board.content) < 60_000


# ---- finding 5 ---------------------------------------------------------------------------


def test_finding_05_a_summary_the_api_accepts_can_be_exported(
    session: Session, make_client: Any
) -> None:
    writer = _writer(session, make_client)
    summary = "Oppdatert. " + "x" * 489
    assert len(summary) == 500
    assert writer.post(VERSIONS, json={"summary": summary}).status_code == 201
    document, _ = _export(writer)
    assert document["published_versions"][0]["summary"] == summary


# ---- finding 8 (the export) and 14 (the import) ------------------------------------------


def test_finding_08_export_hides_small_numbers_from_those_who_may_not_see_them(
    session: Session, make_client: Any
) -> None:
    _rich_municipality(session, "5501")
    reader: TestClient = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    observations = reader.get(EXPORT).json()["improvement_areas"][1]["indicators"][0][
        "observations"
    ]
    assert observations[0] == {
        "period": "2024-01-01",
        "value": None,
        "numerator": None,
        "denominator": None,
        "comment": "",
        "suppressed": "<5",
    }
    assert observations[5]["numerator"] == 6
    editor = _writer(session, make_client)
    shown = editor.get(EXPORT).json()["improvement_areas"][1]["indicators"][0]["observations"]
    assert shown[0]["numerator"] == 1


def test_finding_14_import_checks_access_before_the_body_and_preconditions(
    session: Session, make_client: Any
) -> None:
    reader: TestClient = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    stranger: TestClient = make_client(
        factories.token(session, Scope.write, municipalities=["5540"])
    )
    for client in (reader, stranger):
        assert client.post(IMPORT, json={"nonsense": True}).status_code == 403
        assert (
            client.post(IMPORT, content=b"{not json", headers={"If-Match": '"1"'}).status_code
            == 403
        )
        assert _import(client, {}, '"1"').status_code == 403
        assert _import(client, {}, '"1"', dry_run="maybe").status_code == 403
    nobody: TestClient = make_client()
    assert nobody.post(IMPORT, json={"nonsense": True}).status_code == 401
    # Who may import gets the ordinary answers, in the ordinary order.
    writer = _writer(session, make_client)
    assert writer.post(IMPORT, json={"nonsense": True}).status_code == 428
    tag = writer.get("/api/v1/municipalities/5501/pathway").headers["etag"]
    wrong_flag = _import(writer, {}, tag, dry_run="maybe")
    assert wrong_flag.status_code == 422
    assert wrong_flag.json()["errors"][0]["field"] == "dry_run"
    text = writer.post(
        IMPORT, content=b"{}", headers={"If-Match": tag, "Content-Type": "text/plain"}
    )
    assert text.status_code == 415
    assert _import(writer, {"nonsense": True}, tag).status_code == 422


# ---- acceptance ----------------------------------------------------------------------------


def test_export_edit_import_cycle(session: Session, make_client: Any) -> None:
    """Acceptance 2: a stale ETag gets 412; the current one 200 with the ids of surviving
    objects unchanged; a dry run answers the same and changes nothing."""
    _rich_municipality(session, "5501")
    writer = _writer(session, make_client)
    document, tag = _export(writer)
    document["strengths"][0]["text"] = "Endret i fila"
    document["improvement_areas"][1]["measures"][0]["title"] = "Fast kontaktperson for alle"
    document["improvement_areas"][1]["indicators"][0]["observations"].pop()

    writer.post("/api/v1/municipalities/5501/strengths", json={"text": "Kollegaens styrke"})
    assert _import(writer, document, tag).status_code == 412
    document, tag = _export(writer)
    document["strengths"][0]["text"] = "Endret i fila"
    document["improvement_areas"][1]["measures"][0]["title"] = "Fast kontaktperson for alle"
    document["improvement_areas"][1]["indicators"][0]["observations"].pop()
    events = writer.get("/api/v1/audit-events", params={"municipality": "5501"}).json()["total"]
    before = _export(writer)

    dry = _import(writer, document, tag, dry_run="true")
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True
    assert dry.headers["etag"] == tag
    assert _export(writer) == before
    audit = writer.get("/api/v1/audit-events", params={"municipality": "5501"}).json()
    assert audit["total"] == events

    real = _import(writer, document, tag)
    assert real.status_code == 200, real.text
    assert {**real.json(), "dry_run": True, "version": dry.json()["version"]} == dry.json()
    assert real.headers["etag"] != tag
    after, new_tag = _export(writer)
    assert new_tag == real.headers["etag"]
    assert after == document
    changes = real.json()["changes"]
    assert [c["path"] for c in changes["strengths"]["changed"]] == ["strengths.0"]
    assert [c["path"] for c in changes["measures"]["changed"]] == ["improvement_areas.1.measures.0"]
    assert len(changes["observations"]["removed"]) == 1
    assert _import(writer, document, tag).status_code == 412


def test_a_hostile_import_is_refused_or_neutralised(
    session: Session, make_client: Any, client: TestClient
) -> None:
    """Acceptance 3: HTML in every text field, forged authors and dates, 100,000 items and
    a summary of 500 characters; afterwards the public page and every export answer 200
    without the markup."""
    _rich_municipality(session, "5501")
    writer = _writer(session, make_client)
    assert writer.post(VERSIONS, json={"summary": "Første"}).status_code == 201
    document, tag = _export(writer)

    hostile = _with_markup_everywhere(copy.deepcopy(document))
    version = copy.deepcopy(document["published_versions"][0])
    version.update(number=2, summary="x" * 500)
    _with_markup_in_snapshot(version["pathway"])
    hostile["published_versions"].append(version)
    answer = _import(writer, hostile, tag)
    assert answer.status_code == 200, answer.text
    tag = answer.headers["etag"]

    forged = copy.deepcopy(hostile)
    forged["published_versions"][0].update(published_by=FORGED_AUTHOR, published_at=FORGED_TIME)
    assert _import(writer, forged, tag).status_code == 422
    with_html = copy.deepcopy(hostile)
    with_html["published_versions"][1]["pathway"]["phases"][0]["description_html"] = SCRIPT
    assert _import(writer, with_html, tag).status_code == 422
    flood = copy.deepcopy(hostile)
    flood["improvement_areas"][0]["notes"] = [{"text": "x"}] * 100_000
    flooded = _import(writer, flood, tag)
    assert flooded.status_code == 422
    assert [e["field"] for e in flooded.json()["errors"]] == ["improvement_areas.0.notes"]

    public = client.get("/kommuner/5501")
    assert public.status_code == 200
    _no_markup(public.text)
    pathway = client.get("/api/v1/public/municipalities/5501/pathway")
    assert pathway.status_code == 200
    for phase in pathway.json()["phases"]:
        assert "<script" not in phase["description_html"]
        assert "<meta" not in phase["description_html"]
    reader: TestClient = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    for client in (writer, reader):
        exported = client.get(EXPORT)
        assert exported.status_code == 200
        for section in exported.json()["sections"]:
            assert "<" not in section["description"]
        assert len(exported.json()["published_versions"][1]["summary"]) == 500
    indicator = document["improvement_areas"][1]["indicators"][0]["id"]
    for client in (writer, reader):
        assert client.get(f"/api/v1/indicators/{indicator}/observations.csv").status_code == 200


def _mark(value: dict[str, Any], *names: str, limit: int = 200) -> None:
    for name in names:
        value[name] = (SCRIPT + REFRESH)[:limit]


def _with_markup_everywhere(document: dict[str, Any]) -> dict[str, Any]:
    """Markup in every free-text field of every object (within each field's length)."""

    for section in document["sections"]:
        section["description"] = f"Tekst {REFRESH} {SCRIPT}"
        _mark(section, "responsible")
        _mark(section["contact"], "name", "hours")
        for offering in section["offerings"]:
            _mark(offering, "name", "description", "contact")
    for strength in document["strengths"]:
        _mark(strength, "text")
    for area in document["improvement_areas"]:
        _mark(area, "title", "rationale", "aim")
        for note in area["notes"]:
            note["id"] = None
            _mark(note, "text")
        for measure in area["measures"]:
            _mark(measure, "title", "description", "responsible")
            for note in measure["notes"]:
                note["id"] = None
                _mark(note, "text")
        for indicator in area["indicators"]:
            _mark(indicator, "name", "definition")
            _mark(indicator, "unit", limit=50)
            for observation in indicator["observations"]:
                _mark(observation, "comment")
    return document


def _with_markup_in_snapshot(snapshot: dict[str, Any]) -> None:
    for phase in snapshot["phases"]:
        phase["description"] = f"Tekst {REFRESH} {SCRIPT}"
        _mark(phase, "responsible")
        _mark(phase["contact"], "name", "hours")
        for offering in phase["offerings"]:
            _mark(offering, "name", "description", "contact")
    for strength in snapshot["strengths"]:
        _mark(strength, "text")
    for area in snapshot["improvement_areas"]:
        _mark(area, "title")
