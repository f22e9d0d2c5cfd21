"""Improvement areas, measures, progress notes and the progress plan as HTML."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.models.base import Answer, MeasureStatus, local_today
from app.models.improvement import MeasureCreate
from app.models.pathway import ChecklistAnswerInput
from app.services import checklist, improvement, progress_notes
from app.services.access import SYSTEM
from tests import factories
from tests.conftest import QueryCounter, TransactionalDatabase
from tests.webtools import SignedInClient, field_error, form_fields, page

AREAS = "/app/kommuner/5501/forbedringsomrader"


def _titles(session: Session) -> list[str]:
    return [a.title for a in improvement.list_areas(session, SYSTEM, "5501")[0].items]


def test_an_area_without_a_title_is_422_with_everything_else_kept(
    coordinator: SignedInClient, session: Session
) -> None:
    typed = {
        "title": "",
        "rationale": "Pårørende ventet lenge på tilbud.",
        "phases": ["assessment", "independent_with_support"],
        "aim": "Alle får tilbud innen fire uker.",
        "target_date": "30.06.2026",
        "status": "in_progress",
        "tags": "pårørende, oppfølging",
    }
    for htmx in (False, True):
        response = coordinator.post(AREAS, typed, htmx=htmx)
        assert response.status_code == 422
        document = page(response)
        assert field_error(document, "nytt-title") == "Fyll ut dette feltet."
        assert document.by_id("nytt-title").get("aria-required") == "true"
        assert document.field_value("rationale") == typed["rationale"]
        assert document.field_value("aim") == typed["aim"]
        assert document.field_value("target_date") == "30.06.2026"
        assert document.field_value("status") == "in_progress"
        assert document.field_value("tags") == "pårørende, oppfølging"
        checked = [
            box.get("value")
            for box in document.find_all("input", name="phases")
            if "checked" in box.attrs
        ]
        assert checked == ["assessment", "independent_with_support"]
        summary = document.one(class_="error-summary")
        assert summary.get("role") == "alert"
        assert summary.one("a").get("href") == "#nytt-title"
        assert summary.one("a").text() == "Tittel: Fyll ut dette feltet."
    assert _titles(session) == []


def test_creating_an_area_leads_to_its_page(coordinator: SignedInClient, session: Session) -> None:
    created = coordinator.post(
        AREAS,
        {
            "title": "Bedre oppfølging etter diagnose",
            "phases": ["independent_with_support"],
            "target_date": "2026-06-30",
            "status": "not_started",
            "tags": "Oppfølging, pårørende",
        },
    )
    assert created.status_code == 303
    area = improvement.list_areas(session, SYSTEM, "5501")[0].items[0]
    assert created.headers["location"] == f"/app/forbedringsomrader/{area.id}#area-details"
    assert area.tags == ["oppfølging", "pårørende"]
    assert area.target_date is not None
    assert area.target_date.isoformat() == "2026-06-30"
    shown = page(coordinator.get(f"/app/forbedringsomrader/{area.id}"))
    assert shown.one("h1").text() == "Bedre oppfølging etter diagnose"
    assert shown.by_id("omrade-title").get("value") == "Bedre oppfølging etter diagnose"
    # With HTMX the browser is sent to the new page the same way.
    htmx = coordinator.post(AREAS, {"title": "Dagaktivitet"}, htmx=True)
    assert htmx.headers["hx-redirect"].startswith("/app/forbedringsomrader/")


def test_areas_are_reordered_with_buttons_and_the_keyboard_stays_put(
    coordinator: SignedInClient, session: Session
) -> None:
    first = factories.area(session, "5501", "Første")
    second = factories.area(session, "5501", "Andre")
    third = factories.area(session, "5501", "Tredje")
    document = page(coordinator.get(AREAS))
    top = document.by_id(f"omrade-{first}")
    assert top.find("button", id=f"omrade-{first}-up") is None  # nothing above the first
    move = form_fields(document.by_id(f"omrade-{third}").find_all("form")[0])
    assert move["direction"] == "up"

    moved = coordinator.post(f"/app/forbedringsomrader/{third}/flytt", move, htmx=True)
    assert moved.status_code == 200
    assert _titles(session) == ["Første", "Tredje", "Andre"]
    fragment = page(moved)
    assert fragment.by_id(f"omrade-{third}-up").get("autofocus") is not None
    assert fragment.by_id("announcer").text() == "Rekkefølgen er lagret."

    # The form read before the move now holds a stale order: nothing changes.
    stale = coordinator.post(f"/app/forbedringsomrader/{third}/flytt", move, htmx=True)
    assert stale.status_code == 409
    assert "endret av noen andre" in page(stale).one(class_="notice--success").text()
    assert _titles(session) == ["Første", "Tredje", "Andre"]

    fresh = form_fields(page(stale).by_id(f"omrade-{third}").find_all("form")[0])
    to_top = coordinator.post(f"/app/forbedringsomrader/{third}/flytt", fresh, htmx=True)
    assert _titles(session) == ["Tredje", "Første", "Andre"]
    # At the top there is no "up" any more; the keyboard lands on "down".
    assert page(to_top).by_id(f"omrade-{third}-down").get("autofocus") is not None

    down = form_fields(page(to_top).by_id(f"omrade-{second}").find_all("form")[0])
    assert down["direction"] == "up"
    plain = coordinator.post(f"/app/forbedringsomrader/{second}/flytt", down)
    assert plain.status_code == 303
    assert plain.headers["location"] == f"{AREAS}#omrade-{second}"
    assert _titles(session) == ["Tredje", "Andre", "Første"]


def test_an_area_is_edited_with_a_conflict_view(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501", "Pårørendeskole")
    url = f"/app/forbedringsomrader/{area_id}"
    form = coordinator.form_values(url, "area-details")
    form.update(
        {"aim": "To kurs i året", "status": "in_progress", "phases": ["home_with_services"]}
    )
    saved = coordinator.post(url, form, htmx=True)
    assert saved.status_code == 200
    assert page(saved).one(class_="saved-note").text() == "✓ Forbedringsområdet er lagret."
    area = improvement.get_area(session, SYSTEM, area_id)
    assert (area.aim, area.status, area.phases) == (
        "To kurs i året",
        "in_progress",
        ["home_with_services"],
    )
    stale = coordinator.post(url, {**form, "aim": "Ett kurs"}, htmx=True)
    assert stale.status_code == 409
    rows = page(stale).one(class_="conflict").text()
    assert "Ett kurs" in rows
    assert "To kurs i året" in rows
    assert improvement.get_area(session, SYSTEM, area_id).aim == "To kurs i året"

    empty = coordinator.post(url, {**form, "title": "", "version": str(area.version)}, htmx=True)
    assert empty.status_code == 422
    assert field_error(page(empty), "omrade-title") == "Fyll ut dette feltet."


def test_measures_and_notes_on_an_area(coordinator: SignedInClient, session: Session) -> None:
    area_id = factories.area(session, "5501", "Dagaktivitet")
    url = f"/app/forbedringsomrader/{area_id}"
    wrong_dates = coordinator.post(
        f"{url}/tiltak",
        {"title": "Kartlegge behov", "start_date": "2026-05-01", "due_date": "2026-04-01"},
        htmx=True,
    )
    assert wrong_dates.status_code == 422
    document = page(wrong_dates)
    assert field_error(document, "nytt-tiltak-due_date") == "Fristen kan ikke være før startdatoen."
    assert document.field_value("title") == "Kartlegge behov"

    added = coordinator.post(
        f"{url}/tiltak",
        {
            "title": "Kartlegge behov",
            "responsible": "Demenskoordinator",
            "start_date": "01.04.2026",
            "due_date": "2026-05-01",
            "status": "in_progress",
        },
        htmx=True,
    )
    assert added.status_code == 200
    assert page(added).one(class_="notice--success").text() == (
        "Tiltaket «Kartlegge behov» er lagt til."
    )
    measure = improvement.list_measures(session, SYSTEM, area_id).items[0]
    assert (measure.responsible, measure.status) == ("Demenskoordinator", "in_progress")
    assert measure.start_date is not None
    assert measure.start_date.isoformat() == "2026-04-01"

    note = coordinator.post(f"{url}/notater", {"date": "", "text": "Første møte holdt."}, htmx=True)
    assert note.status_code == 200
    notes = progress_notes.list_notes(session, SYSTEM, area_id=area_id).items
    assert [n.text for n in notes] == ["Første møte holdt."]
    assert notes[0].date == local_today()
    assert "Første møte holdt." in page(note).by_id("notater").text()
    empty_note = coordinator.post(f"{url}/notater", {"date": "", "text": " "}, htmx=True)
    assert empty_note.status_code == 422


def test_a_measure_page_edits_status_and_dates_and_takes_notes(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501", "Samtalegrupper")
    measure_id = factories.measure(session, area_id, "Starte samtalegruppe")
    url = f"/app/tiltak/{measure_id}"
    document = page(coordinator.get(url))
    assert document.one("h1").text() == "Starte samtalegruppe"
    assert document.one("a", href=f"/app/forbedringsomrader/{area_id}").text() == "Samtalegrupper"
    form = coordinator.form_values(url, "measure-details")
    yesterday = local_today() - timedelta(days=1)
    form.update({"status": "in_progress", "due_date": yesterday.isoformat()})
    saved = coordinator.post(url, form, htmx=True)
    assert saved.status_code == 200
    fragment = page(saved)
    assert fragment.one(class_="badge--overdue").text().startswith("Forsinket")
    measure = improvement.get_measure(session, SYSTEM, measure_id)
    assert (measure.status, measure.due_date, measure.overdue) == ("in_progress", yesterday, True)

    noted = coordinator.post(
        f"{url}/notater", {"date": "2026-01-15", "text": "Avtale med lokaler."}
    )
    assert noted.status_code == 303
    assert "Avtale med lokaler." in page(coordinator.get(url)).by_id("notater").text()

    deleted = coordinator.post(f"{url}/slett", {"version": str(measure.version)})
    assert deleted.status_code == 303
    assert deleted.headers["location"] == f"/app/forbedringsomrader/{area_id}#tiltak"
    assert improvement.list_measures(session, SYSTEM, area_id).total == 0


def test_the_progress_plan_marks_overdue_measures(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501", "Velferdsteknologi")
    today = local_today()
    improvement.create_measure(
        session,
        SYSTEM,
        area_id,
        MeasureCreate(
            title="Trygghetsalarm",
            start_date=today - timedelta(days=40),
            due_date=today - timedelta(days=10),
            status=MeasureStatus.in_progress,
        ),
    )
    improvement.create_measure(
        session,
        SYSTEM,
        area_id,
        MeasureCreate(title="GPS-klokker", start_date=today, due_date=today + timedelta(days=30)),
    )
    improvement.create_measure(session, SYSTEM, area_id, MeasureCreate(title="Uten dato"))
    document = page(coordinator.get("/app/kommuner/5501/framdriftsplan"))
    rows = document.find_all("tr", class_="is-overdue")
    assert [r.find("th").text() for r in rows] == ["Trygghetsalarm"]  # type: ignore[union-attr]
    assert rows[0].one(class_="badge--overdue").text() == "Forsinket"
    assert len(document.find_all("rect", class_="bar--overdue")) == 1
    assert len(document.find_all("rect", class_="bar--not_started")) == 1
    assert "1 forsinket" in document.one(class_="plan-summary").text()
    assert "Ingen datoer" in document.text()
    for svg in document.find_all("svg"):
        assert svg.get("aria-hidden") == "true"  # the table says it all in text


def test_advisers_see_improvement_work_read_only(adviser: SignedInClient, session: Session) -> None:
    area_id = factories.area(session, "5540", "Kåfjords område")
    measure_id = factories.measure(session, area_id, "Kåfjords tiltak")
    areas = page(adviser.get("/app/kommuner/5540/forbedringsomrader"))
    assert areas.find("section", id="new-area") is None
    assert areas.find("form", action=f"/app/forbedringsomrader/{area_id}/flytt") is None
    area_page = page(adviser.get(f"/app/forbedringsomrader/{area_id}"))
    assert area_page.find("form", action=f"/app/forbedringsomrader/{area_id}") is None
    assert "Kåfjords tiltak" in area_page.by_id("tiltak").text()
    measure_page = page(adviser.get(f"/app/tiltak/{measure_id}"))
    assert measure_page.find("form", action=f"/app/tiltak/{measure_id}") is None
    assert (
        adviser.post(f"/app/tiltak/{measure_id}", {"title": "x", "version": "1"}).status_code == 403
    )
    assert (
        adviser.post(f"/app/forbedringsomrader/{area_id}/tiltak", {"title": "x"}).status_code == 403
    )
    assert improvement.get_measure(session, SYSTEM, measure_id).title == "Kåfjords tiltak"
    # Areas outside the region do not exist for them.
    oslo = factories.area(session, "0301", "Oslos område")
    assert adviser.get(f"/app/forbedringsomrader/{oslo}").status_code == 404


def test_the_progress_plan_and_checklist_take_a_fixed_number_of_queries(
    coordinator: SignedInClient, session: Session, queries: QueryCounter, db: TransactionalDatabase
) -> None:
    first = factories.area(session, "5501", "Ett område")
    factories.measure(session, first, "Ett tiltak")
    counts = {}
    for path in ("/app/kommuner/5501/framdriftsplan", "/app/kommuner/5501/sjekkliste"):
        with queries.counting():
            assert coordinator.get(path).status_code == 200
        counts[path] = queries.count
    for i in range(4):
        area_id = factories.area(session, "5501", f"Område {i}")
        for j in range(5):
            factories.measure(session, area_id, f"Tiltak {i}.{j}")
    for item in checklist.get_answers(session, SYSTEM, "5501").items[:8]:
        checklist.put_answer(
            session, SYSTEM, "5501", item.item, ChecklistAnswerInput(answer=Answer.yes), 0
        )
    for path, before in counts.items():
        with queries.counting():
            assert coordinator.get(path).status_code == 200
        assert queries.count == before, (path, queries.statements)
