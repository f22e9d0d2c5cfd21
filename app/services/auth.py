"""Signing in to the web app: server-side sessions in the database, login throttling,
password changes and the person's language.

Sessions are rows, not signed cookies, so any number of app instances share them and
signing out ends a session everywhere at once. The cookie holds a random token; the row is
keyed by its SHA-256. A session ends when it is idle too long, at its absolute expiry, at
sign-out, or when the password changes.

Failed sign-ins are rows too (`LoginAttempt`: account, address, time), so every instance
counts them together. Three limits apply, so that guessing is slow but a stranger cannot
lock a person out:

- per account and address pair (`max_failures` in `window`): what someone guessing from
  one place meets first; it never touches the account's owner elsewhere;
- per account from all addresses (`account_max_failures` in the longer `account_window`):
  guessing spread over many addresses;
- per address whatever the account (`address_max_failures` in `window`): one place trying
  many accounts.

An address the account signed in from within `KNOWN_ADDRESS_FOR` is spared the last two
(its own pair limit still holds), so while strangers are throttled the person signs in as
usual from their own office or home.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_
from sqlmodel import Session, col, select

from app.errors import FieldError, Forbidden, Invalid, TooManyRequests
from app.models.base import utcnow
from app.models.identity import LoginAttempt, User, WebSession
from app.security import (
    hash_password,
    new_session_token,
    password_problem,
    sha256_hex,
    verify_password,
)
from app.services import audit, two_step
from app.services.access import Principal, require_authenticated
from app.services.common import commit
from app.services.identity import user_principal

#: An address the account signed in from within this long is known to the account.
KNOWN_ADDRESS_FOR = timedelta(days=30)
#: last_seen_at is refreshed at most this often, so reading pages rarely writes.
TOUCH_INTERVAL = timedelta(minutes=5)
LANGUAGES = ("nb", "nn", "en")


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta
    #: Failed sign-ins allowed per account and address pair in `window`.
    max_failures: int
    window: timedelta
    #: Demo users may sign in (and stay signed in) only while the app runs in demo mode.
    demo_allowed: bool
    #: Failed sign-ins allowed per account, from all addresses, in `account_window`.
    account_max_failures: int = 50
    account_window: timedelta = timedelta(hours=24)
    #: Failed sign-ins allowed per address, whatever the account, in `window`.
    address_max_failures: int = 20
    #: Administrators must use two-step verification (`services.two_step`).
    admins_two_step: bool = True


@dataclass(frozen=True)
class PendingSignIn:
    """The password was right; the sign-in waits for a code (`setup`: for setting up
    two-step verification first, which the person is required to have)."""

    user_id: int
    setup: bool


@dataclass(frozen=True)
class SignedIn:
    """A new session: the cookie value (shown once) and what it grants."""

    token: str
    csrf_token: str
    principal: Principal
    language: str
    expires_at: datetime


@dataclass(frozen=True)
class ActiveSession:
    session_id: str
    csrf_token: str
    principal: Principal
    user_name: str
    user_email: str
    language: str
    needs_touch: bool


def client_address(host: str | None) -> str:
    """How an address is counted: IPv4 as it is, IPv6 by its /64 network (one subscriber
    has them all), anything else (no address, a test client's name) as given."""
    if not host:
        return "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _pair(account: str, address: str) -> list[ColumnElement[bool]]:
    return [col(LoginAttempt.account) == account, col(LoginAttempt.address) == address]


def _failures(
    session: Session, where: list[ColumnElement[bool]], since: datetime
) -> tuple[int, datetime | None]:
    count, oldest = session.exec(
        select(func.count(), func.min(col(LoginAttempt.attempted_at)))
        .where(*where)
        .where(col(LoginAttempt.succeeded).is_(False))
        .where(col(LoginAttempt.attempted_at) >= since)
    ).one()
    return int(count), oldest


def _known_address(session: Session, account: str, address: str, now: datetime) -> bool:
    found = session.exec(
        select(LoginAttempt.id)
        .where(*_pair(account, address))
        .where(col(LoginAttempt.succeeded).is_(True))
        .where(col(LoginAttempt.attempted_at) >= now - KNOWN_ADDRESS_FOR)
        .limit(1)
    ).first()
    return found is not None


def _retry_after(oldest: datetime | None, window: timedelta, now: datetime) -> int:
    if oldest is None:
        return int(window.total_seconds())
    if oldest.tzinfo is None:  # SQLite aggregates may come back naive
        oldest = oldest.replace(tzinfo=UTC)
    return max(1, int((oldest + window - now).total_seconds()) + 1)


def _check_throttle(
    session: Session, account: str, address: str, policy: SessionPolicy, now: datetime
) -> None:
    """Refuses (429) while any limit that applies is reached (see the module docstring)."""
    limits = [(_pair(account, address), policy.max_failures, policy.window)]
    if not _known_address(session, account, address, now):
        limits += [
            (
                [col(LoginAttempt.account) == account],
                policy.account_max_failures,
                policy.account_window,
            ),
            ([col(LoginAttempt.address) == address], policy.address_max_failures, policy.window),
        ]
    for where, limit, window in limits:
        failures, oldest = _failures(session, where, now - window)
        if failures >= limit:
            raise TooManyRequests(
                "Too many failed sign-ins. Wait a little and try again.",
                retry_after=_retry_after(oldest, window, now),
            )


def _record_failure(session: Session, account: str, address: str, now: datetime) -> None:
    session.add(LoginAttempt(account=account, address=address, attempted_at=now))
    session.commit()


def _record_success(
    session: Session, account: str, address: str, policy: SessionPolicy, now: datetime
) -> None:
    """The pair's own failures are forgiven and the address becomes known to the account;
    failures from elsewhere still count. Attempts too old for any limit are pruned first
    (first, so that concurrent sign-ins lock rows in the same order)."""
    longest = max(policy.window, policy.account_window)
    session.exec(
        delete(LoginAttempt).where(
            or_(
                and_(
                    col(LoginAttempt.succeeded).is_(False),
                    col(LoginAttempt.attempted_at) < now - longest,
                ),
                col(LoginAttempt.attempted_at) < now - max(longest, KNOWN_ADDRESS_FOR),
            )
        )
    )
    session.exec(delete(LoginAttempt).where(*_pair(account, address)))
    session.add(LoginAttempt(account=account, address=address, attempted_at=now, succeeded=True))


def _open_session(session: Session, user: User, policy: SessionPolicy, now: datetime) -> SignedIn:
    """A new session of `user` (not yet committed)."""
    assert user.id is not None
    token = new_session_token()
    csrf_token = new_session_token()
    expires_at = now + policy.absolute
    session.add(
        WebSession(
            id=sha256_hex(token),
            user_id=user.id,
            csrf_token=csrf_token,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
        )
    )
    return SignedIn(
        token=token,
        csrf_token=csrf_token,
        principal=user_principal(session, user),
        language=user.language,
        expires_at=expires_at,
    )


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    address: str | None,
    policy: SessionPolicy,
    replaces: str | None = None,
    now: datetime | None = None,
) -> SignedIn | PendingSignIn:
    """Check the e-mail and password and open a new session, or, for someone with two-step
    verification (or required to set it up), say that a code is wanted first.

    Failed attempts are counted in the database per account and address pair, per account
    and per address (the module docstring says how); while a limit that applies is reached
    every attempt is refused (429), right password or not. The session presented with the
    request (`replaces`, a cookie value) is destroyed, so a session id fixed before sign-in
    is never the one that is signed in.
    """
    now = now or utcnow()
    email = email.strip().lower()
    if not email or not password:
        raise Invalid(
            [
                *([FieldError("email", "required")] if not email else []),
                *([FieldError("password", "required")] if not password else []),
            ]
        )
    account = email[:300]
    where = client_address(address)
    _check_throttle(session, account, where, policy, now)
    user = session.exec(select(User).where(col(User.email) == email)).one_or_none()
    valid = verify_password(password, user.password_hash if user else None)
    if user is None or not valid or not user.is_active:
        _record_failure(session, account, where, now)
        raise Invalid(FieldError("password", "wrong e-mail or password"))
    if user.is_demo and not policy.demo_allowed:
        raise Forbidden("Demo users can sign in only while the service runs in demo mode.")
    assert user.id is not None
    if two_step.is_on(user):
        return PendingSignIn(user_id=user.id, setup=False)
    if two_step.required_for(
        user, admins_required=policy.admins_two_step, demo_allowed=policy.demo_allowed
    ):
        return PendingSignIn(user_id=user.id, setup=True)
    return _finish_sign_in(session, user, account, where, policy, replaces, now)


def _finish_sign_in(
    session: Session,
    user: User,
    account: str,
    where: str,
    policy: SessionPolicy,
    replaces: str | None,
    now: datetime,
) -> SignedIn:
    _record_success(session, account, where, policy, now)
    if replaces:
        session.exec(delete(WebSession).where(col(WebSession.id) == sha256_hex(replaces)))
    # Expired sessions of this person are no longer needed.
    session.exec(
        delete(WebSession)
        .where(col(WebSession.user_id) == user.id)
        .where(col(WebSession.expires_at) <= now)
    )
    signed = _open_session(session, user, policy, now)
    commit(session)
    return signed


def sign_in_verified(
    session: Session,
    user: User,
    *,
    address: str | None,
    policy: SessionPolicy,
    replaces: str | None = None,
    now: datetime | None = None,
) -> SignedIn:
    """A new session for someone whose identity was proven elsewhere (an OpenID provider,
    `services.sso`): recorded like a password sign-in, so the address becomes known."""
    now = now or utcnow()
    where = client_address(address)
    return _finish_sign_in(session, user, user.email[:300], where, policy, replaces, now)


def _pending_user(
    session: Session, user_id: int, address: str | None, policy: SessionPolicy, now: datetime
) -> tuple[User, str, str]:
    """The person of a sign-in waiting for its second step, throttled like the password
    (a wrong code counts as a failed sign-in). Locked, so one code is not taken twice."""
    user = session.exec(select(User).where(col(User.id) == user_id).with_for_update()).first()
    if user is None or not user.is_active or (user.is_demo and not policy.demo_allowed):
        raise Forbidden("The sign-in has ended. Sign in again.")
    account, where = user.email[:300], client_address(address)
    _check_throttle(session, account, where, policy, now)
    return user, account, where


def sign_in_with_code(
    session: Session,
    *,
    user_id: int,
    code: str,
    address: str | None,
    policy: SessionPolicy,
    replaces: str | None = None,
    now: datetime | None = None,
) -> SignedIn:
    """The second step: a code from the authenticator app or a recovery code opens the
    session. `user_id` comes from a signed, short-lived proof that the password was right."""
    now = now or utcnow()
    user, account, where = _pending_user(session, user_id, address, policy, now)
    if not two_step.verify(session, user, code, now):
        _record_failure(session, account, where, now)
        raise Invalid(FieldError("code", "wrong code"))
    return _finish_sign_in(session, user, account, where, policy, replaces, now)


def two_step_setup(session: Session, user_id: int) -> two_step.Setup:
    """The secret for someone who must set up two-step verification to sign in."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise Forbidden("The sign-in has ended. Sign in again.")
    return two_step.begin(session, user)


def sign_in_with_new_two_step(
    session: Session,
    *,
    user_id: int,
    code: str,
    address: str | None,
    policy: SessionPolicy,
    replaces: str | None = None,
    now: datetime | None = None,
) -> tuple[SignedIn, list[str]]:
    """The second step for whom it is required and not yet set up: the code confirms the
    new secret, and the session opens with two-step verification on; the recovery codes
    are returned to be shown once."""
    now = now or utcnow()
    user, account, where = _pending_user(session, user_id, address, policy, now)
    try:
        codes = two_step.confirm(session, user, code, now)
    except Invalid:
        _record_failure(session, account, where, now)
        raise
    principal = user_principal(session, user)
    audit.record(
        session,
        principal,
        action="update",
        entity_type="user",
        entity_id=user_id,
        municipality=None,
        before={"two_step": False},
        after={"two_step": True},
    )
    return _finish_sign_in(session, user, account, where, policy, replaces, now), codes


def active_session(
    session: Session, token: str | None, policy: SessionPolicy, now: datetime | None = None
) -> ActiveSession | None:
    """The signed-in person behind a session cookie, or None when the session is unknown,
    idle too long, past its absolute expiry, or belongs to a disabled (or, outside demo
    mode, a demo) user."""
    session_id = session_id_of(token)
    found = load_session(session, session_id) if session_id else None
    return found.judged(now or utcnow(), policy) if found else None


def session_id_of(token: str | None) -> str | None:
    """The stored id of a session cookie as sent, or None for what no cookie can be."""
    if not token or len(token) > 200:
        return None
    return sha256_hex(token)


@dataclass(frozen=True)
class StoredSession:
    """A browser session as stored, with its person: what `active_session` judges at the
    time of each request (`app/cache.py` keeps it under the access stamp)."""

    session_id: str
    csrf_token: str
    expires_at: datetime
    last_seen_at: datetime
    user_active: bool
    user_demo: bool
    principal: Principal
    user_name: str
    user_email: str
    language: str

    def judged(self, now: datetime, policy: SessionPolicy) -> ActiveSession | None:
        """The signed-in person now, or None when the session is idle too long, past its
        absolute expiry, or its person disabled (or, outside demo mode, a demo user)."""
        if self.expires_at <= now or self.last_seen_at + policy.idle <= now:
            return None
        if not self.user_active or (self.user_demo and not policy.demo_allowed):
            return None
        return ActiveSession(
            session_id=self.session_id,
            csrf_token=self.csrf_token,
            principal=self.principal,
            user_name=self.user_name,
            user_email=self.user_email,
            language=self.language,
            needs_touch=now - self.last_seen_at >= TOUCH_INTERVAL,
        )


def load_session(session: Session, session_id: str) -> StoredSession | None:
    """The stored session and its person (one indexed query and the person's assignments).
    Every write to sessions, people and their assignments moves the access stamp on, so a
    session deleted or a person disabled by any means counts on the next request."""
    row = session.exec(
        select(WebSession, User)
        .join(User, col(User.id) == col(WebSession.user_id))
        .where(col(WebSession.id) == session_id)
    ).one_or_none()
    if row is None:
        return None
    web_session, user = row
    return StoredSession(
        session_id=web_session.id,
        csrf_token=web_session.csrf_token,
        expires_at=web_session.expires_at,
        last_seen_at=web_session.last_seen_at,
        user_active=user.is_active,
        user_demo=user.is_demo,
        principal=user_principal(session, user),
        user_name=user.name or user.email,
        user_email=user.email,
        language=user.language,
    )


def touch_session(session: Session, session_id: str, now: datetime | None = None) -> None:
    """Keep an active session from going idle."""
    row = session.get(WebSession, session_id)
    if row is not None:
        row.last_seen_at = now or utcnow()
        commit(session)


def sign_out(session: Session, token: str | None) -> None:
    """Destroy the session; its cookie is worthless from now on."""
    if token:
        session.exec(delete(WebSession).where(col(WebSession.id) == sha256_hex(token)))
        commit(session)


def change_password(
    session: Session,
    principal: Principal,
    *,
    current: str,
    new: str,
    repeated: str,
    address: str | None,
    policy: SessionPolicy,
    now: datetime | None = None,
) -> SignedIn:
    """The person proves they know the current password; the new one must follow the
    password rules. Wrong current passwords count as failed sign-ins from `address`. Demo
    users keep their published passwords.

    Every session of the person ends, the one that made the change too: that browser gets
    the new session returned here, so a session id that leaked before the change is
    worthless after it."""
    require_authenticated(principal)
    now = now or utcnow()
    user = session.get(User, principal.user_id) if principal.user_id else None
    if user is None:
        raise Forbidden("Only people who sign in have a password.")
    if user.is_demo:
        raise Forbidden("The demo users' passwords cannot be changed.")
    account = user.email[:300]
    where = client_address(address)
    _check_throttle(session, account, where, policy, now)
    if not verify_password(current, user.password_hash):
        _record_failure(session, account, where, now)
        raise Invalid(FieldError("current_password", "wrong password"))
    errors: list[FieldError] = []
    if problem := password_problem(new):
        errors.append(FieldError("new_password", problem))
    elif new == current:
        errors.append(FieldError("new_password", "must differ from the current password"))
    if new != repeated:
        errors.append(FieldError("repeat_password", "the passwords differ"))
    if errors:
        raise Invalid(errors)
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    session.exec(delete(WebSession).where(col(WebSession.user_id) == user.id))
    signed = _open_session(session, user, policy, now)
    audit.record(
        session,
        principal,
        action="change_password",
        entity_type="user",
        entity_id=user.id,
        municipality=None,
        before=None,
        after={"password_changed_at": now.isoformat()},
    )
    commit(session)
    return signed


def set_language(session: Session, principal: Principal, language: str) -> None:
    """The language a signed-in person sees, kept with their user so it follows them."""
    require_authenticated(principal)
    if language not in LANGUAGES:
        raise Invalid(FieldError("lang", f"must be one of {', '.join(LANGUAGES)}"))
    user = session.get(User, principal.user_id) if principal.user_id else None
    if user is None or user.language == language:
        session.rollback()
        return
    user.language = language
    commit(session)
