"""Whole-municipality export and import: a lossless round trip."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import Database
from app.errors import Conflict
from app.models.base import Scope
from app.models.feedback import Comment
from app.models.measurement import IndicatorCreate, ObservationList
from app.models.publishing import PublishInput
from app.models.transfer import MunicipalityExport
from app.services import measurement, publishing, transfer
from app.services.access import SYSTEM
from app.services.seed import seed
from tests import factories
from tests.conftest import BACKEND, fresh_database_url


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
    from app.models.improvement import ProgressNoteCreate
    from app.services import improvement

    improvement.create_note(
        session, SYSTEM, ProgressNoteCreate(text="Kom i gang"), measure_id=measure_id
    )
    improvement.create_note(
        session, SYSTEM, ProgressNoteCreate(text="Tema på samling"), area_id=first
    )
    indicator = measurement.create_indicator(
        session,
        SYSTEM,
        second,
        IndicatorCreate(name="Andel med kontaktperson", kind="proportion"),  # type: ignore[arg-type]
    )
    measurement.upsert_observations(
        session,
        SYSTEM,
        indicator.id,
        ObservationList.model_validate(
            {
                "items": [
                    {"period": f"2024-{m:02d}-01", "numerator": m, "denominator": 20}
                    for m in range(1, 7)
                ]
            }
        ),
        indicator.data_version,
    )
    municipality = factories.municipality(session, number)
    parent = Comment(
        municipality_id=municipality.id or 0,
        target="improvement_area",
        improvement_area_id=second,
        text="Fint arbeid!",
        author="Rådgiver",
    )
    session.add(parent)
    session.flush()
    session.add(
        Comment(
            municipality_id=municipality.id or 0,
            target="pathway",
            parent_id=parent.id,
            text="Takk!",
            author="Koordinator",
        )
    )
    session.commit()


def test_export_import_round_trip_is_lossless(session: Session, make_client: Any) -> None:
    _rich_municipality(session, "5501")
    client: TestClient = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    exported = client.get("/api/v1/municipalities/5501/export")
    assert exported.status_code == 200
    document = exported.json()
    assert len(document["improvement_areas"]) == 2
    assert document["improvement_areas"][1]["indicators"][0]["observations"][0]["numerator"] == 1

    # A brand-new installation: migrated, seeded, nothing else.
    url = fresh_database_url("roundtrip")
    target = Database(url)
    try:
        with target.session(write=True) as other:
            seed(other)
        with target.session(write=True) as other:
            transfer.import_municipality(
                other, SYSTEM, "5501", MunicipalityExport.model_validate(document)
            )
        with target.session() as other:
            again = transfer.export_municipality(other, SYSTEM, "5501").model_dump(mode="json")
    finally:
        target.dispose()
    assert json.dumps(again, sort_keys=True) == json.dumps(document, sort_keys=True)


def test_round_trip_keeps_published_versions(session: Session, make_client: Any) -> None:
    _rich_municipality(session, "5501")
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    versions = "/api/v1/municipalities/5501/pathway/versions"
    assert writer.post(versions, json={"summary": "Første versjon"}).status_code == 201
    factories.fill_section(session, "5501", "suspicion", offerings=2, text="Ring fastlegen.")
    assert writer.post(versions, json={"summary": "Mistanke beskrevet"}).status_code == 201
    document = writer.get("/api/v1/municipalities/5501/export").json()
    assert [v["number"] for v in document["published_versions"]] == [1, 2]

    url = fresh_database_url("roundtrip_versions")
    target = Database(url)
    try:
        with target.session(write=True) as other:
            seed(other)
        with target.session(write=True) as other:
            transfer.import_municipality(
                other, SYSTEM, "5501", MunicipalityExport.model_validate(document)
            )
        with target.session() as other:
            again = transfer.export_municipality(other, SYSTEM, "5501").model_dump(mode="json")
            public = publishing.get_public(other, "5501")
        # The imported draft is the one version 2 was taken from: nothing new to publish.
        with target.session(write=True) as other, pytest.raises(Conflict):
            publishing.publish(other, SYSTEM, "5501", PublishInput(summary="Igjen"))
    finally:
        target.dispose()
    assert json.dumps(again, sort_keys=True) == json.dumps(document, sort_keys=True)
    assert public.version == 2
    assert public.phases[0].description == "Ring fastlegen."


def test_import_replaces_content_and_moves_versions_forward(
    session: Session, make_client: Any
) -> None:
    _rich_municipality(session, "5501")
    reader: TestClient = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    document = reader.get("/api/v1/municipalities/5501/export").json()
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    section = writer.get("/api/v1/municipalities/5501/pathway/phases/assessment")
    # Edit after the export, then import the older document over it.
    factories.strength(session, "5501", "Skal forsvinne")
    result = writer.post("/api/v1/municipalities/5501/import", json=document)
    assert result.status_code == 200, result.text
    strengths = [
        s["text"] for s in writer.get("/api/v1/municipalities/5501/strengths").json()["items"]
    ]
    assert strengths == ["Godt samarbeid med fastlegene", "Aktiv pårørendeskole"]
    after = writer.get("/api/v1/municipalities/5501/pathway/phases/assessment")
    # An ETag from before the import can never match the imported content.
    assert after.headers["etag"] != section.headers["etag"]
    events = writer.get(
        "/api/v1/audit-events", params={"municipality": "5501", "entity_type": "municipality"}
    ).json()
    assert events["items"][0]["action"] == "import"


def test_import_checks_the_document(session: Session, make_client: Any) -> None:
    reader: TestClient = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    document = reader.get("/api/v1/municipalities/5501/export").json()
    writer: TestClient = make_client(
        factories.token(session, Scope.write, municipalities=["5501", "5540"])
    )
    wrong_place = writer.post("/api/v1/municipalities/5540/import", json=document)
    assert wrong_place.status_code == 422
    broken = {**document, "sections": [{**document["sections"][0], "phase": "nowhere"}]}
    assert writer.post("/api/v1/municipalities/5501/import", json=broken).status_code == 422
    not_allowed = make_client(factories.token(session, Scope.write, municipalities=["5540"]))
    assert not_allowed.post("/api/v1/municipalities/5501/import", json=document).status_code == 403
    assert reader.post("/api/v1/municipalities/5501/import", json=document).status_code == 403


def test_backend_is_the_one_under_test(db: Any) -> None:
    assert db.dialect == BACKEND
