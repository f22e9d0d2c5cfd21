"""Catalogues, regions and municipalities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.base import Scope
from tests import factories


def test_catalogues_are_public(client: TestClient) -> None:
    phases = client.get("/api/v1/phases").json()
    assert [p["key"] for p in phases["items"]] == [
        "suspicion",
        "assessment",
        "independent_with_support",
        "home_with_services",
        "round_the_clock_care",
        "end_of_life",
    ]
    assert phases["total"] == 6
    assert phases["items"][1]["name"] == "Utredning og diagnose"
    english = client.get("/api/v1/phases", headers={"Accept-Language": "en"}).json()
    assert english["items"][1]["name"] == "Assessment and diagnosis"
    types = client.get("/api/v1/offering-types").json()["items"]
    assert {"memory_team", "carers_school", "respite", "palliative_care"} <= {
        t["key"] for t in types
    }
    names = {t["key"]: t["name"] for t in types}
    assert names["life_story"] == "Min livshistorie"
    assert names["drop_in"] == "Lavterskeltilbud"
    assert {
        "primary_contact",
        "dementia_contact",
        "young_onset_activities",
        "lasting_power_of_attorney",
        "preventive_home_visits",
    } <= set(names)
    checklist = client.get("/api/v1/checklist").json()
    assert checklist["version"] == 2
    assert not checklist["title"].startswith("Nasjonal")
    texts = {i["key"]: i["text"] for i in checklist["items"]}
    assert "minst hver 6.–12. måned" in texts["gp_follow_up"]
    assert "«Hva er viktig for deg?»" in texts["what_matters"]
    assert len(checklist["items"]) >= 18


def test_everything_else_needs_credentials(client: TestClient) -> None:
    for path in (
        "/api/v1/regions",
        "/api/v1/regions/troms",
        "/api/v1/municipalities",
        "/api/v1/municipalities/5501",
        "/api/v1/municipalities/5501/pathway",
        "/api/v1/audit-events",
    ):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.headers["content-type"] == "application/problem+json"


def test_region_lists_its_municipalities_alphabetically(session: Session, make_client: Any) -> None:
    client: TestClient = make_client(factories.token(session, Scope.read, regions=["troms"]))
    region = client.get("/api/v1/regions/troms").json()
    names = [m["name"] for m in region["municipalities"]]
    assert region["municipality_count"] == 21
    assert len(names) == 21
    assert names.index("Tromsø") > names.index("Senja")
    assert names[0] == "Balsfjord"
    regions = client.get("/api/v1/regions").json()
    assert regions["total"] == 15
    assert sum(r["municipality_count"] for r in regions["items"]) == 357
    assert client.get("/api/v1/regions/atlantis").status_code == 404


def test_municipality_and_paging(session: Session, make_client: Any) -> None:
    client: TestClient = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    tromso = client.get("/api/v1/municipalities/5501")
    assert tromso.status_code == 200
    assert tromso.json()["name"] == "Tromsø"
    assert tromso.headers["etag"] == f'"{tromso.json()["version"]}"'
    page = client.get("/api/v1/municipalities", params={"limit": 100, "offset": 300}).json()
    assert page["total"] == 357
    assert len(page["items"]) == 57
    assert (page["limit"], page["offset"]) == (100, 300)
    troms = client.get("/api/v1/municipalities", params={"region": "troms", "limit": 500}).json()
    assert troms["total"] == 21
    assert client.get("/api/v1/municipalities", params={"limit": 0}).status_code == 422
    assert client.get("/api/v1/municipalities/123").status_code == 404
    assert client.get("/api/v1/municipalities/9999").status_code == 404


def test_updated_since_returns_only_changed_municipalities(
    session: Session, make_client: Any
) -> None:
    client: TestClient = make_client(factories.token(session, Scope.read, regions=["troms"]))
    mark = datetime.now(UTC) - timedelta(seconds=1)
    factories.strength(session, "5540")
    changed = client.get(
        "/api/v1/municipalities", params={"updated_since": mark.isoformat()}
    ).json()
    assert [m["number"] for m in changed["items"]] == ["5540"]
    naive = client.get("/api/v1/municipalities", params={"updated_since": "2024-01-01T00:00:00"})
    assert naive.status_code == 422


def test_patch_municipality(session: Session, make_client: Any) -> None:
    coordinator = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    current = coordinator.get("/api/v1/municipalities/5501")
    tag = current.headers["etag"]
    ok = coordinator.patch(
        "/api/v1/municipalities/5501",
        json={"website": "https://tromso.kommune.no/demens"},
        headers={"If-Match": tag},
    )
    assert ok.status_code == 200
    assert ok.json()["website"] == "https://tromso.kommune.no/demens"
    rename = coordinator.patch(
        "/api/v1/municipalities/5501",
        json={"name": "Tromsø by"},
        headers={"If-Match": ok.headers["etag"]},
    )
    assert rename.status_code == 403
    bad = coordinator.patch(
        "/api/v1/municipalities/5501",
        json={"website": "ftp://x"},
        headers={"If-Match": ok.headers["etag"]},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "website"
    null_name = coordinator.patch(
        "/api/v1/municipalities/5501", json={"name": None}, headers={"If-Match": ok.headers["etag"]}
    )
    assert null_name.status_code == 422


def test_the_coordinators_set_the_official_language_form(
    session: Session, make_client: Any
) -> None:
    coordinator = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    current = coordinator.get("/api/v1/municipalities/5501")
    assert current.json()["language_form"] == "nb"
    changed = coordinator.patch(
        "/api/v1/municipalities/5501",
        json={"language_form": "nn"},
        headers={"If-Match": current.headers["etag"]},
    )
    assert changed.status_code == 200
    assert changed.json()["language_form"] == "nn"
    assert coordinator.get("/api/v1/municipalities/5501").json()["language_form"] == "nn"
    for bad in ("nynorsk", None):
        refused = coordinator.patch(
            "/api/v1/municipalities/5501",
            json={"language_form": bad},
            headers={"If-Match": changed.headers["etag"]},
        )
        assert refused.status_code == 422
        assert "language_form" in str(refused.json())


def test_only_admins_create_municipalities(session: Session, make_client: Any) -> None:
    writer = make_client(factories.token(session, Scope.write, regions=["troms"]))
    body = {"number": "5599", "name": "Nykommune", "region": "troms", "population": 100}
    assert writer.post("/api/v1/municipalities", json=body).status_code == 403


def test_the_contact_for_citizens_is_read_and_patched_through_the_api(
    session: Session, make_client: Any
) -> None:
    coordinator = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    current = coordinator.get("/api/v1/municipalities/5501")
    assert current.json()["contact_email"] == ""
    ok = coordinator.patch(
        "/api/v1/municipalities/5501",
        json={"contact_name": "Demenskoordinator", "contact_email": "demens@tromso.kommune.no"},
        headers={"If-Match": current.headers["etag"]},
    )
    assert ok.status_code == 200
    body = ok.json()
    assert (body["contact_name"], body["contact_email"]) == (
        "Demenskoordinator",
        "demens@tromso.kommune.no",
    )
    bad = coordinator.patch(
        "/api/v1/municipalities/5501",
        json={"contact_phone": "ring meg", "contact_url": "javascript:alert(1)"},
        headers={"If-Match": ok.headers["etag"]},
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert {e["field"] for e in bad.json()["errors"]} == {"contact_phone", "contact_url"}
    cleared = coordinator.patch(
        "/api/v1/municipalities/5501",
        json={"contact_email": None},
        headers={"If-Match": ok.headers["etag"]},
    )
    assert cleared.status_code == 200
    assert cleared.json()["contact_email"] == ""
