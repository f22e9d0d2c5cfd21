"""an indicator can ask for its control chart

One nullable column on `indicator`, `control_chart` (xmr, p, p_prime or u); empty for every
indicator saved before, which keeps the chart chosen from its data. Added in place (no table
re-created), so the content-stamp triggers on `indicator` stay; the downgrade drops it in
place too.

Revision ID: control_chart
Revises: pdsa_cycles
Create Date: 2026-12-05 18:25:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "control_chart"
down_revision: str | None = "pdsa_cycles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.add_column(sa.Column("control_chart", sa.String(length=10), nullable=True))


def downgrade() -> None:
    op.drop_column("indicator", "control_chart")
