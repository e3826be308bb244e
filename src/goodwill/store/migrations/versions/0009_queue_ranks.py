"""The queue's stored rankings: queue_rankings (one per set of stage versions) and queue_ranks.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

No ranking is backfilled here: which stage versions a workspace ranks by is in its
goodwill.toml, not in the store, so the first ``goodwill queue`` for a set of versions
builds its ranking from the stored results (one pass, what every call cost before),
and the store's writes keep it from then on (goodwill.store.ranking).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from goodwill.store.schema import JSON_RESULT, UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "queue_rankings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("versions_key", sa.String(length=64), nullable=False),
        sa.Column("versions", JSON_RESULT, nullable=True),
        sa.Column("built_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_rankings")),
        sa.UniqueConstraint("versions_key", name=op.f("uq_queue_rankings_versions_key")),
    )
    op.create_table(
        "queue_ranks",
        sa.Column("ranking_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("base", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ranking_id"],
            ["queue_rankings.id"],
            name=op.f("fk_queue_ranks_ranking_id_queue_rankings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_queue_ranks_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("ranking_id", "post_id", name=op.f("pk_queue_ranks")),
    )
    op.create_index("ix_queue_ranks_ranking_id_base", "queue_ranks", ["ranking_id", "base"])


def downgrade() -> None:
    op.drop_index("ix_queue_ranks_ranking_id_base", table_name="queue_ranks")
    op.drop_table("queue_ranks")
    op.drop_table("queue_rankings")
