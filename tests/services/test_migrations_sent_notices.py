"""The upgrade that records sent notices keeps everyone's notification choices, and a
notice is unique per person, kind, subject and period; the downgrade drops the record."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.db import make_engine
from app.migrate import alembic_config
from app.models.base import utcnow
from tests.conftest import fresh_database_url

CREATOR = "sent_notices"


def test_upgrade_to_sent_notices_keeps_choices() -> None:
    url = fresh_database_url("sent_notices")
    config = alembic_config(url)
    command.downgrade(config, f"{CREATOR}-1")
    engine = make_engine(url)
    now = utcnow()
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    'INSERT INTO "user" (email, name, password_hash, role, language, is_active,'
                    " is_demo, created_at, password_changed_at) VALUES ('kari@example.no', 'Kari',"
                    " 'x', 'coordinator', 'nn', true, false, :now, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO notification_preference (user_id, kind, mode, changed_at) "
                    "SELECT id, 'comment', 'weekly', :now FROM \"user\""
                ),
                {"now": now},
            )
        command.upgrade(config, CREATOR)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT kind, mode FROM notification_preference"))
            assert [tuple(r) for r in rows] == [("comment", "weekly")]
        insert = text(
            "INSERT INTO sent_notice (user_id, kind, subject, period, sent_at) "
            "SELECT id, 'weekly', 'digest', '2026-W49', :now FROM \"user\""
        )
        with engine.begin() as connection:
            connection.execute(insert, {"now": now})
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(insert, {"now": now})
        command.downgrade(config, f"{CREATOR}-1")
        with engine.connect() as connection:
            assert (
                connection.execute(text("SELECT count(*) FROM notification_preference")).scalar()
                == 1
            )
        command.upgrade(config, "head")
    finally:
        engine.dispose()
