"""published versions record who imported them, and when

A published version that came with a whole-municipality import was published in another
installation: it keeps its snapshot but names the importer and the time of the import, never
the author or date the file claimed. Existing versions are untouched (both columns NULL).

Revision ID: imported_published_versions
Revises: 0001
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "imported_published_versions"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("published_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("imported_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("published_version", schema=None) as batch_op:
        batch_op.drop_column("imported_at")
        batch_op.drop_column("imported_by")
