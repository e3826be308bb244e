"""Initial schema: posts, post_versions, raw_payloads, enrichments (+ FTS5 on SQLite, GIN on PostgreSQL).

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from goodwill.store.dialect import FTS_DDL, FTS_DROP, PG_SEARCH_DDL, PG_SEARCH_DROP
from goodwill.store.schema import JSON_RESULT, UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("network", sa.String(64), nullable=False),
        sa.Column("native_id", sa.String(255), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("author_handle", sa.String(255), nullable=True),
        sa.Column("author_name", sa.String(255), nullable=True),
        sa.Column("author_native_id", sa.String(255), nullable=True),
        sa.Column("author_followers", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("reply_to", sa.String(255), nullable=True),
        sa.Column("conversation_id", sa.String(255), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("lang", sa.String(16), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_posts"),
        sa.UniqueConstraint("network", "native_id", name="uq_posts_network_native_id"),
    )
    op.create_index("ix_posts_created_at", "posts", ["created_at"])
    op.create_table(
        "post_versions",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("valid_until", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name="fk_post_versions_post_id_posts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", "version_no", name="pk_post_versions"),
    )
    op.create_table(
        "raw_payloads",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("payload_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("endpoint", sa.Text(), nullable=True),
        sa.Column("retrieved_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name="fk_raw_payloads_post_id_posts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_raw_payloads"),
        sa.UniqueConstraint("post_id", "payload_hash", name="uq_raw_payloads_post_id_payload_hash"),
    )
    op.create_table(
        "enrichments",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(64), nullable=False),
        sa.Column("stage_version", sa.String(64), nullable=False),
        sa.Column("result", JSON_RESULT, nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name="fk_enrichments_post_id_posts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", "stage", "stage_version", name="pk_enrichments"),
    )
    op.create_index(
        "ix_enrichments_stage_stage_version_post_id", "enrichments", ["stage", "stage_version", "post_id"]
    )
    dialect = op.get_bind().dialect.name
    for statement in FTS_DDL if dialect == "sqlite" else PG_SEARCH_DDL if dialect == "postgresql" else ():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in FTS_DROP if dialect == "sqlite" else PG_SEARCH_DROP if dialect == "postgresql" else ():
        op.execute(statement)
    op.drop_table("enrichments")
    op.drop_table("raw_payloads")
    op.drop_table("post_versions")
    op.drop_table("posts")
