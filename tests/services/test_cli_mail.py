"""`demensforlop create-user --invite` shares the invitation service with the users page,
and `demensforlop send-mail` sends what is due once, over SMTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db import Database
from app.models.identity import User
from app.models.mail import OutboxMessage, OutboxStatus
from app.services.seed import seed
from tests.conftest import fresh_database_url
from tests.mailserver import SmtpServer, text_of


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, smtp_server: SmtpServer) -> Iterator[str]:
    url = fresh_database_url("cli_mail")
    with Database(url).session(write=True) as session:
        seed(session)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SMTP_URL", smtp_server.url)
    monkeypatch.setenv("PUBLIC_URL", "https://demensforlop.test")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_invite_from_the_command_line_then_send(database: str, smtp_server: SmtpServer) -> None:
    runner = CliRunner()
    invited = runner.invoke(
        cli,
        [
            "create-user",
            "--email",
            "ny@example.no",
            "--role",
            "coordinator",
            "--municipality",
            "5540",
            "--invite",
        ],
    )
    assert invited.exit_code == 0, invited.output
    assert "invited coordinator ny@example.no" in invited.output
    db = Database(database)
    with db.session() as session:
        user = session.exec(select(User).where(col(User.email) == "ny@example.no")).one()
        assert not user.is_active
    assert smtp_server.inbox.to("ny@example.no") == []  # queued, not yet sent
    sent = runner.invoke(cli, ["send-mail"])
    assert sent.exit_code == 0, sent.output
    assert "sent 1 message(s)" in sent.output
    (message,) = smtp_server.inbox.wait_for("ny@example.no")
    assert "https://demensforlop.test/invitasjon/" in text_of(message)
    with db.session() as session:
        statuses = session.exec(select(OutboxMessage.status)).all()
        assert statuses == [OutboxStatus.sent.value]
    assert "sent 0 message(s)" in runner.invoke(cli, ["send-mail"]).output
    db.dispose()


def test_create_user_refuses_the_same_address_twice(database: str) -> None:
    runner = CliRunner()
    args = ["create-user", "--email", "to@example.no", "--role", "admin", "--invite"]
    assert runner.invoke(cli, args).exit_code == 0
    again = runner.invoke(cli, args)
    assert again.exit_code != 0
    assert "already exists" in again.output
