"""Inbox: desk_secrets (the key that signs inbox page links) and case_solutions (answers marked as solutions).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from goodwill.store.schema import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "desk_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_desk_secrets")),
    )
    op.create_table(
        "case_solutions",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reply_id", sa.Integer(), nullable=False),
        sa.Column("marked_by", sa.Integer(), nullable=True),
        sa.Column("marked_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_solutions_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reply_id"], ["replies.id"], name=op.f("fk_case_solutions_reply_id_replies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["marked_by"], ["users.id"], name=op.f("fk_case_solutions_marked_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_solutions")),
        sa.UniqueConstraint("reply_id", name=op.f("uq_case_solutions_reply_id")),
    )
    op.create_index("ix_case_solutions_marked_at", "case_solutions", ["marked_at"])


def downgrade() -> None:
    op.drop_index("ix_case_solutions_marked_at", table_name="case_solutions")
    op.drop_table("case_solutions")
    op.drop_table("desk_secrets")
