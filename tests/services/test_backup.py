"""Backup and restore: a round trip gives identical exports; newer schemas are refused."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import col, select

from app.backup import BackupError, backup, restore, sqlite_path
from app.db import Database
from app.models.municipality import Municipality
from app.services import transfer
from app.services.access import SYSTEM
from app.services.seed import seed
from tests import factories
from tests.api.test_transfer import _rich_municipality
from tests.conftest import BACKEND, fresh_database_url


def _exports(database: Database) -> dict[str, str]:
    with database.session() as session:
        numbers = session.exec(select(Municipality.number).order_by(col(Municipality.number)))
        return {
            number: json.dumps(transfer.export_municipality(session, SYSTEM, number).document)
            for number in numbers.all()
        }


@pytest.fixture
def populated() -> str:
    url = fresh_database_url("backup")
    database = Database(url)
    with database.session(write=True) as session:
        seed(session, demo=True)
    with database.session(write=True) as session:
        _rich_municipality(session, "5501")
        factories.fill_section(session, "5540", "suspicion", offerings=2, text="Ring oss")
    database.dispose()
    return url


# On PostgreSQL "auto" is the JSON dump, so it is tried once.
@pytest.mark.parametrize("fmt", ["auto", "json"] if BACKEND == "sqlite" else ["auto"])
def test_backup_and_restore_round_trip(populated: str, tmp_path: Path, fmt: str) -> None:
    database = Database(populated)
    before = _exports(database)
    info = backup(populated, tmp_path / "backup", fmt)
    assert info.rows > 2000
    expected = "sqlite" if fmt == "auto" and BACKEND == "sqlite" else "json"
    assert info.format == expected

    # Damage the database after the backup, then restore over it.
    with database.session(write=True) as session:
        factories.strength(session, "5501", "Etter sikkerhetskopien")
        factories.fill_section(session, "0301", "assessment", text="Endret")
    database.dispose()
    assert _exports(database) != before

    restore(populated, tmp_path / "backup")
    restored = Database(populated)
    try:
        assert _exports(restored) == before
        # The app keeps working on the restored database: ids continue after the restore.
        with restored.session(write=True) as session:
            factories.strength(session, "5501", "Ny etter gjenoppretting")
    finally:
        restored.dispose()


def test_restore_into_an_empty_database(populated: str, tmp_path: Path) -> None:
    before = _exports(Database(populated))
    backup(populated, tmp_path / "dump.jsonl.gz", "json")
    empty = fresh_database_url("backup_target")
    restore(empty, tmp_path / "dump.jsonl.gz")
    assert _exports(Database(empty)) == before


def test_restore_refuses_a_newer_schema(populated: str, tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl.gz"
    backup(populated, dump, "json")
    lines = gzip.decompress(dump.read_bytes()).decode().splitlines()
    header = json.loads(lines[0])
    header["schema_revision"] = "9999_from_the_future"
    future = tmp_path / "future.jsonl.gz"
    future.write_bytes(gzip.compress("\n".join([json.dumps(header), *lines[1:]]).encode()))
    with pytest.raises(BackupError, match="newer schema"):
        restore(populated, future)

    path = sqlite_path(populated)
    if path is not None:
        copy = tmp_path / "future.db"
        shutil.copy(path, copy)
        connection = sqlite3.connect(copy)
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        connection.commit()
        connection.close()
        with pytest.raises(BackupError, match="Upgrade the application"):
            restore(populated, copy)


def test_garbage_is_not_a_backup(populated: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup at all")
    with pytest.raises(BackupError, match="neither"):
        restore(populated, junk)
