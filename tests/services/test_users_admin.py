"""The users page's use cases: listing with search and paging, changing rights within
one's own, deactivating."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from app.errors import Forbidden, Invalid
from app.models.audit import AuditEvent
from app.models.base import Role, Scope, utcnow
from app.models.identity import User, WebSession
from app.services import api_clients, identity, users_admin
from app.services.access import SYSTEM
from app.services.common import Page
from tests import factories


def _emails(page: Page[users_admin.UserRow]) -> list[str]:
    return [row.email for row in page.items]


def test_search_and_paging(session: Session) -> None:
    for n in range(3):
        factories.user(
            session, Role.coordinator, municipalities=("5540",), email=f"kafjord{n}@example.no"
        )
    admin = factories.admin(session)
    found = users_admin.list_users(session, admin, search="KÅFJORD".lower().replace("å", "a"))
    assert found.total == 3
    first = users_admin.list_users(session, admin, search="kafjord", limit=2)
    second = users_admin.list_users(session, admin, search="kafjord", limit=2, offset=2)
    assert len(first.items) == 2
    assert len(second.items) == 1
    assert set(_emails(first)) | set(_emails(second)) == {
        f"kafjord{n}@example.no" for n in range(3)
    }
    assert users_admin.list_users(session, admin, search="50%_").total == 0


def test_coordinators_see_colleagues_of_their_municipalities_only(session: Session) -> None:
    kafjord = factories.coordinator(session, "5540")
    factories.user(session, Role.coordinator, municipalities=("5540",), email="kollega@example.no")
    factories.user(session, Role.coordinator, municipalities=("5501",), email="tromso@example.no")
    seen = _emails(users_admin.list_users(session, kafjord, limit=500))
    assert "kollega@example.no" in seen
    assert "tromso@example.no" not in seen


def test_change_rights_within_ones_own_and_audit_it(session: Session) -> None:
    adviser = factories.adviser(session, "troms")
    target = factories.user(
        session, Role.coordinator, municipalities=("5540",), email="k@example.no"
    )
    assert target.id is not None
    users_admin.change_user(
        session, adviser, target.id, role=Role.coordinator, municipalities=["5540", "5501"]
    )
    row = users_admin.get_user(session, adviser, target.id)
    assert sorted(n for n, _ in row.municipalities) == ["5501", "5540"]
    with pytest.raises(Forbidden):
        users_admin.change_user(
            session, adviser, target.id, role=Role.coordinator, municipalities=["0301"]
        )
    with pytest.raises(Forbidden):
        users_admin.change_user(session, adviser, target.id, role=Role.adviser, regions=["troms"])
    with pytest.raises(Invalid):
        users_admin.change_user(session, SYSTEM, target.id, role=Role.adviser)
    event = session.exec(select(AuditEvent).where(col(AuditEvent.action) == "change_rights")).one()
    assert event.after == {"role": "coordinator", "municipalities": ["5501", "5540"], "regions": []}


def test_a_coordinator_cannot_change_someone_with_wider_rights(session: Session) -> None:
    kafjord = factories.coordinator(session, "5540")
    wider = factories.user(session, Role.coordinator, municipalities=("5540", "5501"))
    assert wider.id is not None
    assert kafjord.id is not None
    with pytest.raises(Forbidden):
        users_admin.change_user(
            session, kafjord, wider.id, role=Role.coordinator, municipalities=["5540"]
        )
    with pytest.raises(Forbidden):
        users_admin.deactivate(session, kafjord, wider.id)
    with pytest.raises(Forbidden):
        users_admin.deactivate(session, kafjord, kafjord.id)


def test_deactivating_ends_sessions_at_once(session: Session) -> None:
    admin = factories.admin(session)
    target = factories.user(session, Role.coordinator, municipalities=("5540",))
    assert target.id is not None
    session.add(
        WebSession(
            id="b" * 64, user_id=target.id, csrf_token="c", expires_at=utcnow() + timedelta(days=1)
        )
    )
    session.commit()
    users_admin.deactivate(session, admin, target.id)
    user = session.get(User, target.id)
    assert user is not None
    assert not user.is_active
    assert session.exec(select(WebSession).where(col(WebSession.user_id) == target.id)).all() == []
    assert session.exec(select(AuditEvent).where(col(AuditEvent.action) == "deactivate")).one()


def test_deactivating_revokes_the_tokens_of_the_clients_they_made_and_no_others(
    session: Session,
) -> None:
    admin = factories.admin(session)
    maker = factories.user(session, Role.coordinator, municipalities=("5540",))
    other = factories.user(session, Role.coordinator, municipalities=("5540",))
    assert maker.id is not None
    theirs = api_clients.create_token(
        session, maker, name="Journal", scope=Scope.read, municipalities=["5540"]
    )
    kept = api_clients.create_token(
        session, other, name="Fagsystem", scope=Scope.read, municipalities=["5540"]
    )
    assert identity.principal_for_token(session, theirs.token) is not None
    users_admin.deactivate(session, admin, maker.id)
    assert identity.principal_for_token(session, theirs.token) is None
    assert identity.principal_for_token(session, kept.token) is not None
    event = session.exec(select(AuditEvent).where(col(AuditEvent.action) == "deactivate")).one()
    assert event.after is not None
    assert theirs.token_id in event.after["revoked_tokens"]


def test_reactivating_lets_them_sign_in_again_but_tokens_stay_revoked(session: Session) -> None:
    admin = factories.admin(session)
    target = factories.user(session, Role.coordinator, municipalities=("5540",))
    assert target.id is not None
    issued = api_clients.create_token(
        session, target, name="Journal", scope=Scope.read, municipalities=["5540"]
    )
    users_admin.deactivate(session, admin, target.id)
    users_admin.reactivate(session, admin, target.id)
    user = session.get(User, target.id)
    assert user is not None
    session.refresh(user)
    assert user.is_active
    assert identity.principal_for_token(session, issued.token) is None
    assert session.exec(select(AuditEvent).where(col(AuditEvent.action) == "reactivate")).one()
    kafjord = factories.user(session, Role.coordinator, municipalities=("5540",))
    wider = factories.user(session, Role.coordinator, municipalities=("5540", "5501"))
    assert wider.id is not None
    users_admin.deactivate(session, admin, wider.id)
    with pytest.raises(Forbidden):
        users_admin.reactivate(session, kafjord, wider.id)
