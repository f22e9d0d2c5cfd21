"""One migration history takes an empty database to the models, on both backends."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from app.db import make_engine, metadata
from app.migrate import alembic_config, current_revision, head_revision
from tests.conftest import fresh_database_url

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC).replace(tzinfo=None)


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


def test_upgrade_to_imported_versions_keeps_published_versions() -> None:
    """From the previous head (0001): published versions stay as they were, none of them
    marked as imported."""
    url = fresh_database_url("imported_versions")
    config = alembic_config(url)
    command.downgrade(config, "0001")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            region = connection.execute(
                text(
                    "INSERT INTO region (slug, name, version, created_at, updated_at) "
                    "VALUES ('troms', 'Troms', 1, :now, :now) RETURNING id"
                ),
                {"now": NOW},
            ).scalar_one()
            municipality = connection.execute(
                text(
                    "INSERT INTO municipality (number, name, region_id, is_example, version, "
                    "priority_version, created_at, updated_at) "
                    "VALUES ('5501', 'Tromsø', :region, false, 3, 1, :now, :now) RETURNING id"
                ),
                {"region": region, "now": NOW},
            ).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO published_version (municipality_id, number, published_at, "
                    "published_by, summary, source_version, snapshot) "
                    "VALUES (:m, 1, :now, 'Koordinator', 'Første', 3, :snapshot)"
                ),
                {"m": municipality, "now": NOW, "snapshot": '{"municipality": "5501"}'},
            )
        command.upgrade(config, "head")
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT number, published_by, summary, source_version, snapshot, "
                    "imported_by, imported_at FROM published_version"
                )
            ).one()
    finally:
        engine.dispose()
    snapshot = row.snapshot if isinstance(row.snapshot, dict) else json.loads(row.snapshot)
    assert (row.number, row.published_by, row.summary, row.source_version) == (
        1,
        "Koordinator",
        "Første",
        3,
    )
    assert snapshot == {"municipality": "5501"}
    assert row.imported_by is None
    assert row.imported_at is None
