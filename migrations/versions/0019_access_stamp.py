"""the access stamp, moved on by triggers on every write to callers, tokens and sessions

`access_stamp` is to the people, API clients, tokens and browser sessions
(`app.models.stamp.ACCESS_STAMPED_TABLES`) what `content_stamp` is to the content: a few
counters whose sum triggers move on in the transaction of every INSERT, UPDATE and DELETE,
whoever writes. The token and session look-ups of `app/cache.py` are kept under it, so a
token revoked or a session deleted with plain SQL is refused on the next request.

Revision ID: access_stamp
Revises: citizen_contact
Create Date: 2026-12-06 06:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "access_stamp"
down_revision: str | None = "citizen_contact"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As of this revision.
TABLES = (
    "user",
    "user_municipality",
    "user_region",
    "api_client",
    "api_client_municipality",
    "api_client_region",
    "api_token",
    "web_session",
)

#: Rows of counters (PostgreSQL spreads its writers over them).
SHARDS = 16

BUMP_FUNCTION = """
CREATE OR REPLACE FUNCTION access_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE access_stamp SET stamp = stamp + 1 WHERE id = txid_current() % 16;
    RETURN NULL;
END
$$
"""


def _triggers(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [
            f'CREATE TRIGGER access_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION access_stamp_bump()"
        ]
    return [
        f"CREATE TRIGGER access_stamp_{table}_{operation} AFTER {operation.upper()} ON "  # noqa: S608 - names from TABLES
        f'"{table}" BEGIN UPDATE access_stamp SET stamp = stamp + 1 WHERE id = 0; END'
        for operation in ("insert", "update", "delete")
    ]


def upgrade() -> None:
    op.create_table(
        "access_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_stamp")),
    )
    op.get_bind().execute(
        sa.text("INSERT INTO access_stamp (id, stamp) VALUES (:id, 0)"),
        [{"id": shard} for shard in range(SHARDS)],
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(BUMP_FUNCTION)
    for table in TABLES:
        for statement in _triggers(dialect, table):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        if dialect == "postgresql":
            op.execute(f'DROP TRIGGER IF EXISTS access_stamp ON "{table}"')
        else:
            for operation in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS access_stamp_{table}_{operation}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS access_stamp_bump()")
    op.drop_table("access_stamp")
