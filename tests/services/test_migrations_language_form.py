"""The upgrade that adds each municipality's language form keeps every municipality (as
bokmål) and the downgrade keeps them too."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from app.db import make_engine
from app.migrate import alembic_config, upgrade
from app.models.base import utcnow
from tests.conftest import fresh_database_url
from tests.services.test_migrations_poster import _tromso

FORM = "language_form"


def test_upgrade_to_language_form_keeps_municipalities_as_bokmaal() -> None:
    url = fresh_database_url("language_form")
    command.downgrade(alembic_config(url), f"{FORM}-1")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _tromso(connection, utcnow())
        upgrade(url, FORM)
        with engine.begin() as connection:
            rows = connection.execute(text("SELECT number, name, language_form FROM municipality"))
            assert [tuple(r) for r in rows] == [("5501", "Tromsø", "nb")]
            connection.execute(text("UPDATE municipality SET language_form = 'nn'"))
        command.downgrade(alembic_config(url), f"{FORM}-1")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT number, name FROM municipality"))
            assert [tuple(r) for r in rows] == [("5501", "Tromsø")]
    finally:
        engine.dispose()
