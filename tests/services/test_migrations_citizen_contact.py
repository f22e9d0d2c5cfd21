"""The upgrade that adds the municipality's contact for citizens and citizens' messages
keeps every municipality and what it had (contact empty), and the downgrade keeps them
too."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from app.db import make_engine
from app.migrate import alembic_config, upgrade
from app.models.base import utcnow
from tests.conftest import fresh_database_url
from tests.services.test_migrations_poster import _tromso

REVISION = "citizen_contact"


def test_upgrade_to_citizen_contact_keeps_municipalities() -> None:
    url = fresh_database_url("citizen_contact")
    command.downgrade(alembic_config(url), f"{REVISION}-1")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _tromso(connection, utcnow())
            connection.execute(
                text("UPDATE municipality SET language_form = 'nn', website = 'https://t.no'")
            )
        upgrade(url, REVISION)
        with engine.begin() as connection:
            rows = connection.execute(
                text(
                    "SELECT number, name, language_form, website, contact_name, contact_phone, "
                    "contact_email, contact_url FROM municipality"
                )
            )
            assert [tuple(r) for r in rows] == [
                ("5501", "Tromsø", "nn", "https://t.no", "", "", "", "")
            ]
            municipality_id = connection.execute(text("SELECT id FROM municipality")).scalar()
            connection.execute(
                text(
                    "INSERT INTO citizen_message (municipality_id, text, sender_name, "
                    "reply_email, created_at) VALUES (:m, 'Hei', '', '', :now)"
                ),
                {"m": municipality_id, "now": utcnow()},
            )
        command.downgrade(alembic_config(url), f"{REVISION}-1")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT number, name, language_form FROM municipality"))
            assert [tuple(r) for r in rows] == [("5501", "Tromsø", "nn")]
    finally:
        engine.dispose()
