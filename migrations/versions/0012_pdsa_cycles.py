"""PDSA cycles on measures

A new table, `pdsa_cycle`, one row per cycle of a measure (deleted with it). Nothing saved
before changes; the downgrade drops the table (the cycles written since are lost then).

Revision ID: pdsa_cycles
Revises: two_step_and_clients
Create Date: 2026-12-05 18:12:44.783076
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pdsa_cycles"
down_revision: str | None = "two_step_and_clients"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pdsa_cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("prediction", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("done", sa.Text(), nullable=False),
        sa.Column("studied", sa.Text(), nullable=False),
        sa.Column("act", sa.String(length=10), nullable=True),
        sa.Column("act_notes", sa.Text(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["measure_id"], ["measure.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pdsa_cycle_measure_id", "pdsa_cycle", ["measure_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_pdsa_cycle_measure_id", table_name="pdsa_cycle")
    op.drop_table("pdsa_cycle")
