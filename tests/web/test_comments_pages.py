"""Comments and reviews as HTML: writing on the pathway, a phase section or an improvement
area, replying, resolving and reopening, the dashboards' open lists, the audit log, and
reviews shown in the overview."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.models.audit import AuditEvent
from app.models.base import Role
from app.services.seed import seed
from tests import factories
from tests.web.conftest import SignedIn
from tests.webtools import Node, SignedInClient, field_error, overview_figures, page

COMMENTS = "/app/kommuner/5501/kommentarer"


def _threads(document: Node) -> dict[str, Node]:
    return {n.get("data-thread") or "": n for n in document.find_all("article", class_="thread")}


def _dashboard_threads(client: SignedInClient) -> list[str]:
    document = page(client.get("/app"))
    listing = document.find("ul", id="open-threads")
    return [li.text() for li in listing.find_all("li")] if listing else []


def _status_form(thread: Node) -> dict[str, str]:
    form = next(f for f in thread.find_all("form") if (f.get("action") or "").endswith("/status"))
    return {
        i.get("name") or "": i.get("value") or ""
        for i in form.find_all("input")
        if i.get("name") != "csrf_token"
    } | {"action": form.get("action") or ""}


def test_a_comment_goes_to_the_coordinator_and_resolving_it_clears_both_open_lists(
    session: Session, signed_in: SignedIn
) -> None:
    seed(session, demo=True)
    adviser = signed_in(Role.adviser, regions=("troms",))
    coordinator = signed_in(Role.coordinator, municipalities=("5501",))
    assert _dashboard_threads(coordinator) == []

    written = adviser.post(
        COMMENTS, {"gjelder": "fase:assessment", "text": "Hvem tar imot henvisningene?"}
    )
    assert written.status_code == 303
    thread_id = written.headers["location"].split("#trad-")[1]
    assert written.headers["location"] == f"{COMMENTS}#trad-{thread_id}"

    # The coordinator sees it on the dashboard, linked to the comments page.
    board = page(coordinator.get("/app"))
    item = board.one("ul", id="open-threads").one("li")
    assert "Hvem tar imot henvisningene?" in item.text()
    assert item.one("a").get("href") == f"{COMMENTS}#trad-{thread_id}"
    # The adviser had the last word: nothing waits for the adviser yet.
    assert _dashboard_threads(adviser) == []

    thread = _threads(page(coordinator.get(COMMENTS)))[thread_id]
    assert thread.one("h3").text().startswith("Fase: Utredning og diagnose")
    assert thread.get("data-resolved") == "false"
    replied = coordinator.post(
        COMMENTS, {"parent_id": thread_id, "text": "Hukommelsesteamet, på telefon."}
    )
    assert replied.status_code == 303
    waiting = _dashboard_threads(adviser)
    assert len(waiting) == 1
    assert "Hukommelsesteamet, på telefon." in waiting[0]
    assert len(_dashboard_threads(coordinator)) == 1

    thread = _threads(page(adviser.get(COMMENTS)))[thread_id]
    assert [c.one(class_="comment__text").text() for c in thread.find_all("li")] == [
        "Hvem tar imot henvisningene?",
        "Hukommelsesteamet, på telefon.",
    ]
    status = _status_form(thread)
    assert status["resolved"] == "1"
    resolved = adviser.post(status.pop("action"), status)
    assert resolved.status_code == 303
    assert _dashboard_threads(coordinator) == []
    assert _dashboard_threads(adviser) == []
    document = page(adviser.get(COMMENTS))
    thread = _threads(document)[thread_id]
    assert thread.get("data-resolved") == "true"
    assert "Løst" in thread.one("h3").text()
    assert document.by_id("open-title").text() == "Åpne tråder (0)"
    # A resolved thread takes no reply in the page (no reply form).
    assert not [f for f in thread.find_all("form") if f.get("action") == COMMENTS]

    municipality = factories.municipality(session, "5501")
    events = session.exec(
        select(AuditEvent)
        .where(col(AuditEvent.municipality_id) == municipality.id)
        .where(col(AuditEvent.entity_type) == "comment")
        .order_by(col(AuditEvent.id))
    ).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("create", adviser.principal.user_id),
        ("create", coordinator.principal.user_id),
        ("resolve", adviser.principal.user_id),
    ]

    # Reopening brings it back to the coordinator.
    status = _status_form(thread)
    assert status["resolved"] == "0"
    assert coordinator.post(status.pop("action"), status).status_code == 303
    assert len(_dashboard_threads(coordinator)) == 1


def test_a_comment_on_an_improvement_area_from_its_page(
    session: Session, signed_in: SignedIn
) -> None:
    area = factories.tagged_area(session, "5501", "Pårørendeskole", ["home_with_services"], [])
    coordinator = signed_in(Role.coordinator, municipalities=("5501",))
    area_page = page(coordinator.get(f"/app/forbedringsomrader/{area}"))
    link = next(
        a.get("href") or ""
        for a in area_page.find_all("a")
        if (a.get("href") or "").startswith(f"{COMMENTS}?")
    )
    assert link == f"{COMMENTS}?gjelder=omrade:{area}#ny-kommentar"
    document = page(coordinator.get(link.split("#")[0]))
    assert document.field_value("gjelder") == f"omrade:{area}"
    saved = coordinator.post(COMMENTS, {"gjelder": f"omrade:{area}", "text": "Vi starter i mai."})
    assert saved.status_code == 303
    thread = next(iter(_threads(page(coordinator.get(COMMENTS))).values()))
    assert thread.one("h3").text().startswith("Forbedringsområde: Pårørendeskole")
    assert thread.find("a", href=f"/app/forbedringsomrader/{area}") is not None

    # From the area's page, only the area's threads are listed (with a way to all of them).
    coordinator.post(COMMENTS, {"gjelder": "forlop", "text": "Om hele forløpet."})
    assert len(_threads(page(coordinator.get(COMMENTS)))) == 2
    narrowed = page(coordinator.get(COMMENTS, params={"gjelder": f"omrade:{area}"}))
    assert [t.one(class_="comment__text").text() for t in _threads(narrowed).values()] == [
        "Vi starter i mai."
    ]
    assert narrowed.by_id("narrowed").one("a").get("href") == COMMENTS


def test_bad_input_is_shown_beside_the_field_and_keeps_what_was_typed(
    session: Session, signed_in: SignedIn
) -> None:
    adviser = signed_in(Role.adviser, regions=("troms",))
    response = adviser.post(COMMENTS, {"gjelder": "fase:assessment", "text": "  "})
    assert response.status_code == 422
    document = page(response)
    assert field_error(document, "ny-text") == "Skriv en kommentar."
    assert document.field_value("gjelder") == "fase:assessment"
    assert document.one(class_="error-summary").get("role") == "alert"

    for target in ("fase:nowhere", "omrade:999999", "something"):
        response = adviser.post(COMMENTS, {"gjelder": target, "text": "Hei"})
        assert response.status_code == 422, target
        document = page(response)
        assert field_error(document, "ny-gjelder") == "Velg hva kommentaren gjelder."
        assert document.field_value("text") == "Hei"
    too_long = adviser.post(COMMENTS, {"gjelder": "forlop", "text": "x" * 4001})
    assert too_long.status_code == 422
    assert page(adviser.get(COMMENTS)).by_id("open-title").text() == "Åpne tråder (0)"


def test_a_stale_resolve_is_a_message_not_a_change(session: Session, signed_in: SignedIn) -> None:
    adviser = signed_in(Role.adviser, regions=("troms",))
    adviser.post(COMMENTS, {"gjelder": "forlop", "text": "Fint arbeid."})
    thread = next(iter(_threads(page(adviser.get(COMMENTS))).values()))
    status = _status_form(thread)
    action = status.pop("action")
    assert adviser.post(action, status).status_code == 303
    again = adviser.post(action, {**status, "resolved": "0", "version": status["version"]})
    assert again.status_code == 409
    assert "endret av noen andre" in page(again).one("p", role="alert").text()
    assert next(iter(_threads(page(again)).values())).get("data-resolved") == "true"


def test_who_may_read_and_write_comments_and_reviews(session: Session, signed_in: SignedIn) -> None:
    seed(session, demo=True)
    other_coordinator = signed_in(Role.coordinator, municipalities=("5540",))
    assert other_coordinator.get(COMMENTS).status_code == 403
    assert other_coordinator.post(COMMENTS, {"gjelder": "forlop", "text": "Hei"}).status_code == 403
    other_adviser = signed_in(Role.adviser, regions=("innlandet",))
    assert other_adviser.get(COMMENTS).status_code == 403

    coordinator = signed_in(Role.coordinator, municipalities=("5501",))
    document = page(coordinator.get(COMMENTS))
    assert document.find("form", action="/app/kommuner/5501/gjennomgang") is None
    assert (
        coordinator.post("/app/kommuner/5501/gjennomgang", {"note": "Selvgodkjent"}).status_code
        == 403
    )

    adviser = signed_in(Role.adviser, regions=("troms",))
    refused = adviser.post(COMMENTS, {"gjelder": "forlop", "text": "Hei"}, csrf=False)
    assert refused.status_code == 403
    assert page(adviser.get(COMMENTS)).by_id("open-title").text() == "Åpne tråder (0)"


def test_an_adviser_records_a_guidance_conversation_and_the_overview_shows_it(
    session: Session, signed_in: SignedIn
) -> None:
    seed(session, demo=True)
    adviser = signed_in(Role.adviser, regions=("troms",))
    before = overview_figures(page(adviser.get("/app/regioner/troms")))
    assert before["5501"]["review"] == "not_published"

    too_long = adviser.post(
        "/app/kommuner/5501/gjennomgang", {"topics": "Kartlegging", "follow_up": "x" * 2001}
    )
    assert too_long.status_code == 422
    assert field_error(page(too_long), "gjennomgang-follow_up") == "Høyst 2000 tegn."
    assert page(too_long).by_id("gjennomgang-topics").text() == "Kartlegging"

    saved = adviser.post(
        "/app/kommuner/5501/gjennomgang",
        {"topics": "Pårørendeskole", "follow_up": "Ny samtale etter samlingen", "note": "Fint."},
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{COMMENTS}#gjennomganger"
    comments = page(adviser.get(COMMENTS))
    assert comments.by_id("reviews-title").text() == "Veiledningssamtaler"
    reviews = comments.by_id("review-list")
    assert reviews.one("span", data_field="topics").text() == "Pårørendeskole"
    assert reviews.one("span", data_field="follow_up").text() == "Ny samtale etter samlingen"
    assert reviews.one("span", data_field="note").text() == "Fint."
    after = page(adviser.get("/app/regioner/troms"))
    assert overview_figures(after)["5501"]["review"] == "ok"
    row = after.by_id("figures").one("tr", data_municipality="5501")
    cell = row.find_all("td")[-2].text()
    assert "Siste samtale" in cell
    assert "Tid for ny samtale fra" in cell
    events = session.exec(select(AuditEvent).where(col(AuditEvent.entity_type) == "review")).all()
    assert [(e.action, e.actor_id) for e in events] == [("create", adviser.principal.user_id)]
