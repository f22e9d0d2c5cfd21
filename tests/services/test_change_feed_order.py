"""A consumer that follows the feed's cursor never misses an event, even when two
transactions overlap and the one that started first commits last (PostgreSQL: ids are
handed out at commit, under an advisory lock held to the commit)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from app.db import Database
from app.models.municipality import Municipality
from app.services import changes
from app.services.access import SYSTEM
from tests.conftest import BACKEND, fresh_database_url

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="SQLite has one writer at a time: its write transactions cannot overlap",
)


@pytest.fixture(scope="module")
def database() -> Iterator[Database]:
    database = Database(fresh_database_url("feed_order"))
    yield database
    database.dispose()


def _stage(session: Session, entity_id: str) -> None:
    session.exec(select(Municipality.id)).first()  # the transaction has begun
    changes.stage(
        session,
        action="update",
        entity_type="strength",
        entity_id=entity_id,
        municipality=None,
        after={"version": 2},
    )


def _ids_after(database: Database, after: int) -> list[str]:
    with database.session() as session:
        return [e.entity_id for e in changes.list_events(session, SYSTEM, after=after).items]


def _cursor(database: Database) -> int:
    with database.session() as session:
        return changes.list_events(session, SYSTEM, after=0, limit=1000).next_cursor


def test_the_transaction_that_started_first_and_commits_last_is_not_missed(
    database: Database,
) -> None:
    start = _cursor(database)
    first = database.session(write=True)
    _stage(first, "first")  # begun, not committed
    with database.session(write=True) as second:
        _stage(second, "second")
        second.commit()
    seen = _ids_after(database, start)
    assert seen == ["second"]
    cursor = _cursor(database)
    first.commit()
    first.close()
    assert _ids_after(database, cursor) == ["first"]


def test_a_commit_waits_while_an_earlier_id_is_still_uncommitted(database: Database) -> None:
    start = _cursor(database)
    inserted, release = threading.Event(), threading.Event()

    def hold(session: Session, rows: list[Any]) -> None:
        if any(r.entity_id == "slow" for r in rows):
            inserted.set()
            assert release.wait(10)

    changes.AFTER_WRITE.append(hold)
    try:

        def slow() -> None:
            with database.session(write=True) as session:
                _stage(session, "slow")
                session.commit()

        thread = threading.Thread(target=slow)
        thread.start()
        assert inserted.wait(10)  # "slow" holds its id, not yet committed
        fast_done = threading.Event()

        def fast() -> None:
            with database.session(write=True) as session:
                _stage(session, "fast")
                session.commit()
            fast_done.set()

        other = threading.Thread(target=fast)
        other.start()
        # The later transaction cannot commit an id past the uncommitted one.
        assert not fast_done.wait(1.0)
        assert _ids_after(database, start) == []
        release.set()
        thread.join(10)
        other.join(10)
        assert fast_done.is_set()
    finally:
        changes.AFTER_WRITE.remove(hold)
    assert _ids_after(database, start) == ["slow", "fast"]
