"""Access first on a real database (not the test transaction): a token refused at an address
is refused before its request is judged, even on the token's first use, when the request's
own transaction already holds the token's row for its note of use. That second look at the
caller once waited for the request's own lock for ever (PostgreSQL) or until the lock
timed out (SQLite)."""

from __future__ import annotations

import threading
from typing import Any

import httpx
from fastapi.testclient import TestClient

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.services.seed import seed
from tests.conftest import fresh_database_url
from tests.live import write_token


def test_a_fresh_token_is_refused_before_its_bad_body_is_judged() -> None:
    url = fresh_database_url("access_first")
    database = Database(url)
    with database.session(write=True) as session:
        seed(session)
    database.dispose()
    if url.startswith("postgresql"):
        # A wait for a lock ends in an error after 3 s, so the failure shows instead of hanging.
        url += "?options=-c%20lock_timeout%3D3000"
    settings = Settings(
        environment="test",
        database_url=url,
        secret_key="test-secret-" + "x" * 32,
        log_level="WARNING",
        mail_sender_thread=False,
        webhook_sender_thread=False,
    )
    token = write_token(url, "5501")  # never used: its first request notes the use
    answers: list[httpx.Response | BaseException] = []

    def call(client: TestClient) -> None:
        try:
            answers.append(
                client.put(
                    "/api/v1/municipalities/5540/pathway/phases/assessment",
                    content=b"[]",
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                        "If-Match": '"1"',
                    },
                )
            )
        except BaseException as error:  # the server's own failure, seen by the test
            answers.append(error)

    with TestClient(create_app(settings)) as client:
        caller: Any = threading.Thread(target=call, args=(client,), daemon=True)
        caller.start()
        caller.join(timeout=15)
        assert not caller.is_alive(), "the refusal waited for the request's own lock"
    (answer,) = answers
    assert isinstance(answer, httpx.Response), repr(answer)
    assert answer.status_code == 403, answer.text
