"""The change feed: caches in a process stay exact because every committed write advances
the generation — in this process at once, in other processes through the database."""

from __future__ import annotations

import time

from sqlmodel import Session

from app.changes import ChangeFeed, PostgresChangeFeed, SQLiteChangeFeed, attach
from app.db import Database
from app.models.catalogue import OfferingType
from app.services.seed import seed
from tests import factories
from tests.conftest import BACKEND, fresh_database_url


def test_own_commits_advance_the_generation(session: Session) -> None:
    feed = ChangeFeed()
    attach(session, feed)
    before = feed.generation()
    factories.strength(session, "5501")
    after = feed.generation()
    assert before is not None
    assert after is not None
    assert after > before
    # Reading does not advance it.
    session.commit()
    assert feed.generation() == after


def test_memo_is_recomputed_after_a_change() -> None:
    feed = ChangeFeed()
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert feed.memo("key", compute) == 1
    assert feed.memo("key", compute) == 1
    feed.advance()
    assert feed.memo("key", compute) == 2
    assert len(calls) == 2


def test_a_write_moves_only_the_tables_it_wrote(session: Session) -> None:
    """Memos that name their tables survive writes elsewhere (a pathway edit keeps the
    catalogue and the tokens), and follow every write to their own tables."""
    feed = ChangeFeed()
    attach(session, feed)
    calls: list[int] = []

    def catalogue() -> int:
        calls.append(1)
        return len(calls)

    tables = ("phase", "offering_type")
    strengths_before = feed.tables_generation(("strength",))
    assert feed.memo("catalogue", catalogue, tables) == 1
    factories.strength(session, "5501")
    assert feed.tables_generation(("strength",)) != strengths_before
    assert feed.memo("catalogue", catalogue, tables) == 1  # not read again
    assert feed.memo("everything", catalogue) == 2  # a memo naming no tables: any change

    kind = session.get(OfferingType, "memory_team")
    assert kind is not None
    kind.name_nb = "Hukommelsesteamet i kommunen"
    session.add(kind)
    session.commit()
    assert feed.memo("catalogue", catalogue, tables) == 3

    # Bulk statements name their table too; a change of unknown tables moves them all.
    offerings = feed.tables_generation(("offering",))
    factories.fill_section(session, "5501", "assessment", offerings=2)
    assert feed.tables_generation(("offering",)) != offerings
    feed.advance()
    assert feed.memo("catalogue", catalogue, tables) == 4


def test_another_process_commit_is_seen() -> None:
    """Two Database objects stand for two app processes sharing one database."""
    url = fresh_database_url("changes")
    reader = Database(url)
    writer = Database(url)
    try:
        with writer.session(write=True) as session:
            seed(session)
        reader.feed.start()
        if isinstance(reader.feed, PostgresChangeFeed):
            assert reader.feed.wait_until_listening()
        else:
            assert isinstance(reader.feed, SQLiteChangeFeed)
        first = reader.feed.generation()
        assert first is not None
        assert reader.feed.generation() == first  # nothing happened
        with writer.session(write=True) as session:
            factories.strength(session, "5540", "Skrevet av en annen prosess")
        deadline = time.monotonic() + 5
        while reader.feed.generation() == first and time.monotonic() < deadline:
            time.sleep(0.01)
        assert reader.feed.generation() != first
        if isinstance(reader.feed, PostgresChangeFeed):
            # The notification names the tables written: the catalogue's did not move.
            catalogue = reader.feed.tables_generation(("offering_type",))
            strengths = reader.feed.tables_generation(("strength",))
            with writer.session(write=True) as session:
                factories.strength(session, "5540", "Enda en styrke")
            deadline = time.monotonic() + 5
            while (
                reader.feed.tables_generation(("strength",)) == strengths
                and time.monotonic() < deadline
            ):
                time.sleep(0.01)
            assert reader.feed.tables_generation(("strength",)) != strengths
            assert reader.feed.tables_generation(("offering_type",)) == catalogue
    finally:
        reader.dispose()
        writer.dispose()


def test_the_backend_under_test_has_a_real_feed() -> None:
    url = fresh_database_url("changes_kind")
    database = Database(url)
    try:
        expected = SQLiteChangeFeed if BACKEND == "sqlite" else PostgresChangeFeed
        assert isinstance(database.feed, expected)
    finally:
        database.dispose()
