"""good examples shared across the country

Strengths and measures get `shared` (false for everything saved before: nothing becomes
visible to other municipalities by the upgrade), and measures a `result` (empty). Columns are
added in place, so the content stamp's triggers on both tables stay.

Revision ID: shared_examples
Revises: further_work_plan
Create Date: 2026-12-05 12:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "shared_examples"
down_revision: str | None = "further_work_plan"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "strength", sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column(
        "measure", sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("measure", sa.Column("result", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    # In place too (SQLite 3.35 and later drop a column without copying the table), so the
    # content stamp's triggers stay.
    op.drop_column("measure", "result")
    op.drop_column("measure", "shared")
    op.drop_column("strength", "shared")
