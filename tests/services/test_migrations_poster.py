"""The upgrade that adds the plan for further work keeps what was saved before it."""

from __future__ import annotations

from datetime import datetime

from alembic import command
from sqlalchemy import Connection, text

from app.db import make_engine
from app.migrate import alembic_config, upgrade
from app.models.base import utcnow
from tests.conftest import fresh_database_url

PLAN = "further_work_plan"


def _tromso(connection: Connection, now: datetime) -> int:
    """A region and Tromsø written with SQL, as a database at an older revision holds them."""
    connection.execute(
        text(
            "INSERT INTO region (slug, name, version, created_at, updated_at) "
            "VALUES ('prove', 'Prøve', 1, :now, :now)"
        ),
        {"now": now},
    )
    connection.execute(
        text(
            "INSERT INTO municipality (number, name, region_id, is_example, version, "
            "priority_version, created_at, updated_at) SELECT '5501', 'Tromsø', id, "
            "false, 1, 1, :now, :now FROM region WHERE slug = 'prove'"
        ),
        {"now": now},
    )
    return int(
        connection.execute(text("SELECT id FROM municipality WHERE number = '5501'")).scalar_one()
    )


def test_upgrade_to_the_further_work_plan_keeps_municipalities_and_improvement_work() -> None:
    url = fresh_database_url("further_work_plan")
    command.downgrade(alembic_config(url), f"{PLAN}-1")
    engine = make_engine(url)
    now = utcnow()
    try:
        with engine.begin() as connection:
            mid = _tromso(connection, now)
            connection.execute(
                text(
                    "INSERT INTO improvement_area (municipality_id, priority, title, rationale, "
                    "aim, status, tags, version, created_at, updated_at) VALUES (:m, 1, "
                    "'Bedre oppfølging', '', '', 'in_progress', '[]', 1, :now, :now)"
                ),
                {"m": mid, "now": now},
            )
        upgrade(url, PLAN)
        with engine.begin() as connection:
            titles = connection.execute(text("SELECT title FROM improvement_area")).all()
            assert [t for (t,) in titles] == ["Bedre oppfølging"]
            connection.execute(
                text(
                    "INSERT INTO further_work_plan (municipality_id, plan, version, updated_at) "
                    "VALUES (:m, 'Fortsette med teamet', 1, :now)"
                ),
                {"m": mid, "now": now},
            )
        command.downgrade(alembic_config(url), f"{PLAN}-1")
        with engine.connect() as connection:
            titles = connection.execute(text("SELECT title FROM improvement_area")).all()
            assert [t for (t,) in titles] == ["Bedre oppfølging"]
            assert "further_work_plan" not in {
                name
                for (name,) in connection.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables"
                        if url.startswith("postgres")
                        else "SELECT name FROM sqlite_master WHERE type = 'table'"
                    )
                ).all()
            }
    finally:
        engine.dispose()


SHARED = "shared_examples"


def test_upgrade_to_shared_examples_shares_nothing_and_keeps_the_stamp_triggers() -> None:
    url = fresh_database_url("shared_examples")
    command.downgrade(alembic_config(url), f"{SHARED}-1")
    engine = make_engine(url)
    now = utcnow()
    try:
        with engine.begin() as connection:
            mid = _tromso(connection, now)
            connection.execute(
                text(
                    "INSERT INTO strength (municipality_id, position, text, version, created_at, "
                    "updated_at) VALUES (:m, 1, 'Godt samarbeid', 1, :now, :now)"
                ),
                {"m": mid, "now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO improvement_area (municipality_id, priority, title, rationale, "
                    "aim, status, tags, version, created_at, updated_at) VALUES (:m, 1, 'Område', "
                    "'', '', 'in_progress', '[]', 1, :now, :now)"
                ),
                {"m": mid, "now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO measure (improvement_area_id, position, title, description, "
                    "responsible, status, version, created_at, updated_at) SELECT id, 1, "
                    "'Tiltak', '', '', 'done', 1, :now, :now FROM improvement_area"
                ),
                {"now": now},
            )
        upgrade(url, SHARED)
        with engine.begin() as connection:
            assert connection.execute(text("SELECT text, shared FROM strength")).one() == (
                "Godt samarbeid",
                False,
            )
            assert connection.execute(
                text("SELECT title, status, shared, result FROM measure")
            ).one() == ("Tiltak", "done", False, "")
            before = connection.execute(text("SELECT sum(stamp) FROM content_stamp")).scalar_one()
            connection.execute(text("UPDATE strength SET shared = true"))
        with engine.connect() as connection:
            after = connection.execute(text("SELECT sum(stamp) FROM content_stamp")).scalar_one()
        assert after > before, "a write to a stamped table still moves the stamp"
        command.downgrade(alembic_config(url), f"{SHARED}-1")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT text FROM strength")).scalar_one() == (
                "Godt samarbeid"
            )
    finally:
        engine.dispose()
