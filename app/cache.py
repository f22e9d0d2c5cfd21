"""The only caches there are: what `make bench` showed users would wait for without them
(docs/performance.md names the measurement behind each).

Every value is kept under a key built beside its loader from the versions it was read at,
and always with the *content stamp* (`app.models.stamp`): one number that database triggers
move on in every transaction that writes the content, whoever writes it — this app, psql,
a restore. So a write made anywhere makes every process miss on its next request; nothing
expires by time.

A value is filed only if the stamp is still the one read before it was built. On PostgreSQL
the second read sees whatever committed meanwhile, so a value built while a write committed
is used once and dropped, never filed under the older stamp; on SQLite the two reads and the
build share one snapshot, so the value is exactly that snapshot's.

The caches belong to the app (`create_app` makes one `Caches`), so every app, and so every
test, starts with its own.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import psycopg
import structlog
from fastapi import Request
from markupsafe import Markup
from sqlmodel import Session

from app.db import Database
from app.models.base import utcnow
from app.models.catalogue import OfferingTypeRead, PhaseRead
from app.models.municipality import Municipality, Region
from app.models.publishing import DraftStatus
from app.services import auth, common, identity, overview, pathway, publishing, workspace
from app.services import catalogue as catalogue_service
from app.services import draft_status as draft_status_service
from app.services.access import Principal
from app.services.auth import ActiveSession, SessionPolicy, StoredSession
from app.services.common import (
    STAMPS_SQL,
    Stamps,
    stamps,
    stamps_of_row,
    stamps_on,
)
from app.services.identity import ResolvedToken, StoredToken
from app.services.workspace import MunicipalityLink

if TYPE_CHECKING:
    from app.models.overview import Overview, OverviewFilters, OverviewSummary

V = TypeVar("V")

log = structlog.get_logger("demensforlop.cache")


class Cache(Generic[V]):
    """A bounded, thread-safe LRU map from keys (with the content stamp) to values."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size
        #: Held while a value is built, by the key's hash: requests for a value being built
        #: wait for that build instead of building it again (a cold overview under load is
        #: built once, in the time and memory of one build).
        self._building = [threading.Lock() for _ in range(8)]

    def _get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def _put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def fetch(
        self, session: Session, key: tuple[Hashable, ...], build: Callable[[], V], request: Request
    ) -> V:
        """The value for `key` at the content stamp the `request` has read: kept, or built by
        `build` (which reads through `session`) and filed if the stamp did not move while it
        was built."""
        return _kept(request, session, self, key, build)

    def fetch_at(
        self,
        stamp_now: Callable[[], int],
        key: tuple[Hashable, ...],
        build: Callable[[], V],
        stamp: int | None = None,
    ) -> V:
        """`fetch` with the stamp read by `stamp_now`, or the one this request has already
        read (`stamp`). A value of None is never filed: it is looked up again next time."""
        if stamp is None:
            stamp = stamp_now()
        full = (*key, stamp)
        hit = self._get(full)
        if hit is not None:
            return hit
        with self._building[hash(full) % len(self._building)]:
            hit = self._get(full)
            if hit is not None:
                return hit
            value = build()
            if value is not None and stamp_now() == stamp:
                self._put(full, value)
            return value

    def peek(self, key: tuple[Hashable, ...], stamp: int) -> V | None:
        """The value kept for `key` at `stamp`, if there is one; nothing is built."""
        return self._get((*key, stamp))

    def __len__(self) -> int:
        return len(self._items)


class Caches:
    """The app's caches (docs/operations.md lists them)."""

    def __init__(self) -> None:
        #: GET /api/v1/municipalities/{number}/pathway: JSON bytes.
        self.pathway_json: Cache[bytes] = Cache(512)
        #: The overview (region, national, anonymous summary) as JSON, shared by the API's
        #: body, the page's results and the files.
        self.overview: Cache[_KeptOverview] = Cache(64)
        #: The phases and offering types in each language (the region page's filters).
        self.catalogue: Cache[tuple[tuple[PhaseRead, ...], tuple[OfferingTypeRead, ...]]] = Cache(8)
        #: Regions by their slug, as the overview's access check needs them.
        self.regions: Cache[overview.RegionRef] = Cache(64)
        #: What each region's overview (and the national one) is built from: the aggregate
        #: of versions its ETag names.
        self.overview_versions: Cache[tuple[object, ...]] = Cache(64)
        #: The region page's results block (the heavy part: 1 MB for the whole country).
        self.overview_results: Cache[Markup] = Cache(64)
        #: The public page of a municipality's latest published version.
        self.public_page: Cache[bytes] = Cache(512)
        #: Bearer tokens as stored, by their hash, under the access stamp.
        self.tokens: Cache[StoredToken | None] = Cache(1024)
        #: Browser sessions as stored, with their person, by the session's id, under the
        #: access stamp.
        self.sessions: Cache[StoredSession | None] = Cache(1024)
        #: Each municipality's latest published version (the public page's validator).
        self.published: Cache[publishing.PublishedStamp] = Cache(512)
        #: Each municipality's draft facts: what answers a pathway's access and ETag.
        self.drafts: Cache[pathway.DraftFacts] = Cache(512)
        #: How each municipality's draft stands against its latest published version (the
        #: editor's badge): a snapshot of the draft and a comparison to build.
        self.draft_status: Cache[DraftStatus] = Cache(512)
        #: Each municipality's row and its region's, by number (the workspace of its pages).
        self.municipalities: Cache[_Rows] = Cache(512)
        #: The municipalities each set of grants works with (the signed-in pages' switcher).
        self.my_municipalities: Cache[list[MunicipalityLink]] = Cache(256)
        #: The pathway editor's own part of the page (its sections in view mode), for the
        #: caller's language and rights (about 30 KB each).
        self.editor_body: Cache[Markup] = Cache(128)


class StampReader:
    """Both stamps read on the event loop, for the early 304s (`app.conditional`): a request
    whose caller and version are kept then needs no thread and no pooled connection at all.

    One PostgreSQL connection of its own (autocommit) runs one read at a time. Requests that
    arrive while a read is under way wait for the next one, sent as soon as that read ends
    and answering all of them: so every request gets stamps read after it arrived, and a
    write committed before it arrived counts, exactly as with a read of its own.

    It serves the loop it was opened on (the server's). Anywhere else, after a failure (the
    next read connects again) or once closed, `read` gives None and the request reads the
    stamps in a thread, as it does on SQLite."""

    #: Seconds a read may take before the request goes the thread's way instead.
    TIMEOUT = 2.0

    def __init__(self, conninfo: str, loop: asyncio.AbstractEventLoop) -> None:
        self._conninfo = conninfo
        self._loop = loop
        self._connection: psycopg.AsyncConnection[tuple[Any, ...]] | None = None
        #: The read not sent yet: it answers every request that arrives until it is sent.
        self._next: asyncio.Future[Stamps | None] | None = None
        self._sender: asyncio.Task[None] | None = None
        self._closed = False

    @classmethod
    def open(cls, database: Database) -> StampReader | None:
        """A reader on the running loop, or None where the database has none (SQLite)."""
        conninfo = database.loop_conninfo()
        return cls(conninfo, asyncio.get_running_loop()) if conninfo else None

    async def read(self) -> Stamps | None:
        """Both stamps as committed now (after this call began), or None."""
        if self._closed or asyncio.get_running_loop() is not self._loop:
            return None
        if self._next is None:
            self._next = self._loop.create_future()
        waiting = self._next
        if self._sender is None:
            self._sender = self._loop.create_task(self._send())
        # Shielded: a request that goes away must not cancel the others' read.
        return await asyncio.shield(waiting)

    async def _send(self) -> None:
        try:
            while self._next is not None:
                waiting, self._next = self._next, None
                found: Stamps | None = None
                try:
                    found = await self._query()
                finally:  # closed meanwhile: its requests go the thread's way
                    waiting.set_result(found)
        finally:
            self._sender = None

    async def _query(self) -> Stamps | None:
        try:
            async with asyncio.timeout(self.TIMEOUT):
                if self._connection is None or self._connection.closed:
                    self._connection = await psycopg.AsyncConnection.connect(
                        self._conninfo, autocommit=True
                    )
                cursor = await self._connection.execute(STAMPS_SQL)
                row = await cursor.fetchone()
        except (psycopg.Error, OSError, TimeoutError):
            log.warning("could not read the stamps on the event loop", exc_info=True)
            await self._disconnect()
            return None
        return stamps_of_row(row) if row is not None else None

    async def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()

    async def close(self) -> None:
        self._closed = True
        sender = self._sender
        if sender is not None:
            sender.cancel()
            with suppress(asyncio.CancelledError):
                await sender
        if self._next is not None and not self._next.done():
            self._next.set_result(None)
        self._next = None
        await self._disconnect()


def caches_of(request: Request) -> Caches:
    caches: Caches = request.app.state.caches
    return caches


def stamps_of(request: Request, session: Session) -> Stamps:
    """Both stamps, read once per request (by its first look-up) and used by every look-up
    after it. Read on a connection of their own, so a request whose values are all kept
    never begins a transaction in its session, unless the session already holds one: then
    on its connection (a request never holds two, so busy workers cannot empty the pool).
    A value built on a miss is read after the stamps (so at them or later) and is kept only
    if the stamps, read again, have not moved."""
    found: Stamps | None = getattr(request.state, "stamps", None)
    if found is None:
        if session.in_transaction():
            found = stamps(session)
        else:
            database: Database = request.app.state.db
            with database.autocommit_connection() as connection:
                found = stamps_on(connection)
        request.state.stamps = found
    return found


#: Requests that only read. A request that writes neither uses nor keeps a kept value: it
#: could otherwise answer with what it read before its own write, or keep what it built
#: inside its transaction under a stamp another transaction may also reach.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _kept(
    request: Request,
    session: Session,
    cache: Cache[V],
    key: tuple[Hashable, ...],
    build: Callable[[], V],
    *,
    access: bool = False,
) -> V:
    """The value of `key` kept under the content stamp (the access stamp with `access`), or
    built; built afresh, and not kept, in a request that writes."""
    if request.method not in READING_METHODS:
        return build()

    def now() -> int:
        current = stamps(session)
        return current.access if access else current.content

    kept = stamps_of(request, session)
    return cache.fetch_at(now, key, build, kept.access if access else kept.content)


def _peek(
    request: Request, cache: Cache[V], key: tuple[Hashable, ...], *, access: bool = False
) -> V | None:
    """The value of `key` kept at the stamps the request has already read (`StampReader`),
    without building it: None if it is not kept or no stamps were read."""
    found: Stamps | None = getattr(request.state, "stamps", None)
    if found is None or request.method not in READING_METHODS:
        return None
    return cache.peek(key, found.access if access else found.content)


# ---- the keys, beside their loaders -------------------------------------------------------


def _token_key(token_hash: str) -> tuple[Hashable, ...]:
    return ("token", token_hash)


def _session_key(session_id: str) -> tuple[Hashable, ...]:
    return ("session", session_id)


def _published_key(number: str) -> tuple[Hashable, ...]:
    return ("published", number)


def _draft_key(number: str) -> tuple[Hashable, ...]:
    return ("draft", number)


def token_is_kept(request: Request, token: str) -> bool:
    """Whether `resolve_token` has all it needs kept: it would read nothing, and it would
    write no note of the token's use."""
    token_hash = identity.token_hash_of(token)
    if token_hash is None:
        return True
    stored = _peek(request, caches_of(request).tokens, _token_key(token_hash), access=True)
    if stored is None:
        return False
    resolved = stored.resolved(utcnow())
    return resolved is None or not resolved.needs_use_recorded


def session_is_kept(request: Request, token: str, policy: SessionPolicy) -> bool:
    """Whether `resolve_session` has all it needs kept: it would read nothing, and the
    session needs no refresh of its last use (a write)."""
    session_id = auth.session_id_of(token)
    if session_id is None:
        return True
    stored = _peek(request, caches_of(request).sessions, _session_key(session_id), access=True)
    if stored is None:
        return False
    active = stored.judged(utcnow(), policy)
    return active is None or not active.needs_touch


def latest_stamp_is_kept(request: Request, number: str) -> bool:
    """Whether `latest_stamp` has the municipality's latest published version kept."""
    return _peek(request, caches_of(request).published, _published_key(number)) is not None


def draft_facts_are_kept(request: Request, number: str) -> bool:
    """Whether `draft_facts` has the municipality's draft facts kept."""
    return _peek(request, caches_of(request).drafts, _draft_key(number)) is not None


def resolve_token(request: Request, session: Session, token: str) -> ResolvedToken | None:
    """`identity.resolve_token`, with the stored token kept under the access stamp: the
    rules (revoked, expired, client disabled) are applied to it at every request."""
    token_hash = identity.token_hash_of(token)
    if token_hash is None:
        return None
    stored = _kept(
        request,
        session,
        caches_of(request).tokens,
        _token_key(token_hash),
        lambda: identity.load_token(session, token_hash),
        access=True,
    )
    return stored.resolved(utcnow()) if stored else None


def resolve_session(
    request: Request, session: Session, token: str | None, policy: SessionPolicy
) -> ActiveSession | None:
    """`auth.active_session`, with the stored session kept under the access stamp: its
    rules (expiry, idleness, a disabled person) are applied to it at every request."""
    session_id = auth.session_id_of(token)
    if session_id is None:
        return None
    stored = _kept(
        request,
        session,
        caches_of(request).sessions,
        _session_key(session_id),
        lambda: auth.load_session(session, session_id),
        access=True,
    )
    return stored.judged(utcnow(), policy) if stored else None


def my_municipalities(
    request: Request, session: Session, principal: Principal
) -> list[MunicipalityLink]:
    """`workspace.my_municipalities`, kept under the content stamp for the grants it
    depends on (the same list for everyone with the same ones; not to be changed)."""
    return _kept(
        request,
        session,
        caches_of(request).my_municipalities,
        ("my-municipalities", principal.role, principal.municipality_ids, principal.region_ids),
        lambda: workspace.my_municipalities(session, principal),
    )


@dataclass(frozen=True)
class _Rows:
    """A municipality's and its region's columns, as read."""

    municipality: dict[str, Any]
    region: dict[str, Any]


def municipality_and_region(
    request: Request, session: Session, number: str
) -> tuple[Municipality, Region]:
    """`common.municipality_and_region` for a reading request, kept under the content stamp
    (an unknown number raises, as there, and is looked up again next time). Each caller gets
    rows of its own, in no session, so nothing it does reaches the kept values; a request
    that writes gets the session's own rows."""
    if request.method not in READING_METHODS:
        return common.municipality_and_region(session, number)
    rows = _kept(
        request,
        session,
        caches_of(request).municipalities,
        ("municipality", number),
        lambda: _rows_of(*common.municipality_and_region(session, number)),
    )
    return Municipality(**rows.municipality), Region(**rows.region)


def _rows_of(municipality: Municipality, region: Region) -> _Rows:
    return _Rows(municipality.model_dump(), region.model_dump())


def latest_stamp(request: Request, session: Session, number: str) -> publishing.PublishedStamp:
    """`publishing.latest_stamp`, kept under the content stamp (an unpublished municipality
    raises, as there, and is looked up again next time)."""
    return _kept(
        request,
        session,
        caches_of(request).published,
        _published_key(number),
        lambda: publishing.latest_stamp(session, number),
    )


def draft_facts(request: Request, session: Session, number: str) -> pathway.DraftFacts:
    """`pathway.draft_facts`, kept under the content stamp."""
    return _kept(
        request,
        session,
        caches_of(request).drafts,
        _draft_key(number),
        lambda: pathway.draft_facts(session, number),
    )


def draft_status(
    request: Request, session: Session, principal: Principal, municipality: Municipality
) -> DraftStatus:
    """`draft_status.status_of` without details, for a municipality the caller may read (the
    status is the same for everyone who may), kept for the municipality's version."""
    return _kept(
        request,
        session,
        caches_of(request).draft_status,
        ("draft-status", municipality.id, municipality.version),
        lambda: draft_status_service.status_of(session, principal, municipality, details=False),
    )


def pathway_json(request: Request, session: Session, facts: pathway.DraftFacts, lang: str) -> bytes:
    """The draft pathway of a municipality opened with `pathway.open_draft`, as JSON."""
    return _kept(
        request,
        session,
        caches_of(request).pathway_json,
        ("pathway", facts.id, facts.version, lang),
        lambda: (
            pathway.read_pathway(session, pathway.draft_of(session, facts), lang)
            .model_dump_json()
            .encode()
        ),
    )


def region(request: Request, session: Session, slug: str) -> overview.RegionRef:
    """`overview.region_ref`, kept under the content stamp (an unknown slug raises, as
    there, and is looked up again next time). No access check: see `overview_etag`."""
    return _kept(
        request,
        session,
        caches_of(request).regions,
        ("region", slug),
        lambda: overview.region_ref(session, slug),
    )


class _KeptOverviewSources:
    """The region and the overview's versions, kept under the content stamp (the region by
    its slug, the versions by the region)."""

    def __init__(self, request: Request, session: Session) -> None:
        self.request = request
        self.session = session
        self.caches = caches_of(request)

    def region(self, slug: str) -> overview.RegionRef:
        return region(self.request, self.session, slug)

    def versions(self, region: overview.RegionLike | None) -> tuple[object, ...]:
        return _kept(
            self.request,
            self.session,
            self.caches.overview_versions,
            ("overview-versions", region.id if region is not None else None),
            lambda: overview.overview_versions(self.session, region),
        )


def overview_etag(
    request: Request,
    session: Session,
    principal: Principal,
    slug: str | None,
    filters: OverviewFilters | None = None,
    **options: Any,
) -> str:
    """`overview.overview_etag` (access checked first, as there) with the region and the
    overview's versions kept under the content stamp: its aggregate query is read once per
    content change instead of on every request."""
    sources = _KeptOverviewSources(request, session)
    return overview.overview_etag(session, principal, slug, filters, kept=sources, **options)


def catalogue(
    request: Request, session: Session, lang: str
) -> tuple[tuple[PhaseRead, ...], tuple[OfferingTypeRead, ...]]:
    """`catalogue.list_phases` and `catalogue.list_offering_types` in `lang`, kept under the
    content stamp (for the region page's filters, read on every view of it)."""
    return _kept(
        request,
        session,
        caches_of(request).catalogue,
        ("catalogue", lang),
        lambda: (
            tuple(catalogue_service.list_phases(session, lang)),
            tuple(catalogue_service.list_offering_types(session, lang)),
        ),
    )


@dataclass(frozen=True)
class _KeptOverview:
    """An overview as kept: its JSON (the API's body) and the model to read it back into.
    A built overview of the country is about 13 MB of objects; its JSON, 1.6 MB."""

    kind: type[Overview] | type[OverviewSummary]
    json: bytes


def _kept_overview(
    request: Request,
    session: Session,
    principal: Principal,
    slug: str | None,
    tag: str,
    filters: OverviewFilters | None,
    options: dict[str, Any],
) -> _KeptOverview:
    def build() -> _KeptOverview:
        built = overview.get_overview(session, principal, slug, filters, **options)
        return _KeptOverview(type(built), built.model_dump_json().encode())

    # The strong ETag's content part names the content (the versions included), the
    # filters, the language and the day: one build serves every representation.
    key = ("overview", overview.etag_content(tag))
    return caches_of(request).overview.fetch(session, key, build, request)


def overview_result(
    request: Request,
    session: Session,
    principal: Principal,
    slug: str | None,
    tag: str,
    filters: OverviewFilters | None = None,
    **options: Any,
) -> Overview | OverviewSummary:
    """`overview.get_overview` (its `options` too) for a caller who has just computed `tag`
    with `overview_etag` (which also checked access): read from the kept JSON, a model of
    the caller's own."""
    kept = _kept_overview(request, session, principal, slug, tag, filters, options)
    return kept.kind.model_validate_json(kept.json)


def overview_json(
    request: Request,
    session: Session,
    principal: Principal,
    slug: str | None,
    tag: str,
    filters: OverviewFilters | None = None,
    **options: Any,
) -> bytes:
    """The JSON body of the overview `overview_result` answers."""
    return _kept_overview(request, session, principal, slug, tag, filters, options).json


def overview_results(
    request: Request, session: Session, key: Hashable, render: Callable[[], Markup]
) -> Markup:
    """The region page's results block, rendered once for the overview's strong ETag (`key`
    names it, the template and the kind of answer)."""
    return caches_of(request).overview_results.fetch(session, ("results", key), render, request)
