"""One migration history takes an empty database to the models, on both backends."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app.db import make_engine, metadata
from app.migrate import alembic_config, current_revision, head_revision
from tests.conftest import fresh_database_url


def test_empty_database_upgrades_to_head_without_drift() -> None:
    url = fresh_database_url("migrations")
    engine = make_engine(url)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back() -> None:
    url = fresh_database_url("downgrade")
    config = alembic_config(url)
    command.downgrade(config, "base")
    engine = make_engine(url)
    try:
        assert current_revision(engine) is None
        command.upgrade(config, "head")
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
