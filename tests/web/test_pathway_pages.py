"""The pathway editor as HTML: fragments and pages, saving in place, validation, offerings,
conflicts, access, and a fixed number of queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from app.services import pathway
from app.services.access import SYSTEM
from tests import factories
from tests.conftest import QueryCounter, TransactionalDatabase
from tests.web.conftest import SignedIn
from tests.webtools import SignedInClient, field_error, form_fields, page

EDITOR = "/app/kommuner/5501/forlop"
PHASES = [
    "Mistanke",
    "Utredning og diagnose",
    "Selvstendig med støtte",
    "Hjemme med tjenester",
    "Heldøgns omsorg",
    "Omsorg ved livets slutt",
]


def _form(client: SignedInClient, phase: str) -> dict[str, Any]:
    return client.form_values(f"{EDITOR}/{phase}", f"fase-{phase}")


def test_the_editor_shows_the_six_phases_in_order(coordinator: SignedInClient) -> None:
    response = coordinator.get(EDITOR)
    assert response.status_code == 200
    assert "HX-Request" in [v.strip() for v in response.headers["vary"].split(",")]
    document = page(response)
    titles = [h.text() for h in document.find_all("h2", class_="phase__title")]
    assert titles == [f"{n} {name}" for n, name in enumerate(PHASES, start=1)]
    assert document.one("h1").text() == "Demensforløpet"
    edit_links = document.find_all("a", class_="button--secondary")
    assert [a.get("href") for a in edit_links][:2] == [
        f"{EDITOR}/suspicion",
        f"{EDITOR}/assessment",
    ]
    assert document.one("a", href=EDITOR).get("aria-current") == "page"


def test_fragments_only_for_htmx_and_never_for_history_restores(
    coordinator: SignedInClient,
) -> None:
    fragment = coordinator.get(f"{EDITOR}/assessment", htmx=True)
    assert fragment.status_code == 200
    assert "HX-Request" in [v.strip() for v in fragment.headers["vary"].split(",")]
    assert "<html" not in fragment.text
    document = page(fragment)
    section = document.one("section")
    assert section.get("id") == "fase-assessment"
    assert section.find("form", method="post") is not None
    assert document.by_id("assessment-description").get("autofocus") is not None

    full = coordinator.get(f"{EDITOR}/assessment")
    assert "<html" in full.text
    assert len(page(full).find_all("section", class_="phase")) == 6
    restore = coordinator.get(
        f"{EDITOR}/assessment", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text


def test_saving_with_htmx_answers_the_section_and_touches_no_other(
    coordinator: SignedInClient, session: Session
) -> None:
    before = {s.phase: s.version for s in pathway.get_pathway(session, SYSTEM, "5501").sections}
    form = _form(coordinator, "assessment")
    form.update(
        {
            "description": "Ta kontakt med *fastlegen*.",
            "responsible": "Hukommelsesteamet",
            "contact-phone": "77 79 00 00",
            "maturity": "planned",
            "needs_knowledge": "on",
        }
    )
    saved = coordinator.post(f"{EDITOR}/assessment", form, htmx=True)
    assert saved.status_code == 200
    document = page(saved)
    assert document.one(class_="saved-note").text().startswith("✓ Utredning og diagnose er lagret.")
    assert document.one(class_="prose").text() == "Ta kontakt med fastlegen ."
    assert "<em>fastlegen</em>" in saved.text
    announcer = document.by_id("announcer")
    assert announcer.get("hx-swap-oob") == "innerHTML"
    assert announcer.text() == "Utredning og diagnose er lagret."
    assert document.by_id("assessment-edit-link").get("autofocus") is not None

    after = {s.phase: s for s in pathway.get_pathway(session, SYSTEM, "5501").sections}
    assert after["assessment"].maturity == "planned"
    assert after["assessment"].needs_knowledge is True
    assert after["assessment"].contact.phone == "77 79 00 00"
    assert {p: s.version for p, s in after.items() if p != "assessment"} == {
        p: v for p, v in before.items() if p != "assessment"
    }
    assert after["assessment"].version == before["assessment"] + 1


def test_without_htmx_a_save_redirects_with_a_confirmation(coordinator: SignedInClient) -> None:
    form = _form(coordinator, "suspicion")
    form["description"] = "Snakk med fastlegen."
    saved = coordinator.post(f"{EDITOR}/suspicion", form)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{EDITOR}#fase-suspicion"
    shown = page(coordinator.get(EDITOR))
    assert shown.one(class_="notice--success").text() == "Endringene er lagret."
    assert "Snakk med fastlegen." in shown.by_id("fase-suspicion").text()
    # The confirmation is shown once.
    assert page(coordinator.get(EDITOR)).find(class_="notice--success") is None


def test_invalid_input_is_kept_and_explained_beside_the_field(
    coordinator: SignedInClient, session: Session
) -> None:
    form = _form(coordinator, "assessment")
    form.update(
        {"description": "Ny tekst", "contact-email": "ikke en adresse", "contact-phone": "ring meg"}
    )
    for htmx in (True, False):
        response = coordinator.post(f"{EDITOR}/assessment", form, htmx=htmx)
        assert response.status_code == 422
        document = page(response)
        assert document.field_value("description") == "Ny tekst"
        assert document.field_value("contact-email") == "ikke en adresse"
        assert field_error(document, "assessment-contact-email") == (
            "Skriv en gyldig e-postadresse, for eksempel navn@kommune.no."
        )
        assert field_error(document, "assessment-contact-phone") == (
            "Bare sifre, mellomrom og tegnene + ( ) . - er tillatt."
        )
        summary = document.one(class_="error-summary")
        assert summary.get("role") == "alert"
        assert summary.get("autofocus") is not None
        links = [a.get("href") for a in summary.find_all("a")]
        assert links == ["#assessment-contact-phone", "#assessment-contact-email"]
    assert pathway.get_section(session, SYSTEM, "5501", "assessment").description == ""


def test_offerings_are_added_moved_and_removed_before_saving(
    coordinator: SignedInClient, session: Session
) -> None:
    url = f"{EDITOR}/independent_with_support"
    form = _form(coordinator, "independent_with_support")
    form["description"] = "Kurs for pårørende."
    added = coordinator.post(url, {**form, "action": "add"}, htmx=True)
    assert added.status_code == 200
    document = page(added)
    assert document.one(class_="notice").text().startswith("Ikke lagret ennå.")
    assert document.field_value("description") == "Kurs for pårørende."  # nothing lost
    new_type = document.by_id("independent_with_support-offerings-0-type")
    assert new_type.get("autofocus") is not None

    form = form_fields(document.one("form", method="post"))
    form["offerings-0-type"] = "carers_school"
    document = page(coordinator.post(url, {**form, "action": "add"}, htmx=True))
    form = form_fields(document.one("form", method="post"))
    form.update({"offerings-1-name": "Demenskafé", "offerings-1-status": "planned"})
    document = page(coordinator.post(url, {**form, "action": "add"}, htmx=True))
    form = form_fields(document.one("form", method="post"))  # row 2 stays empty
    moved = page(coordinator.post(url, {**form, "action": "up-1"}, htmx=True))
    assert moved.field_value("offerings-0-name") == "Demenskafé"
    assert moved.by_id("independent_with_support-offerings-0-down").get("autofocus") is not None
    form = form_fields(moved.one("form", method="post"))
    assert form["offering_count"] == "3"

    saved = coordinator.post(url, {**form, "action": "save"}, htmx=True)
    assert saved.status_code == 200
    offerings = pathway.get_section(session, SYSTEM, "5501", "independent_with_support").offerings
    assert [(o.type, o.name, o.status) for o in offerings] == [
        (None, "Demenskafé", "planned"),
        ("carers_school", "Pårørendeskole", "available"),
    ]

    form = _form(coordinator, "independent_with_support")
    removed = page(coordinator.post(url, {**form, "action": "remove-0"}, htmx=True))
    assert removed.field_value("offerings-0-type") == "carers_school"
    assert removed.by_id("independent_with_support-add-offering").get("autofocus") is not None


def test_an_offering_needs_a_type_or_a_name(coordinator: SignedInClient) -> None:
    form = _form(coordinator, "assessment")
    form.update(
        {
            "offering_count": "1",
            "offerings-0-description": "Uten navn",
            "offerings-0-status": "available",
        }
    )
    response = coordinator.post(f"{EDITOR}/assessment", form, htmx=True)
    assert response.status_code == 422
    document = page(response)
    assert field_error(document, "assessment-offerings-0-name") == (
        "Velg en type fra katalogen eller skriv et navn."
    )
    assert document.field_value("offerings-0-description") == "Uten navn"


def test_a_stale_version_shows_both_texts_and_keep_mine_saves(
    coordinator: SignedInClient, session: Session
) -> None:
    url = f"{EDITOR}/round_the_clock_care"
    mine = _form(coordinator, "round_the_clock_care")
    factories.fill_section(session, "5501", "round_the_clock_care", text="Lagret av en annen.")
    mine["description"] = "Min tekst."
    conflict = coordinator.post(url, mine, htmx=True)
    assert conflict.status_code == 409
    document = page(conflict)
    box = document.one(class_="conflict")
    assert box.get("role") == "alert"
    rows = {
        r.one("th").text(): [td.text() for td in r.find_all("td")] for r in box.find_all("tr")[1:]
    }
    assert rows["Beskrivelse"] == ["Min tekst.", "Lagret av en annen."]
    assert rows["Ansvarlig"] == ["", "Hukommelsesteamet"]
    assert document.field_value("description") == "Min tekst."
    current = pathway.get_section(session, SYSTEM, "5501", "round_the_clock_care")
    assert current.description == "Lagret av en annen."  # nothing overwritten
    assert document.field_value("version") == str(current.version)
    keep = document.one("button", value="save", class_="button")
    assert keep.text() == "Behold min versjon"

    kept = coordinator.post(url, {**mine, "version": str(current.version)}, htmx=True)
    assert kept.status_code == 200
    after = pathway.get_section(session, SYSTEM, "5501", "round_the_clock_care")
    assert after.description == "Min tekst."
    assert after.version == current.version + 1


def test_advisers_read_but_cannot_edit(adviser: SignedInClient, session: Session) -> None:
    factories.fill_section(session, "5540", "assessment", text="Kåfjords tekst.")
    readable = page(adviser.get("/app/kommuner/5540/forlop"))
    assert "Kåfjords tekst." in readable.by_id("fase-assessment").text()
    assert readable.find("a", id="assessment-edit-link") is None
    notices = [n.text() for n in readable.find_all(class_="notice")]
    assert "Du kan lese, men ikke endre, innholdet til denne kommunen." in notices
    assert adviser.get("/app/kommuner/5540/forlop/assessment").status_code == 403
    form = {"description": "Rådgiverens tekst", "version": "2", "offering_count": "0"}
    assert adviser.post("/app/kommuner/5540/forlop/assessment", form).status_code == 403
    assert (
        pathway.get_section(session, SYSTEM, "5540", "assessment").description == "Kåfjords tekst."
    )
    # Outside the adviser's region: no access at all.
    assert adviser.get("/app/kommuner/0301/forlop").status_code == 403


def test_another_municipalitys_editor_is_forbidden(coordinator: SignedInClient) -> None:
    response = coordinator.get("/app/kommuner/5540/forlop")
    assert response.status_code == 403
    document = page(response)
    assert document.one("h1").text() == "Ingen tilgang"
    assert "Koordinatorer redigerer kommunene de er tildelt" in response.text
    posted = coordinator.post("/app/kommuner/5540/forlop/assessment", {"description": "x"})
    assert posted.status_code == 403
    assert coordinator.get("/app/kommuner/9999/forlop").status_code == 404
    assert coordinator.get(f"{EDITOR}/nonsense").status_code == 404


def test_the_editor_takes_a_fixed_number_of_queries(
    signed_in: SignedIn, session: Session, queries: QueryCounter, db: TransactionalDatabase
) -> None:
    client = signed_in(municipalities=("5501", "5540"))
    assert client.get(EDITOR).status_code == 200  # the signed-in person is kept from here on
    # Counted cold: a write (here in plain SQL) makes every content cache miss.
    session.execute(text("UPDATE content_stamp SET stamp = stamp + 1"))
    session.commit()
    with queries.counting():
        assert client.get(EDITOR).status_code == 200
    empty = queries.count
    for phase in ("suspicion", "assessment", "independent_with_support", "end_of_life"):
        factories.fill_section(session, "5501", phase, offerings=12, text="Lang tekst. " * 200)
    with queries.counting():
        full = client.get(EDITOR)
    assert full.status_code == 200
    assert full.text.count("<tr>") >= 4 * 12
    assert queries.count == empty, queries.statements
    # With the draft's status, the editor's part of the page and the switcher to build: they,
    # and the stamps before and after (each is kept only if nothing was written meanwhile).
    assert empty <= 14, queries.statements
    with queries.counting():
        assert client.get(EDITOR).status_code == 200
    assert queries.count < empty, queries.statements  # all kept
    # The municipality is read with its region, in one query.
    assert not [q for q in queries.statements if "FROM region" in q], queries.statements


def test_the_kept_sections_follow_the_version_and_the_viewers_rights(
    coordinator: SignedInClient, adviser: SignedInClient, session: Session
) -> None:
    """The editor keeps its rendered sections per version; a reader who may not edit never
    gets the editor's buttons, and a save shows at once to everyone."""

    def edit_links(client: SignedInClient) -> list[str]:
        document = page(client.get(EDITOR))
        return [a.get("href") or "" for a in document.find_all("a", class_="button--secondary")]

    assert f"{EDITOR}/suspicion" in edit_links(coordinator)
    assert f"{EDITOR}/suspicion" not in edit_links(adviser)
    assert f"{EDITOR}/suspicion" in edit_links(coordinator)

    factories.fill_section(session, "5501", "suspicion", text="Ny tekst etter lagring.")
    for client in (coordinator, adviser):
        assert "Ny tekst etter lagring." in client.get(EDITOR).text


def test_an_htmx_view_of_the_editor_still_updates_the_drafts_badge(
    coordinator: SignedInClient,
) -> None:
    """Its sections are built afresh (never the kept ones), with the badge out of band."""
    assert 'hx-swap-oob="true"' not in coordinator.get(EDITOR).text
    fragment = coordinator.get(EDITOR, headers={"HX-Request": "true"}).text
    assert 'id="utkast-status" hx-swap-oob="true"' in fragment
