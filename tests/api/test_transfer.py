"""Whole-municipality export and import: a round trip into another installation, and the
export → edit → import cycle within one."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import Database
from app.models.base import Scope
from app.models.feedback import Comment
from app.models.improvement import ProgressNoteCreate
from app.models.measurement import IndicatorCreate, ObservationList
from app.models.pdsa import PdsaCycle, PdsaCycleCreate
from app.models.publishing import PublishInput
from app.models.transfer import MunicipalityExport
from app.services import measurement, pdsa, progress_notes, publishing, transfer
from app.services.access import SYSTEM
from app.services.seed import seed
from tests import factories
from tests.conftest import BACKEND, fresh_database_url

EXPORT = "/api/v1/municipalities/5501/export"
IMPORT = "/api/v1/municipalities/5501/import"


def _rich_municipality(session: Session, number: str) -> None:
    factories.fill_section(session, number, "assessment", offerings=4, text="Utredning *her*")
    factories.fill_section(session, number, "end_of_life", offerings=1)
    factories.strength(session, number, "Godt samarbeid med fastlegene")
    factories.strength(session, number, "Aktiv pårørendeskole")
    first = factories.area(session, number, "Synlig informasjon", ["suspicion"])
    second = factories.area(
        session, number, "Oppfølging etter diagnose", ["independent_with_support", "assessment"]
    )
    measure_id = factories.measure(session, second, "Fast kontaktperson")
    factories.measure(session, first, "Nettside")
    progress_notes.create_note(
        session, SYSTEM, ProgressNoteCreate(text="Kom i gang"), measure_id=measure_id
    )
    progress_notes.create_note(
        session, SYSTEM, ProgressNoteCreate(text="Tema på samling"), area_id=first
    )
    pdsa.create_cycle(
        session,
        SYSTEM,
        measure_id,
        PdsaCycleCreate.model_validate(
            {
                "title": "Kontaktperson ringer etter fire uker",
                "prediction": "Færre ubesvarte spørsmål",
                "starts_on": "2024-03-01",
                "studied": "Halvparten fikk samtale",
                "act": "adapt",
                "ends_on": "2024-04-30",
            }
        ),
    )
    pdsa.create_cycle(session, SYSTEM, measure_id, PdsaCycleCreate(title="Neste runde"))
    indicator = measurement.create_indicator(
        session,
        SYSTEM,
        second,
        IndicatorCreate.model_validate({"name": "Andel med kontaktperson", "kind": "proportion"}),
    )
    measurement.upsert_observations(
        session,
        SYSTEM,
        indicator.id,
        ObservationList.model_validate(
            {
                "items": [
                    {
                        "period": f"2024-{m:02d}-01",
                        "numerator": m,
                        "denominator": 20,
                        "comment": "Ny rutine for henvisning" if m == 3 else "",
                    }
                    for m in range(1, 7)
                ]
            }
        ),
        indicator.data_version,
    )
    municipality = factories.municipality(session, number)
    session.add(
        Comment(
            municipality_id=municipality.id or 0,
            target="improvement_area",
            improvement_area_id=second,
            text="Fint arbeid!",
            author="Rådgiver",
        )
    )
    session.commit()


def without_ids(value: Any) -> Any:
    """The document with every object's id left out: ids are this installation's own."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def import_into_fresh_database(name: str, document: dict[str, Any]) -> dict[str, Any]:
    """Import the document into a new installation; its export there."""
    target = Database(fresh_database_url(name))
    try:
        with target.session(write=True) as other:
            seed(other)
        with target.session(write=True) as other:
            transfer.import_municipality(
                other,
                SYSTEM,
                document["municipality"]["number"],
                MunicipalityExport.model_validate(document),
                None,
            )
        with target.session() as other:
            return transfer.export_municipality(other, SYSTEM, "5501").document
    finally:
        target.dispose()


def test_export_import_round_trip_into_another_installation(
    session: Session, make_client: Any
) -> None:
    _rich_municipality(session, "5501")
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    assert (
        writer.post(
            "/api/v1/municipalities/5501/pathway/versions", json={"summary": "Første"}
        ).status_code
        == 201
    )
    exported = writer.get(EXPORT)
    assert exported.status_code == 200
    document = exported.json()
    assert len(document["improvement_areas"]) == 2
    assert document["improvement_areas"][1]["indicators"][0]["observations"][0]["numerator"] == 1
    assert document["published_versions"][0]["pathway"]["phases"]
    observations = document["improvement_areas"][1]["indicators"][0]["observations"]
    assert observations[2]["comment"] == "Ny rutine for henvisning"
    cycles = document["improvement_areas"][1]["measures"][0]["pdsa_cycles"]
    assert [(c["title"], c["act"], c["starts_on"]) for c in cycles] == [
        ("Kontaktperson ringer etter fire uker", "adapt", "2024-03-01"),
        ("Neste runde", None, None),
    ]
    # Who wrote a cycle, and when, is not in the document: that is the installation's own.
    assert not {"author", "created_at", "updated_at", "version"} & set(cycles[0])

    again = import_into_fresh_database("roundtrip", document)
    # The same content, under the other installation's ids.
    assert json.dumps(without_ids(again), sort_keys=True) == json.dumps(
        without_ids(document), sort_keys=True
    )


def test_published_versions_arrive_as_imported(session: Session, make_client: Any) -> None:
    _rich_municipality(session, "5501")
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    versions = "/api/v1/municipalities/5501/pathway/versions"
    assert writer.post(versions, json={"summary": "Første versjon"}).status_code == 201
    factories.fill_section(session, "5501", "suspicion", offerings=2, text="Ring fastlegen.")
    assert writer.post(versions, json={"summary": "Mistanke beskrevet"}).status_code == 201
    document = writer.get(EXPORT).json()
    assert [v["number"] for v in document["published_versions"]] == [1, 2]

    target = Database(fresh_database_url("roundtrip_versions"))
    try:
        with target.session(write=True) as other:
            seed(other)
        with target.session(write=True) as other:
            transfer.import_municipality(
                other, SYSTEM, "5501", MunicipalityExport.model_validate(document), None
            )
        with target.session() as other:
            public = publishing.get_public(other, "5501")
            listed = publishing.list_versions(other, SYSTEM, "5501").items
        # The imported draft was taken from no version here: publishing it is allowed.
        with target.session(write=True) as other:
            third = publishing.publish(other, SYSTEM, "5501", PublishInput(summary="Igjen"))
    finally:
        target.dispose()
    assert public.version == 2
    assert public.phases[0].description == "Ring fastlegen."
    assert public.phases[0].description_html == "<p>Ring fastlegen.</p>"
    assert [v.imported_by for v in listed] == ["system", "system"]
    assert all(v.published_by == "system" for v in listed)
    assert third.number == 3


def test_import_checks_the_document(session: Session, make_client: Any) -> None:
    reader: TestClient = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    exported = reader.get(EXPORT)
    document, tag = exported.json(), exported.headers["etag"]
    writer: TestClient = make_client(
        factories.token(session, Scope.write, municipalities=["5501", "5540"])
    )
    other_tag = writer.get("/api/v1/municipalities/5540/pathway").headers["etag"]
    wrong_place = writer.post(
        "/api/v1/municipalities/5540/import", json=document, headers={"If-Match": other_tag}
    )
    assert wrong_place.status_code == 422
    assert wrong_place.json()["errors"][0]["field"] == "municipality.number"
    broken = {**document, "sections": [{**document["sections"][0], "phase": "nowhere"}]}
    answer = writer.post(IMPORT, json=broken, headers={"If-Match": tag})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "sections.0.phase", "message": "unknown phase 'nowhere'"}
    ]
    not_allowed = make_client(factories.token(session, Scope.write, municipalities=["5540"]))
    assert not_allowed.post(IMPORT, json=document, headers={"If-Match": tag}).status_code == 403
    assert reader.post(IMPORT, json=document, headers={"If-Match": tag}).status_code == 403


def test_an_identical_document_changes_nothing(session: Session, make_client: Any) -> None:
    _rich_municipality(session, "5501")
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    exported = writer.get(EXPORT)
    events = writer.get("/api/v1/audit-events", params={"municipality": "5501"}).json()["total"]
    answer = writer.post(
        IMPORT, json=exported.json(), headers={"If-Match": exported.headers["etag"]}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["changed"] is False
    assert answer.headers["etag"] == exported.headers["etag"]
    after = writer.get("/api/v1/audit-events", params={"municipality": "5501"}).json()["total"]
    assert after == events


def test_backend_is_the_one_under_test(db: Any) -> None:
    assert db.dialect == BACKEND


def test_observations_an_import_changes_move_the_indicator_data_version_on(
    session: Session, make_client: Any
) -> None:
    area = factories.area(session, "5501", "Område")
    empty = measurement.create_indicator(
        session, SYSTEM, area, IndicatorCreate.model_validate({"name": "Tom", "kind": "count"})
    )
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    observations = f"/api/v1/indicators/{empty.id}/observations"
    before = writer.get(observations).headers["etag"]
    exported = writer.get(EXPORT)
    document = exported.json()
    document["improvement_areas"][0]["indicators"][0]["observations"] = [
        {"period": "2024-01-01", "value": 3}
    ]
    answer = writer.post(IMPORT, json=document, headers={"If-Match": exported.headers["etag"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["changes"]["observations"]["created"] == [
        {"id": f"{empty.id}/2024-01-01", "path": "improvement_areas.0.indicators.0.observations.0"}
    ]
    after = writer.get(observations)
    assert after.headers["etag"] != before
    assert [o["value"] for o in after.json()["items"]] == [3]


def test_imported_pdsa_cycles_are_the_importers_written_now(
    session: Session, make_client: Any
) -> None:
    """A cycle the document adds is written by the importer at the time of the import; one
    it changes keeps its author; one it leaves out is removed; an author or date of history
    in the document is refused."""
    area = factories.area(session, "5501", "Område")
    measure_id = factories.measure(session, area, "Tiltak")
    kept = pdsa.create_cycle(session, SYSTEM, measure_id, PdsaCycleCreate(title="Første"))
    gone = pdsa.create_cycle(session, SYSTEM, measure_id, PdsaCycleCreate(title="Borte"))
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    exported = writer.get(EXPORT)
    document = exported.json()
    measure = document["improvement_areas"][0]["measures"][0]
    measure["pdsa_cycles"] = [
        {**measure["pdsa_cycles"][0], "studied": "Det virket"},
        {"title": "Ny syklus", "starts_on": "2024-05-01"},
    ]
    forged = json.loads(json.dumps(document))
    forged_cycles = forged["improvement_areas"][0]["measures"][0]["pdsa_cycles"]
    forged_cycles[1]["author"] = "Noen andre"
    refused = writer.post(IMPORT, json=forged, headers={"If-Match": exported.headers["etag"]})
    assert refused.status_code == 422
    forged_cycles[1].pop("author")
    forged_cycles[1]["created_at"] = "2020-01-01T00:00:00Z"
    refused = writer.post(IMPORT, json=forged, headers={"If-Match": exported.headers["etag"]})
    assert refused.status_code == 422
    forged_cycles[1].pop("created_at")
    forged_cycles[1]["title"] = "\u200b"
    forged_cycles.append(dict(forged_cycles[0]))
    refused = writer.post(IMPORT, json=forged, headers={"If-Match": exported.headers["etag"]})
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["errors"]}
    assert {
        "improvement_areas.0.measures.0.pdsa_cycles.1.title",
        "improvement_areas.0.measures.0.pdsa_cycles.2.id",
    } <= fields, fields

    answer = writer.post(IMPORT, json=document, headers={"If-Match": exported.headers["etag"]})
    assert answer.status_code == 200, answer.text
    changes = answer.json()["changes"]["pdsa_cycles"]
    assert changes["changed"] == [
        {"id": kept.id, "path": "improvement_areas.0.measures.0.pdsa_cycles.0"}
    ]
    assert changes["removed"] == [{"id": gone.id, "path": None}]
    [created] = changes["created"]
    assert created["path"] == "improvement_areas.0.measures.0.pdsa_cycles.1"

    session.expire_all()
    new = session.get(PdsaCycle, created["id"])
    assert new is not None
    assert new.author != SYSTEM.label
    assert new.author == writer.get(f"/api/v1/pdsa-cycles/{new.id}").json()["author"]
    assert new.created_at > kept.created_at
    changed = session.get(PdsaCycle, kept.id)
    assert changed is not None
    assert changed.studied == "Det virket"
    assert changed.author == kept.author
    assert changed.version == kept.version + 1
    assert session.get(PdsaCycle, gone.id) is None
    listed = writer.get(f"/api/v1/measures/{measure_id}/pdsa-cycles").json()["items"]
    assert [c["title"] for c in listed] == ["Ny syklus", "Første"]
