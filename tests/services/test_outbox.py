"""The outbox: queued with the write, sent after commit over real SMTP, retried with
back-off, never sent twice."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import structlog.testing
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import Database
from app.mailer import LogTransport, SmtpTransport
from app.models.base import utcnow
from app.models.mail import OutboxMessage, OutboxStatus
from app.services import outbox
from app.services.outbox import Outgoing, RetryPolicy
from tests.conftest import BACKEND, TransactionalDatabase, fresh_database_url
from tests.mailserver import SmtpServer, text_of

POLICY = RetryPolicy(max_attempts=3, first_wait=timedelta(minutes=1))
CONTEXT = {"name": "Kari", "email": "kari@example.no", "link": "https://x.test/lenke?t=a&b=<c>"}


def _queue(session: Session, to: str = "kari@example.no", language: str = "nb") -> int:
    message = outbox.queue(
        session, to=to, template="password_reset", language=language, context=CONTEXT
    )
    session.commit()
    assert message.id is not None
    return message.id


def test_messages_are_rendered_in_the_person_s_language_with_text_and_html(
    session: Session,
) -> None:
    nb = session.get(OutboxMessage, _queue(session))
    en = session.get(OutboxMessage, _queue(session, language="en"))
    assert nb is not None
    assert en is not None
    assert nb.subject == "Nytt passord til Demensforløp"
    assert en.subject == "A new password for Demensforløp"
    assert "https://x.test/lenke?t=a&b=<c>" in nb.text_body  # plain text is not escaped
    assert "https://x.test/lenke?t=a&amp;b=&lt;c&gt;" in nb.html_body  # HTML is
    assert nb.status == OutboxStatus.queued


def test_a_message_queued_in_a_write_that_is_rolled_back_is_never_sent(
    db: TransactionalDatabase,
) -> None:
    with db.session(write=True) as session:
        outbox.queue(
            session, to="x@example.no", template="password_reset", language="nb", context=CONTEXT
        )
        session.rollback()
    sent: list[Outgoing] = []
    assert outbox.deliver_due(lambda: db.session(write=True), sent.append, POLICY) == 0
    assert sent == []


def test_due_messages_go_out_over_smtp_once(
    db: TransactionalDatabase, session: Session, smtp_server: SmtpServer
) -> None:
    message_id = _queue(session)
    transport = SmtpTransport(smtp_server.url, "Demensforløp <noreply@example.no>")
    assert outbox.deliver_due(lambda: db.session(write=True), transport, POLICY) == 1
    assert outbox.deliver_due(lambda: db.session(write=True), transport, POLICY) == 0
    (arrived,) = smtp_server.inbox.wait_for("kari@example.no")
    assert arrived["Subject"] == "Nytt passord til Demensforløp"
    assert "noreply@example.no" in arrived["From"]
    assert "https://x.test/lenke?t=a&b=<c>" in text_of(arrived)
    assert arrived.get_body(preferencelist=("html",)) is not None
    session.expire_all()
    row = session.get(OutboxMessage, message_id)
    assert row is not None
    assert row.status == OutboxStatus.sent
    assert row.sent_at is not None
    assert row.attempts == 1


def test_a_failed_send_is_retried_with_growing_waits_and_then_marked_failed(
    db: TransactionalDatabase, session: Session
) -> None:
    message_id = _queue(session)

    def broken(_: Outgoing) -> None:
        raise ConnectionRefusedError("no server")

    now = utcnow()
    waits = []
    for _ in range(POLICY.max_attempts):
        assert outbox.deliver_due(lambda: db.session(write=True), broken, POLICY, now=now) == 0
        session.expire_all()
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        waits.append(row.next_attempt_at - now)
        # Not due before its wait is over.
        assert outbox.deliver_due(lambda: db.session(write=True), broken, POLICY, now=now) == 0
        now = row.next_attempt_at
    assert waits[:2] == [timedelta(minutes=1), timedelta(minutes=2)]
    assert row is not None
    assert row.status == OutboxStatus.failed
    assert row.attempts == POLICY.max_attempts
    assert "no server" in row.last_error
    later = now + timedelta(days=1)
    assert outbox.deliver_due(lambda: db.session(write=True), broken, POLICY, now=later) == 0


def test_a_claim_whose_sender_died_lapses_and_the_message_is_tried_again(
    db: TransactionalDatabase, session: Session
) -> None:
    _queue(session)
    now = utcnow()
    assert len(outbox.claim(session, now=now)) == 1  # the sender dies before sending
    assert outbox.claim(session, now=now + timedelta(minutes=1)) == []
    retried = outbox.claim(session, now=now + outbox.CLAIM_FOR + timedelta(seconds=1))
    assert len(retried) == 1


def test_without_smtp_messages_are_written_to_the_log(
    session: Session, db: TransactionalDatabase
) -> None:
    _queue(session)
    with structlog.testing.capture_logs() as logged:
        sent = outbox.deliver_due(
            lambda: db.session(write=True), LogTransport("noreply@example.no"), POLICY
        )
    assert sent == 1
    (entry,) = [e for e in logged if e["event"] == "mail_not_sent_no_smtp"]
    assert entry["to"] == "kari@example.no"
    assert "https://x.test/lenke" in entry["body"]


@pytest.mark.slow
@pytest.mark.skipif(BACKEND != "postgresql", reason="several processes share PostgreSQL only")
def test_two_senders_at_once_never_send_a_message_twice() -> None:
    database = Database(fresh_database_url("outbox_race"))
    try:
        with database.session(write=True) as session:
            for n in range(40):
                outbox.queue(
                    session,
                    to=f"p{n}@example.no",
                    template="password_reset",
                    language="nb",
                    context=CONTEXT,
                )
            session.commit()
        delivered: list[str] = []
        lock = threading.Lock()

        def slow_send(message: Outgoing) -> None:
            time.sleep(0.01)
            with lock:
                delivered.append(message.to_address)

        def sender() -> None:
            while outbox.deliver_due(
                lambda: database.session(write=True), slow_send, POLICY, limit=5
            ):
                pass

        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(delivered) == sorted(f"p{n}@example.no" for n in range(40))
        with database.session() as session:
            statuses = session.exec(select(OutboxMessage.status)).all()
            assert set(statuses) == {OutboxStatus.sent.value}
            assert (
                session.exec(select(OutboxMessage.id).where(col(OutboxMessage.attempts) != 1)).all()
                == []
            )
    finally:
        database.dispose()


def test_an_idle_sender_only_reads(db: TransactionalDatabase, session: Session) -> None:
    assert not outbox.anything_due(session)
    _queue(session)
    assert outbox.anything_due(session)
    sent: list[Outgoing] = []
    outbox.deliver_due(lambda: db.session(write=True), sent.append, POLICY)
    session.expire_all()
    assert not outbox.anything_due(session)
    assert len(sent) == 1


def test_smtp_url_must_be_smtp_or_smtps() -> None:
    with pytest.raises(ValidationError, match="SMTP_URL"):
        Settings(smtp_url="http://mail.example.no")
    transport = SmtpTransport("smtps://user%40x:p%2Fw@mail.example.no", "a@b.no")
    assert (transport.host, transport.port, transport.implicit_tls) == (
        "mail.example.no",
        465,
        True,
    )
    assert (transport.user, transport.password) == ("user@x", "p/w")
    assert SmtpTransport("smtp://mail.example.no", "a@b.no").port == 587
