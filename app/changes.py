"""Knowing, in each app process, whether the database has changed — so caches inside a
process can be exact and never time-based.

Every committed write advances a *generation*:
- PostgreSQL: the writing transaction sends `NOTIFY demensforlop_changed`; every process keeps
  one connection that LISTENs and advances its generation on each notification.
- SQLite: `PRAGMA data_version` on a connection of our own changes whenever another
  connection has committed.
- A process also advances its own generation right after its own commits, so a person never
  reads a cached copy older than what they just saved.

Caches key their entries by the generation (or by a version they got through it). When the
feed cannot vouch for the data (the LISTEN connection is down, not yet started, or this is
an unknown backend), `generation()` is None and callers must not use cached data.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from contextvars import ContextVar
from functools import lru_cache, partial
from typing import Any, Generic, ParamSpec, TypeVar

import structlog
from sqlalchemy import Engine, Table, TextClause, event, text
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, object_mapper
from starlette.concurrency import run_in_threadpool

log = structlog.get_logger("demensforlop.changes")

CHANNEL = "demensforlop_changed"
T = TypeVar("T")
P = ParamSpec("P")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


# ---- answering from memos alone -----------------------------------------------------------


class MemoMiss(BaseException):
    """Raised in memo-only mode where the data would have to be read from the database.
    A BaseException, so that no `except Exception` on the way can swallow it."""


_memo_only: ContextVar[bool] = ContextVar("demensforlop_memo_only", default=False)


def require_io() -> None:
    """Call before any I/O that does not go through the session (e.g. another session)."""
    if _memo_only.get():
        raise MemoMiss


async def from_memos(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`func` on the event loop when everything it reads is in current memos; otherwise,
    from the start, in a worker thread (the blocking way). Request dependencies that are
    usually answered from memos (the principal, the web session) so save a thread hop.
    `func` must be safe to start again: it may be cut short by `MemoMiss` before it is."""
    token = _memo_only.set(True)
    try:
        return func(*args, **kwargs)
    except MemoMiss:
        pass
    finally:
        _memo_only.reset(token)
    sessions = [arg for arg in (*args, *kwargs.values()) if isinstance(arg, Session)]
    return await run_in_threadpool(_reading, partial(func, *args, **kwargs), sessions)


def _reading(call: Callable[[], T], sessions: list[Session]) -> T:
    """`call` in a worker thread, ending there the read-only transaction it began in a
    request's session (the route's thread begins its own). No transaction may be held
    while the request waits for a route thread (`Settings.request_threads`): on SQLite a writing
    request's first statement takes the database's write lock, and the route threads of
    other requests may be the ones waiting for it."""
    try:
        return call()
    finally:
        for session in sessions:
            written = session.new or session.dirty or session.deleted or session.info.get(WROTE_KEY)
            if session.in_transaction() and not written:
                session.commit()  # nothing to write: it ends the transaction, keeping the reads


class ChangeFeed:
    """The base feed: advances only on this process's own commits. Exact when this process is
    the only writer (the test suite's in-process apps)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        #: Advanced by every change whose tables are not known (then every table changed).
        self._epoch = 0
        self._tables: dict[str, int] = {}
        self._memo: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self.memo_size = 4096

    # -- the generation -------------------------------------------------------------------

    def generation(self) -> int | None:
        return self._generation

    def tables_generation(self, tables: tuple[str, ...]) -> Hashable | None:
        """Changes whenever one of `tables` may have changed; None as for `generation()`."""
        if self.generation() is None:  # also takes in what the feed has seen until now
            return None
        with self._lock:
            return (self._epoch, *(self._tables.get(table, 0) for table in tables))

    def advance(self, tables: Iterable[str] | None = None) -> None:
        """Something changed: in `tables`, or anywhere when they are not known."""
        with self._lock:
            self._generation += 1
            if tables is None:
                self._epoch += 1
            else:
                for table in tables:
                    self._tables[table] = self._tables.get(table, 0) + 1

    def notify_sql(self) -> str | None:
        """SQL a committing write runs inside its transaction to tell other processes; it
        takes the tables written as `:payload`."""
        return None

    def start(self) -> None:
        """Begin listening (nothing to do for the base feed)."""

    def stop(self) -> None:
        """Stop listening."""

    # -- a small exact cache --------------------------------------------------------------

    def forget(self) -> None:
        """Drop every memo (they are recomputed on demand)."""
        with self._lock:
            self._memo.clear()

    def memo(
        self, key: Hashable, compute: Callable[[], T], tables: tuple[str, ...] | None = None
    ) -> T:
        """`compute()` once per generation for `key`; computed afresh when the feed cannot
        vouch for the data. With `tables` (every table `compute` reads), only a change to
        one of them makes it stale."""
        generation = self.generation() if tables is None else self.tables_generation(tables)
        if generation is None:
            require_io()
            return compute()
        with self._lock:
            hit = self._memo.get(key)
            if hit is not None and hit[0] == generation:
                self._memo.move_to_end(key)
                return hit[1]  # type: ignore[no-any-return]
        require_io()
        value = compute()
        # Stored under the generation read *before* computing: a change made meanwhile
        # makes the entry stale at once rather than hiding it.
        with self._lock:
            self._memo[key] = (generation, value)
            self._memo.move_to_end(key)
            while len(self._memo) > self.memo_size:
                self._memo.popitem(last=False)
        return value


class SQLiteChangeFeed(ChangeFeed):
    """`PRAGMA data_version` on a connection that never writes: it changes whenever any other
    connection (in this process or another) commits."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine
        self._connection: Any = None
        self._seen: int | None = None
        self._probe_lock = threading.Lock()

    def generation(self) -> int | None:
        require_io()  # the probe is a query
        with self._probe_lock:
            try:
                if self._connection is None:
                    self._connection = self._engine.raw_connection()
                cursor = self._connection.cursor()
                cursor.execute("PRAGMA data_version")
                version = int(cursor.fetchone()[0])
                cursor.close()
            except Exception:
                self._connection = None
                return None
            if version != self._seen:
                self._seen = version
                self.advance()
        return self._generation

    def stop(self) -> None:
        with self._probe_lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


class PostgresChangeFeed(ChangeFeed):
    """LISTEN in a background thread; every NOTIFY advances the generation."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url
        self._healthy = False
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def generation(self) -> int | None:
        return self._generation if self._healthy else None

    def notify_sql(self) -> str | None:
        return f"SELECT pg_notify('{CHANNEL}', :payload)"

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._listen, name="change-feed", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stopping.set()

    def wait_until_listening(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._healthy:
                return True
            time.sleep(0.01)
        return False

    def _listen(self) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(self._url).set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                with psycopg.connect(dsn, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    # Anything committed before LISTEN took effect is covered by this step.
                    self.advance()
                    self._healthy = True
                    backoff = 0.5
                    while not self._stopping.is_set():
                        for notice in connection.notifies(timeout=1.0):
                            # The tables written; none named (an older process): all.
                            self.advance(notice.payload.split(",") if notice.payload else None)
            except Exception:
                log.warning("change feed lost its connection; caches are bypassed", exc_info=True)
            finally:
                self._healthy = False
                self.advance()
            self._stopping.wait(backoff)
            backoff = min(backoff * 2, 10.0)


def feed_for(engine: Engine, url: str) -> ChangeFeed:
    if engine.dialect.name == "sqlite":
        return SQLiteChangeFeed(engine)
    if engine.dialect.name == "postgresql":
        return PostgresChangeFeed(url)
    return ChangeFeed()


# ---- caches keyed by versions --------------------------------------------------------------


class VersionCache(Generic[K, V]):
    """A bounded, thread-safe LRU map for renderings keyed by what names their content
    exactly (a version, a strong ETag): never stale, so never expired by time. Every such
    cache of the process is listed in `VERSION_CACHES` so tests can start from cold."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size
        #: Held while a value is built by `once` (by the key's hash: unrelated keys rarely
        #: share one, and then only wait for each other).
        self._building = [threading.Lock() for _ in range(8)]
        VERSION_CACHES.append(self)

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> V:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def once(self, key: K, build: Callable[[], V]) -> V:
        """The value for `key`, built by one caller at a time: those who ask while it is being
        built wait for that build instead of building it again (a cold cache under load
        builds each value once, in the time and memory of one build)."""
        hit = self.get(key)
        if hit is not None:
            return hit
        with self._building[hash(key) % len(self._building)]:
            hit = self.get(key)
            return hit if hit is not None else self.put(key, build())

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


VERSION_CACHES: list[VersionCache[Any, Any]] = []


def clear_version_caches() -> None:
    for cache in VERSION_CACHES:
        cache.clear()


# ---- marking and announcing writes -------------------------------------------------------

FEED_KEY = "demensforlop_feed"
WROTE_KEY = "demensforlop_wrote"
#: The tables the session's transaction wrote; UNKNOWN among them means "maybe any".
TABLES_KEY = "demensforlop_tables"
#: The payload of the notification this transaction has sent already.
ANNOUNCED_KEY = "demensforlop_announced"
UNKNOWN = ""


S = TypeVar("S", bound=Session)


def attach(session: S, feed: ChangeFeed | None) -> S:
    if feed is not None:
        session.info[FEED_KEY] = feed
    return session


def session_feed(session: Session) -> ChangeFeed | None:
    feed = session.info.get(FEED_KEY)
    return feed if isinstance(feed, ChangeFeed) else None


def session_memo(
    session: Session, key: Hashable, compute: Callable[[], T], tables: tuple[str, ...] | None = None
) -> T:
    """`compute()` through the session's feed memo, or afresh when there is no feed or the
    session has written in this transaction (its view is not yet everyone's)."""
    feed = session_feed(session)
    if feed is None or session.info.get(WROTE_KEY) or session.new or session.dirty:
        require_io()
        return compute()
    return feed.memo(key, compute, tables)


def _written(session: Session) -> set[str]:
    tables: set[str] = session.info.setdefault(TABLES_KEY, set())
    return tables


def _pending_tables(session: Session) -> set[str]:
    """The tables of the objects the next flush writes."""
    return {
        object_mapper(instance).persist_selectable.name  # type: ignore[attr-defined]
        for instance in (*session.new, *session.dirty, *session.deleted)
    }


@event.listens_for(Session, "before_flush")
def _flushing(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    _written(session).update(_pending_tables(session))


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context: UOWTransaction) -> None:
    session.info[WROTE_KEY] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    require_io()  # before the session takes a connection
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE_KEY] = True
        table = getattr(state.statement, "table", None)
        _written(state.session).add(table.name if isinstance(table, Table) else UNKNOWN)


def wrote(session: Session, table: str) -> None:
    """Record a write the session did not see (statements sent to the driver directly)."""
    session.info[WROTE_KEY] = True
    _written(session).add(table)


def announce(
    session: Session, execute: Callable[[Any, dict[str, Any]], object] | None = None
) -> None:
    """Send the change notification for what the transaction has written so far; it is
    delivered to the listeners only if, and when, the transaction commits. Called at every
    commit; a writer that sends its statements together (`app.db.pipelined`) calls it among
    them with the batch's `execute`, and the commit then sends it again only if more was
    written since."""
    feed = session_feed(session)
    sql = feed.notify_sql() if feed is not None else None
    pending = bool(session.new or session.dirty or session.deleted)
    if not sql or not (pending or session.info.get(WROTE_KEY)):
        return
    tables = _written(session) | _pending_tables(session)
    payload = "" if UNKNOWN in tables else ",".join(sorted(tables))
    if session.info.get(ANNOUNCED_KEY) != payload:
        (execute or session.execute)(_statement(sql), {"payload": payload})
        session.info[ANNOUNCED_KEY] = payload


@lru_cache(maxsize=4)
def _statement(sql: str) -> TextClause:
    return text(sql)


@event.listens_for(Session, "before_commit")
def _announce(session: Session) -> None:
    announce(session)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    feed = session_feed(session)
    tables = session.info.pop(TABLES_KEY, set())
    session.info.pop(ANNOUNCED_KEY, None)
    if session.info.pop(WROTE_KEY, False) and feed is not None:
        feed.advance(None if UNKNOWN in tables or not tables else tables)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(WROTE_KEY, None)
    session.info.pop(TABLES_KEY, None)
    session.info.pop(ANNOUNCED_KEY, None)


@event.listens_for(Engine, "before_cursor_execute")
def _no_statement_from_memos(*_: Any) -> None:
    """The safety net for statements run outside the session's ORM execution."""
    require_io()
