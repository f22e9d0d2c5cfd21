"""Invitations: who may invite whom, the e-mail with its single-use 72-hour link, and the
invited person's first password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from app.errors import Forbidden, Invalid, LinkNotUsable
from app.models.audit import AuditEvent
from app.models.base import Role, utcnow
from app.models.identity import User
from app.models.mail import LinkPurpose, OutboxMessage
from app.security import verify_password
from app.services import access_links, invitations
from app.services.access import SYSTEM, Principal
from app.services.identity import user_principal
from tests import factories

BASE = "https://demensforlop.test"
NEW = "et helt nytt passord"


def _invite(session: Session, principal: Principal, email: str, **kwargs: object) -> User:
    args: dict[str, object] = {"role": Role.coordinator, "municipalities": ("5540",)}
    args.update(kwargs)
    return invitations.invite(
        session,
        principal,
        email=email,
        base_url=BASE,
        **args,  # type: ignore[arg-type]
    )


def _token(session: Session, email: str) -> str:
    messages = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.to_address) == email)
    ).all()
    body = messages[-1].text_body
    start = body.index(f"{BASE}/invitasjon/") + len(f"{BASE}/invitasjon/")
    return body[start:].split()[0]


def test_an_admin_invites_a_coordinator_who_chooses_a_password_once(session: Session) -> None:
    admin = factories.admin(session)
    invited = _invite(session, admin, "ny@example.no")
    assert not invited.is_active
    assert not verify_password("!invited", invited.password_hash)
    (message,) = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.to_address) == "ny@example.no")
    ).all()
    assert "Kåfjord" in message.text_body
    assert admin.label in message.text_body
    token = _token(session, "ny@example.no")
    access_links.use(session, token, LinkPurpose.invite, password=NEW, repeated=NEW)
    user = session.get(User, invited.id)
    assert user is not None
    assert user.is_active
    assert verify_password(NEW, user.password_hash)
    with pytest.raises(LinkNotUsable):
        access_links.use(session, token, LinkPurpose.invite, password=NEW, repeated=NEW)
    events = session.exec(
        select(AuditEvent)
        .where(col(AuditEvent.entity_type) == "user")
        .where(col(AuditEvent.entity_id) == str(invited.id))
    ).all()
    invite_event = next(e for e in events if e.action == "invite")
    assert invite_event.actor_id == admin.id  # who invited whom


def test_an_invitation_lasts_72_hours(session: Session) -> None:
    _invite(session, SYSTEM, "ny@example.no")
    token = _token(session, "ny@example.no")
    access_links.holder(session, token, LinkPurpose.invite, now=utcnow() + timedelta(hours=71))
    with pytest.raises(LinkNotUsable) as expired:
        access_links.holder(
            session, token, LinkPurpose.invite, now=utcnow() + timedelta(hours=72, seconds=1)
        )
    assert expired.value.reason == "expired"


def test_a_coordinator_invites_colleagues_to_their_own_municipality_only(
    session: Session,
) -> None:
    kafjord = factories.coordinator(session, "5540")
    _invite(session, kafjord, "kollega@example.no")
    with pytest.raises(Forbidden):
        _invite(session, kafjord, "tromso@example.no", municipalities=("5501",))
    with pytest.raises(Forbidden):
        _invite(session, kafjord, "begge@example.no", municipalities=("5540", "5501"))
    with pytest.raises(Forbidden):
        _invite(
            session,
            kafjord,
            "radgiver@example.no",
            role=Role.adviser,
            municipalities=(),
            regions=("troms",),
        )
    assert session.exec(select(User).where(col(User.email) == "tromso@example.no")).first() is None


def test_an_adviser_invites_coordinators_for_their_region_only(session: Session) -> None:
    troms = factories.adviser(session, "troms")
    _invite(session, troms, "a@example.no", municipalities=("5501", "5540"))
    with pytest.raises(Forbidden):
        _invite(session, troms, "b@example.no", municipalities=("0301",))
    with pytest.raises(Forbidden):
        _invite(session, troms, "c@example.no", role=Role.admin, municipalities=())


def test_an_address_already_in_use_is_refused(session: Session) -> None:
    factories.user(session, Role.coordinator, municipalities=("5540",), email="finnes@example.no")
    with pytest.raises(Invalid) as taken:
        _invite(session, SYSTEM, "Finnes@example.no")
    assert taken.value.errors[0].field == "email"


def test_a_new_invitation_replaces_the_old_link(session: Session) -> None:
    invited = _invite(session, SYSTEM, "ny@example.no")
    first = _token(session, "ny@example.no")
    assert invited.id is not None
    invitations.resend(session, SYSTEM, invited.id, base_url=BASE)
    second = _token(session, "ny@example.no")
    with pytest.raises(LinkNotUsable):
        access_links.holder(session, first, LinkPurpose.invite)
    access_links.holder(session, second, LinkPurpose.invite)
    access_links.use(session, second, LinkPurpose.invite, password=NEW, repeated=NEW)
    with pytest.raises(Invalid):  # started: nothing to resend
        invitations.resend(session, SYSTEM, invited.id, base_url=BASE)


def test_the_invited_person_gets_the_rights_they_were_invited_with(session: Session) -> None:
    invited = _invite(session, SYSTEM, "ny@example.no", municipalities=("5540", "5501"))
    principal = user_principal(session, invited)
    assert principal.role == Role.coordinator
    assert len(principal.municipality_ids) == 2


def test_an_invitation_in_nynorsk_is_written_in_nynorsk(session: Session) -> None:
    _invite(session, SYSTEM, "nynorsk@example.no", language="nn")
    (message,) = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.to_address) == "nynorsk@example.no")
    ).all()
    assert "Opne lenkja for å velje passord" in message.text_body
    assert 'lang="nn"' in message.html_body
    _invite(session, SYSTEM, "bokmal@example.no", language="se")  # no Sami templates: bokmål
    (fallback,) = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.to_address) == "bokmal@example.no")
    ).all()
    assert "Åpne lenken" in fallback.text_body
