"""The public pages: the start page finds a municipality; a municipality's page shows its
latest published pathway, cacheably, and nothing of the draft."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.publishing import PublishInput
from app.services import publishing
from app.services.access import SYSTEM
from tests import factories
from tests.conftest import QueryCounter
from tests.webtools import HTMX, SignedInClient, page

PUBLIC = "/kommuner/5501"
PUBLIC_API = "/api/v1/public/municipalities/5501/pathway"


def _publish(session: Session, summary: str = "Første versjon") -> None:
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary=summary))


def test_before_the_first_publication_only_a_polite_notice(
    anonymous: TestClient, session: Session
) -> None:
    factories.fill_section(session, "5501", "suspicion", text="Utkast som ikke er publisert")
    response = anonymous.get(PUBLIC)
    assert response.status_code == 200
    document = page(response)
    assert "har ikke publisert demensforløpet sitt her ennå" in document.one("main").text()
    assert "Utkast som ikke er publisert" not in response.text
    assert document.find("ol", class_="public-phases") is None
    assert "ETag" not in response.headers


def test_the_published_text_and_not_a_later_draft(anonymous: TestClient, session: Session) -> None:
    factories.fill_section(session, "5501", "suspicion", offerings=2, text="Ring fastlegen først.")
    factories.fill_section(session, "5501", "assessment", offerings=1, text="Teamet utreder.")
    _publish(session)

    first = anonymous.get(PUBLIC)
    assert first.status_code == 200
    document = page(first)
    main = document.one("main")
    assert main.one("h1").text() == "Demensforløpet i Tromsø"
    # Contact first, then the six phases in order.
    headings = [h.text() for h in main.find_all("h2")]
    assert headings[:2] == ["Hvem kan du kontakte?", "Forløpet fase for fase"]
    contact = main.one("section", class_="public-contacts").text()
    assert "Hukommelsesteamet" in contact
    assert "+47 77 00 00 00" in contact
    phases = main.find_all("li", class_="public-phase")
    assert [p.one("h3").text() for p in phases] == [
        "1. Mistanke",
        "2. Utredning og diagnose",
        "3. Selvstendig med støtte",
        "4. Hjemme med tjenester",
        "5. Heldøgns omsorg",
        "6. Omsorg ved livets slutt",
    ]
    assert "Ring fastlegen først." in phases[0].text()
    assert len(phases[0].find_all("li", class_="public-offering")) == 2
    assert len(phases[1].find_all("li", class_="public-offering")) == 1
    assert "versjon 1" in main.one(class_="public-published").text()

    factories.fill_section(session, "5501", "suspicion", text="Ny tekst i utkastet.")
    again = anonymous.get(PUBLIC)
    assert "Ring fastlegen først." in again.text
    assert "Ny tekst i utkastet." not in again.text

    _publish(session, "Ny tekst om mistanke")
    after = anonymous.get(PUBLIC)
    assert "Ny tekst i utkastet." in after.text
    assert "Ring fastlegen først." not in after.text
    assert "versjon 2" in page(after).one(class_="public-published").text()


def test_the_public_page_is_cacheable_and_answers_304_from_the_stamp(
    anonymous: TestClient, session: Session, queries: QueryCounter
) -> None:
    factories.fill_section(session, "5501", "suspicion")
    _publish(session)
    response = anonymous.get(PUBLIC)
    assert response.status_code == 200
    tag = response.headers["ETag"]
    # Weak when compressed on the way out (the compression middleware says so).
    assert tag.removeprefix("W/") == '"p5501-1-nb"'
    assert response.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=600"
    assert response.headers["Last-Modified"].endswith(" GMT")
    assert "Accept-Language" in response.headers["Vary"]

    with queries.counting():
        cached = anonymous.get(PUBLIC, headers={"If-None-Match": tag})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["ETag"].removeprefix("W/") == tag.removeprefix("W/")
    assert queries.count <= 1, queries.statements

    since = anonymous.get(PUBLIC, headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304
    old = anonymous.get(PUBLIC, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert old.status_code == 200
    # Another language is another representation with its own tag.
    english = anonymous.get(PUBLIC, headers={"If-None-Match": tag, "Accept-Language": "en"})
    assert english.status_code == 200
    assert english.headers["ETag"].removeprefix("W/") == '"p5501-1-en"'
    assert page(english).one("html").get("lang") == "en"

    factories.fill_section(session, "5501", "assessment")
    _publish(session, "Utredning")
    stale = anonymous.get(PUBLIC, headers={"If-None-Match": tag})
    assert stale.status_code == 200
    assert stale.headers["ETag"].removeprefix("W/") == '"p5501-2-nb"'


def test_the_public_api_answers_304_with_few_queries(
    anonymous: TestClient, session: Session, queries: QueryCounter
) -> None:
    factories.fill_section(session, "5501", "suspicion")
    _publish(session)
    response = anonymous.get(PUBLIC_API)
    assert response.status_code == 200
    tag = response.headers["ETag"]
    with queries.counting():
        cached = anonymous.get(PUBLIC_API, headers={"If-None-Match": tag})
    assert cached.status_code == 304
    assert queries.count <= 1, queries.statements


def test_a_cached_rendering_serves_the_same_page(anonymous: TestClient, session: Session) -> None:
    factories.fill_section(session, "5501", "suspicion", text="Første tekst.")
    _publish(session)
    first = anonymous.get(PUBLIC)
    second = anonymous.get(PUBLIC)
    assert first.content == second.content
    assert "Første tekst." in second.text


def test_an_unknown_municipality_is_a_404_page(anonymous: TestClient) -> None:
    response = anonymous.get("/kommuner/0000")
    assert response.status_code == 404
    assert "Fant ikke siden" in page(response).one("h1").text()


def test_the_start_page_finds_a_municipality_by_sami_name_and_number(
    anonymous: TestClient,
) -> None:
    empty = page(anonymous.get("/"))
    assert empty.one("form", role="search").get("method") == "get"
    assert empty.find("a", href="/app") is not None
    assert empty.by_id("results").find("li") is None

    for query in ("Gáivuotna", "gaivuotna", "5540"):
        response = anonymous.get("/", params={"q": query})
        assert response.status_code == 200
        results = page(response).by_id("results")
        links = [a.get("href") for a in results.find_all("a")]
        assert "/kommuner/5540" in links, query
        assert "Kåfjord" in results.text()
        assert "Ikke publisert ennå" in results.text()

    english = page(anonymous.get("/", params={"q": "5540"})).find("a", hreflang="en")
    assert english is not None
    assert english.get("href") == "/?q=5540&lang=en"

    fragment = anonymous.get("/", params={"q": "5540"}, headers=HTMX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert 'href="/kommuner/5540"' in fragment.text

    nothing = page(anonymous.get("/", params={"q": "Atlantis"}))
    assert "Fant ingen kommune" in nothing.by_id("results").text()

    too_long = anonymous.get("/", params={"q": "x" * 101})
    assert too_long.status_code == 422
    document = page(too_long)
    assert document.by_id("q").get("aria-invalid") == "true"
    assert document.by_id("q").get("value") == "x" * 101
    assert "Høyst 100 tegn." in document.by_id("q-error").text()


def test_the_start_page_shows_which_have_published(anonymous: TestClient, session: Session) -> None:
    factories.fill_section(session, "5501", "suspicion")
    _publish(session)
    results = page(anonymous.get("/", params={"q": "Tromsø"})).by_id("results")
    assert "Publisert" in results.text()


def test_the_coordinator_sets_the_language_form_the_public_page_speaks(
    coordinator: SignedInClient, anonymous: TestClient, session: Session
) -> None:
    factories.fill_section(session, "5501", "assessment")
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første"))
    publish_page = page(coordinator.get("/app/kommuner/5501/publiser"))
    assert publish_page.field_value("language_form") == "nb"
    bad = coordinator.post("/app/kommuner/5501/malform", {"language_form": "svensk"})
    assert bad.status_code == 422
    saved = coordinator.post("/app/kommuner/5501/malform", {"language_form": "nn"})
    assert saved.status_code == 303
    assert page(anonymous.get("/kommuner/5501")).one("html").get("lang") == "nn"
    assert page(anonymous.get("/kommuner/5501?lang=nb")).one("html").get("lang") == "nb"
