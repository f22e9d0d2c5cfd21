"""Languages: every UI string has an English and a nynorsk translation, catalogues are
compiled at start (no build step), the language is chosen and remembered, dates and
numbers are Norwegian."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models.identity import User
from app.web.core import LANGUAGE_COOKIE
from app.web.i18n import (
    format_date,
    format_datetime,
    format_number,
    from_accept_language,
    translate,
)
from tests.webtools import SignedInClient, page

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "app" / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _source_messages() -> dict[str | tuple[str, ...], str]:
    """Every message id in the templates and the Python code, as `make messages` finds them."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found: dict[str | tuple[str, ...], str] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        key = tuple(message) if isinstance(message, (tuple, list)) else message
        if key:
            found.setdefault(key, filename)
    return found


def _catalogue(language: str) -> Catalog:
    with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


@pytest.mark.parametrize("language", ["en", "nn"])
def test_every_ui_string_has_a_translation(language: str) -> None:
    sources = _source_messages()
    assert len(sources) > 250
    catalogue = _catalogue(language)
    problems = []
    for key, filename in sources.items():
        msgid = str(key[0] if isinstance(key, tuple) else key)
        entry = catalogue.get(msgid)
        if entry is None:
            problems.append(f"{filename}: {msgid!r} is not in the {language} catalogue")
            continue
        strings = tuple(
            str(s or "")
            for s in (entry.string if isinstance(entry.string, tuple) else (entry.string,))
        )
        if not all(strings) or entry.fuzzy:
            problems.append(f"{filename}: {msgid!r} has no (or a fuzzy) {language} translation")
            continue
        wanted = set(PLACEHOLDER.findall(msgid))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"{msgid!r}: placeholders differ in {text!r}")
    assert problems == [], (
        f"run `make messages` and translate app/locale/{language}/LC_MESSAGES/messages.po"
        f" (python -m tools.translate_po {language} --missing lists the entries):\n"
        + "\n".join(problems)
    )


def test_catalogues_list_exactly_the_strings_in_use() -> None:
    in_use = {k[0] if isinstance(k, tuple) else k for k in _source_messages()}
    for language in ("nb", "nn", "en"):
        listed = {
            m.id[0] if isinstance(m.id, tuple) else m.id for m in _catalogue(language) if m.id
        }
        assert listed - in_use == set(), f"{language}: strings no longer used (make messages)"
        assert in_use - listed == set(), f"{language}: strings missing (make messages)"


def test_translations_are_compiled_in_memory() -> None:
    assert translate("en", "Mine kommuner") == "My municipalities"
    assert translate("nb", "Mine kommuner") == "Mine kommuner"
    assert translate("en", "Tilbud %(n)s", n=3) == "Offering 3"
    assert translate("nn", "Mine kommuner") == "Mine kommunar"
    assert translate("nn", "Tilbud %(n)s", n=3) == "Tilbod 3"


def test_dates_and_numbers_are_formatted_for_norway() -> None:
    assert format_date(date(2025, 3, 12), "nb") == "12. mars 2025"
    assert format_date(date(2025, 3, 12), "nb", "short") == "12.03.2025"
    assert format_date(date(2025, 3, 12), "en") == "12 March 2025"
    # Moments are shown in Norwegian time, whatever the server's zone.
    assert format_datetime(datetime(2025, 7, 1, 22, 30, tzinfo=UTC), "nb") == "2. juli 2025 00:30"
    assert format_number(76974, "nb").replace("\xa0", " ") == "76 974"
    assert format_number(2.5, "nb") == "2,5"
    # Nynorsk has its own weekday and short month names (Babel's nn_NO).
    assert format_date(date(2025, 3, 12), "nn") == "12. mars 2025"
    assert format_date(date(2025, 3, 12), "nn", "short") == "12.03.2025"
    assert format_date(date(2025, 3, 12), "nn", "EEEE") == "onsdag"
    assert format_date(date(2025, 3, 15), "nn", "EEEE") == "laurdag"
    assert format_date(date(2025, 3, 15), "nb", "EEEE") == "lørdag"
    assert format_datetime(datetime(2025, 7, 1, 22, 30, tzinfo=UTC), "nn") == "2. juli 2025 00:30"
    assert format_number(2.5, "nn") == "2,5"


def test_the_language_is_negotiated_and_remembered(anonymous: TestClient) -> None:
    assert from_accept_language("en-GB,en;q=0.9,nb;q=0.8") == "en"
    assert from_accept_language("nn-NO, en;q=0.5") == "nn"
    assert from_accept_language("no, en;q=0.5") == "nb"
    assert from_accept_language("en;q=0.5, nn;q=0.8") == "nn"
    assert from_accept_language("de-DE, fr;q=0.8") is None
    assert page(anonymous.get("/logg-inn")).one("h1").text() == "Logg inn"
    english = anonymous.get("/logg-inn", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert page(english).one("h1").text() == "Sign in"
    assert page(english).one("html").get("lang") == "en"
    chosen = anonymous.get("/logg-inn?lang=en")
    assert chosen.cookies[LANGUAGE_COOKIE] == "en"
    # The cookie now decides, whatever the browser says.
    again = anonymous.get("/logg-inn", headers={"Accept-Language": "nb"})
    assert page(again).one("h1").text() == "Sign in"
    switched = anonymous.post("/sprak", data={"lang": "nb", "next": "/logg-inn?lang=en"})
    assert switched.status_code == 200  # followed the redirect
    assert page(switched).one("h1").text() == "Logg inn"
    assert page(switched).one(class_="notice--success").text() == "Språket er endret."


def test_the_language_switch_is_kept_with_the_user(
    coordinator: SignedInClient, session: Session
) -> None:
    switch = page(coordinator.get("/app")).one("form", action="/sprak")
    buttons = switch.find_all("button", name="lang")
    assert [(b.get("value"), b.get("lang"), b.text()) for b in buttons] == [
        ("nn", "nn", "Norsk nynorsk"),
        ("en", "en", "English"),
    ]
    response = coordinator.post("/sprak", {"lang": "en", "next": "/app/kommuner/5501/forlop"})
    assert response.status_code == 303
    assert response.headers["location"] == "/app/kommuner/5501/forlop"
    user = session.exec(select(User).where(col(User.email) == coordinator.email)).one()
    session.refresh(user)
    assert user.language == "en"
    document = page(coordinator.get("/app/kommuner/5501/forlop"))
    assert document.one("h1").text() == "The dementia pathway"
    assert document.one(class_="notice--success").text() == "The language has been changed."
    titles = [h.text() for h in document.find_all("h2", class_="phase__title")]
    assert titles[1] == "2 Assessment and diagnosis"
    assert "Sist endret" not in document.text()
    # Without the cookie (another device) the person's own setting decides.
    coordinator.client.cookies.delete(LANGUAGE_COOKIE)
    assert page(coordinator.get("/app")).one("h1").text() == "My municipalities"


def test_nynorsk_is_chosen_by_the_browser_the_switch_and_the_person(
    anonymous: TestClient, coordinator: SignedInClient, session: Session
) -> None:
    nynorsk = anonymous.get("/logg-inn", headers={"Accept-Language": "nn-NO,nn;q=0.9,nb;q=0.8"})
    assert page(nynorsk).one("html").get("lang") == "nn"
    assert page(nynorsk).one("h1").text() == "Logg inn"
    assert "Gløymt passord?" in page(nynorsk).text()
    switched = anonymous.post("/sprak", data={"lang": "nn", "next": "/logg-inn"})
    assert page(switched).one(class_="notice--success").text() == "Språket er endra."
    response = coordinator.post("/sprak", {"lang": "nn", "next": "/app"})
    assert response.status_code == 303
    user = session.exec(select(User).where(col(User.email) == coordinator.email)).one()
    session.refresh(user)
    assert user.language == "nn"
    coordinator.client.cookies.delete(LANGUAGE_COOKIE)
    document = page(coordinator.get("/app"))
    assert document.one("html").get("lang") == "nn"
    assert document.one("h1").text() == "Mine kommunar"
