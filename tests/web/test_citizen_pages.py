"""What citizens meet: the municipality's contact on its public page (published or not),
the feedback form, the public error pages in the page's language; and what the
municipality's coordinators do with it: the contact form, the list of messages, the guided
start."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models.citizen import CitizenMessage
from app.models.publishing import PublishInput
from app.services import publishing
from app.services.access import SYSTEM
from app.services.catalogue import phase_keys
from tests import factories
from tests.webtools import SignedInClient, field_error, form_fields, page

FORM = "/kommuner/5501/tilbakemelding"
CONTACT = {
    "contact_name": "Demenskoordinator",
    "contact_phone": "+47 77 79 00 00",
    "contact_email": "demens@tromso.kommune.no",
    "contact_url": "https://tromso.kommune.no/demens",
}


def _set_contact(coordinator: SignedInClient, values: dict[str, str] = CONTACT) -> Any:
    return coordinator.post("/app/kommuner/5501/kontakt", values)


def _feedback_form(client: TestClient, url: str = FORM) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200
    return form_fields(page(response).one("form", method="post"))


# ---- the municipality's contact ----------------------------------------------------------


def test_the_contact_shows_on_an_unpublished_page_and_at_once_on_a_published_one(
    coordinator: SignedInClient, anonymous: TestClient, session: Session
) -> None:
    before = page(anonymous.get("/kommuner/5501")).one("section", class_="public-contacts")
    assert "Demenskoordinator" not in before.text()
    assert _set_contact(coordinator).status_code == 303
    unpublished = page(anonymous.get("/kommuner/5501"))
    contact = unpublished.one("section", class_="public-contacts")
    assert "Demenskoordinator" in contact.text()
    assert contact.one("a", href="tel:+4777790000").text() == "+47 77 79 00 00"
    assert contact.find("a", href="mailto:demens@tromso.kommune.no") is not None
    assert contact.find("a", href="https://tromso.kommune.no/demens") is not None
    assert unpublished.find("a", href=FORM) is not None

    factories.fill_section(session, "5501", "assessment")
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første"))
    first = anonymous.get("/kommuner/5501")
    assert "Demenskoordinator" in page(first).one("section", class_="public-contacts").text()
    changed = dict(CONTACT, contact_name="Hukommelsesteamet i Tromsø")
    assert _set_contact(coordinator, changed).status_code == 303
    second = anonymous.get("/kommuner/5501")
    assert "Hukommelsesteamet i Tromsø" in second.text
    assert second.headers["ETag"] != first.headers["ETag"], "a new contact is a new page"
    stale = anonymous.get("/kommuner/5501", headers={"If-None-Match": first.headers["ETag"]})
    assert stale.status_code == 200


def test_a_bad_contact_is_refused_beside_its_field_keeping_what_was_typed(
    coordinator: SignedInClient,
) -> None:
    response = _set_contact(
        coordinator, dict(CONTACT, contact_phone="ring meg", contact_url="tromso.no")
    )
    assert response.status_code == 422
    document = page(response)
    assert field_error(document, "kontakt-contact_phone")
    assert field_error(document, "kontakt-contact_url")
    assert document.by_id("kontakt-contact_phone").get("value") == "ring meg"
    assert document.by_id("kontakt-contact_name").get("value") == "Demenskoordinator"


def test_only_editors_set_the_contact(signed_in: Any) -> None:
    from app.models.base import Role

    adviser = signed_in(Role.adviser)
    assert _set_contact(adviser).status_code == 403


def test_the_publish_warning_counts_the_municipality_contact(
    coordinator: SignedInClient, session: Session
) -> None:
    warning = page(coordinator.get("/app/kommuner/5501/publiser")).one("main").text()
    assert "kommunen har ingen kontakt for innbyggere" in warning
    _set_contact(coordinator)
    warning = page(coordinator.get("/app/kommuner/5501/publiser")).one("main").text()
    assert "viser bare kommunens kontakt for innbyggere" in warning


# ---- the feedback form -------------------------------------------------------------------


def test_a_citizen_sends_feedback_without_signing_in(
    anonymous: TestClient, coordinator: SignedInClient, session: Session
) -> None:
    fields = _feedback_form(anonymous)
    fields.update(text="Telefonnummeret til teamet mangler.", sender_name="Kari")
    sent = anonymous.post(FORM, data=fields, follow_redirects=False)
    assert sent.status_code == 303
    assert sent.headers["location"] == "/kommuner/5501/tilbakemelding/takk"
    thanks = anonymous.get(sent.headers["location"])
    assert "Takk for tilbakemeldingen" in thanks.text

    listed = page(coordinator.get("/app/kommuner/5501/tilbakemeldinger"))
    item = listed.one("li", class_="citizen-message")
    assert "Telefonnummeret til teamet mangler." in item.text()
    assert "Kari" in item.text()
    message_id = session.exec(select(CitizenMessage.id)).one()
    marked = coordinator.post(f"/app/kommuner/5501/tilbakemeldinger/{message_id}", {"handled": "1"})
    assert marked.status_code == 303
    listed = page(coordinator.get("/app/kommuner/5501/tilbakemeldinger"))
    assert "Ingen ubehandlede tilbakemeldinger." in listed.text()
    assert "Merk som ubehandlet" in listed.text()


def test_markup_in_feedback_is_shown_as_text(
    anonymous: TestClient, coordinator: SignedInClient
) -> None:
    fields = _feedback_form(anonymous)
    fields["text"] = '<script>alert("x")</script><a href="https://evil.example">klikk</a>'
    anonymous.post(FORM, data=fields, follow_redirects=False)
    body = coordinator.get("/app/kommuner/5501/tilbakemeldinger").text
    assert "<script>alert" not in body
    assert "&lt;script&gt;" in body
    assert 'href="https://evil.example"' not in body


def test_errors_are_shown_inline_and_keep_what_was_typed(anonymous: TestClient) -> None:
    fields = _feedback_form(anonymous)
    fields.update(text="", sender_name="Kari", reply_email="kari@")
    response = anonymous.post(FORM, data=fields)
    assert response.status_code == 422
    document = page(response)
    assert field_error(document, "melding-text")
    assert field_error(document, "melding-reply_email")
    assert document.by_id("melding-sender_name").get("value") == "Kari"
    assert document.by_id("melding-reply_email").get("value") == "kari@"

    fields = form_fields(document.one("form", method="post"))
    fields.update(text="x" * 2001, reply_email="")
    too_long = anonymous.post(FORM, data=fields)
    assert too_long.status_code == 422
    assert field_error(page(too_long), "melding-text")
    assert page(too_long).one("textarea").text() == "x" * 2001


def test_a_form_from_elsewhere_or_without_its_cookie_is_refused(
    app: Any, anonymous: TestClient, session: Session
) -> None:
    fields = _feedback_form(anonymous)
    fields["text"] = "Hei"
    other = anonymous.post(FORM, data=fields, headers={"Sec-Fetch-Site": "cross-site"})
    assert other.status_code == 403
    with TestClient(app) as stranger:
        assert stranger.post(FORM, data=fields).status_code == 403
    assert session.exec(select(CitizenMessage)).all() == []


def test_a_filled_honeypot_is_thanked_and_dropped(anonymous: TestClient, session: Session) -> None:
    fields = _feedback_form(anonymous)
    fields.update(text="Kjøp billige klokker", nettsted="https://spam.example")
    response = anonymous.post(FORM, data=fields, follow_redirects=False)
    assert response.status_code == 303
    assert session.exec(select(CitizenMessage)).all() == []


def test_a_flood_gets_a_polite_429(
    anonymous: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import citizen_messages

    monkeypatch.setattr(citizen_messages, "HOURLY_LIMIT", 1)
    fields = _feedback_form(anonymous)
    fields["text"] = "Første"
    assert anonymous.post(FORM, data=fields, follow_redirects=False).status_code == 303
    fields["text"] = "Andre"
    response = anonymous.post(FORM, data=fields)
    assert response.status_code == 429
    assert page(response).one("textarea").text() == "Andre"


@pytest.mark.parametrize(
    ("lang", "heading"),
    [
        ("nb", "Tilbakemelding til Tromsø"),
        ("nn", "Tilbakemelding til Tromsø"),
        ("en", "Feedback to Tromsø"),
    ],
)
def test_the_form_speaks_the_chosen_language(
    anonymous: TestClient, lang: str, heading: str
) -> None:
    document = page(anonymous.get(f"{FORM}?lang={lang}"))
    assert document.one("html").get("lang") == lang
    assert document.one("h1").text() == heading


def test_the_list_is_for_the_municipalitys_editors(signed_in: Any) -> None:
    from app.models.base import Role

    assert signed_in(Role.adviser).get("/app/kommuner/5501/tilbakemeldinger").status_code == 403
    other = signed_in(municipalities=("5540",))
    assert other.get("/app/kommuner/5501/tilbakemeldinger").status_code == 403


# ---- public error pages ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "query", "lang", "title"),
    [
        ({}, "", "nb", "Fant ikke siden"),
        ({}, "?lang=nn", "nn", "Fann ikkje sida"),
        ({"Accept-Language": "en-GB,en;q=0.9"}, "", "en", "Page not found"),
        ({"Cookie": "dfl_lang=nn"}, "", "nn", "Fann ikkje sida"),
    ],
)
def test_an_unknown_municipality_gets_the_public_error_page_in_its_language(
    anonymous: TestClient, headers: dict[str, str], query: str, lang: str, title: str
) -> None:
    response = anonymous.get(f"/kommuner/9999{query}", headers=headers)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    document = page(response)
    assert document.one("html").get("lang") == lang
    assert document.one("h1").text() == title
    search = document.one("form", role="search")
    assert search.get("action") == "/"
    assert search.find("input", name="q") is not None
    main_links = [a.get("href") for a in document.one("main").find_all("a")]
    assert not any(str(href).startswith(("/app", "/logg-inn")) for href in main_links)


def test_other_public_errors_get_the_public_page_and_the_api_keeps_problem_json(
    anonymous: TestClient,
) -> None:
    not_allowed = anonymous.put("/kommuner/5501?lang=en")
    assert not_allowed.status_code == 405
    assert page(not_allowed).one("form", role="search") is not None
    assert page(not_allowed).one("html").get("lang") == "en"
    bad = anonymous.get("/?q=" + "x" * 2000)
    assert bad.status_code in (400, 422)
    api = anonymous.get("/api/v1/public/municipalities/9999/pathway")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")


def test_staff_errors_keep_the_staff_error_page(coordinator: SignedInClient) -> None:
    response = coordinator.get("/app/kommuner/9999/forlop")
    assert response.status_code == 404
    assert page(response).find("form", role="search") is None


# ---- the guided start --------------------------------------------------------------------


def test_the_guided_start_shows_the_next_step_and_progress(
    coordinator: SignedInClient, session: Session
) -> None:
    document = page(coordinator.get("/app/kommuner/5501/forlop"))
    guide = document.one("section", class_="guided-start")
    assert "0 av 5 steg er gjort" in guide.text()
    current = guide.one("a", **{"aria-current": "step"})
    assert current.get("href") == "/app/kommuner/5501/forlop/suspicion"
    assert "Beskriv fasene" in current.text()
    editing = page(coordinator.get("/app/kommuner/5501/forlop/suspicion"))
    assert editing.find("textarea", name="description") is not None

    for key in phase_keys(session):
        factories.fill_section(session, "5501", key)
    factories.strength(session, "5501")
    guide = page(coordinator.get("/app/kommuner/5501/forlop")).one("section", class_="guided-start")
    assert "2 av 5 steg er gjort" in guide.text()
    current = guide.one("a", **{"aria-current": "step"})
    assert current.get("href") == "/app/kommuner/5501/forbedringsomrader"


def test_each_phase_links_to_the_national_guide(coordinator: SignedInClient) -> None:
    document = page(coordinator.get("/app/kommuner/5501/forlop"))
    links = [
        a.get("href")
        for p in document.find_all("p", class_="phase__guide")
        for a in p.find_all("a")
    ]
    assert len(links) == 6
    national = ("https://www.helsedirektoratet.no/", "https://veiviserdemens.aldringoghelse.no/")
    assert all(str(href).startswith(national) for href in links)
    # Each phase links to its own text where the national guide has one.
    assert len(set(links)) >= 3


def test_readers_get_no_guided_start(adviser: SignedInClient) -> None:
    document = page(adviser.get("/app/kommuner/5501/forlop"))
    assert document.find("section", class_="guided-start") is None
    assert page(adviser.get("/app")).find("p", class_="card__guide") is None


def test_the_first_page_after_signing_in_shows_the_next_step(
    coordinator: SignedInClient, session: Session
) -> None:
    guide = page(coordinator.get("/app")).one("p", class_="card__guide")
    assert "0 av 5 steg er gjort" in guide.text()
    assert guide.one("a").get("href") == "/app/kommuner/5501/forlop/suspicion"
    for key in phase_keys(session):
        factories.fill_section(session, "5501", key)
    factories.strength(session, "5501")
    guide = page(coordinator.get("/app?lang=nn")).one("p", class_="card__guide")
    assert guide.one("a").get("href") == "/app/kommuner/5501/forbedringsomrader"
    assert "Vel forbetringsområde" in guide.text()


def test_a_server_error_on_a_public_page_is_the_public_error_page(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import citizen_messages

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("SELECT secret internals")

    monkeypatch.setattr(citizen_messages, "recipient", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(f"{FORM}?lang=nn")
    assert response.status_code == 500
    document = page(response)
    assert document.one("html").get("lang") == "nn"
    assert document.one("h1").text() == "Noko gjekk gale"
    assert document.find("form", role="search") is not None
    assert "SELECT" not in response.text
