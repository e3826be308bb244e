"""Sending replies safely: reply_sends (a send claimed before the network call), and posts.updated_at indexed.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from goodwill.store.schema import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reply_sends",
        sa.Column("reply_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=96), nullable=False),
        sa.Column("network", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("attempt_at", UTCDateTime(), nullable=True),
        sa.Column("approves", sa.Boolean(), nullable=False),
        sa.Column("resolve", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reply_id"], ["replies.id"], name=op.f("fk_reply_sends_reply_id_replies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reply_sends_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("reply_id", name=op.f("pk_reply_sends")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_reply_sends_idempotency_key")),
    )
    op.create_index("ix_posts_updated_at", "posts", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_posts_updated_at", table_name="posts")
    op.drop_table("reply_sends")
