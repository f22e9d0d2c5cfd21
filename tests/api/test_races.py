"""Concurrent writers against a real server: exactly one wins, nothing is lost or doubled."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from itertools import permutations

import httpx
import pytest
from sqlmodel import col, func, select

from app.db import Database
from app.models.audit import AuditEvent
from app.models.measurement import Observation
from app.models.pathway import PhaseSectionInput, PhaseSectionRead
from app.services import common, pathway
from app.services.access import SYSTEM
from app.services.seed import seed
from tests.conftest import fresh_database_url
from tests.live import LiveServer, write_token

pytestmark = pytest.mark.slow

WRITERS = 20


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[LiveServer, str]]:
    url = fresh_database_url("races")
    database = Database(url)
    with database.session(write=True) as session:
        seed(session)
    database.dispose()
    token = write_token(url, "5501", "5540")
    with LiveServer(url, workers=2) as live:
        yield live, token


def _together(count: int, action: object) -> list[httpx.Response]:
    """Run `action(i)` in `count` threads released at the same moment."""
    barrier = threading.Barrier(count)
    results: list[httpx.Response | None] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = action(i)  # type: ignore[operator]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


ROUNDS = 8  # one round rarely shows a missing lock; several rounds almost always do


def test_twenty_writers_with_one_etag_exactly_one_wins(server: tuple[LiveServer, str]) -> None:
    live, token = server
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{live.url}/api/v1/municipalities/5501/pathway/phases/assessment"
    for round_number in range(ROUNDS):
        tag = httpx.get(url, headers=headers).headers["etag"]

        def put(i: int, tag: str = tag, round_number: int = round_number) -> httpx.Response:
            return httpx.put(
                url,
                json={"description": f"Runde {round_number}, skriver {i}"},
                headers={**headers, "If-Match": tag},
                timeout=60,
            )

        responses = _together(WRITERS, put)
        statuses = Counter(r.status_code for r in responses)
        assert statuses == {200: 1, 412: WRITERS - 1}, f"round {round_number}: {statuses}"
        winner = next(r for r in responses if r.status_code == 200).json()["description"]
        assert httpx.get(url, headers=headers).json()["description"] == winner
        for loser in (r for r in responses if r.status_code == 412):
            assert loser.json()["current"]["description"] == winner
    database = Database(live.database_url)
    with database.session() as session:
        events = session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(col(AuditEvent.entity_id) == "5501/assessment")
        ).one()
    database.dispose()
    assert events == ROUNDS


def test_a_writer_that_waited_for_the_lock_reads_what_the_one_before_it_saved(
    server: tuple[LiveServer, str],
) -> None:
    """The section is read in the same statement that takes the lock. A writer that had to
    wait must still check its If-Match against, and audit over, the section as the writer
    before it committed it: never the copy its statement saw before the wait."""
    live, _ = server
    database = Database(live.database_url)
    first, second = database.session(write=True), database.session(write=True)
    try:
        municipality = common.get_municipality(first, "5540")
        start = pathway.get_section(first, SYSTEM, "5540", "assessment")
        first.rollback()
        assert municipality.id is not None
        locked = common.lock_municipality(first, municipality.id)
        outcome: list[object] = []

        def wait_then_write() -> None:
            try:
                outcome.append(
                    pathway.update_section(
                        second,
                        SYSTEM,
                        "5540",
                        "assessment",
                        PhaseSectionInput(description="Andre skriver"),
                        start.version + 1,  # the version the first writer is about to make
                    )
                )
            except Exception as exc:  # reported by the assertion below
                outcome.append(exc)

        waiting = threading.Thread(target=wait_then_write)
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive(), "the second writer did not wait for the lock"
        pathway.save_section(
            first,
            SYSTEM,
            locked,
            "assessment",
            PhaseSectionInput(description="Første skriver"),
            start.version,
        )
        waiting.join(timeout=30)
        [saved] = outcome
        assert isinstance(saved, PhaseSectionRead), saved
        assert saved.version == start.version + 2
        with database.session() as session:
            event = session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.entity_id) == "5540/assessment")
                .order_by(col(AuditEvent.id).desc())
            ).first()
        assert event is not None
        assert event.before is not None
        assert event.after is not None
        assert event.before["description"] == "Første skriver"
        assert event.after["description"] == "Andre skriver"
    finally:
        first.close()
        second.close()
        database.dispose()


def test_concurrent_reorders_keep_a_strict_order(server: tuple[LiveServer, str]) -> None:
    live, token = server
    headers = {"Authorization": f"Bearer {token}"}
    base = f"{live.url}/api/v1/municipalities/5540/improvement-areas"
    ids = [
        httpx.post(base, json={"title": f"Område {n}"}, headers=headers).json()["id"]
        for n in range(5)
    ]
    orders = list(permutations(ids))[1 : WRITERS + 1]

    def reorder_until_done(i: int) -> httpx.Response:
        while True:
            tag = httpx.get(base, headers=headers).headers["etag"]
            response = httpx.put(
                f"{base}/order",
                json={"ids": list(orders[i])},
                headers={**headers, "If-Match": tag},
                timeout=60,
            )
            if response.status_code != 412:
                return response

    responses = _together(WRITERS, reorder_until_done)
    assert {r.status_code for r in responses} == {200}
    areas = httpx.get(base, headers=headers).json()["items"]
    assert [a["priority"] for a in areas] == [1, 2, 3, 4, 5]
    assert sorted(a["id"] for a in areas) == sorted(ids)


def test_concurrent_upserts_of_one_period_leave_one_observation(
    server: tuple[LiveServer, str],
) -> None:
    live, token = server
    headers = {"Authorization": f"Bearer {token}"}
    area = httpx.post(
        f"{live.url}/api/v1/municipalities/5501/improvement-areas",
        json={"title": "Måling"},
        headers=headers,
    ).json()
    indicator = httpx.post(
        f"{live.url}/api/v1/improvement-areas/{area['id']}/indicators",
        json={"name": "Antall", "kind": "count"},
        headers=headers,
    ).json()
    url = f"{live.url}/api/v1/indicators/{indicator['id']}/observations"

    def upsert_until_done(i: int) -> httpx.Response:
        while True:
            tag = httpx.get(url, headers=headers).headers["etag"]
            response = httpx.put(
                url,
                json={"items": [{"period": "2024-03-01", "value": i}]},
                headers={**headers, "If-Match": tag},
                timeout=60,
            )
            if response.status_code != 412:
                return response

    responses = _together(WRITERS, upsert_until_done)
    assert {r.status_code for r in responses} == {200}
    database = Database(live.database_url)
    with database.session() as session:
        rows = session.exec(
            select(Observation).where(col(Observation.indicator_id) == indicator["id"])
        ).all()
    database.dispose()
    assert len(rows) == 1
    assert rows[0].value in {float(i) for i in range(WRITERS)}
