"""Single-use links sent by e-mail: a password reset (valid `RESET_LIFETIME`) or an
invitation (valid `INVITE_LIFETIME`). The token is in the link only; the database keeps its
SHA-256. Using a link sets the person's password, activates an invited person, marks the
link used and ends every session the person had."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.errors import FieldError, Invalid, LinkNotUsable
from app.models.base import utcnow
from app.models.identity import User, WebSession
from app.models.mail import AccessLink, LinkPurpose
from app.security import hash_password, new_session_token, password_problem, sha256_hex
from app.services import audit
from app.services.access import Principal, PrincipalKind
from app.services.common import commit

RESET_LIFETIME = timedelta(hours=1)
INVITE_LIFETIME = timedelta(hours=72)
LIFETIMES = {LinkPurpose.reset: RESET_LIFETIME, LinkPurpose.invite: INVITE_LIFETIME}
#: Where each kind of link leads (appended to PUBLIC_URL).
PATHS = {LinkPurpose.reset: "/glemt-passord/ny", LinkPurpose.invite: "/invitasjon"}


@dataclass(frozen=True)
class LinkHolder:
    """Whom a usable link belongs to (for the page that asks for the new password)."""

    email: str
    name: str
    purpose: LinkPurpose


def issue(
    session: Session,
    user: User,
    purpose: LinkPurpose,
    *,
    created_by: int | None = None,
    now: datetime | None = None,
) -> str:
    """A new link for `user` (added to the caller's transaction); earlier unused links of
    the same kind stop working, so only the newest e-mail counts. Returns the token."""
    assert user.id is not None
    now = now or utcnow()
    session.execute(
        update(AccessLink)
        .where(col(AccessLink.user_id) == user.id)
        .where(col(AccessLink.purpose) == purpose.value)
        .where(col(AccessLink.used_at).is_(None))
        .values(expires_at=now)
    )
    token = new_session_token()
    session.add(
        AccessLink(
            user_id=user.id,
            purpose=purpose.value,
            token_hash=sha256_hex(token),
            created_by_id=created_by,
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    return token


def link_url(base_url: str, purpose: LinkPurpose, token: str) -> str:
    return f"{base_url.rstrip('/')}{PATHS[purpose]}/{token}"


def _usable(
    session: Session, token: str, purpose: LinkPurpose, now: datetime, *, lock: bool = False
) -> tuple[AccessLink, User]:
    if not token or len(token) > 200:
        raise LinkNotUsable("unknown", purpose.value)
    statement = (
        select(AccessLink, User)
        .join(User, col(User.id) == col(AccessLink.user_id))
        .where(col(AccessLink.token_hash) == sha256_hex(token))
        .where(col(AccessLink.purpose) == purpose.value)
    )
    if lock:
        statement = statement.with_for_update(of=AccessLink)
    row = session.exec(statement).one_or_none()
    if row is None:
        raise LinkNotUsable("unknown", purpose.value)
    link, user = row
    if link.used_at is not None:
        raise LinkNotUsable("used", purpose.value)
    if link.expires_at <= now:
        raise LinkNotUsable("expired", purpose.value)
    if purpose == LinkPurpose.reset and not user.is_active:
        raise LinkNotUsable("expired", purpose.value)
    return link, user


def holder(
    session: Session, token: str, purpose: LinkPurpose, now: datetime | None = None
) -> LinkHolder:
    """Whom the link is for, or LinkNotUsable (unknown, used or expired)."""
    _, user = _usable(session, token, purpose, now or utcnow())
    return LinkHolder(email=user.email, name=user.name, purpose=purpose)


def use(
    session: Session,
    token: str,
    purpose: LinkPurpose,
    *,
    password: str,
    repeated: str,
    now: datetime | None = None,
) -> User:
    """Set the password through the link, once. Every session of the person ends; an
    invited person becomes active."""
    now = now or utcnow()
    link, user = _usable(session, token, purpose, now, lock=True)
    errors: list[FieldError] = []
    if problem := password_problem(password):
        errors.append(FieldError("new_password", problem))
    if password != repeated:
        errors.append(FieldError("repeat_password", "the passwords differ"))
    if errors:
        session.rollback()
        raise Invalid(errors)
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.is_active = True
    link.used_at = now
    session.exec(delete(WebSession).where(col(WebSession.user_id) == user.id))
    actor = Principal(kind=PrincipalKind.user, id=user.id, label=user.name or user.email)
    audit.record(
        session,
        actor,
        action="accept_invitation" if purpose == LinkPurpose.invite else "reset_password",
        entity_type="user",
        entity_id=user.id,
        municipality=None,
        before=None,
        after={"password_changed_at": now.isoformat()},
    )
    commit(session)
    return user
