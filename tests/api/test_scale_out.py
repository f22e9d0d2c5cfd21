"""Two app processes on different ports sharing one database: no state lives in a process.
A session made on one is valid on the other, login throttling counts across both, and
If-Match conflicts are detected across both."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.db import Database
from app.models.base import Role
from app.services import identity
from app.services.access import SYSTEM
from app.services.seed import seed
from tests.conftest import fresh_database_url
from tests.live import LiveServer, write_token
from tests.webtools import form_fields, page, sign_in

pytestmark = pytest.mark.slow

EMAIL = "skalering@example.no"
PASSWORD = "riktig-passord-123"


@pytest.fixture(scope="module")
def two_servers() -> Iterator[tuple[LiveServer, LiveServer, str]]:
    url = fresh_database_url("scale_out")
    database = Database(url)
    with database.session(write=True) as session:
        seed(session)
    with database.session(write=True) as session:
        identity.create_user(
            session,
            SYSTEM,
            email=EMAIL,
            role=Role.coordinator,
            password=PASSWORD,
            municipalities=["5501"],
        )
    database.dispose()
    token = write_token(url, "5501")
    first = LiveServer(url, demo=False).start()
    second = LiveServer(url, demo=False).start()
    try:
        yield first, second, token
    finally:
        first.stop()
        second.stop()


def test_a_session_made_on_one_instance_works_on_the_other(
    two_servers: tuple[LiveServer, LiveServer, str],
) -> None:
    first, second, _ = two_servers
    assert first.port != second.port
    with httpx.Client(base_url=first.url) as on_first:
        sign_in(on_first, EMAIL, PASSWORD)  # type: ignore[arg-type]
        cookies = dict(on_first.cookies)
    with httpx.Client(base_url=second.url, cookies=cookies) as on_second:
        dashboard = on_second.get("/app", follow_redirects=False)
        assert dashboard.status_code == 200
        assert "Tromsø" in dashboard.text
        # Signing out on the second instance ends the session on the first as well.
        csrf = page(on_second.get("/app/passord")).find("input", name="csrf_token")
        assert csrf is not None
        signed_out = on_second.post(
            "/logg-ut", data={"csrf_token": csrf.get("value") or ""}, follow_redirects=False
        )
        assert signed_out.status_code == 303
    with httpx.Client(base_url=first.url, cookies=cookies) as stale:
        assert stale.get("/app", follow_redirects=False).status_code in (302, 303, 307)


def test_login_throttling_counts_across_instances(
    two_servers: tuple[LiveServer, LiveServer, str],
) -> None:
    first, second, _ = two_servers

    def attempt(server: LiveServer, password: str) -> httpx.Response:
        with httpx.Client(base_url=server.url) as client:
            form = page(client.get("/logg-inn")).one("form", action="/logg-inn")
            fields = form_fields(form)
            return client.post(
                "/logg-inn",
                data={**fields, "email": EMAIL, "password": password, "next": "/app"},
                follow_redirects=False,
            )

    statuses = [
        attempt(first if i % 2 else second, "feil-passord-000").status_code for i in range(5)
    ]
    assert statuses == [422] * 5
    # Five failures spread over two processes: now even the right password is refused,
    # on either instance.
    assert attempt(first, PASSWORD).status_code == 429
    assert attempt(second, PASSWORD).status_code == 429


def test_if_match_conflicts_are_seen_across_instances(
    two_servers: tuple[LiveServer, LiveServer, str],
) -> None:
    first, second, token = two_servers
    headers = {"Authorization": f"Bearer {token}"}
    path = "/api/v1/municipalities/5501/pathway/phases/suspicion"
    tag = httpx.get(first.url + path, headers=headers).headers["etag"]
    saved = httpx.put(
        first.url + path,
        json={"description": "Lagret på den første"},
        headers={**headers, "If-Match": tag},
    )
    assert saved.status_code == 200
    stale = httpx.put(
        second.url + path,
        json={"description": "Lagret på den andre"},
        headers={**headers, "If-Match": tag},
    )
    assert stale.status_code == 412
    assert stale.json()["current"]["description"] == "Lagret på den første"
    assert httpx.get(second.url + path, headers=headers).json()["description"] == (
        "Lagret på den første"
    )
