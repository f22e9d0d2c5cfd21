"""One migration history takes an empty database to the models, on both backends."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text
from sqlmodel import Session, select

from app.db import make_engine, metadata
from app.errors import TooManyRequests
from app.migrate import alembic_config, current_revision, head_revision, upgrade
from app.models.base import utcnow
from app.models.identity import LoginAttempt
from app.models.stamp import ACCESS_STAMPED_TABLES, STAMPED_TABLES
from app.services import auth
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


PAIRS = "login_attempt_pairs"


def test_login_attempts_keep_counting_after_the_upgrade_to_pairs() -> None:
    """Failures stored before attempts carried both account and address (one row keyed by
    the e-mail, one by "ip:<address>") still count against the account and the address."""
    url = fresh_database_url("login_pairs")
    command.downgrade(alembic_config(url), f"{PAIRS}-1")
    engine = make_engine(url)
    now = utcnow()
    try:
        with engine.begin() as connection:
            for key in ["ko@example.no"] * 3 + ["ip:203.0.113.7"] * 2:
                connection.execute(
                    text(
                        "INSERT INTO login_attempt (key, attempted_at, succeeded) "
                        "VALUES (:key, :at, :succeeded)"
                    ),
                    {"key": key, "at": now - timedelta(minutes=1), "succeeded": False},
                )
        upgrade(url, PAIRS)
        with Session(engine) as session:
            rows = session.exec(select(LoginAttempt)).all()
            assert Counter((r.account, r.address) for r in rows) == {
                ("ko@example.no", None): 3,
                (None, "203.0.113.7"): 2,
            }
            policy = auth.SessionPolicy(
                idle=timedelta(hours=1),
                absolute=timedelta(days=1),
                max_failures=5,
                window=timedelta(minutes=15),
                demo_allowed=False,
                account_max_failures=3,
                address_max_failures=2,
            )
            with pytest.raises(TooManyRequests):  # the account's three failures
                auth.sign_in(
                    session, email="ko@example.no", password="x", address="10.0.0.1", policy=policy
                )
            with pytest.raises(TooManyRequests):  # the address's two
                auth.sign_in(
                    session,
                    email="a@example.no",
                    password="x",
                    address="203.0.113.7",
                    policy=policy,
                )
        command.downgrade(alembic_config(url), f"{PAIRS}-1")
        with engine.connect() as connection:
            keys = connection.execute(text("SELECT key FROM login_attempt")).scalars().all()
        assert sorted(keys) == sorted(["ko@example.no"] * 3 + ["ip:203.0.113.7"] * 2)
    finally:
        engine.dispose()


STAMP = "content_stamp"


def _stamp(connection: Connection) -> int:
    return int(connection.execute(text("SELECT sum(stamp) FROM content_stamp")).scalar_one())


def test_the_upgrade_to_the_content_stamp_keeps_the_data_and_stamps_every_write() -> None:
    """From the previous head (`login_attempt_pairs`): the content stays, the stamp starts at
    0, and from then on every write to a stamped table moves it on, whoever makes it."""
    url = fresh_database_url("content_stamp")
    command.downgrade(alembic_config(url), PAIRS)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO region (slug, name, version, created_at, updated_at) "
                    "VALUES ('vest', 'Vest', 1, :now, :now)"
                ),
                {"now": NOW},
            )
        upgrade(url, STAMP)
        with engine.begin() as connection:
            assert connection.execute(text("SELECT name FROM region")).scalar_one() == "Vest"
            assert _stamp(connection) == 0
        for statement in (
            "INSERT INTO region (slug, name, version, created_at, updated_at) "
            "VALUES ('nord', 'Nord', 1, :now, :now)",
            "UPDATE region SET name = 'Vestland' WHERE slug = 'vest'",
            "DELETE FROM region WHERE slug = 'nord'",
        ):
            with engine.begin() as connection:
                before = _stamp(connection)
                connection.execute(text(statement), {"now": NOW})
                assert _stamp(connection) == before + 1, statement
        with engine.begin() as connection:
            before = _stamp(connection)
            connection.execute(text("UPDATE login_attempt SET succeeded = succeeded"))
            connection.execute(text("DELETE FROM audit_event"))
            assert _stamp(connection) == before  # not content
        command.downgrade(alembic_config(url), PAIRS)
        with engine.connect() as connection:
            assert "content_stamp" not in inspect(connection).get_table_names()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("stamp", "tables"),
    [("content_stamp", STAMPED_TABLES), ("access_stamp", ACCESS_STAMPED_TABLES)],
)
def test_every_stamped_table_has_its_triggers_at_head(
    engine: Engine, stamp: str, tables: tuple[str, ...]
) -> None:
    """A later migration that re-creates a stamped table (SQLite batch mode does) must
    create its triggers again: without them, writes to it would not reach the caches."""
    with engine.connect() as connection:
        for table in tables:
            if engine.dialect.name == "postgresql":
                found = connection.execute(
                    text(
                        "SELECT count(*) FROM pg_trigger "
                        "WHERE tgrelid = CAST(:table AS regclass) AND tgname = :stamp"
                    ),
                    {"table": f'"{table}"', "stamp": stamp},
                ).scalar_one()
                assert found == 1, table
            else:
                found = connection.execute(
                    text(
                        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                        "AND tbl_name = :table AND name LIKE :pattern"
                    ),
                    {"table": table, "pattern": f"{stamp}_%"},
                ).scalar_one()
                assert found == 3, table


NETWORKS = "learning_networks"


def test_upgrade_to_learning_networks_keeps_municipalities_and_takes_networks() -> None:
    """From the previous head: municipalities stay; a network with a member, a gathering,
    a task and an answer can be stored, and the downgrade removes only the new tables."""
    url = fresh_database_url("learning_networks")
    command.downgrade(alembic_config(url), f"{NETWORKS}-1")
    engine = make_engine(url)
    now = utcnow()
    try:
        with engine.begin() as connection:
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
            before = connection.execute(text("SELECT count(*) FROM municipality")).scalar_one()
        upgrade(url, NETWORKS)
        with engine.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM municipality")).scalar_one() == (
                before
            )
            mid = connection.execute(
                text("SELECT id FROM municipality WHERE number = '5501'")
            ).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO network (name, starts_on, ends_on, goal, is_example, version, "
                    "created_at, updated_at) VALUES ('N', '2022-03-01', '2023-11-30', '', "
                    "false, 1, :now, :now)"
                ),
                {"now": now},
            )
            nid = connection.execute(text("SELECT id FROM network")).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO network_member (network_id, municipality_id, status, note, "
                    "version, updated_at) VALUES (:n, :m, 'taking_part', '', 1, :now)"
                ),
                {"n": nid, "m": mid, "now": now},
            )
        with engine.connect() as connection:
            row = connection.execute(text("SELECT status FROM network_member")).scalar_one()
        assert row == "taking_part"
        command.downgrade(alembic_config(url), f"{NETWORKS}-1")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM municipality")).scalar_one() == (
                before
            )
    finally:
        engine.dispose()


CONVERSATIONS = "guidance_conversations"


def test_upgrade_to_guidance_conversations_keeps_every_review() -> None:
    """From the previous head: every saved review stays, with its note, reviewer and date,
    and becomes a guidance conversation with empty topics and follow-up; writes to it still
    move the content stamp, and the downgrade keeps the reviews too."""
    url = fresh_database_url("guidance_conversations")
    command.downgrade(alembic_config(url), f"{CONVERSATIONS}-1")
    engine = make_engine(url)
    now = utcnow()
    try:
        with engine.begin() as connection:
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
            for note in ("I rute", "Samtale på samlingen"):
                connection.execute(
                    text(
                        "INSERT INTO review (municipality_id, reviewed_at, reviewer, note) "
                        "SELECT id, :now, 'Rådgiver', :note FROM municipality"
                    ),
                    {"now": now, "note": note},
                )
            before = connection.execute(
                text("SELECT id, reviewer, note FROM review ORDER BY id")
            ).all()
        upgrade(url, CONVERSATIONS)
        with engine.begin() as connection:
            after = connection.execute(
                text("SELECT id, reviewer, note, topics, follow_up FROM review ORDER BY id")
            ).all()
            assert [tuple(r[:3]) for r in after] == [tuple(r) for r in before]
            assert {(r[3], r[4]) for r in after} == {("", "")}
            stamp = _stamp(connection)
            connection.execute(
                text("UPDATE review SET topics = 'Pårørendeskole', follow_up = 'Ny samtale'")
            )
            assert _stamp(connection) > stamp
        command.downgrade(alembic_config(url), f"{CONVERSATIONS}-1")
        with engine.connect() as connection:
            kept = connection.execute(text("SELECT id, reviewer, note FROM review ORDER BY id"))
            assert [tuple(r) for r in kept.all()] == [tuple(r) for r in before]
    finally:
        engine.dispose()


TWO_STEP = "two_step_and_clients"


def test_upgrade_to_two_step_and_clients_keeps_users_and_tokens() -> None:
    """From the previous head: every user and API token stays as it was, with two-step
    verification off and the token never used; the downgrade keeps them too."""
    url = fresh_database_url("two_step_and_clients")
    command.downgrade(alembic_config(url), f"{TWO_STEP}-1")
    engine = make_engine(url)
    now = utcnow()
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    'INSERT INTO "user" (email, name, password_hash, role, language, is_active, '
                    "is_demo, created_at, password_changed_at) VALUES ('a@example.no', 'A', "
                    "'hash', 'admin', 'nb', true, false, :now, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO api_client (name, scope, is_active, created_at) "
                    "VALUES ('Journal', 'write', true, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO api_token (api_client_id, token_hash, prefix, created_at) "
                    "SELECT id, :hash, 'dfl_abc', :now FROM api_client"
                ),
                {"now": now, "hash": "a" * 64},
            )
        upgrade(url, TWO_STEP)
        with engine.begin() as connection:
            user = connection.execute(
                text('SELECT email, password_hash, totp_secret, totp_enabled_at FROM "user"')
            ).one()
            assert tuple(user) == ("a@example.no", "hash", None, None)
            token = connection.execute(
                text("SELECT token_hash, prefix, last_used_at FROM api_token")
            ).one()
            assert tuple(token) == ("a" * 64, "dfl_abc", None)
            assert connection.execute(text("SELECT count(*) FROM recovery_code")).scalar() == 0
        command.downgrade(alembic_config(url), f"{TWO_STEP}-1")
        with engine.connect() as connection:
            assert connection.execute(text('SELECT email FROM "user"')).scalar() == "a@example.no"
            assert connection.execute(text("SELECT prefix FROM api_token")).scalar() == "dfl_abc"
    finally:
        engine.dispose()
