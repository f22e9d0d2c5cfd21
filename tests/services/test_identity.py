"""Tokens and users."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.errors import Forbidden, Invalid
from app.models.base import Role, Scope, utcnow
from app.models.identity import ApiToken, User
from app.security import PRODUCTION_PASSWORD_HASH, hash_password, sha256_hex, verify_password
from app.services import api_clients, identity
from app.services.access import SYSTEM
from tests import factories


def test_tokens_are_stored_hashed_and_expire_and_revoke(session: Session, make_client: Any) -> None:
    issued = api_clients.create_token(
        session, SYSTEM, name="journal", scope=Scope.read, municipalities=["5501"]
    )
    stored = session.get(ApiToken, issued.token_id)
    assert stored is not None
    assert stored.token_hash == sha256_hex(issued.token)
    assert issued.token not in stored.token_hash
    principal = identity.principal_for_token(session, issued.token)
    assert principal is not None
    assert principal.scope == Scope.read
    assert make_client(issued.token).get("/api/v1/municipalities/5501").status_code == 200

    api_clients.revoke_token(session, SYSTEM, issued.token_id)
    assert identity.principal_for_token(session, issued.token) is None
    assert make_client(issued.token).get("/api/v1/municipalities/5501").status_code == 401

    expiring = api_clients.create_token(
        session,
        SYSTEM,
        name="short",
        scope=Scope.read,
        regions=["troms"],
        expires_at=utcnow() + timedelta(seconds=30),
    )
    assert identity.principal_for_token(session, expiring.token) is not None
    stored = session.get(ApiToken, expiring.token_id)
    assert stored is not None
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert identity.principal_for_token(session, expiring.token) is None


def test_token_needs_a_binding_within_the_makers_rights(session: Session) -> None:
    with pytest.raises(Invalid):
        api_clients.create_token(session, SYSTEM, name="unbound", scope=Scope.read)
    with pytest.raises(Invalid):
        api_clients.create_token(
            session, SYSTEM, name="x", scope=Scope.read, municipalities=["9999"]
        )
    coordinator = factories.coordinator(session, "5501")
    with pytest.raises(Forbidden):
        api_clients.create_token(
            session, coordinator, name="x", scope=Scope.read, municipalities=["5540"]
        )


def test_production_hashes_at_full_cost_and_both_costs_verify() -> None:
    """The app hashes with Argon2id at the library's defaults; the tests (tests/conftest.py)
    at a lower cost. A hash carries its parameters, so a password hashed at either cost
    verifies, and a wrong one does not."""
    full = PRODUCTION_PASSWORD_HASH.hash("et langt passord")
    assert full.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password("et langt passord", full)
    assert not verify_password("et annet passord", full)
    cheap = hash_password("et langt passord")
    assert cheap.startswith("$argon2id$")
    assert cheap != full
    assert verify_password("et langt passord", cheap)


def test_users_get_argon2id_hashes(session: Session) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email="Ko@Example.no")
    user = session.exec(select(User).where(col(User.email) == "ko@example.no")).one()
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(factories.PASSWORD, user.password_hash)
    assert not verify_password("wrong password", user.password_hash)
    with pytest.raises(Invalid):
        factories.user(session, Role.coordinator, municipalities=["5501"], password="short")
    with pytest.raises(Invalid):
        factories.user(session, Role.coordinator)  # a coordinator needs a municipality
