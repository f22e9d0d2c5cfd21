"""Forgotten passwords: the same answer for any address, throttled, a link that works once
within the hour."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from app.errors import Invalid, LinkNotUsable
from app.models.base import Role, utcnow
from app.models.identity import User, WebSession
from app.models.mail import LinkPurpose, OutboxMessage
from app.security import verify_password
from app.services import access_links, password_reset
from app.services.password_reset import ResetThrottle
from tests import factories

NEW = "et helt nytt passord"


def _outbox_to(session: Session, email: str) -> list[OutboxMessage]:
    return list(
        session.exec(select(OutboxMessage).where(col(OutboxMessage.to_address) == email)).all()
    )


def _token(message: OutboxMessage) -> str:
    marker = "/glemt-passord/ny/"
    start = message.text_body.index(marker) + len(marker)
    return message.text_body[start:].split()[0]


def _request(session: Session, email: str, **kwargs: object) -> None:
    password_reset.request_reset(
        session,
        email=email,
        address="192.0.2.1",
        base_url="https://demensforlop.test",
        language="nb",
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_known_address_gets_a_link_an_unknown_one_nothing_and_neither_an_error(
    session: Session,
) -> None:
    factories.user(session, Role.coordinator, municipalities=("5540",), email="kari@example.no")
    _request(session, "Kari@Example.no ")
    _request(session, "ingen@example.no")
    (message,) = _outbox_to(session, "kari@example.no")
    assert message.text_body.count("https://demensforlop.test/glemt-passord/ny/") == 1
    assert _outbox_to(session, "ingen@example.no") == []


def test_the_link_sets_the_password_once_and_ends_every_session(session: Session) -> None:
    person = factories.user(
        session, Role.coordinator, municipalities=("5540",), email="kari@example.no"
    )
    assert person.id is not None
    session.add(
        WebSession(
            id="a" * 64, user_id=person.id, csrf_token="c", expires_at=utcnow() + timedelta(days=1)
        )
    )
    session.commit()
    _request(session, "kari@example.no")
    token = _token(_outbox_to(session, "kari@example.no")[0])
    assert access_links.holder(session, token, LinkPurpose.reset).email == "kari@example.no"
    access_links.use(session, token, LinkPurpose.reset, password=NEW, repeated=NEW)
    user = session.get(User, person.id)
    assert user is not None
    assert verify_password(NEW, user.password_hash)
    assert session.exec(select(WebSession).where(col(WebSession.user_id) == person.id)).all() == []
    with pytest.raises(LinkNotUsable) as used:
        access_links.use(session, token, LinkPurpose.reset, password=NEW, repeated=NEW)
    assert used.value.reason == "used"


def test_an_expired_link_explains_itself(session: Session) -> None:
    factories.user(session, Role.coordinator, municipalities=("5540",), email="kari@example.no")
    _request(session, "kari@example.no", now=utcnow() - timedelta(hours=1, seconds=1))
    token = _token(_outbox_to(session, "kari@example.no")[0])
    with pytest.raises(LinkNotUsable) as expired:
        access_links.holder(session, token, LinkPurpose.reset)
    assert expired.value.reason == "expired"
    with pytest.raises(LinkNotUsable) as unknown:
        access_links.holder(session, token + "x", LinkPurpose.reset)
    assert unknown.value.reason == "unknown"
    with pytest.raises(LinkNotUsable):  # a reset link is not an invitation
        access_links.holder(session, token, LinkPurpose.invite)


def test_only_the_newest_link_works(session: Session) -> None:
    factories.user(session, Role.coordinator, municipalities=("5540",), email="kari@example.no")
    _request(session, "kari@example.no")
    _request(session, "kari@example.no")
    first, second = (_token(m) for m in _outbox_to(session, "kari@example.no"))
    with pytest.raises(LinkNotUsable):
        access_links.holder(session, first, LinkPurpose.reset)
    access_links.holder(session, second, LinkPurpose.reset)


def test_a_weak_or_mistyped_password_is_refused_and_the_link_still_works(
    session: Session,
) -> None:
    factories.user(session, Role.coordinator, municipalities=("5540",), email="kari@example.no")
    _request(session, "kari@example.no")
    token = _token(_outbox_to(session, "kari@example.no")[0])
    with pytest.raises(Invalid) as weak:
        access_links.use(session, token, LinkPurpose.reset, password="kort", repeated="korte")
    assert {e.field for e in weak.value.errors} == {"new_password", "repeat_password"}
    access_links.use(session, token, LinkPurpose.reset, password=NEW, repeated=NEW)


def test_requests_are_throttled_per_address_and_per_client(session: Session) -> None:
    factories.user(session, Role.coordinator, municipalities=("5540",), email="kari@example.no")
    factories.user(session, Role.coordinator, municipalities=("5540",), email="ola@example.no")
    throttle = ResetThrottle(per_account=2, per_client=3)
    for _ in range(3):
        _request(session, "kari@example.no", throttle=throttle)
    assert len(_outbox_to(session, "kari@example.no")) == 2
    _request(session, "ola@example.no", throttle=throttle)  # 4th from this client
    assert _outbox_to(session, "ola@example.no") == []
    later = utcnow() + timedelta(hours=1, minutes=1)
    _request(session, "ola@example.no", throttle=throttle, now=later)
    assert len(_outbox_to(session, "ola@example.no")) == 1


def test_deactivated_and_demo_users_get_no_link(session: Session) -> None:
    person = factories.user(
        session, Role.coordinator, municipalities=("5540",), email="kari@example.no"
    )
    factories.user(
        session, Role.coordinator, municipalities=("5540",), email="demo@example.no", is_demo=True
    )
    user = session.get(User, person.id)
    assert user is not None
    user.is_active = False
    session.commit()
    _request(session, "kari@example.no")
    _request(session, "demo@example.no")
    assert _outbox_to(session, "kari@example.no") == []
    assert _outbox_to(session, "demo@example.no") == []
