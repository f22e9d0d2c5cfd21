"""Kill the server with SIGKILL in the middle of a stream of writes, restart it, and check
that every write that was acknowledged is there, that nothing is half-written, and that the
database passes its integrity checks."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import col, func, select

from app.db import Database
from app.models.audit import AuditEvent
from app.models.measurement import Indicator, Observation
from app.models.pathway import Strength
from app.services.seed import seed
from tests.conftest import BACKEND, fresh_database_url
from tests.live import LiveServer, write_token

pytestmark = pytest.mark.slow

CYCLES = 2
WRITES_BEFORE_KILL = 80
THREADS = 4
VERIFIED: list[int] = []  # read by the terminal summary in conftest


@dataclass
class Acknowledged:
    strengths: list[str] = field(default_factory=list)
    periods: list[date] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def total(self) -> int:
        return len(self.strengths) + len(self.periods)


def _month(n: int) -> date:
    return date(2000 + n // 12, n % 12 + 1, 1)


def _writer(
    live: LiveServer,
    token: str,
    indicator_id: int,
    worker: int,
    cycle: int,
    acked: Acknowledged,
    stop: threading.Event,
    counter: list[int],
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    client = httpx.Client(base_url=live.url, headers=headers, timeout=10)
    n = 0
    try:
        while not stop.is_set():
            n += 1
            try:
                if worker % 2 == 0:
                    text_ = f"syklus {cycle} skriver {worker} nr {n}"
                    response = client.post(
                        "/api/v1/municipalities/5501/strengths", json={"text": text_}
                    )
                    if response.status_code == 201:
                        with acked.lock:
                            acked.strengths.append(text_)
                else:
                    with acked.lock:
                        counter[0] += 1
                        period = _month(counter[0])
                    url = f"/api/v1/indicators/{indicator_id}/observations"
                    tag = client.get(url).headers["etag"]
                    response = client.put(
                        url,
                        json={"items": [{"period": period.isoformat(), "value": n}]},
                        headers={"If-Match": tag},
                    )
                    if response.status_code == 200:
                        with acked.lock:
                            acked.periods.append(period)
            except httpx.HTTPError:
                # The server is gone; a write that got no answer may or may not be saved.
                return
    finally:
        client.close()


def _integrity(database: Database) -> None:
    with database.engine.connect() as connection:
        if BACKEND == "sqlite":
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        else:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            indexes = connection.execute(
                text(
                    "SELECT c.oid::regclass::text FROM pg_index i "
                    "JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_am a ON a.oid = c.relam "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE a.amname = 'btree' AND n.nspname = 'public'"
                )
            ).scalars()
            for index in indexes:
                connection.execute(
                    text("SELECT bt_index_check(CAST(:i AS regclass), true)"), {"i": index}
                )
            connection.commit()


def test_acknowledged_writes_survive_sigkill() -> None:
    url = fresh_database_url("crash")
    database = Database(url)
    with database.session(write=True) as session:
        seed(session)
    token = write_token(url, "5501")
    setup = LiveServer(url).start()
    headers = {"Authorization": f"Bearer {token}"}
    area = httpx.post(
        f"{setup.url}/api/v1/municipalities/5501/improvement-areas",
        json={"title": "Krasjtest"},
        headers=headers,
    ).json()
    indicator_id = httpx.post(
        f"{setup.url}/api/v1/improvement-areas/{area['id']}/indicators",
        json={"name": "Antall", "kind": "count"},
        headers=headers,
    ).json()["id"]
    setup.stop()

    acked = Acknowledged()
    counter = [0]
    for cycle in range(CYCLES):
        live = LiveServer(url, workers=2).start()
        stop = threading.Event()
        threads = [
            threading.Thread(
                target=_writer,
                args=(live, token, indicator_id, worker, cycle, acked, stop, counter),
            )
            for worker in range(THREADS)
        ]
        start_total = acked.total
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while acked.total - start_total < WRITES_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.01)
        live.kill()  # mid-stream: the writers are still sending
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert acked.total - start_total >= WRITES_BEFORE_KILL

    # Restart and verify through the API and the database.
    with LiveServer(url) as live:
        listed = httpx.get(
            f"{live.url}/api/v1/municipalities/5501/strengths", headers=headers
        ).json()
        texts = {s["text"] for s in listed["items"]}
        observations = httpx.get(
            f"{live.url}/api/v1/indicators/{indicator_id}/observations", headers=headers
        ).json()
    missing_strengths = [t for t in acked.strengths if t not in texts]
    saved_periods = {date.fromisoformat(o["period"]) for o in observations["items"]}
    missing_periods = [p for p in acked.periods if p not in saved_periods]
    assert missing_strengths == []
    assert missing_periods == []

    # Nothing half-written: each saved write has exactly its audit event, in one transaction.
    with database.session() as session:
        strengths = session.exec(select(Strength)).all()
        created = session.exec(
            select(AuditEvent.entity_id)
            .where(col(AuditEvent.entity_type) == "strength")
            .where(col(AuditEvent.action) == "create")
        ).all()
        assert sorted(str(s.id) for s in strengths) == sorted(created)
        upserts = session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(col(AuditEvent.entity_type) == "observations")
        ).one()
        indicator = session.get(Indicator, indicator_id)
        assert indicator is not None
        assert indicator.data_version - 1 == upserts
        rows = session.exec(
            select(func.count())
            .select_from(Observation)
            .where(col(Observation.indicator_id) == indicator_id)
        ).one()
        assert rows == upserts  # each acknowledged or unacknowledged upsert added one period
    _integrity(database)
    database.dispose()
    VERIFIED.append(acked.total)
    assert acked.total >= CYCLES * WRITES_BEFORE_KILL
