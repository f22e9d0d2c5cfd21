"""Engine, sessions and the metadata naming convention.

SQLite and PostgreSQL behave alike here: a request that writes takes the write lock at the
start of its transaction (SQLite `BEGIN IMMEDIATE`; PostgreSQL row locks taken by the services),
so two writers never interleave their read-check-write steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import Engine, MetaData, Table, create_engine, event
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql import Executable
from sqlmodel import Session, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata: MetaData = SQLModel.metadata
metadata.naming_convention = NAMING_CONVENTION

WRITE_OPTION = "demensforlop_write"


def normalise_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and use psycopg 3 for all of them."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", False)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


@contextmanager
def pipelined(session: Session) -> Iterator[Batch]:
    """Send the statements of the block together, for writes whose results are not read:
    on PostgreSQL in one round trip (psycopg's pipeline mode), and elsewhere one by one.

    Run them with the `Batch` it gives: statements without results only (no SELECT but
    `pg_notify`, no RETURNING: an INSERT is made `.inline()`), since results arrive only
    at the end of the block. An error of any of them is raised there at the latest, as
    SQLAlchemy would raise it."""
    driver = session.connection().connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        yield Batch(session, None)
        return
    try:
        with driver.pipeline():
            yield Batch(session, driver.cursor())
    except psycopg.Error as exc:
        raise DBAPIError.instance(None, None, exc, psycopg.Error) from exc


class Batch:
    """The statements of a `pipelined` block. On PostgreSQL they go to the driver as
    compiled once by SQLAlchemy, without its per-statement bookkeeping: the rows are
    neither read back nor mapped, and the tables written are recorded here."""

    def __init__(self, session: Session, cursor: psycopg.Cursor[Any] | None) -> None:
        self._session = session
        self._cursor = cursor

    def execute(self, statement: Executable, parameters: Parameters) -> None:
        if self._cursor is None:
            self._session.execute(statement, parameters)
            return
        from app.changes import require_io, wrote

        require_io()
        rows = parameters if isinstance(parameters, list) else [parameters]
        sql = _driver_sql(statement, self._session.get_bind().dialect, tuple(rows[0]))
        table = getattr(statement, "table", None)
        if isinstance(table, Table):
            wrote(self._session, table.name)
        values = [{key: _driver_value(value) for key, value in row.items()} for row in rows]
        if len(values) == 1:
            self._cursor.execute(sql, values[0])
        else:
            self._cursor.executemany(sql, values)


Parameters = dict[str, Any] | list[dict[str, Any]]


@lru_cache(maxsize=64)
def _driver_sql(statement: Executable, dialect: Dialect, keys: tuple[str, ...]) -> str:
    """The statement as SQLAlchemy compiles it for these parameters (statements passed to
    `Batch.execute` are built once, so this is done once per statement)."""
    return str(statement.compile(dialect=dialect, column_keys=list(keys)))  # type: ignore[attr-defined]


def _driver_value(value: object) -> object:
    """What psycopg needs beyond its own adaptation: JSON documents (the JSON columns are
    JSONB on PostgreSQL). Datetimes are aware (UTC), as `UTCDateTime` requires."""
    return Jsonb(value) if isinstance(value, dict | list) else value


class Database:
    """The engine of the running app and the sessions drawn from it."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        from app.changes import feed_for

        self.url = normalise_url(url)
        self.engine = make_engine(self.url, **engine_kwargs)
        self._write_engine = self.engine.execution_options(**{WRITE_OPTION: True})
        #: Tells this process when the data changed, for exact in-process caches.
        self.feed = feed_for(self.engine, self.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self, *, write: bool = False) -> Session:
        from app.changes import attach

        session = Session(self._write_engine if write else self.engine, expire_on_commit=False)
        return attach(session, self.feed)

    @contextmanager
    def begin(self, *, write: bool = True) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on error."""
        with self.session(write=write) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.feed.stop()
        self.engine.dispose()
