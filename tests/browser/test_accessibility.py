"""axe-core finds nothing on the coordinator's pages, in bokmål and in English, on a desktop
and on a phone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import col, select

from app.models.base import MeasureStatus, local_today
from app.models.identity import User
from app.models.improvement import MeasureCreate
from app.services import improvement, notifications
from app.services.access import SYSTEM
from tests.browser.conftest import ADVISER, TROMSO, LiveServer, axe_violations, describe, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def measure_id(live_server: LiveServer) -> int:
    """A measure in Tromsø's first improvement area (the demo data has areas, no measures),
    one overdue, so that the measure page and the progress plan have something to show."""
    today = local_today()
    database = live_server.database()
    with database.session(write=True) as session:
        page, _ = improvement.list_areas(session, SYSTEM, "5501")
        area_id = page.items[0].id
        created = improvement.create_measure(
            session,
            SYSTEM,
            area_id,
            MeasureCreate(
                title="Samtalegruppe for pårørende",
                responsible="Demenskoordinator",
                start_date=today - timedelta(days=60),
                due_date=today - timedelta(days=5),
                status=MeasureStatus.in_progress,
            ),
        )
        improvement.create_measure(
            session,
            SYSTEM,
            area_id,
            MeasureCreate(
                title="Rutine for oppfølging etter diagnose",
                start_date=today,
                due_date=today + timedelta(days=90),
            ),
        )
    database.dispose()
    return created.id


def _unsubscribe_path(live_server: LiveServer) -> str:
    """The one-click link of a notification e-mail to the first user, about comments."""
    database = live_server.database()
    with database.session() as session:
        user_id = session.exec(select(User.id).order_by(col(User.id))).first()
    database.dispose()
    assert user_id is not None
    return f"/varsler/avmeld/{notifications.unsubscribe_token(user_id, 'comment')}"


PAGES = [
    ("dashboard", "/app"),
    ("pathway editor", "/app/kommuner/5501/forlop"),
    ("phase edit form", "/app/kommuner/5501/forlop/assessment"),
    ("checklist", "/app/kommuner/5501/sjekkliste"),
    ("strengths", "/app/kommuner/5501/styrker"),
    ("improvement areas", "/app/kommuner/5501/forbedringsomrader"),
    ("progress plan", "/app/kommuner/5501/framdriftsplan"),
    ("password", "/app/passord"),
    ("notifications", "/app/varsler"),
    ("users", "/app/admin/brukere"),
]


def _check(page: Page, name: str, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    violations = axe_violations(page)
    assert violations == [], f"{name} ({lang}): {describe(violations)}"


@pytest.mark.markup
@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_no_axe_violations_on_the_coordinators_pages(
    page: Page, live_server: LiveServer, measure_id: int, lang: str, console_errors: list[str]
) -> None:
    page.goto(f"{live_server.url}/logg-inn?lang={lang}")
    _check(page, "sign-in", lang)
    for name, path in (
        ("forgotten password", "/glemt-passord"),
        ("forgotten password sent", "/glemt-passord/sendt"),
        ("unusable link", "/glemt-passord/ny/no-such-link"),
        ("unsubscribe", _unsubscribe_path(live_server)),
        ("unknown unsubscribe link", "/varsler/avmeld/1.comment.forged"),
    ):
        page.goto(f"{live_server.url}{path}?lang={lang}")
        _check(page, name, lang)
    page.goto(f"{live_server.url}{_unsubscribe_path(live_server)}?lang={lang}")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main p.lead[role=status]")).to_be_visible()
    _check(page, "unsubscribed", lang)
    sign_in(page, live_server, TROMSO)
    area_id = page.evaluate(
        "async (url) => (await (await fetch(url)).json()).items[0].id",
        f"{live_server.url}/api/v1/municipalities/5501/improvement-areas",
    )
    pages = [
        *PAGES,
        ("improvement area", f"/app/forbedringsomrader/{area_id}"),
        ("measure", f"/app/tiltak/{measure_id}"),
    ]
    for name, path in pages:
        page.goto(f"{live_server.url}{path}?lang={lang}")
        _check(page, name, lang)

    # Error states too: a form that failed validation, and the forbidden page.
    page.goto(f"{live_server.url}/app/kommuner/5501/forbedringsomrader?lang={lang}")
    page.locator("#nytt-aim").fill("Et mål uten tittel")
    page.locator("#new-area button[type=submit]").click()
    expect(page.locator("#new-area .error-summary")).to_be_visible()
    _check(page, "improvement area form with errors", lang)
    response = page.goto(f"{live_server.url}/app/kommuner/5540/forlop?lang={lang}")
    assert response is not None
    assert response.status == 403
    _check(page, "forbidden", lang)
    # The 422 and the 403 are logged by the browser; nothing else (no CSP violation, no
    # script error) is.
    statuses = "the server responded with a status of"
    assert [e for e in console_errors if statuses not in e] == []


@pytest.mark.markup
def test_no_axe_violations_for_an_adviser_reading(
    page: Page, live_server: LiveServer, measure_id: int
) -> None:
    sign_in(page, live_server, ADVISER)
    for name, path in [
        ("adviser dashboard", "/app"),
        ("read-only editor", "/app/kommuner/5540/forlop"),
        ("read-only checklist", "/app/kommuner/5501/sjekkliste"),
        ("read-only measure", f"/app/tiltak/{measure_id}"),
    ]:
        page.goto(f"{live_server.url}{path}")
        _check(page, name, "nb")


@pytest.mark.markup
def test_phone_sized_pages_fit_the_screen_and_pass_axe(
    new_context: Callable[..., BrowserContext], live_server: LiveServer, measure_id: int
) -> None:
    page = new_context(viewport={"width": 375, "height": 740}, is_mobile=True).new_page()
    sign_in(page, live_server, TROMSO)
    for name, path in [
        ("phone dashboard", "/app"),
        ("phone editor", "/app/kommuner/5501/forlop/assessment"),
        ("phone progress plan", "/app/kommuner/5501/framdriftsplan"),
    ]:
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px"
        _check(page, name, "nb")


@pytest.mark.markup
def test_the_checker_finds_violations_with_and_without_javascript(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    """The axe helper every page check relies on reports what is wrong (it collects only
    violations, which keeps it quick on the 357-row national view), also on a page whose
    context runs no scripts."""
    broken = (
        "<!doctype html><html lang='nb'><head><title>x</title></head><body><main>"
        "<h1>x</h1><img src='/static/none.png'>"
        "<p style='color:#eee;background:#fff'>lys tekst</p></main></body></html>"
    )
    for scripts in (True, False):
        page = new_context(java_script_enabled=scripts).new_page()
        page.route(
            f"{live_server.url}/broken",
            lambda route: route.fulfill(status=200, content_type="text/html", body=broken),
        )
        page.goto(f"{live_server.url}/broken")
        found = {violation["id"] for violation in axe_violations(page)}
        assert {"image-alt", "color-contrast"} <= found, (scripts, found)
