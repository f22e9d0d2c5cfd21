"""The caches of `app/cache.py`: each one misses after a write — made by the app or in plain
SQL, as psql or a restore would — and a value built while a write commits is never kept."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from app import cache
from app.cache import Cache, Caches
from app.db import Database
from app.models.base import Scope
from app.models.overview import Overview
from app.models.pathway import PathwayRead
from app.models.publishing import PublishInput
from app.services import pathway, publishing
from app.services.access import SYSTEM
from app.services.common import stamps
from tests import factories
from tests.conftest import TransactionalDatabase

PATHWAY = "/api/v1/municipalities/5501/pathway"
EDITOR = "/app/kommuner/5501/forlop"
TROMS = "/api/v1/regions/troms/overview"


def _caches(app: FastAPI) -> Caches:
    caches: Caches = app.state.caches
    return caches


def _request(caches: Caches, db: TransactionalDatabase, method: str = "GET") -> Any:
    """What the cache's look-ups read of a request: the app's caches and database, and the
    request's own state (where the stamps it has read are kept)."""
    return SimpleNamespace(
        app=SimpleNamespace(state=SimpleNamespace(caches=caches, db=db)),
        state=SimpleNamespace(),
        method=method,
    )


def _sql(session: Session, statement: str) -> None:
    """A write made outside the app's services, as psql would make it."""
    session.execute(text(statement))
    session.commit()


def test_every_write_to_the_content_moves_the_stamp_on(session: Session) -> None:
    before = stamps(session).content
    factories.fill_section(session, "5501", "assessment", text="Ny tekst")
    after_service = stamps(session).content
    assert after_service > before
    _sql(
        session,
        "UPDATE offering SET name = 'Endret i SQL' WHERE id = (SELECT max(id) FROM offering)",
    )
    assert stamps(session).content > after_service


def test_the_pathway_json_misses_after_a_write_in_plain_sql(
    app: FastAPI, session: Session, make_client: Any
) -> None:
    factories.fill_section(session, "5501", "assessment", text="Lagret tekst")
    client = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    first = client.get(PATHWAY)
    assert first.status_code == 200
    assert len(_caches(app).pathway_json) == 1
    assert client.get(PATHWAY).content == first.content  # kept
    # Restored in SQL without touching the municipality's version.
    _sql(
        session,
        "UPDATE phase_section SET description = 'Hentet tilbake i SQL' WHERE phase = 'assessment'"
        " AND municipality_id = (SELECT id FROM municipality WHERE number = '5501')",
    )
    again = client.get(PATHWAY)
    assert again.headers["etag"] == first.headers["etag"]
    assert "Hentet tilbake i SQL" in again.text
    assert len(_caches(app).pathway_json) == 2


def test_the_pathway_json_misses_after_a_write_through_the_app(
    app: FastAPI, session: Session, make_client: Any
) -> None:
    client = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    client.get(PATHWAY)
    factories.fill_section(session, "5501", "assessment", text="Skrevet i appen")
    assert "Skrevet i appen" in client.get(PATHWAY).text
    assert len(_caches(app).pathway_json) == 2


def test_a_pathway_built_while_a_write_commits_is_not_kept(
    session: Session, db: TransactionalDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: a body read before a concurrent write commits must not be filed, or later
    readers would get it under a key that looks current."""
    caches = Caches()
    facts = pathway.draft_facts(session, "5501")
    read = pathway.read_pathway

    def read_while_someone_writes(s: Session, m: Any, lang: str = "nb") -> PathwayRead:
        body = read(s, m, lang)
        with db.session(write=True) as writer:
            factories.fill_section(writer, "5501", "assessment", text="Skrevet samtidig")
        return body

    monkeypatch.setattr(pathway, "read_pathway", read_while_someone_writes)
    built = cache.pathway_json(_request(caches, db), session, facts, "nb")
    assert b"Skrevet samtidig" not in built
    assert len(caches.pathway_json) == 0
    monkeypatch.undo()
    # Nothing written meanwhile: kept.
    facts = pathway.draft_facts(session, "5501")
    cache.pathway_json(_request(caches, db), session, facts, "nb")
    assert len(caches.pathway_json) == 1


def test_the_overview_misses_after_a_write(
    app: FastAPI, session: Session, client_as: Callable[..., TestClient]
) -> None:
    admin = client_as(factories.admin(session))
    first = admin.get(TROMS)
    assert first.status_code == 200
    caches = _caches(app)
    assert len(caches.overview) == 1
    assert admin.get(TROMS).content == first.content
    # The page's results and the file are built from the same kept overview.
    assert admin.get("/app/regioner/troms").status_code == 200
    assert admin.get(TROMS + ".csv").status_code == 200
    assert len(caches.overview) == 1
    _sql(session, "UPDATE municipality SET name = 'Tromsø i SQL' WHERE number = '5501'")
    again = admin.get(TROMS)
    # The cache misses, though a write in SQL need not move the versions behind the ETag.
    assert "Tromsø i SQL" in again.text
    assert len(caches.overview) == 2


def test_every_caller_reads_the_kept_overview_into_a_model_of_its_own(
    app: FastAPI, session: Session, client_as: Callable[..., TestClient]
) -> None:
    """The overview is kept as its JSON (the API's body exactly): a model is read from it
    for each page or file built, so no one shares a model another may change."""
    admin = client_as(factories.admin(session))
    body = admin.get(TROMS).content
    kept = next(iter(_caches(app).overview._items.values()))
    assert kept.json == body
    results = admin.get("/app/regioner/troms").text
    assert "Tromsø" in results
    assert Overview.model_validate_json(kept.json) == Overview.model_validate_json(body)


def test_the_region_pages_results_miss_after_a_write(
    app: FastAPI, session: Session, client_as: Callable[..., TestClient]
) -> None:
    admin = client_as(factories.admin(session))
    assert admin.get("/app/regioner/troms").status_code == 200
    assert len(_caches(app).overview_results) == 1
    admin.get("/app/regioner/troms")
    assert len(_caches(app).overview_results) == 1
    _sql(session, "UPDATE municipality SET name = 'Tromsø i SQL' WHERE number = '5501'")
    assert "Tromsø i SQL" in admin.get("/app/regioner/troms").text
    assert len(_caches(app).overview_results) == 2


def test_the_public_page_misses_after_a_write(
    app: FastAPI, session: Session, client: TestClient
) -> None:
    factories.fill_section(session, "5501", "assessment", text="Publisert tekst")
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første"))
    assert "Publisert tekst" in client.get("/kommuner/5501").text
    assert len(_caches(app).public_page) == 1
    client.get("/kommuner/5501")
    assert len(_caches(app).public_page) == 1
    # A phase renamed in SQL: the page shows the catalogue's names too.
    _sql(session, "UPDATE phase SET name_nb = 'Mistanke i SQL' WHERE key = 'suspicion'")
    assert "Mistanke i SQL" in client.get("/kommuner/5501").text
    assert len(_caches(app).public_page) == 2


def test_a_value_asked_for_while_it_is_built_is_built_once() -> None:
    shared: Cache[list[int]] = Cache(4)
    builds: list[int] = []
    started = threading.Event()

    def build() -> list[int]:
        builds.append(1)
        started.set()
        time.sleep(0.3)  # long enough for every other caller to arrive meanwhile
        return [len(builds)]

    results: list[list[int]] = []

    def ask() -> None:
        results.append(shared.fetch_at(lambda: 7, ("key",), build))

    first = threading.Thread(target=ask)
    first.start()
    assert started.wait(5)
    others = [threading.Thread(target=ask) for _ in range(4)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(10)
    assert builds == [1]
    assert len(results) == 5
    assert all(r is results[0] for r in results)


def test_a_build_that_fails_leaves_the_next_caller_to_build() -> None:
    shared: Cache[str] = Cache(4)

    def broken() -> str:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        shared.fetch_at(lambda: 7, ("key",), broken)
    assert shared.fetch_at(lambda: 7, ("key",), lambda: "built") == "built"
    assert shared.fetch_at(lambda: 7, ("key",), lambda: "again") == "built"
    assert shared.fetch_at(lambda: 8, ("key",), lambda: "moved on") == "moved on"


def test_a_token_is_kept_until_a_write_to_the_callers_moves_the_access_stamp(
    app: FastAPI, session: Session, make_client: Any, queries: Any
) -> None:
    token = factories.token(session, Scope.read, municipalities=["5501"])
    client = make_client(token)
    factories.tokens_just_used(session)
    assert client.get(PATHWAY).status_code == 200
    assert len(_caches(app).tokens) == 1
    with queries.counting():
        assert client.get(PATHWAY).status_code == 200
    assert queries.count == 1, queries.statements  # the stamps; the token and body are kept
    before = stamps(session).access
    _sql(session, "UPDATE api_token SET revoked_at = CURRENT_TIMESTAMP")
    assert stamps(session).access > before
    assert client.get(PATHWAY).status_code == 401


def test_a_kept_token_is_judged_at_every_request(
    app: FastAPI, session: Session, make_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What is kept is the stored token; whether it has expired is decided at each request."""
    client = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    _sql(session, "UPDATE api_token SET expires_at = '2099-01-01 00:00:00'")
    assert client.get(PATHWAY).status_code == 200
    later = datetime(2099, 1, 1, 0, 0, 1, tzinfo=UTC)
    monkeypatch.setattr(cache, "utcnow", lambda: later)
    assert client.get(PATHWAY).status_code == 401


def test_a_session_is_kept_until_a_write_to_the_callers_moves_the_access_stamp(
    app: FastAPI, session: Session, client_as: Any, queries: Any
) -> None:
    coordinator = client_as(factories.coordinator(session, "5501"))
    assert coordinator.get(EDITOR).status_code == 200
    assert len(_caches(app).sessions) == 1
    with queries.counting():
        assert coordinator.get(EDITOR).status_code == 200
    assert not any("web_session" in s for s in queries.statements), queries.statements
    # The person disabled with SQL: signed out on the next request.
    _sql(session, 'UPDATE "user" SET is_active = false')
    assert coordinator.get(EDITOR, follow_redirects=False).status_code == 303


def test_a_kept_session_is_judged_at_every_request(
    app: FastAPI, session: Session, client_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What is kept is the stored session; whether it has expired is decided each time."""
    coordinator = client_as(factories.coordinator(session, "5501"))
    assert coordinator.get(EDITOR).status_code == 200
    later = datetime(2099, 1, 1, tzinfo=UTC)
    monkeypatch.setattr(cache, "utcnow", lambda: later)
    assert coordinator.get(EDITOR, follow_redirects=False).status_code == 303


def test_the_editors_part_of_its_page_is_kept_until_the_content_changes(
    app: FastAPI, session: Session, client_as: Any
) -> None:
    coordinator = client_as(factories.coordinator(session, "5501"))
    assert "Ny beskrivelse" not in coordinator.get(EDITOR).text
    assert len(_caches(app).editor_body) == 1
    factories.fill_section(session, "5501", "assessment", text="Ny beskrivelse")
    assert "Ny beskrivelse" in coordinator.get(EDITOR).text
    _sql(session, "UPDATE phase_section SET description = 'Endret med SQL'")
    assert "Endret med SQL" in coordinator.get(EDITOR).text


def test_the_switchers_municipalities_are_kept_until_the_content_changes(
    app: FastAPI, session: Session, client_as: Any
) -> None:
    adviser = client_as(factories.adviser(session, "troms"))
    assert ">Tromsø<" in adviser.get(EDITOR).text
    assert len(_caches(app).my_municipalities) == 1
    _sql(session, "UPDATE municipality SET name = 'Romsa' WHERE name = 'Tromsø'")
    page = adviser.get(EDITOR).text
    assert ">Romsa<" in page
    assert ">Tromsø<" not in page


def test_the_drafts_facts_and_the_published_stamp_miss_after_a_write_in_plain_sql(
    app: FastAPI, session: Session, make_client: Any, client: TestClient
) -> None:
    reader = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    tag = reader.get(PATHWAY).headers["etag"]
    assert reader.get(PATHWAY, headers={"If-None-Match": tag}).status_code == 304
    _sql(session, "UPDATE municipality SET version = version + 1 WHERE number = '5501'")
    changed = reader.get(PATHWAY, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag

    factories.fill_section(session, "5501", "suspicion")
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første"))
    first = client.get("/kommuner/5501").headers["etag"]
    assert client.get("/kommuner/5501", headers={"If-None-Match": first}).status_code == 304
    _sql(
        session,
        "DELETE FROM published_version WHERE municipality_id = "
        "(SELECT id FROM municipality WHERE number = '5501')",
    )
    gone = client.get("/kommuner/5501", headers={"If-None-Match": first})
    assert gone.status_code == 200  # the notice that nothing is published
    assert gone.headers.get("etag") != first


def test_the_draft_status_misses_after_a_write_in_plain_sql(
    session: Session, db: TransactionalDatabase
) -> None:
    """Kept for the municipality's version, and under the content stamp: a change made in SQL
    that leaves the version alone (the published version removed) still shows."""
    caches = Caches()
    factories.fill_section(session, "5501", "suspicion", text="Publisert tekst")
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første"))
    municipality = pathway.draft_of(session, pathway.draft_facts(session, "5501"))
    status = cache.draft_status(_request(caches, db), session, SYSTEM, municipality)
    assert not status.has_unpublished_changes
    assert len(caches.draft_status) == 1
    _sql(
        session,
        "DELETE FROM published_version WHERE municipality_id = "
        "(SELECT id FROM municipality WHERE number = '5501')",
    )
    again = cache.draft_status(_request(caches, db), session, SYSTEM, municipality)
    assert again.has_unpublished_changes
    assert again.published_version is None


def test_the_stamps_are_read_on_the_requests_own_connection_while_it_holds_one(
    session: Session, db: TransactionalDatabase
) -> None:
    """A request that already holds a connection never asks the pool for a second one (busy
    workers waiting for a second connection could empty the pool); one that holds none
    reads the stamps on a connection of its own, and its session stays idle."""
    opened: list[str] = []

    class Recording:
        @contextmanager
        def autocommit_connection(self) -> Iterator[Any]:
            opened.append("own")
            with db.autocommit_connection() as connection:
                yield connection

    def request() -> Any:
        return SimpleNamespace(
            app=SimpleNamespace(state=SimpleNamespace(caches=Caches(), db=Recording())),
            state=SimpleNamespace(),
        )

    session.rollback()
    idle = Session(db.connection)
    assert not idle.in_transaction()
    first = cache.stamps_of(request(), idle)
    assert opened == ["own"]
    assert not idle.in_transaction()

    busy = db.session()
    busy.execute(text("SELECT 1"))
    assert busy.in_transaction()
    assert cache.stamps_of(request(), busy) == first
    assert opened == ["own"]


def test_a_request_that_writes_neither_uses_nor_keeps_a_kept_value(
    session: Session, db: TransactionalDatabase
) -> None:
    """It could otherwise answer with what it read before its own write, or keep what it
    built inside its transaction under a stamp another transaction may reach too."""
    caches = Caches()
    facts = pathway.draft_facts(session, "5501")
    before = cache.pathway_json(_request(caches, db), session, facts, "nb")
    assert len(caches.pathway_json) == 1
    writing = _request(caches, db, "POST")
    writing.state.stamps = stamps(session)  # read before its write
    factories.fill_section(session, "5501", "assessment", text="Skrevet av forespørselen")
    after = cache.pathway_json(writing, session, facts, "nb")
    assert "Skrevet av forespørselen".encode() in after
    assert after != before
    assert len(caches.pathway_json) == 1  # nothing kept by the writing request


def test_the_event_loops_reader_connects_where_the_engine_does() -> None:
    """PostgreSQL: the same server, database, user and options, as a libpq URL. SQLite has
    no reader (its stamps are read in a thread)."""
    postgres = Database("postgres://planner:hemmelig@db.example:5433/dfl?sslmode=require")
    assert postgres.loop_conninfo() == (
        "postgresql://planner:hemmelig@db.example:5433/dfl?sslmode=require"
    )
    assert Database("sqlite://").loop_conninfo() is None


def test_a_kept_region_page_reads_nothing_but_the_stamps(
    session: Session, client_as: Callable[..., TestClient], queries: Any
) -> None:
    adviser = client_as(factories.adviser(session, "troms"))
    assert adviser.get("/app/regioner/troms").status_code == 200
    with queries.counting():
        assert adviser.get("/app/regioner/troms").status_code == 200
        assert adviser.get(TROMS).status_code == 200
    # The region, the overview's versions and the catalogue's filters are kept too.
    assert all("content_stamp" in q or "access_stamp" in q for q in queries.statements), (
        queries.statements
    )


def test_the_overviews_versions_and_region_miss_after_a_write_in_plain_sql(
    session: Session, client_as: Callable[..., TestClient]
) -> None:
    adviser = client_as(factories.adviser(session, "troms"))
    tag = adviser.get(TROMS).headers["etag"]
    assert adviser.get(TROMS, headers={"If-None-Match": tag}).status_code == 304
    _sql(session, "UPDATE municipality SET version = version + 1 WHERE number = '5501'")
    changed = adviser.get(TROMS, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag

    _sql(session, "UPDATE region SET slug = 'nord' WHERE slug = 'troms'")
    assert adviser.get(TROMS).status_code == 404
    assert adviser.get("/api/v1/regions/nord/overview").status_code == 200
    assert adviser.get("/app/regioner/nord").status_code == 200

    _sql(session, "UPDATE region SET slug = 'troms' WHERE slug = 'nord'")
    assert adviser.get(TROMS).status_code == 200
    region_id = session.execute(text("SELECT id FROM region WHERE slug = 'oslo'")).scalar_one()
    _sql(
        session,
        "UPDATE user_region SET region_id = "
        f"{region_id} WHERE region_id = (SELECT id FROM region WHERE slug = 'troms')",
    )
    assert adviser.get(TROMS).status_code == 403  # the grant is read afresh, the region kept


def test_the_region_pages_filters_miss_after_a_write_to_the_catalogue_in_plain_sql(
    session: Session, client_as: Callable[..., TestClient]
) -> None:
    adviser = client_as(factories.adviser(session, "troms"))
    assert "Omsorg ved livets slutt" in adviser.get("/app/regioner/troms").text
    _sql(session, "UPDATE phase SET name_nb = 'Livets siste fase' WHERE key = 'end_of_life'")
    page = adviser.get("/app/regioner/troms").text
    assert "Livets siste fase" in page
    assert "Omsorg ved livets slutt" not in page


def test_a_municipalitys_pages_keep_its_rows_until_the_content_changes(
    app: FastAPI, session: Session, client_as: Any, queries: Any
) -> None:
    coordinator = client_as(factories.coordinator(session, "5501"))
    assert coordinator.get(EDITOR).status_code == 200
    assert len(_caches(app).municipalities) == 1
    with queries.counting():
        assert coordinator.get(EDITOR).status_code == 200
    assert not [q for q in queries.statements if "FROM municipality" in q], queries.statements
    _sql(session, "UPDATE municipality SET contact_name = 'Demenskoordinator i SQL'")
    assert "Demenskoordinator i SQL" in coordinator.get("/app/kommuner/5501/publiser").text
    _sql(session, "UPDATE region SET name = 'Nord' WHERE slug = 'troms'")
    assert "Nord" in coordinator.get(EDITOR).text


def test_the_rows_a_reading_request_gets_are_its_own(
    session: Session, db: TransactionalDatabase
) -> None:
    """Each caller gets rows in no session: what one changes reaches neither the kept
    values nor the database; a request that writes gets the session's own rows."""
    caches = Caches()
    first, _ = cache.municipality_and_region(_request(caches, db), session, "5501")
    first.name = "Endret i minnet"
    again, region = cache.municipality_and_region(_request(caches, db), session, "5501")
    assert again.name == "Tromsø"
    assert len(caches.municipalities) == 1
    assert first not in session
    assert again is not first
    assert region.slug == "troms"
    written, _ = cache.municipality_and_region(_request(caches, db, "POST"), session, "5501")
    assert written in session
