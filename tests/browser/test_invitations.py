"""Acceptance: an administrator invites a coordinator for Kåfjord in the browser; the
invitation arrives at the SMTP server; its link sets a password; the coordinator signs in,
sets up two-step verification, signs in again with a code and invites a colleague to
Kåfjord, but not anyone to Tromsø (403). And a forgotten
password: the same answer for an unknown address, a link that works once."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import Page, expect

from app.models.base import Role, utcnow
from app.services import identity
from app.services.access import SYSTEM
from tests.browser.conftest import LiveServer, demo_user, sign_in
from tests.mailserver import SmtpServer, text_of

pytestmark = pytest.mark.browser

ADMIN = demo_user("admin")
PASSWORD = "et langt passord for Kåfjord"
_run = itertools.count()


def _link(mail_server: SmtpServer, server: LiveServer, address: str, path: str) -> str:
    (message,) = mail_server.inbox.wait_for(address)
    found = re.search(re.escape(server.url) + re.escape(path) + r"/\S+", text_of(message))
    assert found, text_of(message)
    return found.group(0)


def _invite(page: Page, email: str, municipality: str) -> None:
    page.fill("input[name=email]", email)
    page.select_option("select[name=role]", "coordinator")
    page.fill("input[name=municipality]", municipality)
    page.click("button:has-text('Send invitasjon')")


def test_invitation_from_admin_to_coordinator_to_colleague(
    page: Page, live_server: LiveServer, mail_server: SmtpServer, console_errors: list[str]
) -> None:
    n = next(_run)
    invited = f"ny.kafjord{n}@example.no"
    sign_in(page, live_server, ADMIN)
    page.click("header >> text=Brukere")
    page.wait_for_url(f"{live_server.url}/app/admin/brukere")
    _invite(page, invited, "5540")
    page.wait_for_url(f"{live_server.url}/app/admin/brukere")
    assert "Invitasjonen er sendt" in page.inner_text("main")
    link = _link(mail_server, live_server, invited, "/invitasjon")

    page.context.clear_cookies()
    page.goto(link)
    page.fill("input[name=new_password]", PASSWORD)
    page.fill("input[name=repeat_password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/logg-inn.*"))
    page.fill("input[name=email]", invited)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/app")

    # Two-step verification set up, then a sign-in that asks for a code.
    page.goto(f"{live_server.url}/app/totp")
    totp = pyotp.TOTP(page.locator("code.secret").inner_text().strip())
    page.get_by_role("textbox", name="Kode").fill(totp.now())
    page.get_by_role("button", name="Slå på totrinnsbekreftelse").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/logg-inn")
    page.fill("input[name=email]", invited)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/logg-inn/kode?next=/app")
    page.get_by_role("textbox", name="Kode").fill(totp.at(utcnow() + timedelta(seconds=30)))
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server.url}/app")

    page.goto(f"{live_server.url}/app/admin/brukere")
    colleague = f"kollega{n}@example.no"
    _invite(page, colleague, "5540")
    page.wait_for_url(f"{live_server.url}/app/admin/brukere")
    assert "Invitasjonen er sendt" in page.inner_text("main")
    _link(mail_server, live_server, colleague, "/invitasjon")

    with page.expect_response(lambda r: r.request.method == "POST") as refused:
        _invite(page, f"tromso{n}@example.no", "5501")
    assert refused.value.status == 403
    assert mail_server.inbox.to(f"tromso{n}@example.no") == []
    assert [e for e in console_errors if "status of 403" not in e] == []  # only the refusal


def test_forgotten_password_same_answer_and_a_link_that_works_once(
    page: Page, live_server: LiveServer, mail_server: SmtpServer
) -> None:
    n = next(_run)
    email = f"glemsk{n}@example.no"
    database = live_server.database()
    with database.session(write=True) as session:
        identity.create_user(
            session,
            SYSTEM,
            email=email,
            role=Role.coordinator,
            password=PASSWORD,
            municipalities=["5540"],
        )
    database.dispose()
    page.goto(f"{live_server.url}/logg-inn")
    page.click("text=Glemt passord?")
    page.fill("input[name=email]", "finnes.ikke@example.no")
    page.click("main form button[type=submit]")
    unknown_answer = page.inner_text("main")
    page.goto(f"{live_server.url}/glemt-passord")
    page.fill("input[name=email]", email)
    page.click("main form button[type=submit]")
    assert page.inner_text("main") == unknown_answer
    link = _link(mail_server, live_server, email, "/glemt-passord/ny")
    page.goto(link)
    page.fill("input[name=new_password]", PASSWORD + " nytt")
    page.fill("input[name=repeat_password]", PASSWORD + " nytt")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/logg-inn.*"))
    page.goto(link)
    assert "allerede brukt" in page.inner_text("main")
