"""Single sign-on: who a person vouched for by an OpenID provider may be here.

The provider proves who someone is; it never decides that they may come in. The rules:

- the ID token must carry an e-mail address the provider says is verified (the provider's
  `email_verified_claim` is true); an address not verified is refused;
- the address must belong to a user of the service: an active user signs in; someone
  invited whose invitation is still valid accepts it by this sign-in (they become active
  and need no password; they may set one later through "Glemt passord?"); an address
  nobody invited is refused, so an account at the provider alone gives no access;
- a deactivated user, an invitation that has run out and (outside demo mode) a demo user
  are refused;
- two-step verification: a provider marked `mfa` makes everyone use multi-factor
  authentication, so its sign-in stands in for the app's own code. Through any other
  provider the app's rules for password sign-ins apply after the provider: whoever has
  two-step verification on enters a code, and administrators must set it up.

Every accepted sign-in through a provider is in the audit trail (provider and subject);
an accepted invitation too. Refusals are logged (there is no user to file them under).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlmodel import Session, col, select

from app.errors import SignInRefused
from app.models.base import utcnow
from app.models.identity import User
from app.models.mail import AccessLink, LinkPurpose
from app.services import audit, auth, two_step
from app.services.access import Principal, PrincipalKind
from app.services.common import commit
from app.services.identity import INVITED_PASSWORD_HASH

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Identity:
    """What the provider vouched for, from the verified ID token."""

    provider: str
    subject: str
    email: str
    email_verified: bool

    @classmethod
    def from_claims(
        cls, provider: str, claims: dict[str, Any], verified_claim: str = "email_verified"
    ) -> Identity:
        email = claims.get("email")
        verified = claims.get(verified_claim)
        return cls(
            provider=provider,
            subject=str(claims.get("sub", ""))[:255],
            email=email.strip().lower()[:254] if isinstance(email, str) else "",
            email_verified=verified is True or verified == "true",
        )


def _refuse(identity: Identity, reason: str) -> SignInRefused:
    log.warning(
        "sso_sign_in_refused",
        provider=identity.provider,
        subject=identity.subject,
        email=identity.email,
        reason=reason,
    )
    return SignInRefused(reason)


def _invitation(session: Session, user: User) -> AccessLink | None:
    """The person's newest unused invitation link (valid or not), locked."""
    return session.exec(
        select(AccessLink)
        .where(col(AccessLink.user_id) == user.id)
        .where(col(AccessLink.purpose) == LinkPurpose.invite.value)
        .where(col(AccessLink.used_at).is_(None))
        .order_by(col(AccessLink.id).desc())
        .with_for_update()
    ).first()


def _actor(user: User) -> Principal:
    return Principal(kind=PrincipalKind.user, id=user.id, label=user.name or user.email)


def _accept_invitation(session: Session, identity: Identity, user: User, now: datetime) -> None:
    """An invited person comes in through the provider: the invitation is used up and
    they are active (still without a password)."""
    link = _invitation(session, user)
    never_started = user.password_hash == INVITED_PASSWORD_HASH
    if link is None or not never_started:
        raise _refuse(identity, "deactivated")
    if link.expires_at <= now:
        raise _refuse(identity, "invitation_expired")
    link.used_at = now
    user.is_active = True
    session.add(link)
    session.add(user)
    audit.record(
        session,
        _actor(user),
        action="accept_invitation",
        entity_type="user",
        entity_id=user.id,
        municipality=None,
        before=None,
        after={"via": "sso", "provider": identity.provider},
    )


def known_user(
    session: Session, identity: Identity, *, demo_allowed: bool, now: datetime | None = None
) -> User:
    """The user the identity is, by verified e-mail, with any pending invitation accepted
    (not committed); SignInRefused when there is none who may sign in."""
    now = now or utcnow()
    if not identity.email_verified or "@" not in identity.email or not identity.subject:
        raise _refuse(identity, "unverified")
    user = session.exec(
        select(User).where(col(User.email) == identity.email).with_for_update()
    ).first()
    if user is None:
        raise _refuse(identity, "unknown")
    if user.is_demo and not demo_allowed:
        raise _refuse(identity, "demo")
    if not user.is_active:
        _accept_invitation(session, identity, user, now)
    return user


def sign_in(
    session: Session,
    identity: Identity,
    *,
    provider_mfa: bool,
    address: str | None,
    policy: auth.SessionPolicy,
    replaces: str | None = None,
    now: datetime | None = None,
) -> auth.SignedIn | auth.PendingSignIn:
    """A session for the person the provider vouched for, or, where the app's two-step
    verification still applies (see the module docstring), a sign-in waiting for its code.
    Refused (SignInRefused) unless the identity is a user who may sign in."""
    now = now or utcnow()
    user = known_user(session, identity, demo_allowed=policy.demo_allowed, now=now)
    assert user.id is not None
    pending: auth.PendingSignIn | None = None
    if not provider_mfa:
        if two_step.is_on(user):
            pending = auth.PendingSignIn(user_id=user.id, setup=False)
        elif two_step.required_for(
            user, admins_required=policy.admins_two_step, demo_allowed=policy.demo_allowed
        ):
            pending = auth.PendingSignIn(user_id=user.id, setup=True)
    audit.record(
        session,
        _actor(user),
        action="sign_in_sso",
        entity_type="user",
        entity_id=user.id,
        municipality=None,
        before=None,
        after={
            "provider": identity.provider,
            "subject": identity.subject,
            "two_step": "provider" if provider_mfa else ("app" if pending else "none"),
        },
        occurred_at=now,
    )
    if pending is not None:
        commit(session)
        return pending
    return auth.sign_in_verified(
        session, user, address=address, policy=policy, replaces=replaces, now=now
    )
