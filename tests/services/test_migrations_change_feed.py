"""The change-feed migration adds its table and keeps what was saved; the downgrade too."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from app.db import make_engine
from app.migrate import alembic_config
from app.models.base import utcnow
from tests.conftest import fresh_database_url

FEED = "change_feed"


def test_upgrade_to_the_change_feed_keeps_the_audit_trail() -> None:
    url = fresh_database_url("change_feed")
    config = alembic_config(url)
    command.downgrade(config, f"{FEED}-1")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO audit_event (occurred_at, actor_type, actor, action, "
                    "entity_type, entity_id) VALUES (:now, 'system', 'system', 'create', "
                    "'strength', '1')"
                ),
                {"now": utcnow()},
            )
        command.upgrade(config, FEED)
        with engine.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM audit_event")).scalar() == 1
            connection.execute(
                text(
                    "INSERT INTO change_event (type, entity_type, entity_id, deleted, "
                    "occurred_at) VALUES ('strength.created', 'strength', '1', false, :now)"
                ),
                {"now": utcnow()},
            )
            assert connection.execute(text("SELECT count(*) FROM change_event")).scalar() == 1
        command.downgrade(config, f"{FEED}-1")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM audit_event")).scalar() == 1
    finally:
        engine.dispose()
