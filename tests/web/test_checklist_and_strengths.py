"""The checklist and the strengths pages."""

from __future__ import annotations

from sqlmodel import Session

from app.models.base import Answer
from app.models.pathway import ChecklistAnswerInput
from app.services import checklist, strengths
from app.services.access import SYSTEM
from tests import factories
from tests.webtools import SignedInClient, field_error, form_fields, page

CHECKLIST = "/app/kommuner/5501/sjekkliste"
STRENGTHS = "/app/kommuner/5501/styrker"


def test_the_checklist_is_answered_item_by_item_with_progress(
    coordinator: SignedInClient, session: Session
) -> None:
    document = page(coordinator.get(CHECKLIST))
    items = document.find_all("li", class_="checklist__item")
    total = checklist.get_answers(session, SYSTEM, "5501").total
    assert len(items) == total >= 16
    assert document.by_id("checklist-progress").find("progress").get("value") == "0"  # type: ignore[union-attr]
    groups = [h.text() for h in document.find_all("h2")]
    assert groups[0] == "Mistanke"
    assert groups[-1] == "Gjennomgående"

    first = items[0]
    key = (first.get("id") or "").removeprefix("punkt-")
    assert first.get("hx-post") == f"{CHECKLIST}/{key}"
    assert first.get("hx-trigger") == "change"
    form = form_fields(document.one("form", id="checklist-form"))
    form.update({f"answer-{key}": "partly", f"comment-{key}": "Mangler rutine for tolk."})
    saved = coordinator.post(f"{CHECKLIST}/{key}", form, htmx=True)
    assert saved.status_code == 200
    fragment = page(saved)
    assert fragment.by_id(f"punkt-{key}").find(class_="saved-note") is not None
    progress = fragment.by_id("checklist-progress")
    assert progress.get("hx-swap-oob") == "true"
    assert progress.find("progress").get("value") == "1"  # type: ignore[union-attr]
    assert "Besvart 1 av" in progress.text()
    answer = checklist.get_answer(session, SYSTEM, "5501", key)
    assert (answer.answer, answer.comment) == ("partly", "Mangler rutine for tolk.")

    missing = coordinator.post(f"{CHECKLIST}/{key}", {**form, f"answer-{key}": ""}, htmx=True)
    assert missing.status_code == 422
    assert field_error(page(missing), f"punkt-answer-{key}") == "Velg et svar."

    stale = coordinator.post(f"{CHECKLIST}/{key}", {**form, f"answer-{key}": "yes"}, htmx=True)
    assert stale.status_code == 409  # the form still held version 0
    conflict = page(stale).one(class_="conflict")
    assert "Ja" in conflict.text()
    assert "Delvis" in conflict.text()
    assert checklist.get_answer(session, SYSTEM, "5501", key).answer == "partly"


def test_checklist_without_javascript_and_read_only(
    coordinator: SignedInClient, adviser: SignedInClient, session: Session
) -> None:
    items = checklist.get_answers(session, SYSTEM, "5501").items
    key = items[2].item
    saved = coordinator.post(f"{CHECKLIST}/{key}", {"answer": "yes", "comment": "", "version": "0"})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{CHECKLIST}#punkt-{key}"
    readonly = page(adviser.get(CHECKLIST))
    assert readonly.find("form", action=f"{CHECKLIST}/{key}") is None
    assert readonly.by_id(f"punkt-{key}").find(class_="answer--yes") is not None
    assert adviser.post(f"{CHECKLIST}/{key}", {"answer": "no", "version": "1"}).status_code == 403
    checklist.put_answer(
        session, SYSTEM, "5501", items[3].item, ChecklistAnswerInput(answer=Answer.no), 0
    )
    assert "Besvart 2 av" in page(adviser.get(CHECKLIST)).by_id("checklist-progress").text()


def test_strengths_are_added_edited_and_deleted(
    coordinator: SignedInClient, session: Session
) -> None:
    first = page(coordinator.get(STRENGTHS))
    reminder = [n.text() for n in first.find_all(class_="notice")]
    assert any("Skriv minst 3 styrker" in text and "skrevet 0" in text for text in reminder)

    empty = coordinator.post(STRENGTHS, {"text": "  ", "phase": ""}, htmx=True)
    assert empty.status_code == 422
    assert field_error(page(empty), "ny-styrke-text") == "Fyll ut dette feltet."

    added = coordinator.post(
        STRENGTHS, {"text": "Godt tverrfaglig samarbeid", "phase": "assessment"}, htmx=True
    )
    assert added.status_code == 200
    document = page(added)
    assert document.one(class_="notice--success").text() == "Styrken er lagt til."
    items = strengths.list_strengths(session, SYSTEM, "5501").items
    assert [(s.text, s.phase) for s in items] == [("Godt tverrfaglig samarbeid", "assessment")]
    strength = items[0]
    url = f"{STRENGTHS}/{strength.id}"

    form = form_fields(document.by_id(f"styrke-{strength.id}").one("form", action=url))
    edited = coordinator.post(url, {**form, "text": "Godt samarbeid med fastlegene"}, htmx=True)
    assert edited.status_code == 200
    assert page(edited).one("li").get("id") == f"styrke-{strength.id}"
    assert strengths.get_strength(session, SYSTEM, strength.id).text == (
        "Godt samarbeid med fastlegene"
    )
    stale = coordinator.post(url, {**form, "text": "Gammel versjon"}, htmx=True)
    assert stale.status_code == 409
    assert "Godt samarbeid med fastlegene" in page(stale).one(class_="conflict").text()

    current = strengths.get_strength(session, SYSTEM, strength.id)
    deleted = coordinator.post(f"{url}/slett", {"version": str(current.version)})
    assert deleted.status_code == 303
    assert strengths.list_strengths(session, SYSTEM, "5501").total == 0
    # Strengths of another municipality are not reachable through this one's pages.
    other = factories.strength(session, "5540")
    assert coordinator.post(f"{STRENGTHS}/{other}", {"text": "x", "version": "1"}).status_code in (
        403,
        404,
    )


def test_the_whole_checklist_is_saved_with_one_button_without_javascript(
    coordinator: SignedInClient, session: Session
) -> None:
    document = page(coordinator.get(CHECKLIST))
    form = form_fields(document.one("form", id="checklist-form"))
    items = checklist.get_answers(session, SYSTEM, "5501").items
    first, second, third = (i.item for i in items[:3])
    form.update({f"answer-{first}": "yes", f"answer-{second}": "no"})
    form[f"comment-{second}"] = "Ingen fast rutine."
    saved = coordinator.post(CHECKLIST, form)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{CHECKLIST}#lagre-svarene"
    assert checklist.get_answer(session, SYSTEM, "5501", first).answer == "yes"
    assert checklist.get_answer(session, SYSTEM, "5501", second).comment == "Ingen fast rutine."
    assert checklist.get_answer(session, SYSTEM, "5501", third).version == 0

    # A comment without an answer: nothing is saved, everything typed is kept.
    stale_form = dict(form)
    bad = {**form, f"answer-{first}": "partly", f"comment-{third}": "Bare en kommentar"}
    refused = coordinator.post(CHECKLIST, bad)
    assert refused.status_code == 422
    again = page(refused)
    assert field_error(again, f"punkt-answer-{third}") == "Velg et svar."
    kept = form_fields(again.one("form", id="checklist-form"))
    assert kept[f"comment-{third}"] == "Bare en kommentar"
    assert kept[f"answer-{first}"] == "partly"
    assert checklist.get_answer(session, SYSTEM, "5501", first).answer == "yes"

    # Someone else saved the first item meanwhile: both versions shown, nothing saved.
    checklist.put_answer(
        session, SYSTEM, "5501", first, ChecklistAnswerInput(answer=Answer.not_applicable), 1
    )
    stale = coordinator.post(CHECKLIST, {**stale_form, f"answer-{first}": "partly"})
    assert stale.status_code == 409
    conflict = page(stale).by_id(f"punkt-{first}").one(class_="conflict")
    assert "Delvis" in conflict.text()
    assert checklist.get_answer(session, SYSTEM, "5501", first).answer == "not_applicable"
    kept = form_fields(page(stale).one("form", id="checklist-form"))
    assert kept[f"answer-{first}"] == "partly"
    assert kept[f"version-{first}"] == "2"
    # Keeping mine: the same form, sent again with the version now shown.
    assert coordinator.post(CHECKLIST, kept).status_code == 303
    assert checklist.get_answer(session, SYSTEM, "5501", first).answer == "partly"
