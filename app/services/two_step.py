"""Two-step verification for password sign-ins: TOTP codes (RFC 6238) from an authenticator
app, and ten one-time recovery codes.

Rules: a person turns it on by scanning the secret (QR code or text) and entering a code it
gives; only then is it on, and only then are the recovery codes made (shown once, stored as
SHA-256). A code is accepted within one 30-second step either side of now, and never twice:
the step of the last accepted code is kept, and no code of that step or an earlier one is
taken again. Administrators must have it (`required_for`); others choose. Turning it off
needs a current code or a recovery code, and administrators cannot turn it off."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.errors import FieldError, Forbidden, Invalid
from app.models.base import Role, utcnow
from app.models.identity import RecoveryCode, User
from app.security import sha256_hex
from app.services import audit
from app.services.access import Principal, require_authenticated
from app.services.common import commit

ISSUER = "Demensforløp"
RECOVERY_CODES = 10
#: Steps of 30 seconds accepted either side of now (clocks of phones drift a little).
VALID_WINDOW = 1
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class Setup:
    """What the person scans or types into their authenticator app."""

    secret: str
    uri: str


def required_for(user: User, *, admins_required: bool, demo_allowed: bool) -> bool:
    """Administrators must use two-step verification; demo users are exempt while the app
    runs in demo mode (so `make run` signs them in with the password alone)."""
    if user.role != Role.admin.value or not admins_required:
        return False
    return not (user.is_demo and demo_allowed)


def is_on(user: User) -> bool:
    return user.totp_enabled_at is not None and user.totp_secret is not None


def _user(session: Session, principal: Principal) -> User:
    require_authenticated(principal)
    user = session.get(User, principal.user_id) if principal.user_id else None
    if user is None:
        raise Forbidden("Two-step verification is for people who sign in.")
    return user


def status(session: Session, principal: Principal) -> bool:
    """Whether the person has two-step verification on."""
    return is_on(_user(session, principal))


def begin(session: Session, user: User) -> Setup:
    """A new secret waiting to be confirmed (the same one again while it waits, so that
    reloading the page does not invalidate what was scanned)."""
    if is_on(user):
        raise Invalid(FieldError("code", "two-step verification is already on"))
    if user.totp_secret is None:
        user.totp_secret = pyotp.random_base32()
        session.add(user)
        commit(session)
    assert user.totp_secret is not None
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return Setup(secret=user.totp_secret, uri=uri)


def begin_for(session: Session, principal: Principal) -> Setup:
    return begin(session, _user(session, principal))


def _accept_code(user: User, code: str, now: datetime) -> bool:
    """The code is one of the user's current TOTP codes and newer than the last accepted."""
    code = "".join(code.split())
    if user.totp_secret is None or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), code):
            user.totp_last_step = step
            return True
    return False


def _normalise_recovery(code: str) -> str:
    return "".join(code.lower().split()).replace("-", "")


def _use_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    wanted = _normalise_recovery(code)
    if len(wanted) != 16:
        return False
    row = session.exec(
        select(RecoveryCode)
        .where(col(RecoveryCode.user_id) == user.id)
        .where(col(RecoveryCode.code_hash) == sha256_hex(wanted))
        .where(col(RecoveryCode.used_at).is_(None))
    ).first()
    if row is None:
        return False
    row.used_at = now
    session.add(row)
    return True


def verify(session: Session, user: User, code: str, now: datetime | None = None) -> bool:
    """A current TOTP code, or an unused recovery code (then used up). Not committed: the
    caller commits with the sign-in it completes."""
    now = now or utcnow()
    if not is_on(user):
        return False
    if _accept_code(user, code, now):
        session.add(user)
        return True
    return _use_recovery_code(session, user, code, now)


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    assert user.id is not None
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        session.add(RecoveryCode(user_id=user.id, code_hash=sha256_hex(raw)))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}-{raw[12:]}")
    return codes


def confirm(session: Session, user: User, code: str, now: datetime | None = None) -> list[str]:
    """Turns two-step verification on when `code` comes from the secret being set up, and
    returns the recovery codes (the only time they are shown). Not committed."""
    now = now or utcnow()
    if is_on(user):
        raise Invalid(FieldError("code", "two-step verification is already on"))
    if not _accept_code(user, code, now):
        raise Invalid(FieldError("code", "wrong code"))
    user.totp_enabled_at = now
    session.add(user)
    return _new_recovery_codes(session, user)


def _audit(session: Session, principal: Principal, user: User, on: bool) -> None:
    assert user.id is not None
    audit.record(
        session,
        principal,
        action="update",
        entity_type="user",
        entity_id=user.id,
        municipality=None,
        before={"two_step": not on},
        after={"two_step": on},
    )


def confirm_for(session: Session, principal: Principal, code: str) -> list[str]:
    user = _user(session, principal)
    codes = confirm(session, user, code)
    _audit(session, principal, user, True)
    commit(session)
    return codes


def turn_off(
    session: Session, principal: Principal, code: str, *, admins_required: bool, demo_allowed: bool
) -> None:
    """Off again, with a current code or a recovery code; never for whom it is required."""
    user = _user(session, principal)
    if required_for(user, admins_required=admins_required, demo_allowed=demo_allowed):
        raise Forbidden("Administrators must keep two-step verification on.")
    if not is_on(user):
        return
    if not verify(session, user, code):
        raise Invalid(FieldError("code", "wrong code"))
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.add(user)
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    _audit(session, principal, user, False)
    commit(session)
