"""notification preferences, and API clients remember who made them

`notification_preference` holds, per person and kind of event, off / at once / weekly
(no rows: everybody starts with everything off).
`api_client` gets `created_by_user_id`, so deactivating a person revokes the tokens of the
clients they made. Existing clients keep working with no recorded maker (NULL); the
downgrade drops the column again. On SQLite the table is rebuilt, and dropping the old
table would cascade to its tokens and bindings: they are kept aside and put back.

Revision ID: notifications
Revises: change_feed
Create Date: 2026-12-05 18:30:00.000000
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "notifications"
down_revision: str | None = "change_feed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


#: The tables that refer to `api_client` with ON DELETE CASCADE.
CHILDREN = ("api_token", "api_client_municipality", "api_client_region")


@contextmanager
def _children_kept() -> Iterator[None]:
    """On SQLite, keep the rows of the child tables across the rebuild of `api_client`."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for table in CHILDREN:
            op.execute(f"CREATE TEMPORARY TABLE keep_{table} AS SELECT * FROM {table}")  # noqa: S608
    yield
    if sqlite:
        for table in CHILDREN:
            op.execute(f"INSERT INTO {table} SELECT * FROM keep_{table}")  # noqa: S608
            op.execute(f"DROP TABLE keep_{table}")


def upgrade() -> None:
    op.create_table(
        "notification_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_notification_preference_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_notification_preference")),
    )
    with _children_kept(), op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by_user_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_api_client_created_by_user_id"), ["created_by_user_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_api_client_created_by_user_id_user"),
            "user",
            ["created_by_user_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with _children_kept(), op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_api_client_created_by_user_id_user"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_api_client_created_by_user_id"))
        batch_op.drop_column("created_by_user_id")
    op.drop_table("notification_preference")
