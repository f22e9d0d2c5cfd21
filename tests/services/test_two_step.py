"""Two-step verification: setting it up, codes that are never taken twice, recovery codes
used once, the sign-in that asks for a code, and who must have it."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlmodel import Session, col, select

from app.config import Settings
from app.errors import Forbidden, Invalid, TooManyRequests
from app.models.base import Role, utcnow
from app.models.identity import RecoveryCode, User
from app.services import auth, two_step
from app.services.access import Principal
from tests import factories

POLICY = auth.SessionPolicy(
    idle=timedelta(hours=8),
    absolute=timedelta(days=7),
    max_failures=3,
    window=timedelta(minutes=15),
    demo_allowed=False,
)


def _user(session: Session, principal: Principal) -> User:
    user = session.get(User, principal.user_id)
    assert user is not None
    return user


def _turn_on(session: Session, principal: Principal) -> tuple[pyotp.TOTP, list[str]]:
    setup = two_step.begin_for(session, principal)
    totp = pyotp.TOTP(setup.secret)
    assert setup.uri.startswith("otpauth://totp/")
    codes = two_step.confirm_for(session, principal, totp.now())
    return totp, codes


def test_it_is_on_only_after_a_right_code_and_gives_ten_hashed_recovery_codes(
    session: Session,
) -> None:
    coordinator = factories.coordinator(session, "5501")
    setup = two_step.begin_for(session, coordinator)
    assert two_step.begin_for(session, coordinator).secret == setup.secret  # a reload
    with pytest.raises(Invalid):
        two_step.confirm_for(session, coordinator, "000000")
    assert not two_step.status(session, coordinator)
    codes = two_step.confirm_for(session, coordinator, pyotp.TOTP(setup.secret).now())
    assert two_step.status(session, coordinator)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    stored = session.exec(
        select(RecoveryCode.code_hash).where(col(RecoveryCode.user_id) == coordinator.user_id)
    ).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in stored for code in codes)


def test_a_code_is_never_taken_twice_and_a_recovery_code_once(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    totp, codes = _turn_on(session, coordinator)
    user = _user(session, coordinator)
    now = utcnow()
    # The code used to turn it on was from this step: it is not accepted again.
    assert not two_step.verify(session, user, totp.at(now), now)
    later = now + timedelta(seconds=30)
    assert two_step.verify(session, user, totp.at(later), later)
    assert not two_step.verify(session, user, totp.at(later), later)
    assert not two_step.verify(session, user, totp.at(now - timedelta(minutes=5)), later)
    assert two_step.verify(session, user, codes[0].upper(), later)
    assert not two_step.verify(session, user, codes[0], later)
    assert not two_step.verify(session, user, "aaaa-bbbb-cccc-dddd", later)


def test_sign_in_asks_for_a_code_and_counts_wrong_codes_as_failures(session: Session) -> None:
    email = "totp@example.no"
    coordinator = factories.user(session, Role.coordinator, municipalities=["5501"], email=email)
    totp, _ = _turn_on(session, coordinator)
    pending = auth.sign_in(
        session, email=email, password=factories.PASSWORD, address="10.0.0.1", policy=POLICY
    )
    assert pending == auth.PendingSignIn(user_id=coordinator.user_id or 0, setup=False)
    for _ in range(POLICY.max_failures):
        with pytest.raises(Invalid):
            auth.sign_in_with_code(
                session, user_id=pending.user_id, code="123456", address="10.0.0.1", policy=POLICY
            )
    with pytest.raises(TooManyRequests):
        auth.sign_in_with_code(
            session,
            user_id=pending.user_id,
            code=totp.at(utcnow() + timedelta(seconds=30)),
            address="10.0.0.1",
            policy=POLICY,
        )
    signed = auth.sign_in_with_code(
        session,
        user_id=pending.user_id,
        code=totp.at(utcnow() + timedelta(seconds=30)),
        address="10.0.0.2",
        policy=POLICY,
    )
    assert auth.active_session(session, signed.token, POLICY) is not None


def test_administrators_must_set_it_up_at_sign_in_and_cannot_turn_it_off(
    session: Session,
) -> None:
    email = "admin-totp@example.no"
    admin = factories.user(session, Role.admin, email=email)
    pending = auth.sign_in(
        session, email=email, password=factories.PASSWORD, address="10.0.0.1", policy=POLICY
    )
    assert isinstance(pending, auth.PendingSignIn)
    assert pending.setup
    setup = auth.two_step_setup(session, pending.user_id)
    signed, codes = auth.sign_in_with_new_two_step(
        session,
        user_id=pending.user_id,
        code=pyotp.TOTP(setup.secret).now(),
        address="10.0.0.1",
        policy=POLICY,
    )
    assert signed.principal.is_admin
    assert len(codes) == 10
    with pytest.raises(Forbidden):
        two_step.turn_off(session, admin, codes[0], admins_required=True, demo_allowed=False)


def test_demo_users_are_exempt_in_demo_mode_and_others_may_turn_it_off(session: Session) -> None:
    user = User(email="d@example.no", password_hash="x", role="admin", is_demo=True)
    assert not two_step.required_for(user, admins_required=True, demo_allowed=True)
    assert two_step.required_for(user, admins_required=True, demo_allowed=False)
    coordinator = factories.coordinator(session, "5501")
    totp, _ = _turn_on(session, coordinator)
    with pytest.raises(Invalid):
        two_step.turn_off(session, coordinator, "000000", admins_required=True, demo_allowed=False)
    code = totp.at(utcnow() + timedelta(seconds=30))
    two_step.turn_off(session, coordinator, code, admins_required=True, demo_allowed=False)
    assert not two_step.status(session, coordinator)


def test_production_refuses_to_lift_the_requirement() -> None:
    with pytest.raises(ValueError, match="ADMIN_TWO_STEP"):
        Settings(environment="production", secret_key="s" * 40, admin_two_step=False)
