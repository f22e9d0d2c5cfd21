"""The stamps read on the event loop (`app.cache.StampReader`) and the early 304s answered
there (`app.conditional`): each read sees every write committed before it began, however
many requests share it; a 304 from kept values touches no pooled connection; and a write
made with SQL still counts on the very next request.

These need a database the app's own connections see as committed (not the suite's one
rolled-back transaction), and the reader exists on PostgreSQL only: SQLite reads the stamps
in a thread, which the rest of the suite runs through."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text

from app.cache import StampReader
from app.config import Settings
from app.db import Database, make_engine
from app.deps import SESSION_COOKIE
from app.main import create_app
from app.models.base import Scope, utcnow
from app.models.identity import WebSession
from app.models.publishing import PublishInput
from app.security import new_session_token, sha256_hex
from app.services import publishing
from app.services.access import SYSTEM
from app.services.common import Stamps
from app.services.seed import seed
from tests import factories
from tests.conftest import BACKEND, QueryCounter, fresh_database_url

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql", reason="the event loop's reader is PostgreSQL's; SQLite has none"
)

PATHWAY = "/api/v1/municipalities/5501/pathway"
PUBLIC = "/kommuner/5501"


@pytest.fixture(scope="module")
def database() -> Iterator[Database]:
    database = Database(fresh_database_url("stamps_on_loop"))
    with database.session(write=True) as session:
        seed(session)
    yield database
    database.dispose()


@pytest.fixture
def psql(database: Database) -> Iterator[Engine]:
    """Another connection, as psql would be."""
    engine = make_engine(database.url)
    yield engine
    engine.dispose()


def _sql(psql: Engine, statement: str, **values: object) -> int:
    with psql.begin() as connection:
        return connection.execute(text(statement), values).rowcount


def _settings(database: Database) -> Settings:
    return Settings(
        environment="test",
        database_url=database.url,
        secret_key="test-secret-" + "x" * 32,
        log_level="WARNING",
        demo=False,
        mail_sender_thread=False,
        webhook_sender_thread=False,
    )


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    """The app on the real database, started (its lifespan opens the reader)."""
    with TestClient(create_app(_settings(database), database=database)) as client:
        assert client.app.state.stamp_reader is not None  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def statements(database: Database) -> Iterator[QueryCounter]:
    """Every statement sent through the app's engine (the reader's are not)."""
    counter = QueryCounter()
    event.listen(database.engine, "before_cursor_execute", counter)
    yield counter
    event.remove(database.engine, "before_cursor_execute", counter)


def _read_token(database: Database) -> str:
    with database.session(write=True) as session:
        return factories.token(session, Scope.read, municipalities=["5501"])


def _publish(database: Database, summary: str) -> None:
    """A new published version of 5501, its draft changed first."""
    with database.session(write=True) as session:
        factories.fill_section(session, "5501", "assessment", text=summary)
        publishing.publish(session, SYSTEM, "5501", PublishInput(summary=summary))


# ---- the reader ----------------------------------------------------------------------------


class HeldReader(StampReader):
    """A reader that counts its reads and holds each one's answer until `release`: the
    database has answered (`answered` is set), the requests have not heard it yet."""

    def __init__(self, conninfo: str, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(conninfo, loop)
        self.answered = asyncio.Event()
        self.release = asyncio.Event()
        self.sent = 0

    async def _query(self) -> Stamps | None:
        self.sent += 1
        found = await super()._query()
        self.answered.set()
        await self.release.wait()
        return found


def _conninfo(database: Database) -> str:
    conninfo = database.loop_conninfo()
    assert conninfo is not None
    return conninfo


def _content(psql: Engine) -> int:
    with psql.connect() as connection:
        return int(connection.execute(text("SELECT sum(stamp) FROM content_stamp")).scalar_one())


def _touch_content(psql: Engine) -> None:
    _sql(psql, "UPDATE municipality SET website = website WHERE number = '5501'")


def test_a_read_sees_every_write_committed_before_it_began(
    database: Database, psql: Engine
) -> None:
    async def scenario() -> None:
        reader = HeldReader(_conninfo(database), asyncio.get_running_loop())
        try:
            before = _content(psql)
            first = asyncio.ensure_future(reader.read())
            await reader.answered.wait()  # read at `before`, not yet heard
            await asyncio.to_thread(_touch_content, psql)
            after = [asyncio.ensure_future(reader.read()) for _ in range(40)]
            await asyncio.sleep(0)
            reader.release.set()
            found = await asyncio.gather(first, *after)
            assert found[0] is not None
            assert found[0].content == before  # the first request's read was made before it
            # Every request that arrived after the write, while a read was under way, has
            # its stamp: they waited for the next read instead of sharing the older one.
            assert {s.content if s else None for s in found[1:]} == {_content(psql)}
            assert _content(psql) > before
            # 41 requests, two reads.
            assert reader.sent == 2
        finally:
            await reader.close()

    asyncio.run(scenario())


def test_a_lost_connection_costs_one_read_and_the_next_connects_again(
    database: Database, psql: Engine
) -> None:
    async def scenario() -> None:
        reader = StampReader(_conninfo(database), asyncio.get_running_loop())
        try:
            assert await reader.read() is not None
            killed = await asyncio.to_thread(
                _sql,
                psql,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND datname = current_database() "
                "AND query LIKE 'SELECT (SELECT coalesce(sum(stamp), 0) FROM content_stamp)%'",
            )
            assert killed >= 1
            assert await reader.read() is None  # the request reads in a thread instead
            again = await reader.read()
            assert again is not None
            assert again.content == _content(psql)
        finally:
            await reader.close()

    asyncio.run(scenario())


def test_the_reader_serves_only_its_own_loop_and_nothing_once_closed(database: Database) -> None:
    async def other_loop_read(reader: StampReader) -> Stamps | None:
        return await reader.read()

    async def scenario() -> None:
        reader = StampReader(_conninfo(database), asyncio.get_running_loop())
        result: list[Stamps | None] = []
        thread = threading.Thread(
            target=lambda: result.append(asyncio.run(other_loop_read(reader)))
        )
        thread.start()
        await asyncio.to_thread(thread.join)
        assert result == [None]
        assert await reader.read() is not None
        await reader.close()
        assert await reader.read() is None

    asyncio.run(scenario())


# ---- the early 304s on the loop ----------------------------------------------------------


def test_a_304_from_kept_values_sends_no_statement_through_the_pool(
    client: TestClient, database: Database, statements: QueryCounter
) -> None:
    headers = {"Authorization": f"Bearer {_read_token(database)}"}
    first = client.get(PATHWAY, headers=headers)  # notes the token's use
    tag = client.get(PATHWAY, headers=headers).headers["etag"]  # keeps it, as used
    assert first.status_code == 200

    with statements.counting():
        unchanged = client.get(PATHWAY, headers={**headers, "If-None-Match": tag})
    assert unchanged.status_code == 304
    assert unchanged.headers["etag"] == tag
    assert statements.statements == []


def test_a_token_revoked_in_sql_is_refused_by_the_next_conditional_call(
    client: TestClient, database: Database, psql: Engine
) -> None:
    for attempt in range(10):
        token = _read_token(database)
        headers = {"Authorization": f"Bearer {token}"}
        client.get(PATHWAY, headers=headers)
        tag = client.get(PATHWAY, headers=headers).headers["etag"]
        conditional = {**headers, "If-None-Match": tag}
        assert client.get(PATHWAY, headers=conditional).status_code == 304, attempt
        revoked = _sql(
            psql,
            "UPDATE api_token SET revoked_at = CURRENT_TIMESTAMP WHERE token_hash = :hash",
            hash=sha256_hex(token),
        )
        assert revoked == 1
        refused = client.get(PATHWAY, headers=conditional)
        assert refused.status_code == 401, attempt
        assert refused.headers["content-type"].startswith("application/problem+json")


def test_content_changed_in_sql_ends_the_early_304_of_the_public_page(
    client: TestClient, database: Database, psql: Engine, statements: QueryCounter
) -> None:
    _publish(database, "Første versjon")
    tag = client.get(PUBLIC).headers["etag"]
    with statements.counting():
        assert client.get(PUBLIC, headers={"If-None-Match": tag}).status_code == 304
    assert statements.statements == []

    # The citizens' contact, changed with SQL (a restore would do the same): the page shows
    # it at once, so its 304 ends.
    _sql(psql, "UPDATE municipality SET contact_name = 'Servicetorget' WHERE number = '5501'")
    changed = client.get(PUBLIC, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag


def test_a_signed_in_visitors_304_is_answered_on_the_loop_once_the_session_is_kept(
    client: TestClient, database: Database, statements: QueryCounter
) -> None:
    _publish(database, "Andre versjon")
    client.cookies.set(SESSION_COOKIE, _browser_session(database))
    try:
        tag = client.get(PUBLIC).headers["etag"]  # reads the session, and keeps it
        with statements.counting():
            kept = client.get(PUBLIC, headers={"If-None-Match": tag})
        assert kept.status_code == 304
        assert statements.statements == []

        client.cookies.set(SESSION_COOKIE, "no-such-session")  # never kept: read each time
        with statements.counting():
            unknown = client.get(PUBLIC, headers={"If-None-Match": tag})
        assert unknown.status_code == 304
        assert statements.count >= 1
    finally:
        client.cookies.clear()


def test_pages_and_api_reads_use_the_stamps_read_on_the_loop(
    client: TestClient, database: Database, statements: QueryCounter
) -> None:
    headers = {"Authorization": f"Bearer {_read_token(database)}"}
    client.get(PATHWAY, headers=headers)
    client.cookies.set(SESSION_COOKIE, _browser_session(database))
    try:
        for _ in range(2):  # the second time, everything the pathway's JSON needs is kept
            with statements.counting():
                assert client.get(PATHWAY, headers=headers).status_code == 200
        assert statements.statements == []
        client.get("/app/kommuner/5501/forlop")
        with statements.counting():
            assert client.get("/app/kommuner/5501/forlop").status_code == 200
        # Everything the page needs is kept, and its stamps were read on the loop.
        assert statements.statements == []
    finally:
        client.cookies.clear()


def _browser_session(database: Database) -> str:
    """A coordinator's browser session, stored, used a moment ago: its cookie value."""
    token = new_session_token()
    now = utcnow()
    with database.session(write=True) as session:
        person = factories.coordinator(session, "5501")
        session.add(
            WebSession(
                id=sha256_hex(token),
                user_id=person.id or 0,
                csrf_token=new_session_token(),
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(days=1),
            )
        )
        session.commit()
    return token
