"""learning networks, anchoring and improvement teams

New tables only: networks with their facilitators, members (and the dates their status
changed), gatherings with aggregated attendance, work between gatherings with each member's
answer, the end-of-network evaluation, and per municipality its anchoring and improvement
team. Nothing stored before changes.

Revision ID: learning_networks
Revises: content_stamp
Create Date: 2026-12-05 07:22:56.605870
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "learning_networks"
down_revision: str | None = "content_stamp"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "network",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("is_example", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("network", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_network_region_id"), ["region_id"], unique=False)

    op.create_table(
        "gathering",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("digital", sa.Boolean(), nullable=False),
        sa.Column("programme", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["network_id"], ["network.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("gathering", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gathering_network_id"), ["network_id"], unique=False)

    op.create_table(
        "improvement_team",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column(
            "members",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("municipality_id"),
    )
    op.create_table(
        "municipality_anchoring",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("management", sa.String(length=20), nullable=False),
        sa.Column("political", sa.String(length=20), nullable=False),
        sa.Column("dementia_plan", sa.String(length=20), nullable=False),
        sa.Column("dementia_plan_year", sa.Integer(), nullable=True),
        sa.Column("stakeholder_analysis", sa.Boolean(), nullable=False),
        sa.Column("communication_plan", sa.Boolean(), nullable=False),
        sa.Column("abc_status", sa.String(length=20), nullable=False),
        sa.Column("abc_contacts", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("municipality_id"),
    )
    op.create_table(
        "network_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("relevance", sa.Integer(), nullable=False),
        sa.Column("best", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["network_id"], ["network.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("network_id", "municipality_id"),
    )
    with op.batch_alter_table("network_evaluation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_evaluation_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_network_evaluation_network_id"), ["network_id"], unique=False
        )

    op.create_table(
        "network_facilitator",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["network_id"], ["network.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("network_id", "user_id"),
    )
    op.create_table(
        "network_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["network_id"], ["network.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("network_id", "municipality_id"),
    )
    with op.batch_alter_table("network_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_member_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_network_member_network_id"), ["network_id"], unique=False
        )

    op.create_table(
        "gathering_attendance",
        sa.Column("gathering_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["gathering_id"], ["gathering.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("gathering_id", "municipality_id"),
    )
    op.create_table(
        "network_member_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["network_member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("network_member_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_member_change_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "network_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("gathering_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["gathering_id"], ["gathering.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["network_id"], ["network.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("network_task", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_task_gathering_id"), ["gathering_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_network_task_network_id"), ["network_id"], unique=False
        )

    op.create_table(
        "task_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["task_id"], ["network_task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "municipality_id"),
    )
    with op.batch_alter_table("task_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_task_answer_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_task_answer_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_answer_task_id"))
        batch_op.drop_index(batch_op.f("ix_task_answer_municipality_id"))

    op.drop_table("task_answer")
    with op.batch_alter_table("network_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_task_network_id"))
        batch_op.drop_index(batch_op.f("ix_network_task_gathering_id"))

    op.drop_table("network_task")
    with op.batch_alter_table("network_member_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_member_change_member_id"))

    op.drop_table("network_member_change")
    op.drop_table("gathering_attendance")
    with op.batch_alter_table("network_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_member_network_id"))
        batch_op.drop_index(batch_op.f("ix_network_member_municipality_id"))

    op.drop_table("network_member")
    op.drop_table("network_facilitator")
    with op.batch_alter_table("network_evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_evaluation_network_id"))
        batch_op.drop_index(batch_op.f("ix_network_evaluation_municipality_id"))

    op.drop_table("network_evaluation")
    op.drop_table("municipality_anchoring")
    op.drop_table("improvement_team")
    with op.batch_alter_table("gathering", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gathering_network_id"))

    op.drop_table("gathering")
    with op.batch_alter_table("network", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_region_id"))

    op.drop_table("network")
