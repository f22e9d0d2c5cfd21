"""what notification e-mails were sent, so `demensforlop notify` never sends one twice

`sent_notice` holds one row per person, kind, subject and period (a deadline, a month, the
ISO week of a digest). A new table: nothing saved before changes. The downgrade drops it.

Revision ID: sent_notices
Revises: language_form
Create Date: 2026-12-06 00:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sent_notices"
down_revision: str | None = "language_form"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sent_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=60), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_sent_notice_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_notice")),
        sa.UniqueConstraint(
            "user_id",
            "kind",
            "subject",
            "period",
            name=op.f("uq_sent_notice_user_id"),
        ),
    )
    with op.batch_alter_table("sent_notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sent_notice_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sent_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sent_notice_user_id"))
    op.drop_table("sent_notice")
