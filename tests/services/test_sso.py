"""Who an identity vouched for by an OpenID provider may be here (services/sso.py): by
verified e-mail only, invitations accepted, the deactivated and expired refused, the app's
two-step verification where the provider does not stand in for it, and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlmodel import Session, col, select

from app.errors import SignInRefused
from app.models.audit import AuditEvent
from app.models.base import Role, utcnow
from app.models.identity import User, WebSession
from app.models.mail import AccessLink
from app.services import auth, invitations, sso, two_step, users_admin
from app.services.access import Principal
from tests import factories

POLICY = auth.SessionPolicy(
    idle=timedelta(hours=8),
    absolute=timedelta(days=7),
    max_failures=3,
    window=timedelta(minutes=15),
    demo_allowed=False,
)


def identity(email: str, *, verified: bool = True, subject: str = "sub-1") -> sso.Identity:
    return sso.Identity(provider="test", subject=subject, email=email, email_verified=verified)


def _sign_in(
    session: Session, who: sso.Identity, *, mfa: bool = False, policy: auth.SessionPolicy = POLICY
) -> auth.SignedIn | auth.PendingSignIn:
    return sso.sign_in(session, who, provider_mfa=mfa, address="10.0.0.1", policy=policy)


def _user(session: Session, email: str) -> User:
    return session.exec(select(User).where(col(User.email) == email)).one()


def _invite(session: Session, email: str) -> User:
    return invitations.invite(
        session,
        factories.user(session, Role.admin),
        email=email,
        role=Role.coordinator,
        base_url="http://127.0.0.1:8000",
        municipalities=["5501"],
    )


def test_identity_from_claims_reads_the_verified_address() -> None:
    claims = {"sub": "abc", "email": " Person@Example.NO ", "email_verified": True}
    found = sso.Identity.from_claims("test", claims)
    assert found == sso.Identity("test", "abc", "person@example.no", True)
    assert not sso.Identity.from_claims("test", {**claims, "email_verified": "yes"}).email_verified
    assert not sso.Identity.from_claims("test", {"sub": "abc", "email": "a@b.no"}).email_verified
    entra = sso.Identity.from_claims(
        "e", {"sub": "s", "email": "a@b.no", "xms_edov": "true"}, "xms_edov"
    )
    assert entra.email_verified


def test_an_active_user_gets_a_session(session: Session) -> None:
    person = factories.user(
        session, Role.coordinator, municipalities=["5501"], email="a@example.no"
    )
    signed = _sign_in(session, identity("a@example.no"))
    assert isinstance(signed, auth.SignedIn)
    assert signed.principal.user_id == person.user_id
    assert auth.active_session(session, signed.token, POLICY) is not None


def test_an_address_nobody_invited_is_refused(session: Session) -> None:
    with pytest.raises(SignInRefused) as refused:
        _sign_in(session, identity("stranger@example.no"))
    assert refused.value.reason == "unknown"
    assert session.exec(select(WebSession)).first() is None


def test_an_unverified_address_is_refused_even_for_a_user(session: Session) -> None:
    factories.user(session, Role.admin, email="boss@example.no")
    with pytest.raises(SignInRefused) as refused:
        _sign_in(session, identity("boss@example.no", verified=False), mfa=True)
    assert refused.value.reason == "unverified"


def test_an_identity_without_a_subject_is_refused(session: Session) -> None:
    factories.user(session, Role.admin, email="boss@example.no")
    with pytest.raises(SignInRefused):
        _sign_in(session, identity("boss@example.no", subject=""), mfa=True)


def test_an_invited_person_accepts_the_invitation(session: Session) -> None:
    user = _invite(session, "new@example.no")
    assert not user.is_active
    signed = _sign_in(session, identity("new@example.no"))
    assert isinstance(signed, auth.SignedIn)
    session.refresh(user)
    assert user.is_active
    link = session.exec(select(AccessLink).where(col(AccessLink.user_id) == user.id)).one()
    assert link.used_at is not None
    events = session.exec(select(AuditEvent).where(col(AuditEvent.entity_id) == str(user.id))).all()
    accepted = next(e for e in events if e.action == "accept_invitation")
    assert accepted.after == {"via": "sso", "provider": "test"}
    signed_in = next(e for e in events if e.action == "sign_in_sso")
    assert signed_in.after == {"provider": "test", "subject": "sub-1", "two_step": "none"}
    assert signed_in.actor_id == user.id


def test_an_expired_invitation_is_refused(session: Session) -> None:
    user = _invite(session, "late@example.no")
    link = session.exec(select(AccessLink).where(col(AccessLink.user_id) == user.id)).one()
    link.expires_at = utcnow() - timedelta(seconds=1)
    session.add(link)
    session.commit()
    with pytest.raises(SignInRefused) as refused:
        _sign_in(session, identity("late@example.no"))
    assert refused.value.reason == "invitation_expired"


def test_a_deactivated_user_is_refused(session: Session) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email="gone@example.no")
    user = _user(session, "gone@example.no")
    user.is_active = False
    session.add(user)
    session.commit()
    with pytest.raises(SignInRefused) as refused:
        _sign_in(session, identity("gone@example.no"), mfa=True)
    assert refused.value.reason == "deactivated"


def test_a_deactivated_invited_person_is_refused(session: Session) -> None:
    """Deactivating someone invited ends their link; the provider cannot open it again."""
    admin = factories.user(session, Role.admin)
    user = _invite(session, "stopped@example.no")
    assert user.id is not None
    users_admin.deactivate(session, admin, user.id)
    with pytest.raises(SignInRefused):
        _sign_in(session, identity("stopped@example.no"))
    session.refresh(user)
    assert not user.is_active


def test_demo_users_are_refused_outside_demo_mode(session: Session) -> None:
    factories.user(
        session, Role.coordinator, municipalities=["5501"], email="demo@example.no", is_demo=True
    )
    with pytest.raises(SignInRefused) as refused:
        _sign_in(session, identity("demo@example.no"))
    assert refused.value.reason == "demo"


def _with_two_step(session: Session, person: Principal) -> None:
    setup = two_step.begin_for(session, person)
    two_step.confirm_for(session, person, pyotp.TOTP(setup.secret).now())


def test_the_apps_code_is_asked_for_after_a_provider_without_mfa(session: Session) -> None:
    person = factories.user(
        session, Role.coordinator, municipalities=["5501"], email="t@example.no"
    )
    _with_two_step(session, person)
    pending = _sign_in(session, identity("t@example.no"))
    assert pending == auth.PendingSignIn(user_id=person.user_id or 0, setup=False)
    assert session.exec(select(WebSession)).first() is None


def test_a_provider_with_mfa_stands_in_for_the_apps_code(session: Session) -> None:
    person = factories.user(
        session, Role.coordinator, municipalities=["5501"], email="t@example.no"
    )
    _with_two_step(session, person)
    assert isinstance(_sign_in(session, identity("t@example.no"), mfa=True), auth.SignedIn)


def test_an_administrator_must_set_up_two_step_after_a_provider_without_mfa(
    session: Session,
) -> None:
    factories.user(session, Role.admin, email="root@example.no")
    policy = auth.SessionPolicy(**{**POLICY.__dict__, "admins_two_step": True})
    pending = _sign_in(session, identity("root@example.no"), policy=policy)
    assert isinstance(pending, auth.PendingSignIn)
    assert pending.setup
    assert isinstance(
        _sign_in(session, identity("root@example.no"), mfa=True, policy=policy), auth.SignedIn
    )
