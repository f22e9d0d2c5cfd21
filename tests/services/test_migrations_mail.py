"""The upgrade that adds the outbox, single-use links and reset requests keeps every user
and session, and the new tables work at once."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from app.db import make_engine
from app.migrate import alembic_config
from app.models.base import utcnow
from app.services import password_reset
from tests.conftest import fresh_database_url

MAIL = "mail_and_invitations"


def test_upgrade_to_mail_keeps_users_and_sessions_and_the_downgrade_too() -> None:
    url = fresh_database_url("mail_and_invitations")
    config = alembic_config(url)
    command.downgrade(config, f"{MAIL}-1")
    engine = make_engine(url)
    now = utcnow()
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    'INSERT INTO "user" (email, name, password_hash, role, language, is_active, '
                    "is_demo, created_at, password_changed_at) VALUES ('kari@example.no', 'Kari', "
                    "'x', 'coordinator', 'nb', true, false, :now, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO web_session (id, user_id, csrf_token, created_at, last_seen_at, "
                    "expires_at) SELECT :id, id, 'c', :now, :now, :now FROM \"user\""
                ),
                {"id": "a" * 64, "now": now},
            )
        command.upgrade(config, MAIL)
        with engine.connect() as connection:
            assert connection.execute(text('SELECT email FROM "user"')).scalars().all() == [
                "kari@example.no"
            ]
            assert connection.execute(text("SELECT count(*) FROM web_session")).scalar() == 1
        # The service reads users through today's model: the later revisions first.
        command.upgrade(config, "head")
        with Session(engine) as session:
            password_reset.request_reset(
                session,
                email="kari@example.no",
                address="192.0.2.1",
                base_url="https://x.test",
                language="nb",
            )
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM outbox_message")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM access_link")).scalar() == 1
        command.downgrade(config, f"{MAIL}-1")
        with engine.connect() as connection:
            assert connection.execute(text('SELECT count(*) FROM "user"')).scalar() == 1
    finally:
        engine.dispose()
