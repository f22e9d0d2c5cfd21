"""Notification preferences: per kind of event, each signed-in person chooses off, an
e-mail at once, or the weekly digest. Everything starts off.

Every notification e-mail carries a link that turns its topic off without signing in
(RFC 8058 one-click unsubscribe). The link's token is `<user id>.<topic>.<signature>`, the
signature an HMAC of the person and topic with the app's secret key: nothing is stored, and
a token cannot be made for another person or topic without the key. The topic is a kind,
or `weekly` for the digest (which turns off every kind that was in it)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from enum import StrEnum

from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import FieldError, Forbidden, Invalid, NotFound
from app.models.base import utcnow
from app.models.identity import User
from app.models.mail import NotificationPreference
from app.services.access import Principal
from app.services.common import commit


class Kind(StrEnum):
    #: A measure past its deadline.
    overdue = "overdue"
    #: A new comment or reply in one's municipality.
    comment = "comment"
    #: A new month without a number on an active indicator.
    missing_number = "missing_number"
    #: A guidance conversation or learning-network gathering coming up.
    upcoming = "upcoming"


class Mode(StrEnum):
    off = "off"
    immediate = "immediate"
    weekly = "weekly"


def _require_person(principal: Principal) -> int:
    if principal.user_id is None:
        raise Forbidden("Only signed-in people choose notifications.")
    return principal.user_id


def preferences(session: Session, principal: Principal) -> dict[Kind, Mode]:
    """Every kind with the person's choice (off where nothing is chosen)."""
    user_id = _require_person(principal)
    chosen = {
        row.kind: row.mode
        for row in session.exec(
            select(NotificationPreference).where(col(NotificationPreference.user_id) == user_id)
        ).all()
    }
    return {kind: Mode(chosen.get(kind.value, Mode.off.value)) for kind in Kind}


def set_preferences(session: Session, principal: Principal, choices: Mapping[str, str]) -> None:
    """Save one mode per kind; a kind left out stays as it was. Unknown modes are refused
    and nothing is saved."""
    user_id = _require_person(principal)
    modes = {m.value for m in Mode}
    errors = [
        FieldError(kind.value, "choose off, immediate or weekly")
        for kind in Kind
        if kind.value in choices and choices[kind.value] not in modes
    ]
    if errors:
        raise Invalid(errors)
    now = utcnow()
    for kind in Kind:
        if kind.value not in choices:
            continue
        row = session.get(NotificationPreference, (user_id, kind.value))
        mode = choices[kind.value]
        if row is None:
            row = NotificationPreference(user_id=user_id, kind=kind.value, mode=mode)
        row.mode = mode
        row.changed_at = now
        session.add(row)
    commit(session)


#: The topic of the weekly digest's unsubscribe link.
WEEKLY = "weekly"
TOPICS = frozenset({*(kind.value for kind in Kind), WEEKLY})


def _signature(user_id: int, topic: str, secret: str) -> str:
    digest = hmac.new(
        secret.encode(), f"unsubscribe|{user_id}|{topic}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def unsubscribe_token(user_id: int, topic: str, secret: str | None = None) -> str:
    """The token of the one-click link that turns `topic` off for the person."""
    if topic not in TOPICS:
        raise ValueError(f"no topic {topic!r}")
    return f"{user_id}.{topic}.{_signature(user_id, topic, secret or get_settings().secret_key)}"


def unsubscribe_topic(session: Session, token: str) -> tuple[User, str]:
    """The person and topic of a token; NotFound for a token that is not one of ours."""
    user_text, _, rest = token.partition(".")
    topic, _, signature = rest.partition(".")
    if not user_text.isdigit() or len(user_text) > 10 or topic not in TOPICS:
        raise NotFound("No such unsubscribe link.")
    user_id = int(user_text)
    expected = _signature(user_id, topic, get_settings().secret_key)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise NotFound("No such unsubscribe link.")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such unsubscribe link.")
    return user, topic


def unsubscribe(session: Session, token: str) -> str:
    """Turn the token's topic off (the digest: every kind chosen weekly); returns the topic.
    Doing it again changes nothing."""
    user, topic = unsubscribe_topic(session, token)
    rows = session.exec(
        select(NotificationPreference).where(col(NotificationPreference.user_id) == user.id)
    ).all()
    now = utcnow()
    for row in rows:
        turned_off = row.kind == topic or (topic == WEEKLY and row.mode == Mode.weekly.value)
        if turned_off and row.mode != Mode.off.value:
            row.mode = Mode.off.value
            row.changed_at = now
            session.add(row)
    commit(session)
    return topic
