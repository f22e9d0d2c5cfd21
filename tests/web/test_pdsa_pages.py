"""PDSA cycles on the measure's page: planned, written in and decided with plain forms (no
JavaScript), refused input kept, a stale form refused, and the cycle marked on the charts."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.models.base import IndicatorKind
from app.models.measurement import IndicatorCreate, ObservationList
from app.models.pdsa import Act, PdsaCycleCreate
from app.services import measurement, pdsa
from app.services.access import SYSTEM
from tests import factories
from tests.webtools import SignedInClient, field_error, page


def test_a_cycle_is_planned_studied_and_decided_on_the_measure_page(
    coordinator: SignedInClient, session: Session
) -> None:
    area = factories.area(session, "5501", "Utredning")
    measure = factories.measure(session, area, "Samtalegruppe")
    document = page(coordinator.get(f"/app/tiltak/{measure}"))
    assert document.by_id("pdsa").one(class_="empty").text() == "Ingen PDSA-sirkler ennå."

    refused = coordinator.post(
        f"/app/tiltak/{measure}/pdsa", {"title": "", "prediction": "Flere kommer"}
    )
    assert refused.status_code == 422
    shown = page(refused)
    assert field_error(shown, "ny-pdsa-title")
    assert shown.field_value("prediction") == "Flere kommer"

    created = coordinator.post(
        f"/app/tiltak/{measure}/pdsa",
        {
            "title": "Prøve gruppe for pårørende",
            "prediction": "Flere kommer",
            "starts_on": "01.03.2026",
        },
    )
    assert created.status_code == 303
    cycle = pdsa.list_cycles(session, SYSTEM, measure).items[0]
    assert created.headers["location"] == f"/app/tiltak/{measure}#pdsa-{cycle.id}"
    assert cycle.starts_on == date(2026, 3, 1)

    fields = {
        "title": cycle.title,
        "prediction": cycle.prediction,
        "starts_on": "2026-03-01",
        "studied": "Fire av seks kom",
        "act": "adapt",
        "act_notes": "Ny tid på dagen",
        "version": "1",
    }
    saved = coordinator.post(f"/app/pdsa/{cycle.id}", fields)
    assert saved.status_code == 303
    item = page(coordinator.get(f"/app/tiltak/{measure}")).by_id(f"pdsa-{cycle.id}")
    assert "Justere og prøve igjen" in item.one(class_="meta").text()
    stale = coordinator.post(f"/app/pdsa/{cycle.id}", {**fields, "studied": "Annet"})
    assert stale.status_code == 409
    assert page(stale).field_value("studied") == "Annet"

    # The cycle is marked on the area's charts, P1, beside the measures.
    indicator = measurement.create_indicator(
        session, SYSTEM, area, IndicatorCreate(name="Deltakere", kind=IndicatorKind.count)
    )
    items = [{"period": date(2026, m, 1).isoformat(), "value": m} for m in range(1, 7)]
    measurement.upsert_observations(
        session, SYSTEM, indicator.id, ObservationList.model_validate({"items": items}), 1
    )
    chart = coordinator.get(f"/api/v1/indicators/{indicator.id}/chart.svg").text
    assert ">P1<" in chart
    assert "P1: PDSA – Prøve gruppe for pårørende (startet 1. mars 2026)" in chart
    assert "PDSA-sirkel 1: Prøve gruppe for pårørende, startet 1. mars 2026." in chart


def test_a_reader_sees_the_cycles_but_no_forms(adviser: SignedInClient, session: Session) -> None:
    measure = factories.measure(session, factories.area(session, "5501"))
    pdsa.create_cycle(session, SYSTEM, measure, PdsaCycleCreate(title="Prøve", prediction="Bedre"))
    section = page(adviser.get(f"/app/tiltak/{measure}")).by_id("pdsa")
    assert "Bedre" in section.text()
    assert not section.find_all("form")


def test_the_progress_plan_lists_each_measures_cycles_and_marks_them(
    coordinator: SignedInClient, session: Session
) -> None:
    area = factories.area(session, "5501", "Utredning")
    measure = factories.measure(session, area, "Samtalegruppe")
    cycle = pdsa.create_cycle(
        session,
        SYSTEM,
        measure,
        PdsaCycleCreate(title="Prøve på kveldstid", starts_on=date(2026, 2, 2), act=Act.adopt),
    )
    response = coordinator.get("/app/kommuner/5501/framdriftsplan")
    cycles = page(response).one(class_="plan__cycles")
    link = cycles.one("a")
    assert link.get("href") == f"/app/tiltak/{measure}#pdsa-{cycle.id}"
    assert link.text() == "PDSA 1: Prøve på kveldstid"
    assert "Ta i bruk" in cycles.text()
    assert response.text.count('class="timeline__pdsa"') == 1
