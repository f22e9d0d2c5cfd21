"""Sending the webhook outbox: claimed like the mail outbox (PostgreSQL `FOR UPDATE SKIP
LOCKED`, so several processes never claim one delivery twice; SQLite a conditional UPDATE
only one can win). A failed delivery waits `first_wait`, doubling each time (at most an
hour); when one has failed for `window` (24 hours) the webhook is disabled with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models.base import utcnow
from app.models.webhooks import Webhook, WebhookDelivery

#: How long a claim holds; no delivery takes this long.
CLAIM_FOR = timedelta(minutes=2)
LONGEST_WAIT = timedelta(hours=1)


@dataclass(frozen=True)
class RetryPolicy:
    first_wait: timedelta = timedelta(seconds=5)
    window: timedelta = timedelta(hours=24)

    def wait_after(self, attempts: int) -> timedelta:
        wait: timedelta = self.first_wait * (2 ** max(0, attempts - 1))
        return min(wait, LONGEST_WAIT)


@dataclass(frozen=True)
class Outgoing:
    id: int
    webhook_id: int
    url: str
    secret: str
    message_id: str
    payload: dict[str, Any]


class DeliveryFailed(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


SendFunction = Callable[[Outgoing], int]


def _due(now: datetime) -> Any:
    return (
        select(WebhookDelivery)
        .join(Webhook, col(Webhook.id) == col(WebhookDelivery.webhook_id))
        .where(col(Webhook.is_active))
        .where(col(WebhookDelivery.status).in_(["pending", "sending"]))
        .where(col(WebhookDelivery.next_attempt_at) <= now)
    )


def anything_due(session: Session, now: datetime | None = None) -> bool:
    return session.exec(_due(now or utcnow()).limit(1)).first() is not None


def claim(session: Session, *, limit: int = 20, now: datetime | None = None) -> list[Outgoing]:
    now = now or utcnow()
    due = (
        _due(now)
        .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
        .limit(limit)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    )
    rows = session.exec(due).all()
    hooks = {
        h.id: h
        for h in session.exec(
            select(Webhook).where(col(Webhook.id).in_({r.webhook_id for r in rows}))
        ).all()
    }
    claimed: list[Outgoing] = []
    for delivery in rows:
        won = session.execute(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id) == delivery.id)
            .where(col(WebhookDelivery.status) == delivery.status)
            .where(col(WebhookDelivery.attempts) == delivery.attempts)
            .values(
                status="sending",
                attempts=delivery.attempts + 1,
                next_attempt_at=now + CLAIM_FOR,
            )
        )
        hook = hooks[delivery.webhook_id]
        if won.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(
                Outgoing(
                    id=delivery.id or 0,
                    webhook_id=delivery.webhook_id,
                    url=hook.url,
                    secret=hook.secret,
                    message_id=f"evt_{delivery.event_id}",
                    payload=dict(delivery.payload),
                )
            )
    session.commit()
    return claimed


def mark_delivered(session: Session, delivery_id: int, status: int, now: datetime) -> None:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is not None:
        delivery.status, delivery.delivered_at = "delivered", now
        delivery.last_status, delivery.last_error = status, ""
        session.commit()


def mark_failed(
    session: Session,
    delivery_id: int,
    error: DeliveryFailed,
    policy: RetryPolicy,
    now: datetime,
) -> None:
    """Try again after a growing wait; after `policy.window` give up and disable the
    webhook, saying why."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return
    delivery.last_status = error.status
    delivery.last_error = str(error)[:1000]
    if now - delivery.created_at >= policy.window:
        delivery.status = "failed"
        hook = session.get(Webhook, delivery.webhook_id)
        if hook is not None and hook.is_active:
            hours = policy.window.total_seconds() / 3600
            hook.is_active = False
            hook.disabled_at = now
            hook.disabled_reason = (
                f"No successful delivery for {hours:g} hours; last error: {error}"
            )[:1000]
    else:
        delivery.status = "pending"
        delivery.next_attempt_at = now + policy.wait_after(delivery.attempts)
    session.commit()


def deliver_due(
    sessions: Callable[[], Session],
    send: SendFunction,
    policy: RetryPolicy,
    *,
    limit: int = 20,
) -> int:
    """One pass: claim what is due, send each, record the outcome; how many went out."""
    with sessions() as session:
        claimed = claim(session, limit=limit)
    sent = 0
    for outgoing in claimed:
        try:
            status = send(outgoing)
        except DeliveryFailed as exc:
            with sessions() as session:
                mark_failed(session, outgoing.id, exc, policy, utcnow())
        except Exception as exc:
            failure = DeliveryFailed(f"{type(exc).__name__}: {exc}")
            with sessions() as session:
                mark_failed(session, outgoing.id, failure, policy, utcnow())
        else:
            sent += 1
            with sessions() as session:
                mark_delivered(session, outgoing.id, status, utcnow())
    return sent
