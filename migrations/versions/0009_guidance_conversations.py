"""reviews become guidance conversations: topics and agreed follow-up

The `review` table keeps its name and every row (the `/reviews` API is unchanged for
integrators); two text columns are added, empty for the conversations saved before. The
downgrade drops them again (what was written in them is lost then, nothing else).

Revision ID: guidance_conversations
Revises: catalogue_v2
Create Date: 2026-12-12 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "guidance_conversations"
down_revision: str | None = "catalogue_v2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Adding columns with a constant default does not re-create the table on SQLite either:
    # the content-stamp triggers on `review` stay.
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topics", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("follow_up", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    # Not in batch mode: SQLite (3.35 and later) drops a column in place, so the table is not
    # re-created and keeps its content-stamp triggers.
    op.drop_column("review", "follow_up")
    op.drop_column("review", "topics")
