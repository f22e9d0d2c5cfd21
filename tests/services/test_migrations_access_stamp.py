"""The upgrade that adds the access stamp keeps every person, client, token and session, and
from then on every write to them moves the stamp on, whoever makes it (and nothing else
does); the downgrade keeps them too."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection, inspect, text

from app.db import make_engine
from app.migrate import alembic_config, upgrade
from app.models.base import utcnow
from tests.conftest import fresh_database_url

REVISION = "access_stamp"


def _stamp(connection: Connection) -> int:
    return int(connection.execute(text("SELECT sum(stamp) FROM access_stamp")).scalar_one())


def _client_with_token(connection: Connection) -> None:
    now = utcnow()
    client = connection.execute(
        text(
            "INSERT INTO api_client (name, scope, is_active, created_at) "
            "VALUES ('Fagsystem', 'read', true, :now) RETURNING id"
        ),
        {"now": now},
    ).scalar_one()
    connection.execute(
        text(
            "INSERT INTO api_token (api_client_id, token_hash, prefix, created_at) "
            "VALUES (:client, :hash, 'dfl_abc', :now)"
        ),
        {"client": client, "hash": "a" * 64, "now": now},
    )


def test_upgrade_to_the_access_stamp_keeps_tokens_and_stamps_every_write_to_them() -> None:
    url = fresh_database_url("access_stamp")
    command.downgrade(alembic_config(url), f"{REVISION}-1")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _client_with_token(connection)
        upgrade(url, REVISION)
        with engine.begin() as connection:
            rows = connection.execute(text("SELECT prefix, revoked_at FROM api_token")).all()
            assert [tuple(r) for r in rows] == [("dfl_abc", None)]
            assert _stamp(connection) == 0
        for statement in (
            "UPDATE api_token SET revoked_at = :now",
            "UPDATE api_token SET last_used_at = :now",
            "UPDATE api_client SET is_active = false",
            "DELETE FROM api_token",
        ):
            with engine.begin() as connection:
                before = _stamp(connection)
                connection.execute(text(statement), {"now": utcnow()})
                assert _stamp(connection) == before + 1, statement
        with engine.begin() as connection:
            before = _stamp(connection)
            connection.execute(text("UPDATE region SET name = name"))
            connection.execute(text("DELETE FROM login_attempt"))
            assert _stamp(connection) == before  # not who a caller is
        command.downgrade(alembic_config(url), f"{REVISION}-1")
        with engine.connect() as connection:
            assert "access_stamp" not in inspect(connection).get_table_names()
            assert connection.execute(text("SELECT name FROM api_client")).scalar() == "Fagsystem"
    finally:
        engine.dispose()
