"""each municipality's official language form (målform)

`municipality` gets `language_form`: "nb" (bokmål), "nn" (nynorsk) or "neutral". Every
municipality starts as bokmål, which was the only form until now; its coordinators set it.
The downgrade drops the column again.

Revision ID: language_form
Revises: notifications
Create Date: 2026-12-05 18:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "language_form"
down_revision: str | None = "notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table rebuild on SQLite), so the table keeps its triggers.
    op.add_column(
        "municipality",
        sa.Column("language_form", sa.String(length=10), nullable=False, server_default="nb"),
    )


def downgrade() -> None:
    op.drop_column("municipality", "language_form")
