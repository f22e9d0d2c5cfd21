"""Messages citizens send a municipality from its public page, and its editors' list of them.

- Anyone may send (no sign-in). A municipality takes at most `HOURLY_LIMIT` messages an
  hour, so a flood cannot bury its list; the web form adds a honeypot and a signed token.
- The text is kept as plain text and never rendered as HTML.
- When the municipality has a contact e-mail, a notice (without the message's text, which
  may be personal) is queued in the outbox in the same transaction.
- The municipality's editors (its coordinators, administrators) read the list and mark
  messages handled (or not); marking is audited. Messages never bump the municipality's
  version: they are not its content.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import FieldError, Invalid, NotFound, TooManyRequests
from app.kit.text import clean_text
from app.models.base import utcnow
from app.models.citizen import CitizenMessage, CitizenMessageInput, CitizenMessageRead
from app.services import audit, outbox
from app.services.access import Principal, require_edit
from app.services.common import commit, get_municipality, lock_municipality

#: The most messages one municipality takes within an hour.
HOURLY_LIMIT = 30


def recipient(session: Session, number: str) -> tuple[str, str]:
    """The municipality's name and official language form, for the public form."""
    municipality = get_municipality(session, number)
    return municipality.name, municipality.language_form


def _read(message: CitizenMessage) -> CitizenMessageRead:
    return CitizenMessageRead(
        id=message.id or 0,
        text=message.text,
        sender_name=message.sender_name,
        reply_email=message.reply_email,
        created_at=message.created_at,
        handled_at=message.handled_at,
        handled_by=message.handled_by,
    )


def send(
    session: Session, number: str, data: CitizenMessageInput, *, site_url: str = ""
) -> CitizenMessageRead:
    """Keep a citizen's message to the municipality `number` and queue the notice."""
    text = clean_text(data.text)
    if not text:
        raise Invalid(FieldError("text", "Write a message."))
    municipality = lock_municipality(session, get_municipality(session, number).id or 0)
    since = utcnow() - timedelta(hours=1)
    recent = session.exec(
        select(func.count())
        .select_from(CitizenMessage)
        .where(col(CitizenMessage.municipality_id) == municipality.id)
        .where(col(CitizenMessage.created_at) >= since)
    ).one()
    if recent >= HOURLY_LIMIT:
        session.rollback()
        raise TooManyRequests("The municipality has had many messages this hour.", 600)
    message = CitizenMessage(
        municipality_id=municipality.id or 0,
        text=text,
        sender_name=clean_text(data.sender_name),
        reply_email=str(data.reply_email or ""),
    )
    session.add(message)
    if municipality.contact_email:
        outbox.queue(
            session,
            to=municipality.contact_email,
            template="citizen_message",
            language="nb",
            context={
                "municipality": municipality.name,
                "link": f"{site_url}/app/kommuner/{number}/tilbakemeldinger",
            },
        )
    session.flush()
    read = _read(message)
    commit(session)
    return read


def list_messages(
    session: Session, principal: Principal, number: str, *, include_handled: bool = True
) -> list[CitizenMessageRead]:
    """Newest first; open ones only unless `include_handled`."""
    municipality = get_municipality(session, number)
    require_edit(principal, municipality)
    query = select(CitizenMessage).where(col(CitizenMessage.municipality_id) == municipality.id)
    if not include_handled:
        query = query.where(col(CitizenMessage.handled_at).is_(None))
    query = query.order_by(col(CitizenMessage.created_at).desc(), col(CitizenMessage.id).desc())
    return [_read(m) for m in session.exec(query).all()]


def count_open(session: Session, municipality_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(CitizenMessage)
        .where(col(CitizenMessage.municipality_id) == municipality_id)
        .where(col(CitizenMessage.handled_at).is_(None))
    ).one()


def mark_handled(
    session: Session, principal: Principal, number: str, message_id: int, *, handled: bool
) -> CitizenMessageRead:
    """Mark the message handled (or open again); marking it as it already is changes
    nothing."""
    municipality = lock_municipality(session, get_municipality(session, number).id or 0)
    require_edit(principal, municipality)
    message = session.get(CitizenMessage, message_id)
    if message is None or message.municipality_id != municipality.id:
        raise NotFound(f"No message {message_id} to {municipality.name}.")
    before = _read(message)
    if (message.handled_at is not None) == handled:
        session.rollback()
        return before
    message.handled_at = utcnow() if handled else None
    message.handled_by = principal.label if handled else None
    after = _read(message)
    audit.record(
        session,
        principal,
        action="update",
        entity_type="citizen_message",
        entity_id=message_id,
        municipality=municipality,
        before={"handled_at": before.model_dump(mode="json")["handled_at"]},
        after={"handled_at": after.model_dump(mode="json")["handled_at"]},
    )
    commit(session)
    return after
