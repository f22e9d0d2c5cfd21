"""`demensforlop notify` queues what is due and is safe to run again: run twice, the weekly
digest arrives once at the real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db import Database
from app.models.base import Role, utcnow
from app.models.feedback import CommentCreate
from app.models.mail import SentNotice
from app.services import feedback, notifications
from app.services.seed import seed
from tests import factories
from tests.conftest import fresh_database_url
from tests.mailserver import SmtpServer, text_of


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, smtp_server: SmtpServer) -> Iterator[str]:
    url = fresh_database_url("cli_notify")
    with Database(url).session(write=True) as session:
        seed(session)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SMTP_URL", smtp_server.url)
    monkeypatch.setenv("PUBLIC_URL", "https://demensforlop.test")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_notify_twice_sends_the_digest_once(database: str, smtp_server: SmtpServer) -> None:
    db = Database(database)
    with db.session(write=True) as session:
        kari = factories.user(
            session, Role.coordinator, municipalities=("5540",), email="kari@example.no"
        )
        ola = factories.user(session, Role.coordinator, municipalities=("5540",))
        notifications.set_preferences(session, kari, {"comment": "weekly"})
        feedback.create_comment(session, ola, "5540", CommentCreate(text="Møte på torsdag"))
    runner = CliRunner()
    today = utcnow().date().isoformat()
    for _ in range(2):
        ran = runner.invoke(cli, ["notify", "--today", today])
        assert ran.exit_code == 0, ran.output
        sent = runner.invoke(cli, ["send-mail"])
        assert sent.exit_code == 0, sent.output
    (digest,) = smtp_server.inbox.wait_for("kari@example.no")
    assert "Møte på torsdag" in text_of(digest)
    assert digest["List-Unsubscribe"].startswith("<https://demensforlop.test/varsler/avmeld/")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(smtp_server.inbox.to("kari@example.no")) == 1
    with db.session() as session:
        assert (
            len(session.exec(select(SentNotice).where(col(SentNotice.kind) == "weekly")).all()) == 1
        )
    next_week = (utcnow() + timedelta(days=7)).date().isoformat()
    assert "0 digest(s)" in runner.invoke(cli, ["notify", "--today", next_week]).output
    assert runner.invoke(cli, ["notify", "--today", "not-a-day"]).exit_code == 2
    db.dispose()
