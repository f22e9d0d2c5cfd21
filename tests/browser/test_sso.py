"""Single sign-on in Chromium through a real OpenID provider (the `oidc-provider` package
from npm, on a loopback port): an invited address comes in and accepts its invitation, an
address never invited is refused with a clear message, and a tampered ID token is refused.
The sign-in page with its provider buttons and the refusal pass axe-core; it all works
without JavaScript."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import col, select

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.models.base import Role
from app.models.identity import User
from app.services import identity, invitations
from app.services.access import SYSTEM
from app.services.seed import seed
from tests.browser.conftest import LiveServer, _free_port, axe_violations, describe
from tests.conftest import fresh_database_url
from tests.oidcprovider import OidcTestProvider, require_node

pytestmark = pytest.mark.browser

INVITED = "ny.koordinator@kafjord.kommune.no"
STRANGER = "aldri.invitert@example.no"
ADMIN = "sso.admin@example.no"


@pytest.fixture(scope="module")
def sso_server(browser: Browser) -> Iterator[tuple[LiveServer, OidcTestProvider]]:
    """The app on its own database, told of one provider, and the provider."""
    require_node()
    port = _free_port()
    app_url = f"http://127.0.0.1:{port}"
    provider = OidcTestProvider([f"{app_url}/logg-inn/sso/test/svar"]).start()
    url = fresh_database_url("browser-sso")
    database = Database(url)
    with database.session(write=True) as session:
        seed(session, demo=True)
        admin = identity.create_user(
            session, SYSTEM, email=ADMIN, role=Role.admin, password="et langt admin-passord"
        )
        invitations.invite(
            session,
            identity.user_principal(session, admin),
            email=INVITED,
            role=Role.coordinator,
            base_url=app_url,
            municipalities=["5540"],
        )
    database.dispose()
    settings = Settings(
        environment="test",
        database_url=url,
        secret_key="browser-sso-secret-" + "x" * 32,
        log_level="WARNING",
        demo=True,
        public_url=app_url,
        mail_sender_thread=False,
        oidc_providers=[provider.settings(mfa=True)],
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, name="sso-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            provider.stop()
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield LiveServer(url=app_url, database_url=url), provider
    server.should_exit = True
    thread.join(timeout=15)
    provider.stop()


@pytest.fixture(autouse=True)
def untampered(sso_server: tuple[LiveServer, OidcTestProvider]) -> Iterator[None]:
    yield
    sso_server[1].tamper(None)


def _through_provider(page: Page, server: LiveServer, account: str) -> None:
    page.goto(f"{server.url}/logg-inn")
    page.get_by_role("link", name="Logg inn med Testkommunen ID").click()
    page.wait_for_url("http://127.0.0.1:*/interaction/*")
    page.fill("input[name=login]", account)
    page.fill("input[name=password]", "hva som helst")
    page.click("button[type=submit]")


def test_an_invited_address_signs_in_through_the_provider(
    page: Page, sso_server: tuple[LiveServer, OidcTestProvider]
) -> None:
    server, _ = sso_server
    page.goto(f"{server.url}/logg-inn")
    assert axe_violations(page) == [], describe(axe_violations(page))
    _through_provider(page, server, INVITED)
    page.wait_for_url(f"{server.url}/app")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    database = server.database()
    with database.session() as session:
        user = session.exec(select(User).where(col(User.email) == INVITED)).one()
        assert user.is_active
    database.dispose()


def test_an_address_never_invited_is_refused_with_a_clear_message(
    new_context: type[BrowserContext], sso_server: tuple[LiveServer, OidcTestProvider]
) -> None:
    server, _ = sso_server
    for javascript in (True, False):
        page = new_context(java_script_enabled=javascript).new_page()  # type: ignore[call-arg]
        _through_provider(page, server, STRANGER)
        expect(page).to_have_url(re.compile(r"/logg-inn/sso/test/svar\?"))
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(f"E-postadressen {STRANGER} har ikke tilgang")
        expect(alert).to_contain_text("må invitere deg")
        if javascript:
            assert axe_violations(page) == [], describe(axe_violations(page))
        page.goto(f"{server.url}/app")
        expect(page).to_have_url(re.compile(r"/logg-inn\?next="))


def test_the_refusal_is_in_english_for_an_english_browser(
    new_context: type[BrowserContext], sso_server: tuple[LiveServer, OidcTestProvider]
) -> None:
    server, _ = sso_server
    page = new_context(locale="en-GB").new_page()  # type: ignore[call-arg]
    page.goto(f"{server.url}/logg-inn?lang=en")
    page.get_by_role("link", name="Sign in with Testkommunen ID").click()
    page.fill("input[name=login]", STRANGER)
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text(
        f"The e-mail address {STRANGER} has no access"
    )


def test_a_tampered_id_token_is_refused(
    page: Page, sso_server: tuple[LiveServer, OidcTestProvider]
) -> None:
    """A man in the middle puts an administrator's address into a stranger's ID token:
    the signature no longer fits, and nobody is signed in."""
    server, provider = sso_server
    provider.tamper(ADMIN)
    _through_provider(page, server, STRANGER)
    expect(page).to_have_url(re.compile(r"/logg-inn/sso/test/svar\?"))
    expect(page.get_by_role("alert")).to_contain_text("kunne ikke bekreftes")
    page.goto(f"{server.url}/app")
    expect(page).to_have_url(re.compile(r"/logg-inn\?next="))
