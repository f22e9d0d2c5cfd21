"""the content stamp, moved on by triggers on every write to the content

`content_stamp` holds a few counters whose sum database triggers move on in the transaction
of every INSERT, UPDATE and DELETE of the content tables (`app.models.stamp.STAMPED_TABLES`),
so the processes' caches notice writes made with plain SQL, a restore or another tool
(`app/cache.py`). PostgreSQL: statement-level triggers, each transaction counting on the row
of its transaction id, so writers of different municipalities rarely wait for each other's
commit; SQLite (one writer at a time): row-level ones on the first row.

Revision ID: content_stamp
Revises: login_attempt_pairs
Create Date: 2026-12-05 07:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "content_stamp"
down_revision: str | None = "login_attempt_pairs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As of this revision (later revisions may stamp more tables, with triggers of their own).
TABLES = (
    "region",
    "municipality",
    "phase",
    "offering_type",
    "checklist_version",
    "checklist_item",
    "phase_section",
    "offering",
    "checklist_answer",
    "strength",
    "improvement_area",
    "improvement_area_phase",
    "measure",
    "progress_note",
    "indicator",
    "observation",
    "comment",
    "review",
    "published_version",
)

#: Rows of counters (PostgreSQL spreads its writers over them).
SHARDS = 16

# `% 16`: one row for each of SHARDS.
BUMP_FUNCTION = """
CREATE OR REPLACE FUNCTION content_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE content_stamp SET stamp = stamp + 1 WHERE id = txid_current() % 16;
    RETURN NULL;
END
$$
"""


def _triggers(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [
            f'CREATE TRIGGER content_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION content_stamp_bump()"
        ]
    return [
        f"CREATE TRIGGER content_stamp_{table}_{operation} AFTER {operation.upper()} ON "  # noqa: S608 - names from TABLES
        f'"{table}" BEGIN UPDATE content_stamp SET stamp = stamp + 1 WHERE id = 0; END'
        for operation in ("insert", "update", "delete")
    ]


def upgrade() -> None:
    op.create_table(
        "content_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_stamp")),
    )
    op.get_bind().execute(
        sa.text("INSERT INTO content_stamp (id, stamp) VALUES (:id, 0)"),
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
            op.execute(f'DROP TRIGGER IF EXISTS content_stamp ON "{table}"')
        else:
            for operation in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS content_stamp_{table}_{operation}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS content_stamp_bump()")
    op.drop_table("content_stamp")
