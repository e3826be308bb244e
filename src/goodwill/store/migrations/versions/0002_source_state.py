"""Listening sources: cursors per source and query, source state, quota and spend.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from goodwill.store.schema import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_cursors",
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("query", sa.String(255), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source", "query", name="pk_source_cursors"),
    )
    op.create_table(
        "source_state",
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("last_run_at", UTCDateTime(), nullable=True),
        sa.Column("last_ok_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_posts", sa.Integer(), nullable=True),
        sa.Column("rate_limits", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("source", name="pk_source_state"),
    )
    op.create_table(
        "source_spend",
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("bucket", sa.String(64), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("units", sa.Float(), nullable=False),
        sa.Column("usd", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("source", "bucket", "day", name="pk_source_spend"),
    )


def downgrade() -> None:
    op.drop_table("source_spend")
    op.drop_table("source_state")
    op.drop_table("source_cursors")
