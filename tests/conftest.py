"""Test set-up. Every test that touches the database runs against the backend named by
TEST_DATABASE (`sqlite` or `postgresql`); `make test` runs the suite once for each.

The schema is built by the migrations, seeded once per run, and each test runs inside a
transaction that is rolled back, so tests never see each other's data.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app import security
from app.config import Settings
from app.db import Database, make_engine
from app.deps import CSRF_HEADER, SESSION_COOKIE, mask_csrf
from app.main import create_app
from app.migrate import upgrade
from app.models.base import utcnow
from app.models.identity import WebSession
from app.security import new_session_token, sha256_hex
from app.services.access import Principal
from app.services.seed import seed
from tests.dbtool import postgres_admin_url, recreate_postgres_database

pytest_plugins = ["tests.mailserver"]

# The suite runs on shared machines with two workers per backend: how fast examples are
# generated or run is not what the properties test, so a slow moment must not fail them.
hypothesis.settings.register_profile(
    "shared-machine", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("shared-machine")

# Argon2 at its production cost (64 MiB, three passes) takes a tenth of a second per hash and
# the suite makes hundreds: tests hash with the same algorithm at its lowest cost. Hashes carry
# their parameters, so either kind verifies (tests/services/test_identity.py checks both).
security._password_hash = PasswordHash(
    (Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),)
)
security._DUMMY_HASH = security._password_hash.hash("not a password")

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/demensforlop_test"
)

if BACKEND not in ("sqlite", "postgresql"):
    raise pytest.UsageError(f"TEST_DATABASE must be sqlite or postgresql, not {BACKEND!r}")


def _postgres_problem() -> str | None:
    """Why the PostgreSQL server under test cannot be reached, or None."""
    engine = make_engine(postgres_admin_url(POSTGRES_URL), pool_size=1)
    try:
        with engine.connect():
            return None
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()


def _other_language_variant(item: pytest.Item) -> bool:
    """A browser test's nynorsk or English run: the same flow as its bokmål run in another
    interface language, which the database does not see."""
    callspec = getattr(item, "callspec", None)
    language = callspec.params.get("lang") if callspec is not None else None
    return item.get_closest_marker("browser") is not None and language not in (None, "nb")


def _without_database(item: pytest.Item) -> bool:
    """A test of a module marked `no_database`: pure code, or a probe with a database of its
    own. It never touches the backend under test, so one half runs it."""
    if item.get_closest_marker("no_database") is None:
        return False
    if "database_url" in getattr(item, "fixturenames", ()):
        raise pytest.UsageError(f"{item.nodeid} is marked no_database but uses the database")
    return True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    without_database = [item for item in items if _without_database(item)]
    if BACKEND != "postgresql":
        return
    # The PostgreSQL half runs each browser flow once, in bokmål; the nn and en runs of the
    # same flows are in the SQLite half (as are the markup checks, see the Makefile, and the
    # tests that use no database).
    left_out = {id(item) for item in [*without_database, *filter(_other_language_variant, items)]}
    if left_out:
        config.hook.pytest_deselected(items=[item for item in items if id(item) in left_out])
        items[:] = [item for item in items if id(item) not in left_out]
    problem = _postgres_problem()
    if problem is None:
        return
    message = f"PostgreSQL is not reachable at {POSTGRES_URL} ({problem})"
    if IN_CI:
        pytest.exit(message + "; in CI that is a failure", returncode=1)
    skip = pytest.mark.skip(reason=message)
    for item in items:
        item.add_marker(skip)


def pytest_report_header() -> str:
    where = POSTGRES_URL if BACKEND == "postgresql" else "a temporary SQLite file"
    return f"database backend: {BACKEND} ({where})"


def fresh_database_url(suffix: str) -> str:
    """A new, empty database of the backend under test, migrated to head. Names carry the
    xdist worker id, so parallel workers never share a database."""
    suffix = f"{suffix}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    if BACKEND == "postgresql":
        url = make_url(POSTGRES_URL)
        url = url.set(database=f"{url.database}_{suffix}")
        rendered = url.render_as_string(hide_password=False)
        recreate_postgres_database(rendered)
    else:
        folder = Path(tempfile.mkdtemp(prefix="demensforlop-test-"))
        rendered = f"sqlite:///{folder / f'{suffix}.db'}"
    upgrade(rendered)
    return rendered


@pytest.fixture(scope="session")
def database_url() -> str:
    url = fresh_database_url("main")
    database = Database(url)
    with database.session(write=True) as session:
        seed(session)
    database.dispose()
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []
        self.active = False

    @contextmanager
    def counting(self) -> Iterator[QueryCounter]:
        self.count = 0
        self.statements = []
        self.active = True
        try:
            yield self
        finally:
            self.active = False

    def __call__(self, *args: Any) -> None:
        if self.active:
            statement = str(args[2])
            if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                self.count += 1
                self.statements.append(statement)


class TransactionalDatabase(Database):
    """A Database whose sessions all live inside one outer transaction, rolled back after
    the test. Services may commit; their commits release savepoints."""

    def __init__(self, connection: Connection, url: str) -> None:
        self.url = url
        self.connection = connection
        self.engine = connection.engine

    @property
    def dialect(self) -> str:
        return self.connection.dialect.name

    def session(self, *, write: bool = False) -> Session:
        return Session(
            bind=self.connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
        )

    def autocommit_session(self) -> Session:
        # Everything here lives in the test's one outer transaction.
        return self.session()

    def loop_conninfo(self) -> None:
        # A connection of its own would not see the test's transaction.
        return None

    @contextmanager
    def autocommit_connection(self) -> Iterator[Connection]:
        yield self.connection

    def dispose(self) -> None:
        pass


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()


@pytest.fixture
def queries(connection: Connection) -> Iterator[QueryCounter]:
    counter = QueryCounter()
    event.listen(connection, "before_cursor_execute", counter)
    yield counter
    event.remove(connection, "before_cursor_execute", counter)


@pytest.fixture
def db(connection: Connection, database_url: str) -> TransactionalDatabase:
    return TransactionalDatabase(connection, database_url)


@pytest.fixture
def session(db: TransactionalDatabase) -> Iterator[Session]:
    with db.session(write=True) as session:
        yield session


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        secret_key="test-secret-" + "x" * 32,
        log_level="WARNING",
        demo=True,
        # Administrators made by the factories sign in with the password alone; the tests
        # of two-step verification turn the requirement on.
        admin_two_step=False,
        mail_sender_thread=False,
        webhook_sender_thread=False,
    )


@pytest.fixture
def app(settings: Settings, db: TransactionalDatabase) -> FastAPI:
    return create_app(settings, database=db)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def make_client(app: FastAPI) -> Callable[..., TestClient]:
    def factory(token: str | None = None) -> TestClient:
        client = TestClient(app)
        if token:
            client.headers["Authorization"] = f"Bearer {token}"
        return client

    return factory


#: What resolving a signed-in person's browser session costs when it is not kept (the first
#: request, and the first after any change to people, grants or sessions): the session with
#: its person, and their assignments (`app.cache.resolve_session`).
SIGNED_IN_QUERIES = 2


@pytest.fixture
def client_as(app: FastAPI, db: TransactionalDatabase) -> Callable[[Principal], TestClient]:
    """A client signed in as a person (a user principal from `tests.factories`): a browser
    session of theirs in the database, its cookie, and its CSRF token in the header that
    same-origin scripts send with unsafe requests."""

    def factory(principal: Principal) -> TestClient:
        assert principal.id is not None
        token, csrf = new_session_token(), new_session_token()
        now = utcnow()
        with db.session(write=True) as session:
            session.add(
                WebSession(
                    id=sha256_hex(token),
                    user_id=principal.id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + timedelta(days=1),
                )
            )
            session.commit()
        client = TestClient(app, cookies={SESSION_COOKIE: token})
        client.headers[CSRF_HEADER] = mask_csrf(csrf)
        return client

    return factory
