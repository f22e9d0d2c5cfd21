"""Who may make, see and revoke API tokens, and the note of their last use."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from app.errors import Forbidden, Invalid, NotFound, Unauthenticated
from app.models.base import Scope, utcnow
from app.models.identity import ApiToken
from app.services import api_clients, identity
from app.services.access import ANONYMOUS, SYSTEM, Principal
from tests import factories


def _make(session: Session, principal: Principal, **kwargs: Any) -> api_clients.IssuedToken:
    values: dict[str, Any] = {"name": "Journal", "scope": Scope.read, **kwargs}
    return api_clients.create_token(session, principal, **values)


def test_a_coordinator_makes_write_tokens_for_their_own_municipality_only(
    session: Session,
) -> None:
    coordinator = factories.coordinator(session, "5501")
    issued = _make(session, coordinator, scope=Scope.write, municipalities=["5501"])
    principal = identity.principal_for_token(session, issued.token)
    assert principal is not None
    assert principal.scope == Scope.write
    with pytest.raises(Forbidden):
        _make(session, coordinator, municipalities=["5501", "5540"])
    with pytest.raises(Forbidden):
        _make(session, coordinator, regions=["troms"])


def test_an_adviser_makes_read_tokens_for_their_region_and_its_municipalities(
    session: Session,
) -> None:
    adviser = factories.adviser(session, "troms")
    _make(session, adviser, regions=["troms"])
    _make(session, adviser, municipalities=["5501", "5540"])
    with pytest.raises(Forbidden):
        _make(session, adviser, scope=Scope.write, municipalities=["5501"])
    with pytest.raises(Forbidden):
        _make(session, adviser, regions=["innlandet"])
    with pytest.raises(Forbidden):
        _make(session, adviser, municipalities=["3401"])  # Kongsvinger, Innlandet


def test_only_people_with_a_role_manage_tokens(session: Session) -> None:
    with pytest.raises(Unauthenticated):
        _make(session, ANONYMOUS, municipalities=["5501"])
    issued = _make(session, SYSTEM, scope=Scope.write, municipalities=["5501"])
    token_principal = identity.principal_for_token(session, issued.token)
    assert token_principal is not None
    with pytest.raises(Forbidden):
        _make(session, token_principal, municipalities=["5501"])


def test_bad_input_names_the_field(session: Session) -> None:
    admin = factories.admin(session)
    for kwargs, field in (
        ({"name": " ", "municipalities": ["5501"]}, "name"),
        ({"municipalities": []}, "municipality"),
        ({"municipalities": ["9999"]}, "municipality"),
        ({"regions": ["atlantis"]}, "region"),
        ({"municipalities": ["5501"], "expires_at": utcnow()}, "expires_at"),
    ):
        with pytest.raises(Invalid) as raised:
            _make(session, admin, **kwargs)
        assert raised.value.errors[0].field == field


def test_each_sees_and_revokes_only_the_tokens_within_their_rights(session: Session) -> None:
    tromso = _make(session, SYSTEM, name="Tromsø", municipalities=["5501"])
    kafjord = _make(session, SYSTEM, name="Kåfjord", municipalities=["5540"])
    region = _make(session, SYSTEM, name="Troms", regions=["troms"])
    coordinator = factories.coordinator(session, "5501")
    adviser = factories.adviser(session, "troms")
    other_adviser = factories.adviser(session, "innlandet")

    assert [t.client for t in api_clients.list_tokens(session, coordinator)] == ["Tromsø"]
    assert {t.client for t in api_clients.list_tokens(session, adviser)} == {
        "Tromsø",
        "Kåfjord",
        "Troms",
    }
    assert api_clients.list_tokens(session, other_adviser) == []
    listed = api_clients.list_tokens(session, SYSTEM)
    assert next(t for t in listed if t.client == "Tromsø").municipalities == ["5501 Tromsø"]

    for token in (kafjord, region):
        with pytest.raises(NotFound):
            api_clients.revoke_token(session, coordinator, token.token_id)
    with pytest.raises(NotFound):
        api_clients.revoke_token(session, other_adviser, tromso.token_id)
    api_clients.revoke_token(session, coordinator, tromso.token_id)
    assert identity.principal_for_token(session, tromso.token) is None
    api_clients.revoke_token(session, adviser, region.token_id)
    assert identity.principal_for_token(session, region.token) is None
    assert identity.principal_for_token(session, kafjord.token) is not None


def test_the_last_use_is_written_at_most_once_a_minute(session: Session) -> None:
    issued = _make(session, SYSTEM, municipalities=["5501"])
    resolved = identity.resolve_token(session, issued.token)
    assert resolved is not None
    assert resolved.needs_use_recorded
    first = utcnow()
    api_clients.record_use(session, issued.token_id, now=first)
    resolved = identity.resolve_token(session, issued.token)
    assert resolved is not None
    assert not resolved.needs_use_recorded
    api_clients.record_use(session, issued.token_id, now=first + timedelta(seconds=30))
    row = session.get(ApiToken, issued.token_id)
    assert row is not None
    session.refresh(row)
    assert row.last_used_at == first
    later = first + timedelta(minutes=2)
    api_clients.record_use(session, issued.token_id, now=later)
    session.refresh(row)
    assert row.last_used_at == later
