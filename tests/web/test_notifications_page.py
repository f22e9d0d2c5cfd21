"""The notifications page: linked from the user menu, a form that works without
JavaScript, in bokmål and English, keeping what was chosen and refusing a bad mode inline."""

from __future__ import annotations

from sqlmodel import Session

from app.services import notifications
from app.services.notifications import Kind, Mode
from tests.web.conftest import SignedIn
from tests.webtools import page

PATH = "/app/varsler"


def test_choices_are_saved_without_javascript(signed_in: SignedIn, session: Session) -> None:
    kari = signed_in()
    assert page(kari.get("/app")).find("a", href=PATH) is not None
    shown = page(kari.get(PATH))
    assert "Varsler" in shown.one("h1").text()
    form = shown.one("form", action=PATH)
    assert form.field_value("comment") == "off"
    saved = kari.post(PATH, {"comment": "immediate", "overdue": "weekly"})
    assert saved.status_code == 303
    again = page(kari.get(PATH)).one("form", action=PATH)
    assert again.field_value("comment") == "immediate"
    assert again.field_value("overdue") == "weekly"
    chosen = notifications.preferences(session, kari.principal)
    assert chosen[Kind.comment] == Mode.immediate


def test_a_bad_mode_is_shown_inline_and_the_page_is_in_english(signed_in: SignedIn) -> None:
    kari = signed_in()
    refused = kari.post(PATH, {"comment": "weekly", "upcoming": "daily"})
    assert refused.status_code == 422
    form = page(refused).one("form", action=PATH)
    assert form.field_value("comment") == "weekly"  # what was chosen is kept
    assert page(refused).find(class_="field--error") is not None
    kari.post("/sprak", {"lang": "en", "next": PATH})
    english = page(kari.get(PATH))
    assert english.one("h1").text() == "Notifications"
    assert "No e-mail" in english.one("form", action=PATH).text()
