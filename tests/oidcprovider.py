"""A real OpenID provider for the single sign-on tests: the `oidc-provider` package from
npm (tests/oidc/provider.mjs) run by Node on a loopback port.

`OidcTestProvider(redirect_uris).start()` starts it; `login(url, account)` signs in on its
login page with a plain HTTP client and returns where the provider sends the browser back;
`tamper(email)` makes its token endpoint alter the ID token's payload. Without Node or the
package (make install-dev runs npm ci) the tests are skipped, except with CI=true, where
that fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from app.config import OidcProvider
from tests.conftest import IN_CI
from tests.mailserver import free_port

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
PACKAGE = ROOT / "node_modules" / "oidc-provider" / "package.json"
CLIENT_ID = "demensforlop-test"
CLIENT_SECRET = "test-client-secret-0123456789abcdef"

#: The provider's people: login -> claims. The login is the e-mail address.
ACCOUNTS = {
    email: {"sub": f"sub-{n}", "email": email, "email_verified": verified, "name": name}
    for n, (email, verified, name) in enumerate(
        [
            ("ny.koordinator@kafjord.kommune.no", True, "Ny Koordinator"),
            ("aktiv.koordinator@example.no", True, "Aktiv Koordinator"),
            ("aldri.invitert@example.no", True, "Aldri Invitert"),
            ("ubekreftet@example.no", False, "Ubekreftet Adresse"),
            ("deaktivert@example.no", True, "Deaktivert Bruker"),
            ("sso.admin@example.no", True, "SSO Admin"),
            ("utlopt.invitasjon@example.no", True, "Utløpt Invitasjon"),
        ],
        start=1,
    )
}


def require_node() -> str:
    """The node command, or a skip (a failure in CI) saying what is missing."""
    node = shutil.which("node")
    missing = [
        name for name, there in (("node", node), (str(PACKAGE), PACKAGE.exists())) if not there
    ]
    if missing:
        message = (
            f"single sign-on tests need {', '.join(missing)} "
            "(apt-get install nodejs npm; make install-dev runs npm ci)"
        )
        if IN_CI:
            pytest.fail(message + "; in CI that is a failure", pytrace=False)
        pytest.skip(message)
    assert node is not None
    return node


class OidcTestProvider:
    def __init__(self, redirect_uris: list[str], key: str = "test") -> None:
        self.redirect_uris = redirect_uris
        self.key = key
        self.port = free_port()
        self.process: subprocess.Popen[str] | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self, **options: object) -> OidcProvider:
        """How the app is told of this provider (an item of OIDC_PROVIDERS)."""
        values: dict[str, object] = {
            "key": self.key,
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "display_name": "Testkommunen ID",
            **options,
        }
        return OidcProvider.model_validate(values)

    def start(self, timeout: float = 20) -> OidcTestProvider:
        node = require_node()
        clients = [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": self.redirect_uris,
            }
        ]
        env = {
            **os.environ,
            "OIDC_PORT": str(self.port),
            "OIDC_CLIENTS": json.dumps(clients),
            "OIDC_ACCOUNTS": json.dumps(ACCOUNTS),
            "NODE_NO_WARNINGS": "1",
        }
        self.process = subprocess.Popen(
            [node, str(SCRIPT)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            seen.append(line)
            if line.startswith("listening "):
                return self
        self.stop()
        raise RuntimeError("the test OpenID provider did not start:\n" + "".join(seen))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None

    def tamper(self, email: str | None) -> None:
        """From now on the token endpoint answers with the ID token's e-mail replaced by
        `email`, its signature kept (None: untouched again)."""
        body = {"mode": "payload", "email": email} if email else {"mode": "off", "email": ""}
        httpx.post(f"{self.issuer}/test/tamper", json=body, timeout=10).raise_for_status()

    def login(self, authorization_url: str, account: str) -> str:
        """Signs in as `account` on the provider's login page, starting at the URL the app
        sent the browser to; returns the URL the provider sends the browser back to."""
        with httpx.Client(timeout=10, follow_redirects=False) as browser:
            url = authorization_url
            for _ in range(10):
                if not url.startswith(self.issuer):
                    return url
                response = browser.get(url)
                if response.status_code in (302, 303):
                    url = urljoin(url, response.headers["location"])
                    continue
                action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
                if response.status_code != 200 or action is None:
                    raise AssertionError(f"unexpected page at the provider: {response.text[:500]}")
                posted = browser.post(
                    urljoin(url, unescape(action.group(1))),
                    data={"prompt": "login", "login": account, "password": "any"},
                )
                assert posted.status_code in (302, 303), posted.text[:500]
                url = urljoin(url, posted.headers["location"])
        raise AssertionError("the provider never sent the browser back")
