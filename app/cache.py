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

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Generic, TypeVar

from fastapi import Request
from markupsafe import Markup
from sqlmodel import Session

from app.db import Database
from app.models.base import utcnow
from app.models.municipality import Municipality
from app.models.publishing import DraftStatus
from app.services import draft_status as draft_status_service
from app.services import identity, overview, pathway, publishing
from app.services.access import Principal
from app.services.common import Stamps, content_stamp, stamps, stamps_on
from app.services.identity import ResolvedToken, StoredToken

if TYPE_CHECKING:
    from app.config import Settings
    from app.models.overview import Overview, OverviewFilters, OverviewSummary

V = TypeVar("V")


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
        self,
        session: Session,
        key: tuple[Hashable, ...],
        build: Callable[[], V],
        request: Request | None = None,
    ) -> V:
        """The value for `key` at the current content stamp (the one the `request` has read,
        if given): kept, or built by `build` (which reads through `session`) and filed if the
        stamp did not move while it was built."""
        if request is not None:
            return _kept(request, session, self, key, build)
        return self.fetch_at(lambda: content_stamp(session), key, build)

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

    def __len__(self) -> int:
        return len(self._items)


class Caches:
    """The app's caches (docs/operations.md lists them)."""

    def __init__(self) -> None:
        #: GET /api/v1/municipalities/{number}/pathway: JSON bytes.
        self.pathway_json: Cache[bytes] = Cache(512)
        #: The overview (region, national, anonymous summary) as built, shared by its JSON,
        #: page and files.
        self.overview: Cache[Overview | OverviewSummary] = Cache(64)
        #: GET /api/v1/regions/{slug}/overview (and national): JSON bytes.
        self.overview_json: Cache[bytes] = Cache(32)
        #: The region page's results block (the heavy part: 1 MB for the whole country).
        self.overview_results: Cache[Markup] = Cache(64)
        #: The public page of a municipality's latest published version.
        self.public_page: Cache[bytes] = Cache(512)
        #: Bearer tokens as stored, by their hash, under the access stamp.
        self.tokens: Cache[StoredToken | None] = Cache(1024)
        #: Each municipality's latest published version (the public page's validator).
        self.published: Cache[publishing.PublishedStamp] = Cache(512)
        #: Each municipality's draft facts: what answers a pathway's access and ETag.
        self.drafts: Cache[pathway.DraftFacts] = Cache(512)
        #: How each municipality's draft stands against its latest published version (the
        #: editor's badge): a snapshot of the draft and a comparison to build.
        self.draft_status: Cache[DraftStatus] = Cache(512)


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


# ---- the keys, beside their loaders -------------------------------------------------------


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
        ("token", token_hash),
        lambda: identity.load_token(session, token_hash),
        access=True,
    )
    return stored.resolved(utcnow()) if stored else None


def latest_stamp(request: Request, session: Session, number: str) -> publishing.PublishedStamp:
    """`publishing.latest_stamp`, kept under the content stamp (an unpublished municipality
    raises, as there, and is looked up again next time)."""
    return _kept(
        request,
        session,
        caches_of(request).published,
        ("published", number),
        lambda: publishing.latest_stamp(session, number),
    )


def draft_facts(request: Request, session: Session, number: str) -> pathway.DraftFacts:
    """`pathway.draft_facts`, kept under the content stamp."""
    return _kept(
        request,
        session,
        caches_of(request).drafts,
        ("draft", number),
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


def overview_result(
    caches: Caches,
    session: Session,
    principal: Principal,
    slug: str | None,
    tag: str,
    filters: OverviewFilters | None = None,
    *,
    anonymous: bool = False,
    lang: str = "nb",
    settings: Settings | None = None,
) -> Overview | OverviewSummary:
    """`overview.get_overview` for a caller who has just computed `tag` with
    `overview.overview_etag` (which also checked access): the strong ETag names the content
    (the stamp included), the filters, the language and the day, so one build serves every
    representation."""
    return caches.overview.fetch(
        session,
        ("overview", overview.etag_content(tag)),
        lambda: overview.get_overview(
            session, principal, slug, filters, anonymous=anonymous, lang=lang, settings=settings
        ),
    )


def overview_json(
    caches: Caches, session: Session, tag: str, result: Callable[[], Overview | OverviewSummary]
) -> bytes:
    """The JSON body of the overview named by `tag` (its strong ETag)."""
    return caches.overview_json.fetch(
        session, ("overview-json", tag), lambda: result().model_dump_json().encode()
    )
