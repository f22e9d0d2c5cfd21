"""login attempts by account and address

A failed sign-in was stored twice, once keyed by the e-mail and once by "ip:<address>"; now
each attempt is one row with both, so failures can be counted per account and address pair
(services/auth.py). Rows already stored keep counting where they counted: an e-mail row
becomes an attempt on that account from no known address, an "ip:" row an attempt from that
address on no known account.

Revision ID: login_attempt_pairs
Revises: imported_published_versions
Create Date: 2026-12-04 18:25:13.272149
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "login_attempt_pairs"
down_revision: str | None = "imported_published_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=64), nullable=True))
    op.execute("UPDATE login_attempt SET address = substr(key, 4, 64) WHERE key LIKE 'ip:%'")
    op.execute("UPDATE login_attempt SET account = key WHERE key NOT LIKE 'ip:%'")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempt_key"))
        batch_op.drop_column("key")
        batch_op.create_index(batch_op.f("ix_login_attempt_account"), ["account"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_attempt_address"), ["address"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_login_attempt_attempted_at"), ["attempted_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=300), nullable=True))
    op.execute("UPDATE login_attempt SET key = COALESCE(account, 'ip:' || address, 'ip:unknown')")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.alter_column("key", existing_type=sa.String(length=300), nullable=False)
        batch_op.drop_index(batch_op.f("ix_login_attempt_attempted_at"))
        batch_op.drop_index(batch_op.f("ix_login_attempt_address"))
        batch_op.drop_index(batch_op.f("ix_login_attempt_account"))
        batch_op.drop_column("address")
        batch_op.drop_column("account")
        batch_op.create_index(batch_op.f("ix_login_attempt_key"), ["key"], unique=False)
