"""Everyday use in a real browser, in every interface language: the checklist saved as one
answers (with and without JavaScript), the warning before leaving unsaved changes, dates
typed as dd.mm.åååå in a browser of another language, and the layout slips people met."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Dialog, Page, expect

from app.services import checklist
from app.services.access import SYSTEM
from app.web.i18n import LANGUAGES
from tests.browser.conftest import (
    ADVISER,
    TROMSO,
    LiveServer,
    axe_violations,
    describe,
    sign_in,
)

pytestmark = pytest.mark.browser

CHECKLIST = "/app/kommuner/5501/sjekkliste"


def _check(page: Page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{name}: {describe(violations)}"


def _item_keys(server: LiveServer) -> list[str]:
    database = server.database()
    with database.session() as session:
        keys = [i.item for i in checklist.get_answers(session, SYSTEM, "5501").items]
    database.dispose()
    return keys


def _saved(server: LiveServer, key: str) -> tuple[str | None, str]:
    database = server.database()
    with database.session() as session:
        item = checklist.get_answer(session, SYSTEM, "5501", key)
    database.dispose()
    return (item.answer.value if item.answer else None, item.comment)


def _dialogs(page: Page) -> list[str]:
    """Records the page's dialogs (the warning before leaving) and stays on the page."""
    seen: list[str] = []

    def handle(dialog: Dialog) -> None:
        seen.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", handle)
    return seen


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_checklist_saves_each_answer_as_it_changes(
    page: Page, live_server: LiveServer, lang: str, console_errors: list[str]
) -> None:
    index = LANGUAGES.index(lang)
    key = _item_keys(live_server)[-1 - 2 * index]
    sign_in(page, live_server, TROMSO)
    page.goto(f"{live_server.url}{CHECKLIST}?lang={lang}")
    _check(page, f"checklist ({lang})")
    # One form for the whole checklist, with one button; no button per item.
    expect(page.locator("main form#checklist-form")).to_have_count(1)
    expect(page.locator("#checklist-form button[type=submit]:not([formaction])")).to_have_count(1)

    item = page.locator(f"#punkt-{key}")
    item.locator("input[value=partly]").check()
    expect(item.locator(".saved-note")).to_be_visible()
    assert _saved(live_server, key) == ("partly", "")
    expect(page.locator("#announcer")).not_to_be_empty()
    _check(page, f"checklist after a save in place ({lang})")

    # A comment typed and not yet saved: leaving the page warns, and staying keeps it.
    dialogs = _dialogs(page)
    comment = item.locator("textarea")
    comment.fill("Skrevet, ikke lagret")
    page.locator(".tabs a").first.click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.url.startswith(f"{live_server.url}{CHECKLIST}")
    # Leaving the field saves the comment in place; then the page is left without a warning.
    item = page.locator(f"#punkt-{key}")
    item.locator("textarea").press("Tab")
    expect(page.locator(f"#punkt-{key} .saved-note")).to_be_visible()
    assert _saved(live_server, key) == ("partly", "Skrevet, ikke lagret")
    page.locator(".tabs a").first.click()
    page.wait_for_url(lambda url: "sjekkliste" not in url)
    assert dialogs == ["beforeunload"]
    assert console_errors == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_checklist_is_saved_with_one_button_without_javascript(
    new_context: Callable[..., BrowserContext], live_server: LiveServer, lang: str
) -> None:
    index = LANGUAGES.index(lang)
    keys = _item_keys(live_server)
    first, second = keys[2 * index], keys[2 * index + 1]
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, live_server, TROMSO)
    page.goto(f"{live_server.url}{CHECKLIST}?lang={lang}")
    page.locator(f"#punkt-{first} input[value=yes]").check()
    page.locator(f"#punkt-{second} input[value=no]").check()
    page.locator(f"#punkt-{second} textarea").fill("Mangler rutine")
    page.locator("#checklist-form > .actions button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{CHECKLIST}#lagre-svarene")
    expect(page.locator(".notice--success")).to_be_visible()
    expect(page.locator(f"#punkt-{first} input[value=yes]")).to_be_checked()
    expect(page.locator(f"#punkt-{second} textarea")).to_have_value("Mangler rutine")
    assert _saved(live_server, first) == ("yes", "")
    assert _saved(live_server, second) == ("no", "Mangler rutine")
    _check(page, f"checklist without JavaScript ({lang})")


def test_leaving_any_form_with_unsaved_changes_warns(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, TROMSO)
    page.goto(f"{live_server.url}/app/kommuner/5501/styrker")
    dialogs = _dialogs(page)
    # Untouched forms: no warning.
    page.goto(f"{live_server.url}/app/kommuner/5501/styrker")
    assert dialogs == []
    page.locator("main form textarea").first.fill("Et godt samarbeid med fastlegene")
    page.locator(".tabs a").first.click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/styrker")
    # Saving clears the warning.
    page.locator("main form textarea").first.press("Tab")
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_text("Et godt samarbeid med fastlegene").first).to_be_visible()
    page.locator(".tabs a").first.click()
    page.wait_for_url(lambda url: "styrker" not in url)
    assert dialogs == ["beforeunload"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_dates_are_dd_mm_yyyy_in_a_browser_of_another_language(
    new_context: Callable[..., BrowserContext], live_server: LiveServer, lang: str
) -> None:
    page = new_context(locale="en-US").new_page()
    sign_in(page, live_server, TROMSO)
    area_id = page.evaluate(
        "async (url) => (await (await fetch(url)).json()).items[0].id",
        f"{live_server.url}/api/v1/municipalities/5501/improvement-areas",
    )
    page.goto(f"{live_server.url}/app/forbedringsomrader/{area_id}?lang={lang}")
    start = page.locator("input[name=start_date]").first
    assert start.get_attribute("type") == "text"
    form = start.locator("xpath=ancestor::form")
    form.locator("input[name=title]").fill(f"Datotiltak {lang}")
    start.fill("03/05/2027")
    form.locator("button[type=submit]").first.click()
    error = page.locator("#" + (start.get_attribute("id") or "") + "-error")
    expect(error).to_be_visible()
    # What was typed is kept beside the error.
    expect(page.locator("input[name=start_date]").first).to_have_value("03/05/2027")
    _check(page, f"date error ({lang})")
    page.locator("input[name=start_date]").first.fill("05.03.2027")
    page.locator("input[name=start_date]").first.locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).first.click()
    link = page.get_by_role("link", name=f"Datotiltak {lang}")
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("input[name=start_date]")).to_have_value("05.03.2027")


def _gap(page: Page, first: str, second: str, axis: str = "x") -> float:
    a = page.locator(first).first.bounding_box()
    b = page.locator(second).first.bounding_box()
    assert a is not None
    assert b is not None
    if axis == "x":
        return b["x"] - (a["x"] + a["width"])
    return b["y"] - (a["y"] + a["height"])


@pytest.mark.markup
@pytest.mark.parametrize("lang", LANGUAGES)
def test_layout_slips_are_gone(
    page: Page, new_context: Callable[..., BrowserContext], live_server: LiveServer, lang: str
) -> None:
    sign_in(page, live_server, ADVISER)
    # An open comment thread on a phase: the badge and the link to the phase keep apart.
    page.goto(f"{live_server.url}/app/kommuner/5501/kommentarer?lang={lang}")
    page.locator("#ny-gjelder").select_option(index=1)
    page.locator("#ny-text").fill(f"Hvem har ansvaret for oppfølgingen? ({lang})")
    page.locator("#ny-kommentar button[type=submit]").click()
    thread = page.locator("article.thread", has=page.locator("h3 a.meta")).first
    heading = thread.locator("h3")
    expect(heading.locator(".badge--open")).to_be_visible()
    badge = heading.locator(".badge--open").bounding_box()
    link = heading.locator("a.meta").bounding_box()
    assert badge is not None
    assert link is not None
    same_line = abs(badge["y"] - link["y"]) < badge["height"]
    assert (link["x"] - (badge["x"] + badge["width"]) >= 8) if same_line else True
    _check(page, f"comments ({lang})")
    # The review form's button keeps its distance from the heading after it.
    assert _gap(page, "#gjennomganger form .actions", "#resolved-title", axis="y") >= 16
    # The switcher shows the whole name with "(eksempeldata)".
    switcher = page.locator("#switcher-kommune")
    cut = switcher.evaluate(
        """select => {
            const probe = document.createElement("span");
            const style = getComputedStyle(select);
            probe.style.font = style.font;
            probe.style.whiteSpace = "pre";
            probe.textContent = select.options[select.selectedIndex].text;
            document.body.appendChild(probe);
            const needed = probe.getBoundingClientRect().width;
            probe.remove();
            const room = select.clientWidth - parseFloat(style.paddingLeft)
                - parseFloat(style.paddingRight) - 16;
            return needed > room;
        }"""
    )
    assert not cut
    # On a phone every tab is on the screen: the bar wraps, nothing hides.
    phone = new_context(viewport={"width": 375, "height": 740}, is_mobile=True).new_page()
    sign_in(phone, live_server, TROMSO)
    phone.goto(f"{live_server.url}/app/kommuner/5501/sjekkliste?lang={lang}")
    tabs = phone.locator(".tabs a")
    assert tabs.count() >= 7
    for i in range(tabs.count()):
        box = tabs.nth(i).bounding_box()
        assert box is not None
        assert box["x"] >= 0, tabs.nth(i).inner_text()
        assert box["x"] + box["width"] <= 375, tabs.nth(i).inner_text()
    _check(phone, f"phone checklist ({lang})")
