"""Writes made outside the app — plain SQL, as psql, a restore or another tool would make
them — are honoured by every running process on its next request: a revoked token, a deleted
session, restored content. Two real servers share the database; the SQL runs on a connection
of its own."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, text

from app.db import Database, make_engine
from app.models.base import Role
from app.security import sha256_hex
from app.services import identity
from app.services.access import SYSTEM
from app.services.seed import seed
from tests.conftest import fresh_database_url
from tests.live import LiveServer, write_token
from tests.webtools import sign_in

pytestmark = pytest.mark.slow

EMAIL = "utenfra@example.no"
PASSWORD = "riktig-passord-123"
PATHWAY = "/api/v1/municipalities/5501/pathway"


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[LiveServer, LiveServer, str, Engine]]:
    url = fresh_database_url("outside_writes")
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
    first = LiveServer(url, demo=False).start()
    second = LiveServer(url, demo=False).start()
    psql = make_engine(url)
    try:
        yield first, second, url, psql
    finally:
        psql.dispose()
        first.stop()
        second.stop()


def _sql(psql: Engine, statement: str, **values: object) -> int:
    with psql.begin() as connection:
        return connection.execute(text(statement), values).rowcount


def test_a_token_revoked_in_sql_is_refused_on_its_next_call(
    servers: tuple[LiveServer, LiveServer, str, Engine],
) -> None:
    first, second, url, psql = servers
    for attempt in range(20):
        token = write_token(url, "5501")
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(headers=headers) as client:
            # Both processes have just used it, so each could have kept it.
            assert client.get(first.url + PATHWAY).status_code == 200, attempt
            assert client.get(second.url + PATHWAY).status_code == 200, attempt
            revoked = _sql(
                psql,
                "UPDATE api_token SET revoked_at = CURRENT_TIMESTAMP WHERE token_hash = :hash",
                hash=sha256_hex(token),
            )
            assert revoked == 1
            assert client.get(first.url + PATHWAY).status_code == 401, attempt
            assert client.get(second.url + PATHWAY).status_code == 401, attempt


def test_a_session_deleted_in_sql_is_signed_out_on_its_next_request(
    servers: tuple[LiveServer, LiveServer, str, Engine],
) -> None:
    first, second, _, psql = servers
    with httpx.Client(base_url=first.url) as browser:
        sign_in(browser, EMAIL, PASSWORD)  # type: ignore[arg-type]
        cookies = dict(browser.cookies)
    for server in (first, second):
        with httpx.Client(base_url=server.url, cookies=cookies) as browser:
            assert browser.get("/app", follow_redirects=False).status_code == 200
    _sql(
        psql,
        'DELETE FROM web_session WHERE user_id = (SELECT id FROM "user" WHERE email = :email)',
        email=EMAIL,
    )
    for server in (first, second):
        with httpx.Client(base_url=server.url, cookies=cookies) as browser:
            assert browser.get("/app", follow_redirects=False).status_code in (302, 303, 307)
            assert browser.get(PATHWAY).status_code == 401


def test_content_restored_in_sql_is_served_on_the_next_request(
    servers: tuple[LiveServer, LiveServer, str, Engine],
) -> None:
    first, second, url, psql = servers
    headers = {"Authorization": f"Bearer {write_token(url, '5501')}"}
    with httpx.Client(headers=headers) as client:
        for server in (first, second):  # kept by both
            assert client.get(server.url + PATHWAY).status_code == 200
            assert client.get(server.url + PATHWAY).status_code == 200
        # Restored as a restore would: the rows alone, the municipality's version untouched.
        _sql(
            psql,
            "UPDATE phase_section SET description = 'Hentet tilbake' WHERE phase = 'assessment'"
            " AND municipality_id = (SELECT id FROM municipality WHERE number = '5501')",
        )
        for server in (first, second):
            assert "Hentet tilbake" in client.get(server.url + PATHWAY).text
