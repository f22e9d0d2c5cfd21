"""the plan for further work on the poster

A new table only: per municipality its plan for further work ("plan for videre arbeid"),
Markdown, shown on its poster and in a network's poster gallery. Nothing stored before
changes.

Revision ID: further_work_plan
Revises: learning_networks
Create Date: 2026-12-05 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "further_work_plan"
down_revision: str | None = "learning_networks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "further_work_plan",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("municipality_id"),
    )


def downgrade() -> None:
    op.drop_table("further_work_plan")
