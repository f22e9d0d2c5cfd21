"""Acceptance: a coordinator makes a write token for their municipality in the browser; it
works on the API for that municipality and is refused (403) on another; revoking it in the
browser takes effect at once (401). The page passes axe-core with the token shown and
listed, and the menu leads to it."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import TROMSO, LiveServer, axe_violations, describe, sign_in

pytestmark = pytest.mark.browser

PATH = "/app/admin/api-klienter"
NAME = "Journalsystemet i Tromsø (nettlesertest)"


def _strength(server: LiveServer, token: str, number: str) -> int:
    response = httpx.post(
        f"{server.url}/api/v1/municipalities/{number}/strengths",
        json={"text": "Skrevet av journalsystemet"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    return response.status_code


def test_a_coordinator_makes_uses_and_revokes_a_write_token(
    page: Page, live_server: LiveServer, console_errors: list[str]
) -> None:
    sign_in(page, live_server, TROMSO)
    page.get_by_role("link", name="API-klienter").first.click()
    page.wait_for_url(f"{live_server.url}{PATH}")

    page.get_by_label("Navn").fill(NAME)
    page.get_by_label("Lese og endre").check()
    page.get_by_label("5501 Tromsø").check()
    page.get_by_role("button", name="Lag nøkkel").click()
    field = page.locator("#new-token")
    expect(field).to_be_visible()
    token = field.input_value()
    assert len(token) > 20
    assert axe_violations(page) == [], describe(axe_violations(page))

    assert _strength(live_server, token, "5501") == 201
    assert _strength(live_server, token, "5540") == 403

    page.goto(f"{live_server.url}{PATH}")
    row = page.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text(token[:12])
    expect(page.locator("#new-token")).to_have_count(0)
    assert token not in page.content()
    row.get_by_role("button", name="Trekk tilbake").click()
    page.wait_for_url(f"{live_server.url}{PATH}")
    expect(page.get_by_role("row").filter(has_text=NAME)).to_contain_text("Trukket tilbake")
    assert _strength(live_server, token, "5501") == 401
    assert axe_violations(page) == [], describe(axe_violations(page))
    assert console_errors == []
