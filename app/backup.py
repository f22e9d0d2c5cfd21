"""Backup and restore of a whole installation.

Two formats:
- a SQLite database file, taken with SQLite's online backup API (consistent while the app
  keeps running) — the natural backup of a SQLite installation;
- a portable logical dump (gzip-compressed JSON lines: a header, then each table's columns
  and rows), read inside one snapshot transaction — the backup of a PostgreSQL installation,
  and the way to move between SQLite and PostgreSQL.

Both record the schema revision. Restore refuses a backup from a newer schema than this
program knows; an older one is restored at its own revision and then migrated to the newest.
"""

from __future__ import annotations

import base64
import gzip
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from alembic import command
from sqlalchemy import Engine, MetaData, Table, delete, func, insert, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.types import JSON, Date, DateTime, LargeBinary

from app.db import make_engine
from app.migrate import alembic_config, current_revision, head_revision, known_revisions

FORMAT = "demensforlop.backup"
FORMAT_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
VERSION_TABLE = "alembic_version"
BATCH = 1000


class BackupError(Exception):
    """A backup or restore that cannot be done, with a message for the operator."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    format: str
    revision: str | None
    tables: int
    rows: int


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


# ---- backup ------------------------------------------------------------------------------


def backup(database_url: str, output: Path, fmt: str = "auto") -> BackupInfo:
    """Write a backup of the database to `output`."""
    source = sqlite_path(database_url)
    if fmt == "auto":
        fmt = "sqlite" if source is not None else "json"
    if fmt == "sqlite":
        if source is None:
            raise BackupError("The sqlite format backs up SQLite databases only; use --format json")
        return _backup_sqlite(source, output)
    if fmt == "json":
        engine = make_engine(database_url)
        try:
            return _backup_json(engine, output)
        finally:
            engine.dispose()
    raise BackupError(f"Unknown backup format {fmt!r}")


def _backup_sqlite(source: Path, output: Path) -> BackupInfo:
    if not source.exists():
        raise BackupError(f"No database file at {source}")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)
        check = dst.execute("PRAGMA integrity_check").fetchone()
        if check is None or check[0] != "ok":
            raise BackupError(f"The backup copy failed its integrity check: {check}")
        revision = _sqlite_revision(dst)
        tables = dst.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        rows = sum(
            dst.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for (name,) in tables
        )
    finally:
        src.close()
        dst.close()
    partial.replace(output)
    return BackupInfo(output, "sqlite", revision, len(tables), rows)


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return {"$dt": value.astimezone(UTC).isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict | list):
        return {"$j": value}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((key, inner),) = value.items()
        if key == "$dt":
            return datetime.fromisoformat(inner)
        if key == "$d":
            return date.fromisoformat(inner)
        if key == "$b":
            return base64.b64decode(inner)
        if key == "$j":
            return inner
    return value


def _backup_json(engine: Engine, output: Path) -> BackupInfo:
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    metadata = MetaData()
    n_tables = n_rows = 0
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        metadata.reflect(connection)
        revision = connection.execute(
            text("SELECT version_num FROM alembic_version")
        ).scalar_one_or_none()
        with gzip.open(partial, "wt", encoding="utf-8") as out:
            _write(
                out,
                {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "schema_revision": revision,
                    "dialect": engine.dialect.name,
                    "created_at": datetime.now(UTC).isoformat(),
                },
            )
            for table in metadata.sorted_tables:
                if table.name == VERSION_TABLE:
                    continue
                columns = [c.name for c in table.columns]
                _write(out, {"table": table.name, "columns": columns})
                order = list(table.primary_key.columns) or list(table.columns)
                result = connection.execution_options(stream_results=True).execute(
                    select(table).order_by(*order)
                )
                for row in result:
                    out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False))
                    out.write("\n")
                    n_rows += 1
                n_tables += 1
            _write(out, {"end": True, "rows": n_rows})
    partial.replace(output)
    return BackupInfo(output, "json", revision, n_tables, n_rows)


def _write(out: IO[str], record: dict[str, Any]) -> None:
    out.write(json.dumps(record, ensure_ascii=False))
    out.write("\n")


# ---- reading a backup --------------------------------------------------------------------


def detect_format(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head[:2] == b"\x1f\x8b":
        return "json"
    raise BackupError(f"{path} is neither a SQLite backup nor a Demensforløp dump")


def backup_revision(path: Path) -> str | None:
    fmt = detect_format(path)
    if fmt == "sqlite":
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return _sqlite_revision(connection)
        finally:
            connection.close()
    header = next(_read_json_lines(path))
    if header.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Demensforløp dump")
    if header.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path} has dump format {header.get('format_version')}, not 1")
    revision = header.get("schema_revision")
    return str(revision) if revision else None


def _read_json_lines(path: Path) -> Iterator[Any]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


# ---- restore -----------------------------------------------------------------------------


def check_revision(revision: str | None) -> None:
    if revision is None:
        raise BackupError("The backup holds no schema revision; it was not made by this program")
    if revision not in known_revisions():
        raise BackupError(
            f"The backup is from a newer schema ({revision}) than this version of Demensforløp "
            f"knows (newest: {head_revision()}). Upgrade the application, then restore."
        )


def has_content(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    if "municipality" not in names:
        return False
    with engine.connect() as connection:
        for table in ("user", "audit_event", "phase_section"):
            if table in names:
                count = connection.execute(
                    select(func.count()).select_from(Table(table, MetaData()))
                ).scalar_one()
                if count:
                    return True
    return False


def restore(database_url: str, path: Path) -> BackupInfo:
    """Replace the database's whole content with the backup, then migrate to the newest
    schema. The app should not be serving from this database meanwhile."""
    fmt = detect_format(path)
    revision = backup_revision(path)
    check_revision(revision)
    assert revision is not None
    target = sqlite_path(database_url)
    if fmt == "sqlite" and target is not None:
        info = _restore_sqlite_file(path, target, revision)
    else:
        info = _restore_rows(database_url, path, fmt, revision)
    command.upgrade(alembic_config(database_url), "head")
    return info


def _restore_sqlite_file(path: Path, target: Path, revision: str) -> BackupInfo:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
        check = dst.execute("PRAGMA integrity_check").fetchone()
        if check is None or check[0] != "ok":
            raise BackupError(f"The restored database failed its integrity check: {check}")
        tables = dst.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        rows = sum(
            dst.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for (name,) in tables
        )
    finally:
        src.close()
        dst.close()
    return BackupInfo(path, "sqlite", revision, len(tables), rows)


def _source_rows(path: Path, fmt: str) -> Iterator[tuple[str, list[str], list[list[Any]]]]:
    """(table, columns, rows in batches) from either backup format."""
    if fmt == "json":
        table: str | None = None
        columns: list[str] = []
        batch: list[list[Any]] = []
        for record in _read_json_lines(path):
            if isinstance(record, dict):
                if table is not None and batch:
                    yield table, columns, batch
                batch = []
                if "table" in record:
                    table, columns = record["table"], record["columns"]
                else:
                    table = None
                continue
            batch.append([_decode(v) for v in record])
            if len(batch) >= BATCH and table is not None:
                yield table, columns, batch
                batch = []
        if table is not None and batch:
            yield table, columns, batch
        return
    engine = make_engine(f"sqlite:///{path}")
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            for source_table in metadata.sorted_tables:
                if source_table.name == VERSION_TABLE:
                    continue
                names = [c.name for c in source_table.columns]
                result = connection.execute(select(source_table))
                while chunk := result.fetchmany(BATCH):
                    yield source_table.name, names, [list(r) for r in chunk]
    finally:
        engine.dispose()


def _coerce(value: Any, column_type: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, DateTime) and isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(column_type, DateTime) and isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if column_type.timezone else value.replace(tzinfo=None)
    if isinstance(column_type, Date) and isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(column_type, JSON) and isinstance(value, str):
        return json.loads(value)
    if isinstance(column_type, LargeBinary) and isinstance(value, str):
        return base64.b64decode(value)
    return value


def _restore_rows(database_url: str, path: Path, fmt: str, revision: str) -> BackupInfo:
    config = alembic_config(database_url)
    engine = make_engine(database_url)
    try:
        current = current_revision(engine)
        # Bring the target to the backup's schema; its content is replaced anyway.
        if current is not None and current != revision and _is_ancestor(revision, current):
            command.downgrade(config, revision)
        elif current != revision:
            command.upgrade(config, revision)
        metadata = MetaData()
        metadata.reflect(engine)
        tables = [t for t in metadata.sorted_tables if t.name != VERSION_TABLE]
        n_rows = 0
        seen: set[str] = set()
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            for table in reversed(tables):
                connection.execute(delete(table))
            for name, columns, rows in _source_rows(path, fmt):
                if name not in metadata.tables:
                    raise BackupError(f"The backup has a table {name!r} this schema lacks")
                table = metadata.tables[name]
                types = [table.columns[c].type for c in columns]
                connection.execute(
                    insert(table),
                    [
                        {c: _coerce(v, t) for c, v, t in zip(columns, row, types, strict=True)}
                        for row in rows
                    ],
                )
                n_rows += len(rows)
                seen.add(name)
            if engine.dialect.name == "postgresql":
                for table in tables:
                    for column in table.primary_key.columns:
                        if column.autoincrement is True or (
                            column.autoincrement == "auto" and _is_integer(column.type)
                        ):
                            highest = select(func.max(column)).scalar_subquery()
                            connection.execute(
                                select(
                                    func.setval(
                                        func.pg_get_serial_sequence(table.name, column.name),
                                        func.coalesce(highest, 0) + 1,
                                        False,
                                    )
                                )
                            )
        return BackupInfo(path, fmt, revision, len(seen), n_rows)
    finally:
        engine.dispose()


def _is_integer(column_type: Any) -> bool:
    try:
        return column_type.python_type is int
    except NotImplementedError:
        return False


def _is_ancestor(older: str, newer: str) -> bool:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return any(rev.revision == older for rev in script.iterate_revisions(newer, "base"))
