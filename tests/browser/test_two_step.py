"""Two-step verification in Chromium: turned on by scanning (here: reading) the secret,
the recovery codes shown once, and the next sign-in asks for a code; each page passes
axe-core."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import Page, expect

from app.models.base import Role, utcnow
from app.services import identity
from app.services.access import SYSTEM
from tests.browser.conftest import LiveServer, axe_violations, describe

pytestmark = pytest.mark.browser

EMAIL = "totp.nettleser@example.no"
PASSWORD = "et langt passord for nettlesertesten"


@pytest.fixture(scope="module")
def person(live_server: LiveServer) -> str:
    database = live_server.database()
    with database.session(write=True) as session:
        identity.create_user(
            session,
            SYSTEM,
            email=EMAIL,
            role=Role.coordinator,
            password=PASSWORD,
            name="Totrinn Testesen",
            municipalities=["5501"],
        )
    database.dispose()
    return EMAIL


def _password(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/logg-inn")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")


def test_turn_on_and_sign_in_with_a_code(
    page: Page, live_server: LiveServer, person: str, console_errors: list[str]
) -> None:
    _password(page, live_server)
    page.wait_for_url(f"{live_server.url}/app")
    page.goto(f"{live_server.url}/app/totp")
    expect(page.locator(".qr svg")).to_be_visible()
    assert axe_violations(page) == [], describe(axe_violations(page))
    totp = pyotp.TOTP(page.locator("code.secret").inner_text().strip())
    page.get_by_role("textbox", name="Kode").fill(totp.now())
    page.get_by_role("button", name="Slå på totrinnsbekreftelse").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert axe_violations(page) == [], describe(axe_violations(page))

    page.context.clear_cookies()
    _password(page, live_server)
    page.wait_for_url(f"{live_server.url}/logg-inn/kode?next=/app")
    assert axe_violations(page) == [], describe(axe_violations(page))
    page.get_by_role("textbox", name="Kode").fill(totp.at(utcnow() + timedelta(seconds=30)))
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server.url}/app")
    assert console_errors == []
