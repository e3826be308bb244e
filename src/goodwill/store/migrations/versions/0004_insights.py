"""Insights: author_links, topics, post_topics, alert_state.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from goodwill.store.schema import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "author_links",
        sa.Column("author", sa.String(512), nullable=False),
        sa.Column("profile", sa.String(255), nullable=False),
        sa.Column("linked_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("author", name="pk_author_links"),
    )
    op.create_index("ix_author_links_profile", "author_links", ["profile"])
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("centroid", sa.JSON(), nullable=False),
        sa.Column("embedder", sa.String(64), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["topics.id"], name="fk_topics_merged_into_topics", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_topics"),
    )
    op.create_table(
        "post_topics",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name="fk_post_topics_post_id_posts", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name="fk_post_topics_topic_id_topics", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", name="pk_post_topics"),
    )
    op.create_index("ix_post_topics_topic_id", "post_topics", ["topic_id"])
    op.create_table(
        "alert_state",
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("fired_at", UTCDateTime(), nullable=False),
        sa.Column("window_end", UTCDateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_alert_state"),
    )


def downgrade() -> None:
    op.drop_table("alert_state")
    op.drop_index("ix_post_topics_topic_id", table_name="post_topics")
    op.drop_table("post_topics")
    op.drop_table("topics")
    op.drop_index("ix_author_links_profile", table_name="author_links")
    op.drop_table("author_links")
