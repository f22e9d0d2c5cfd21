"""Webhooks end to end: a receiver on loopback gets signed deliveries (verified with
`standardwebhooks`), a failing one gets retries with growing waits and is then disabled,
and two senders on one database deliver each event once — also as two app processes, each
with its own sender, changed through both."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select
from standardwebhooks.webhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.models.base import Scope
from app.models.webhooks import WebhookDelivery
from app.services import api_clients
from app.services.access import SYSTEM
from app.services.seed import seed
from app.services.webhook_outbox import DeliveryFailed, Outgoing
from app.webhook_sender import HttpTransport, WebhookSender
from tests.conftest import fresh_database_url
from tests.live import LiveServer

pytestmark = pytest.mark.slow


@dataclass
class Receiver:
    status: int = 200
    requests: list[tuple[float, dict[str, str], bytes]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    received = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            received.requests.append((time.monotonic(), dict(self.headers.items()), body))
            self.send_response(received.status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    received.server = server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def database_url() -> str:
    url = fresh_database_url("webhooks")
    database = Database(url)
    with database.session(write=True) as session:
        seed(session)
    database.dispose()
    return url


def _settings(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": url,
        "secret_key": "test-secret-" + "x" * 32,
        "log_level": "WARNING",
        "mail_sender_thread": False,
        "webhook_allow_private": True,
        "webhook_poll_seconds": 0.1,
        "webhook_retry_seconds": 0.3,
        "webhook_retry_window_seconds": 2.5,
        **overrides,
    }
    return Settings(**values)


def _token(url: str, number: str = "5501") -> str:
    database = Database(url)
    try:
        with database.session(write=True) as session:
            return api_clients.create_token(
                session, SYSTEM, name="hooks", scope=Scope.write, municipalities=[number]
            ).token
    finally:
        database.dispose()


def _update_phase(client: TestClient, text: str) -> None:
    path = "/api/v1/municipalities/5501/pathway/phases/assessment"
    tag = client.get(path).headers["etag"]
    response = client.put(path, json={"description": text}, headers={"If-Match": tag})
    assert response.status_code == 200, response.text


def _wait(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_phase_update_arrives_signed_within_five_seconds(
    database_url: str, receiver: Receiver
) -> None:
    settings = _settings(database_url)
    token = _token(database_url)
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        created = client.post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "event_types": ["phase_section.updated"]},
        )
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        assert secret.startswith("whsec_")
        assert "secret" not in client.get(created.headers["location"]).json()
        started = time.monotonic()
        _update_phase(client, "Levert med webhook")
        assert _wait(lambda: receiver.requests, 5.0), "no delivery within five seconds"
        arrived, headers, body = receiver.requests[0]
        assert arrived - started < 5.0
        payload = Verifier(secret).verify(body, headers)
        assert payload["type"] == "phase_section.updated"
        assert payload["entity_id"] == "5501/assessment"
        assert headers["webhook-id"] == f"evt_{payload['id']}"
        with pytest.raises(WebhookVerificationError):
            Verifier(secret).verify(body + b" ", headers)
        deliveries = client.get(f"{created.headers['location']}/deliveries").json()
        assert _wait(
            lambda: (
                client.get(f"{created.headers['location']}/deliveries").json()[0]["status"]
                == "delivered"
            ),
            3.0,
        ), deliveries


def test_a_failing_receiver_gets_growing_waits_and_the_webhook_is_disabled(
    database_url: str, receiver: Receiver
) -> None:
    receiver.status = 500
    settings = _settings(database_url)
    token = _token(database_url)
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        created = client.post("/api/v1/webhooks", json={"url": receiver.url}).json()
        _update_phase(client, "Mottakeren svarer 500")
        location = f"/api/v1/webhooks/{created['id']}"
        assert _wait(lambda: not client.get(location).json()["active"], 10.0)
        hook = client.get(location).json()
        assert "No successful delivery" in hook["disabled_reason"]
        assert "500" in hook["disabled_reason"]
    times = [t for t, _, _ in receiver.requests]
    assert len(times) >= 3
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(later > earlier for earlier, later in itertools.pairwise(gaps)), gaps
    assert len({h["webhook-id"] for _, h, _ in receiver.requests}) == 1


def test_two_senders_on_one_database_deliver_each_event_once(
    database_url: str, receiver: Receiver
) -> None:
    settings = _settings(database_url, webhook_poll_seconds=0.05)
    token = _token(database_url)
    with TestClient(
        create_app(settings.model_copy(update={"webhook_sender_thread": False}))
    ) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        hook = client.post("/api/v1/webhooks", json={"url": receiver.url}).json()
        for i in range(12):
            _update_phase(client, f"Endring {i}")
    first, second = Database(database_url), Database(database_url)
    senders = [WebhookSender(settings, first), WebhookSender(settings, second)]
    for sender in senders:
        sender.start()
    try:
        assert _wait(lambda: len(receiver.requests) >= 12, 10.0)
        time.sleep(0.5)
    finally:
        for sender in senders:
            sender.stop()
        first.dispose()
    ids = [h["webhook-id"] for _, h, _ in receiver.requests]
    assert len(ids) == 12
    assert len(set(ids)) == 12
    with second.session() as session:
        statuses = session.exec(
            select(WebhookDelivery.status).where(col(WebhookDelivery.webhook_id) == hook["id"])
        ).all()
    second.dispose()
    assert statuses == ["delivered"] * 12


def test_two_app_processes_on_one_database_deliver_each_event_once(
    database_url: str, receiver: Receiver
) -> None:
    env = {
        "WEBHOOK_ALLOW_PRIVATE": "true",
        "WEBHOOK_POLL_SECONDS": "0.05",
        "WEBHOOK_RETRY_SECONDS": "0.3",
        "MAIL_SENDER_THREAD": "false",
    }
    token = _token(database_url)
    with (
        LiveServer(database_url, demo=False, env=env) as first,
        LiveServer(database_url, demo=False, env=env) as second,
        httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client,
    ):
        hook = client.post(f"{first.url}/api/v1/webhooks", json={"url": receiver.url})
        assert hook.status_code == 201, hook.text
        path = "/api/v1/municipalities/5501/pathway/phases/assessment"
        for i in range(12):
            server = (first, second)[i % 2]
            tag = client.get(server.url + path).headers["etag"]
            changed = client.put(
                server.url + path,
                json={"description": f"To prosesser, endring {i}"},
                headers={"If-Match": tag},
            )
            assert changed.status_code == 200, changed.text
        assert _wait(lambda: len(receiver.requests) >= 12, 10.0), len(receiver.requests)
        time.sleep(1.0)  # time for a duplicate to arrive, if either process would send one
        deliveries = client.get(
            f"{first.url}/api/v1/webhooks/{hook.json()['id']}/deliveries"
        ).json()
    ids = [h["webhook-id"] for _, h, _ in receiver.requests]
    assert len(ids) == 12
    assert len(set(ids)) == 12
    assert [d["status"] for d in deliveries] == ["delivered"] * 12


def test_loopback_targets_are_refused_unless_allowed(database_url: str) -> None:
    settings = _settings(database_url, webhook_allow_private=False)
    token = _token(database_url)
    with TestClient(
        create_app(settings.model_copy(update={"webhook_sender_thread": False}))
    ) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        for url in ("http://127.0.0.1:9/x", "http://[::1]/x", "http://10.0.0.1/", "ftp://x.no/"):
            response = client.post("/api/v1/webhooks", json={"url": url})
            assert response.status_code == 422, url
            assert response.headers["content-type"].startswith("application/problem+json")
    # A name that resolves to loopback is refused when sent, too.
    outgoing = Outgoing(
        id=1,
        webhook_id=1,
        url="http://localhost:9/x",
        secret="whsec_" + "A" * 44,
        message_id="evt_1",
        payload={},
    )
    with pytest.raises(DeliveryFailed, match="refused address"):
        HttpTransport(settings)(outgoing)


def test_production_accepts_only_https(database_url: str) -> None:
    from app.kit.addresses import url_problem

    assert url_problem("http://hooks.example.no/", require_https=True, allow_private=False)
    assert url_problem("https://hooks.example.no/", require_https=True, allow_private=False) is None
    assert json.dumps(None) == "null"
