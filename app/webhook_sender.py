"""Sending webhook deliveries: signed per Standard Webhooks (`webhook-id`,
`webhook-timestamp`, `webhook-signature`), POSTed as JSON. The host is resolved at delivery
time and every address it resolves to is checked (SSRF); the connection goes to the address
that was checked. Runs as a thread of every app process (`services.webhook_outbox` makes
sure each delivery is claimed by one), or once per `demensforlop send-webhooks`."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import structlog
from standardwebhooks.webhooks import Webhook as Signer

from app.config import Settings
from app.db import Database
from app.kit.addresses import address_refused
from app.models.base import utcnow
from app.services import webhook_outbox
from app.services.webhook_outbox import DeliveryFailed, Outgoing, RetryPolicy

log = structlog.get_logger("webhooks")


def signed_headers(outgoing: Outgoing, body: str) -> dict[str, str]:
    now = utcnow()
    return {
        "content-type": "application/json",
        "user-agent": "Demensforlop-Webhooks/1",
        "webhook-id": outgoing.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Signer(outgoing.secret).sign(outgoing.message_id, now, body),
    }


def _checked_address(host: str, port: int, allow_private: bool) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DeliveryFailed(f"cannot resolve {host}: {exc}") from exc
    addresses = [str(info[4][0]) for info in infos]
    refused = [a for a in addresses if address_refused(a, allow_private=allow_private)]
    if refused or not addresses:
        raise DeliveryFailed(f"{host} resolves to a refused address ({', '.join(refused)})")
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        self._context = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._context)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class HttpTransport:
    def __init__(self, settings: Settings) -> None:
        self.allow_private = settings.webhook_allow_private
        self.require_https = settings.is_production
        self.timeout = settings.webhook_timeout_seconds

    def __call__(self, outgoing: Outgoing) -> int:
        parts = urlsplit(outgoing.url)
        if parts.scheme != "https" and (self.require_https or parts.scheme != "http"):
            raise DeliveryFailed("only https:// targets are allowed")
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _checked_address(host, port, self.allow_private)
        body = json.dumps(outgoing.payload, ensure_ascii=False, separators=(",", ":"))
        connection: http.client.HTTPConnection = (
            _PinnedHTTPS(host, address, port, self.timeout)
            if parts.scheme == "https"
            else _PinnedHTTP(host, address, port, self.timeout)
        )
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            connection.request(
                "POST", path, body=body.encode(), headers=signed_headers(outgoing, body)
            )
            status = connection.getresponse().status
        except OSError as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        finally:
            connection.close()
        if not 200 <= status < 300:
            raise DeliveryFailed(f"the endpoint answered {status}", status)
        return status


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        first_wait=timedelta(seconds=settings.webhook_retry_seconds),
        window=timedelta(seconds=settings.webhook_retry_window_seconds),
    )


def send_once(settings: Settings, database: Database) -> int:
    with database.session() as session:
        if not webhook_outbox.anything_due(session):
            return 0
    return webhook_outbox.deliver_due(
        lambda: database.session(write=True), HttpTransport(settings), retry_policy(settings)
    )


class WebhookSender:
    """A daemon thread that runs a pass every `webhook_poll_seconds`."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhook-sender", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.settings.webhook_timeout_seconds + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                while send_once(self.settings, self.database) and not self._stop.is_set():
                    pass
            except Exception:
                log.exception("webhook_pass_failed")
            self._stop.wait(self.settings.webhook_poll_seconds)
