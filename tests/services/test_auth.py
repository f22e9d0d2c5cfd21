"""Signing in and out: sessions stored hashed, idle sessions end, wrong passwords refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from app.errors import DomainError
from app.models.base import Role, utcnow
from app.services import auth
from tests import factories

POLICY = auth.SessionPolicy(
    idle=timedelta(hours=1),
    absolute=timedelta(days=1),
    max_failures=5,
    window=timedelta(minutes=15),
    demo_allowed=False,
    account_max_failures=20,
    address_max_failures=50,
)


def test_a_session_lives_until_it_idles_or_is_signed_out(session: Session) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email="ko@example.no")
    signed = auth.sign_in(
        session,
        email=" KO@example.no ",
        password=factories.PASSWORD,
        address="10.0.0.1",
        policy=POLICY,
    )
    assert isinstance(signed, auth.SignedIn)
    assert auth.active_session(session, signed.token, POLICY) is not None
    later = utcnow() + POLICY.idle + timedelta(minutes=1)
    assert auth.active_session(session, signed.token, POLICY, now=later) is None
    auth.sign_out(session, signed.token)
    assert auth.active_session(session, signed.token, POLICY) is None


def test_a_wrong_password_opens_nothing(session: Session) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email="ko@example.no")
    with pytest.raises(DomainError):
        auth.sign_in(
            session, email="ko@example.no", password="wrong", address="10.0.0.1", policy=POLICY
        )
    assert auth.active_session(session, "not-a-session", POLICY) is None
