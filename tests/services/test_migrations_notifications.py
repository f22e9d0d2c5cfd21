"""The upgrade that adds notification preferences and records who made an API client
keeps every client and token working, with no recorded maker, and the downgrade keeps them
too."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from app.db import make_engine
from app.migrate import alembic_config
from app.models.base import utcnow
from tests.conftest import fresh_database_url

CREATOR = "notifications"


def test_upgrade_to_notifications_keeps_clients_and_tokens() -> None:
    url = fresh_database_url("notifications")
    config = alembic_config(url)
    command.downgrade(config, f"{CREATOR}-1")
    engine = make_engine(url)
    now = utcnow()
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO api_client (name, scope, is_active, created_at) "
                    "VALUES ('Journal', 'read', true, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO api_token (api_client_id, token_hash, prefix, created_at) "
                    "SELECT id, :hash, 'dfl_abc', :now FROM api_client"
                ),
                {"hash": "a" * 64, "now": now},
            )
        command.upgrade(config, CREATOR)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT name, created_by_user_id FROM api_client")).all()
            assert [tuple(r) for r in rows] == [("Journal", None)]
            assert (
                connection.execute(text("SELECT count(*) FROM notification_preference")).scalar()
                == 0
            )
            assert connection.execute(text("SELECT token_hash FROM api_token")).scalar() == (
                "a" * 64
            )
        command.downgrade(config, f"{CREATOR}-1")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM api_token")).scalar() == 1
            assert connection.execute(text("SELECT name FROM api_client")).scalar() == "Journal"
    finally:
        engine.dispose()
