"""The outbox: e-mail is queued as a row in the transaction of the write that causes it
and sent only after that commits, by a sender (`app.mailer`: a thread of the app, or
`demensforlop send-mail`).

A sender claims messages before it sends them: on PostgreSQL with
`SELECT … FOR UPDATE SKIP LOCKED`, so several processes never claim one message twice; on
SQLite (one writer at a time) the claim is a conditional UPDATE that only one can win. A
claim lasts `CLAIM_FOR`; a message whose sender died while sending is tried again after
that. A message that cannot be sent is tried again after a wait that doubles each time,
and marked failed after `max_attempts`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models.base import utcnow
from app.models.mail import OutboxMessage, OutboxStatus
from app.rendering.mail import render_mail

SendFunction = Callable[["Outgoing"], None]

#: How long a claim holds; a sender never takes this long for one message.
CLAIM_FOR = timedelta(minutes=5)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    first_wait: timedelta = timedelta(minutes=1)

    def wait_after(self, attempts: int) -> timedelta:
        factor: int = 2 ** max(0, attempts - 1)
        return self.first_wait * factor


@dataclass(frozen=True)
class Outgoing:
    """A claimed message, detached from the session that claimed it."""

    id: int
    to_address: str
    subject: str
    text_body: str
    html_body: str
    headers: dict[str, Any]


def queue(
    session: Session,
    *,
    to: str,
    template: str,
    language: str,
    context: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Render the message and add it to the caller's transaction (not committed here)."""
    rendered = render_mail(template, language, context)
    message = OutboxMessage(
        to_address=to,
        subject=rendered.subject[:300],
        text_body=rendered.text,
        html_body=rendered.html,
        headers=dict(headers or {}),
    )
    session.add(message)
    return message


def _due(now: datetime) -> Any:
    return (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.status).in_([OutboxStatus.queued.value, OutboxStatus.sending.value])
        )
        .where(col(OutboxMessage.next_attempt_at) <= now)
    )


def anything_due(session: Session, now: datetime | None = None) -> bool:
    """A read-only look, so an idle sender never takes SQLite's write lock."""
    return session.exec(_due(now or utcnow()).limit(1)).first() is not None


def claim(session: Session, *, limit: int = 20, now: datetime | None = None) -> list[Outgoing]:
    """Claim up to `limit` messages that are due, and commit the claim."""
    now = now or utcnow()
    due = (
        _due(now)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed: list[Outgoing] = []
    for message in session.exec(due).all():
        assert message.id is not None
        won = session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message.id)
            .where(col(OutboxMessage.status) == message.status)
            .where(col(OutboxMessage.attempts) == message.attempts)
            .values(
                status=OutboxStatus.sending.value,
                attempts=message.attempts + 1,
                next_attempt_at=now + CLAIM_FOR,
            )
        )
        if won.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(
                Outgoing(
                    id=message.id,
                    to_address=message.to_address,
                    subject=message.subject,
                    text_body=message.text_body,
                    html_body=message.html_body,
                    headers=dict(message.headers or {}),
                )
            )
    session.commit()
    return claimed


def mark_sent(session: Session, message_id: int, now: datetime | None = None) -> None:
    message = session.get(OutboxMessage, message_id)
    if message is not None:
        message.status = OutboxStatus.sent.value
        message.sent_at = now or utcnow()
        message.last_error = ""
        session.commit()


def mark_not_sent(
    session: Session,
    message_id: int,
    error: str,
    policy: RetryPolicy,
    now: datetime | None = None,
) -> None:
    """Try again later, or give up after the last attempt."""
    now = now or utcnow()
    message = session.get(OutboxMessage, message_id)
    if message is None:
        return
    message.last_error = error[:1000]
    if message.attempts >= policy.max_attempts:
        message.status = OutboxStatus.failed.value
    else:
        message.status = OutboxStatus.queued.value
        message.next_attempt_at = now + policy.wait_after(message.attempts)
    session.commit()


def deliver_due(
    sessions: Callable[[], Session],
    send: SendFunction,
    policy: RetryPolicy,
    *,
    limit: int = 20,
    now: datetime | None = None,
) -> int:
    """One pass of the sender: claim what is due, send each, record the outcome. Returns
    how many were sent. `send` raises to say a message did not go out."""
    with sessions() as session:
        claimed = claim(session, limit=limit, now=now)
    sent = 0
    for message in claimed:
        try:
            send(message)
        except Exception as exc:
            with sessions() as session:
                mark_not_sent(session, message.id, f"{type(exc).__name__}: {exc}", policy, now)
        else:
            sent += 1
            with sessions() as session:
                mark_sent(session, message.id, now)
    return sent
