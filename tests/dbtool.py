"""Database chores for tests and the Makefile: `python -m tests.dbtool recreate URL`."""

from __future__ import annotations

import sys

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db import make_engine


def postgres_admin_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def recreate_postgres_database(url: str) -> None:
    """Drop and create the database named in `url`. Fails loudly when PostgreSQL is down."""
    name = make_url(url).database
    admin = make_engine(postgres_admin_url(url), isolation_level="AUTOCOMMIT", pool_size=1)
    try:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            # A test database need not survive a crash of PostgreSQL itself: commits do not
            # wait for the disk. What other sessions see, and when, is unchanged (the crash
            # test kills the app, never the database server).
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    finally:
        admin.dispose()


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] != "recreate":
        sys.stderr.write("usage: python -m tests.dbtool recreate POSTGRES_URL\n")
        return 2
    recreate_postgres_database(argv[2])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
