"""The inbox's own tables: the key that signs page links, and the answers marked as a case's solution.

``desk_secrets`` holds random keys the desk makes once and keeps in the
database, so every desk process serving the same store (several behind a
proxy, or one restarted) signs and accepts the same inbox page links.

``case_solutions`` records, for a public question, the reply marked "solved
by this answer" on the asker's behalf: one per case (the primary key), naming
the reply, who marked it and when. Unmarking deletes the row; the case actions
and the audit log keep the history.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table

from goodwill.store.schema import UTCDateTime, metadata

__all__ = ["case_solutions", "desk_secrets"]

desk_secrets = Table(
    "desk_secrets",
    metadata,
    # what the key is for, e.g. "inbox-cursor"
    Column("name", String(64), primary_key=True),
    # hex of 32 random bytes
    Column("value", String(128), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

case_solutions = Table(
    "case_solutions",
    metadata,
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("reply_id", Integer, ForeignKey("replies.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("marked_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("marked_at", UTCDateTime, nullable=False),
    Index("ix_case_solutions_marked_at", "marked_at"),
)
