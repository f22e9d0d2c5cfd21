"""Forgotten passwords: a person asks for a link by e-mail address and gets the same
answer whether or not the address belongs to anyone, so the form tells a stranger nothing.

Requests are throttled per address asked for (`per_account` in `window`) and per client
address (`per_client` in `window`); a request over a limit is answered the same and sends
nothing. A link is sent only to an active user who is not a demo user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.models.base import utcnow
from app.models.identity import User
from app.models.mail import LinkPurpose, ResetRequest
from app.services import access_links, outbox
from app.services.auth import client_address
from app.services.common import commit


@dataclass(frozen=True)
class ResetThrottle:
    per_account: int = 3
    per_client: int = 20
    window: timedelta = timedelta(hours=1)


def _requests_since(session: Session, column: object, value: str, since: datetime) -> int:
    total = session.exec(
        select(func.count())
        .select_from(ResetRequest)
        .where(column == value)
        .where(col(ResetRequest.requested_at) >= since)
    ).one()
    return int(total)


def request_reset(
    session: Session,
    *,
    email: str,
    address: str | None,
    base_url: str,
    language: str,
    throttle: ResetThrottle | None = None,
    now: datetime | None = None,
) -> None:
    """Queue a reset link to `email` if it belongs to an active person and no limit is
    reached. Returns nothing and raises nothing for an unknown address: the caller's answer
    must not depend on it."""
    throttle = throttle or ResetThrottle()
    now = now or utcnow()
    account = email.strip().lower()[:300]
    where = client_address(address)
    if not account or "@" not in account:
        return
    since = now - throttle.window
    session.exec(delete(ResetRequest).where(col(ResetRequest.requested_at) < since))
    over_limit = (
        _requests_since(session, col(ResetRequest.account), account, since) >= throttle.per_account
        or _requests_since(session, col(ResetRequest.address), where, since) >= throttle.per_client
    )
    session.add(ResetRequest(account=account, address=where, requested_at=now))
    user = session.exec(select(User).where(col(User.email) == account)).one_or_none()
    if not over_limit and user is not None and user.is_active and not user.is_demo:
        token = access_links.issue(session, user, LinkPurpose.reset, now=now)
        outbox.queue(
            session,
            to=user.email,
            template="password_reset",
            language=user.language or language,
            context={
                "name": user.name or user.email,
                "email": user.email,
                "link": access_links.link_url(base_url, LinkPurpose.reset, token),
            },
        )
    commit(session)
