"""Browser tests: a real server (uvicorn in a thread) on a fresh, migrated database of the
backend under test with the demo data, driven by Debian's Chromium through Playwright.

Fixtures for any browser test: `live_server` (base URL and database URL), `browser` (one
Chromium per test session), `context`/`page` (a fresh bokmål browser per test),
`new_context(**options)` for more (another person, no JavaScript, a phone), and the helpers
`sign_in(page, server, user)` and `axe_violations(page)`.

Chromium must be at /usr/bin/chromium (`apt-get install chromium`); it is never downloaded.
Without it the tests are skipped with a message, except with CI=true, where that fails.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.services.seed import DEMO_USERS, DemoUser, seed
from tests.conftest import IN_CI, fresh_database_url
from tests.mailserver import SmtpServer

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def demo_user(email_start: str) -> DemoUser:
    return next(u for u in DEMO_USERS if u.email.startswith(email_start))


TROMSO = demo_user("koordinator.tromso")
KAFJORD = demo_user("koordinator.kafjord")
ADVISER = demo_user("radgiver.troms")


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str

    def database(self) -> Database:
        return Database(self.database_url)


def _free_port() -> int:
    """A free port from TEST_SERVER_PORTS ("8100-8199") if set, else one the OS picks."""
    spec = os.environ.get("TEST_SERVER_PORTS", "")
    candidates = [0]
    if spec:
        low, _, high = spec.partition("-")
        candidates = list(range(int(low), int(high or low) + 1))
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise RuntimeError(f"no free port in TEST_SERVER_PORTS={spec}")


@pytest.fixture(scope="session")
def mail_server() -> Iterator[SmtpServer]:
    """The live server's SMTP server: what it sends arrives in `mail_server.inbox`."""
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture(scope="session")
def live_server(mail_server: SmtpServer) -> Iterator[LiveServer]:
    url = fresh_database_url("browser")
    database = Database(url)
    with database.session(write=True) as session:
        seed(session, demo=True)
    database.dispose()
    port = _free_port()
    settings = Settings(
        environment="test",
        database_url=url,
        secret_key="browser-test-secret-" + "x" * 32,
        log_level="WARNING",
        demo=True,
        smtp_url=mail_server.url,
        public_url=f"http://127.0.0.1:{port}",
        mail_poll_seconds=0.5,
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield LiveServer(url=f"http://127.0.0.1:{port}", database_url=url)
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    missing = [str(p) for p in (CHROMIUM, AXE) if not p.exists()]
    if missing:
        message = (
            f"browser tests need {', '.join(missing)} "
            "(apt-get install chromium; make install-dev runs npm ci for axe-core)"
        )
        if IN_CI:
            pytest.fail(message + "; in CI that is a failure", pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def console_errors() -> list[str]:
    """Errors the pages of this test wrote to the console (CSP violations, failed loads,
    script errors); tests assert it stays empty."""
    return []


@pytest.fixture
def new_context(
    browser: Browser, console_errors: list[str]
) -> Iterator[Callable[..., BrowserContext]]:
    """Fresh browser contexts (separate cookies), closed after the test. Bokmål unless the
    test asks for another locale."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("locale", "nb-NO")
        options.setdefault("viewport", {"width": 1280, "height": 900})
        made = browser.new_context(**options)
        made.set_default_timeout(10_000)
        made.on(
            "console",
            lambda message: (
                console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        made.on("weberror", lambda error: console_errors.append(str(error.error)))
        contexts.append(made)
        return made

    yield make
    for made in contexts:
        made.close()


@pytest.fixture
def context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_in(page: Page, server: LiveServer, user: DemoUser, next_path: str = "/app") -> None:
    page.goto(f"{server.url}/logg-inn?next={next_path}")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", user.password)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{server.url}{next_path}")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Runs axe-core (every rule it runs by default, best practices included) on the page
    as it is now, and returns its violations in a readable form. Only violations are
    collected in full (`resultTypes`), which halves the time on long pages; every rule still
    runs (tests/browser/test_accessibility.py checks that the helper finds violations)."""
    if _timers_stalled(page):
        return _axe_on_a_copy(page)
    # Evaluated through the DevTools protocol: the page's CSP (rightly) forbids inline scripts.
    page.evaluate("(() => {" + AXE.read_text(encoding="utf-8") + "\n})()")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def _timers_stalled(page: Page) -> bool:
    """True when the page's context runs no scripts (`java_script_enabled=False`): timers
    never fire there, so axe, which waits on them, would never finish."""
    page.evaluate("() => { window.__tick = false; setTimeout(() => { window.__tick = true; }); }")
    page.wait_for_timeout(50)
    return not page.evaluate("() => window.__tick")


def _axe_on_a_copy(page: Page) -> list[dict[str, Any]]:
    """Axe on the exact HTML a script-less page shows, loaded at the same address in a
    context that runs scripts (its styles and images still come from the live server)."""
    browser = page.context.browser
    assert browser is not None
    html = page.content()
    copy_context = browser.new_context(locale="nb-NO", viewport=page.viewport_size)
    try:
        copy = copy_context.new_page()
        copy.route(
            page.url,
            lambda route: route.fulfill(status=200, content_type="text/html", body=html),
        )
        # The page's own scripts stay out, so the copy is the document script-less users get.
        copy.route("**/*.js", lambda route: route.abort())
        copy.goto(page.url)
        return axe_violations(copy)
    finally:
        copy_context.close()


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, indent=2, ensure_ascii=False)
