"""a contact for citizens on each municipality, and citizens' messages to it

`municipality` gets `contact_name`, `contact_phone`, `contact_email` and `contact_url`
(all "" to begin with); `citizen_message` keeps what citizens send from the public page.
The downgrade drops both again.

Revision ID: citizen_contact
Revises: sent_notices
Create Date: 2026-12-05 23:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "citizen_contact"
down_revision: str | None = "sent_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTACT_COLUMNS = (
    ("contact_name", 200),
    ("contact_phone", 50),
    ("contact_email", 254),
    ("contact_url", 300),
)


def upgrade() -> None:
    # Plain ADD COLUMNs (no table rebuild on SQLite), so the table keeps its triggers.
    for name, length in CONTACT_COLUMNS:
        op.add_column(
            "municipality",
            sa.Column(name, sa.String(length=length), nullable=False, server_default=""),
        )
    op.create_table(
        "citizen_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sender_name", sa.String(length=200), nullable=False),
        sa.Column("reply_email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_citizen_message_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_message")),
    )
    op.create_index(
        op.f("ix_citizen_message_municipality_id"), "citizen_message", ["municipality_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_citizen_message_municipality_id"), table_name="citizen_message")
    op.drop_table("citizen_message")
    for name, _length in reversed(CONTACT_COLUMNS):
        op.drop_column("municipality", name)
