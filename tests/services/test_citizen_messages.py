"""Citizens' messages: anyone sends, plain text within limits, a flood is refused, a notice
goes to the municipality's contact e-mail, and only its editors read and mark them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.errors import Forbidden, Invalid, NotFound, TooManyRequests
from app.models.audit import AuditEvent
from app.models.citizen import MESSAGE_MAX, CitizenMessageInput
from app.models.mail import OutboxMessage
from app.models.municipality import MunicipalityUpdate
from app.services import citizen_messages, municipalities
from app.services.access import SYSTEM
from tests import factories


def _send(session: Session, text: str = "Telefonnummeret mangler.", number: str = "5501") -> int:
    return citizen_messages.send(session, number, CitizenMessageInput(text=text)).id


def test_a_message_is_kept_as_plain_text_and_listed_for_the_editors(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    sent = citizen_messages.send(
        session,
        "5501",
        CitizenMessageInput(
            text="  <b>Hei</b>\u200b dere \n", sender_name=" Kari ", reply_email="kari@example.no"
        ),
    )
    assert (sent.text, sent.sender_name, sent.reply_email) == (
        "<b>Hei</b> dere",
        "Kari",
        "kari@example.no",
    )
    listed = citizen_messages.list_messages(session, coordinator, "5501")
    assert [m.id for m in listed] == [sent.id]
    assert listed[0].handled_at is None


def test_limits_of_a_message(session: Session) -> None:
    with pytest.raises(ValidationError):
        CitizenMessageInput(text="x" * (MESSAGE_MAX + 1))
    with pytest.raises(ValidationError):
        CitizenMessageInput(text="Hei", reply_email="ikke en adresse")
    with pytest.raises(Invalid):
        citizen_messages.send(session, "5501", CitizenMessageInput(text=" \u200b "))
    with pytest.raises(NotFound):
        _send(session, number="9999")


def test_a_flood_is_refused(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(citizen_messages, "HOURLY_LIMIT", 2)
    _send(session)
    _send(session)
    with pytest.raises(TooManyRequests):
        _send(session)
    _send(session, number="5540")  # another municipality is not held up


def test_a_notice_goes_to_the_contact_email_without_the_text(session: Session) -> None:
    _send(session, "Hemmelig innhold")
    assert session.exec(select(OutboxMessage)).all() == []
    municipality = factories.municipality(session, "5501")
    municipalities.update_municipality(
        session,
        SYSTEM,
        "5501",
        MunicipalityUpdate(contact_email="demens@tromso.kommune.no"),
        municipality.version,
    )
    _send(session, "Hemmelig innhold")
    notices = session.exec(select(OutboxMessage)).all()
    assert [n.to_address for n in notices] == ["demens@tromso.kommune.no"]
    assert "Tromsø" in notices[0].subject
    assert "/app/kommuner/5501/tilbakemeldinger" in notices[0].text_body
    assert "Hemmelig innhold" not in notices[0].text_body


def test_only_editors_read_and_mark_and_marking_is_audited(session: Session) -> None:
    message_id = _send(session)
    coordinator = factories.coordinator(session, "5501")
    for outsider in (factories.coordinator(session, "5540"), factories.adviser(session, "troms")):
        with pytest.raises(Forbidden):
            citizen_messages.list_messages(session, outsider, "5501")
        with pytest.raises(Forbidden):
            citizen_messages.mark_handled(session, outsider, "5501", message_id, handled=True)
    with pytest.raises(NotFound):
        citizen_messages.mark_handled(session, SYSTEM, "5540", message_id, handled=True)

    handled = citizen_messages.mark_handled(session, coordinator, "5501", message_id, handled=True)
    assert handled.handled_at is not None
    assert handled.handled_by
    again = citizen_messages.mark_handled(session, coordinator, "5501", message_id, handled=True)
    assert again.handled_at == handled.handled_at, "marking it as it is changes nothing"
    assert citizen_messages.list_messages(session, coordinator, "5501", include_handled=False) == []
    reopened = citizen_messages.mark_handled(
        session, coordinator, "5501", message_id, handled=False
    )
    assert reopened.handled_at is None
    events = session.exec(
        select(AuditEvent).where(col(AuditEvent.entity_type) == "citizen_message")
    ).all()
    assert len(events) == 2


def test_the_municipality_contact_is_validated_and_cleared(session: Session) -> None:
    with pytest.raises(ValidationError):
        MunicipalityUpdate(contact_phone="ring meg")
    with pytest.raises(ValidationError):
        MunicipalityUpdate(contact_url="tromso.kommune.no")
    with pytest.raises(ValidationError):
        MunicipalityUpdate(contact_email="demens@")
    version = factories.municipality(session, "5501").version
    updated = municipalities.update_municipality(
        session,
        SYSTEM,
        "5501",
        MunicipalityUpdate(
            contact_name="Demenskoordinator",
            contact_phone="+47 77 79 00 00",
            contact_email="demens@tromso.kommune.no",
            contact_url="https://tromso.kommune.no/demens",
        ),
        version,
    )
    assert (updated.contact_name, updated.contact_url) == (
        "Demenskoordinator",
        "https://tromso.kommune.no/demens",
    )
    cleared = municipalities.update_municipality(
        session,
        SYSTEM,
        "5501",
        MunicipalityUpdate(contact_email="", contact_url=""),
        updated.version,
    )
    assert (cleared.contact_email, cleared.contact_url) == ("", "")
    assert cleared.contact_name == "Demenskoordinator"
