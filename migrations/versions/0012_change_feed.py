"""the change feed

`change_event` holds one row per change of content (tombstones for deletions), kept at
least 180 days. Only a table is added; the downgrade drops it.

Revision ID: change_feed
Revises: two_step_and_clients
Create Date: 2026-12-05 18:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "change_feed"
down_revision: str | None = "two_step_and_clients"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=60), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("municipality", sa.String(length=4), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_event")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("change_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_change_event_municipality_id_id", ["municipality_id", "id"], unique=False
        )
        batch_op.create_index("ix_change_event_region_id_id", ["region_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_change_event_occurred_at"), ["occurred_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("change_event")
