"""Sending what is in the outbox: by SMTP (`SMTP_URL`), or into the log when no SMTP server
is set (`make run`). The sender runs as a thread of the app, or once per call of
`demensforlop send-mail`; either way `services.outbox` makes sure one message is sent once.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
import threading
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

import structlog

from app.config import Settings
from app.db import Database
from app.services import outbox
from app.services.outbox import Outgoing, RetryPolicy

log = structlog.get_logger("mail")
SMTP_TIMEOUT_SECONDS = 30


def build_message(message: Outgoing, mail_from: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = mail_from
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    for name, value in message.headers.items():
        email[name] = str(value)
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    return email


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SmtpTransport:
    """smtp:// with STARTTLS (plain SMTP only to a loopback host, as in tests), smtps://
    with implicit TLS; user and password from the URL."""

    def __init__(self, url: str, mail_from: str) -> None:
        parts = urlsplit(url)
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.mail_from = mail_from

    def __call__(self, message: Outgoing) -> None:
        email = build_message(message, self.mail_from)
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.implicit_tls:
            smtp = smtplib.SMTP_SSL(
                self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS, context=context
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
        with smtp:
            smtp.ehlo()
            if not self.implicit_tls:
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=context)
                    smtp.ehlo()
                elif not _is_loopback(self.host):
                    raise smtplib.SMTPNotSupportedError(
                        f"{self.host} offers no STARTTLS; refusing to send in clear text"
                    )
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(email)


class LogTransport:
    """Without an SMTP server the message is written to the log, links and all."""

    def __init__(self, mail_from: str) -> None:
        self.mail_from = mail_from

    def __call__(self, message: Outgoing) -> None:
        # A warning: nothing was sent, and it must show at any log level.
        log.warning(
            "mail_not_sent_no_smtp",
            to=message.to_address,
            subject=message.subject,
            body=message.text_body,
        )


def transport_for(settings: Settings) -> outbox.SendFunction:
    if settings.smtp_url:
        return SmtpTransport(settings.smtp_url, settings.mail_from)
    return LogTransport(settings.mail_from)


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.mail_max_attempts,
        first_wait=timedelta(seconds=settings.mail_retry_seconds),
    )


def send_once(settings: Settings, database: Database) -> int:
    """One pass: what is due is sent; returns how many messages went out."""
    with database.session() as session:
        if not outbox.anything_due(session):
            return 0
    return outbox.deliver_due(
        lambda: database.session(write=True), transport_for(settings), retry_policy(settings)
    )


class OutboxSender:
    """A daemon thread that runs a pass every `mail_poll_seconds` (sooner when woken)."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=SMTP_TIMEOUT_SECONDS)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                while send_once(self.settings, self.database) and not self._stop.is_set():
                    pass
            except Exception:
                log.exception("outbox_pass_failed")
            self._wake.wait(self.settings.mail_poll_seconds)
            self._wake.clear()
