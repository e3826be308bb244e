"""Sending replies: reply_posts, the network's id and URL of each reply the desk posted.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from goodwill.store.schema import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reply_posts",
        sa.Column("reply_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(32), nullable=False),
        sa.Column("native_id", sa.String(512), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("posted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reply_id"], ["replies.id"], name="fk_reply_posts_reply_id_replies", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("reply_id", name="pk_reply_posts"),
    )
    op.create_index("ix_reply_posts_network_native_id", "reply_posts", ["network", "native_id"])


def downgrade() -> None:
    op.drop_index("ix_reply_posts_network_native_id", table_name="reply_posts")
    op.drop_table("reply_posts")
