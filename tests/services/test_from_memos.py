"""`from_memos` answers on the event loop only from current memos; anything that would read
the database runs, from the start, in a worker thread."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlmodel import Session

from app.changes import MemoMiss, _memo_only, from_memos, require_io
from app.config import Settings
from app.models.base import Scope
from app.models.municipality import Municipality
from app.services.identity import principal_for_token
from tests import factories
from tests.conftest import TransactionalDatabase

LOOP_THREAD = "test-event-loop"


def _run(func: Any, *args: Any) -> tuple[Any, list[str]]:
    """The result, and the thread names of every start of `func`."""
    starts: list[str] = []

    def traced(*inner: Any) -> Any:
        starts.append(threading.current_thread().name)
        return func(*inner)

    async def main() -> Any:
        return await from_memos(traced, *args)

    # An event loop of its own, in a thread of its own: a test run may already have a loop
    # running in this thread (the browser tests' Playwright).
    outcome: list[Any] = []
    thread = threading.Thread(target=lambda: outcome.append(asyncio.run(main())), name=LOOP_THREAD)
    thread.start()
    thread.join()
    return outcome[0], starts


def test_a_warm_memo_is_answered_on_the_loop_and_a_cold_one_in_a_thread(
    session: Session, db: TransactionalDatabase
) -> None:
    token = factories.token(session, Scope.read, municipalities=["5501"])
    session.commit()
    loop_thread = LOOP_THREAD

    with db.session() as fresh:
        db.feed.forget()
        cold, starts = _run(principal_for_token, fresh, token)
    assert cold is not None
    # Cut short on the loop at the first read, then done again in a worker thread.
    assert starts[0] == loop_thread
    assert len(starts) == 2
    assert starts[1] != loop_thread

    with db.session() as fresh:
        warm, starts = _run(principal_for_token, fresh, token)
    assert warm == cold
    assert len(starts) == 1


def test_no_statement_runs_in_memo_only_mode(session: Session) -> None:
    result, starts = _run(lambda: session.execute(text("SELECT 41 + 1")).scalar_one())
    assert result == 42
    assert len(starts) == 2  # the statement itself was refused on the loop


def test_require_io_refuses_only_in_memo_only_mode() -> None:
    require_io()  # outside it: nothing happens

    def io() -> str:
        require_io()
        return "done"

    result, starts = _run(io)
    assert result == "done"
    assert len(starts) == 2
    with pytest.raises(MemoMiss):
        contextvars.copy_context().run(_memo_only_io)


def _memo_only_io() -> None:
    _memo_only.set(True)
    require_io()


def test_a_read_in_a_thread_leaves_no_transaction_open(
    session: Session, db: TransactionalDatabase
) -> None:
    """A request waiting for its route's thread must hold no transaction: on SQLite a writing
    request's first statement takes the write lock that other route threads may wait for."""
    token = factories.token(session, Scope.write, municipalities=["5501"])
    session.commit()
    with db.session(write=True) as fresh:
        db.feed.forget()
        principal, starts = _run(principal_for_token, fresh, token)
        assert principal is not None
        assert len(starts) == 2  # it did read, in a worker thread
        assert not fresh.in_transaction()


def test_a_session_that_wrote_keeps_its_transaction(session: Session) -> None:
    def write_then_read(own: Session) -> int:
        table = Municipality.__table__  # type: ignore[attr-defined]
        own.execute(update(table).where(table.c.number == "5501").values(is_example=False))
        return int(own.execute(text("SELECT 1")).scalar_one())

    _run(write_then_read, session)
    assert session.in_transaction()  # not ended (and not committed) behind the writer's back


def test_request_threads_are_few_on_postgresql_unless_set() -> None:
    postgres = "postgresql://app@db/demensforlop"
    assert Settings(database_url=postgres).request_threads == 4
    assert Settings(database_url="sqlite:///x.db").request_threads == 40
    assert Settings(database_url=postgres, threads=2).request_threads == 2
