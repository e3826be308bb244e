"""The listening sources' own tables: where each query stopped, how each source is doing, what it spent.

Declared on the shared ``metadata`` (schema.py imports this module) and created
by migration 0002. Cursors are written in the same transaction as the posts of
the page they follow (see ``goodwill.store.source_state``), which is what makes
a killed listener resume without a gap.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, PrimaryKeyConstraint, String, Table, Text

from goodwill.store.schema import UTCDateTime, metadata

__all__ = ["source_cursors", "source_spend", "source_state"]

source_cursors = Table(
    "source_cursors",
    metadata,
    Column("source", String(64), nullable=False),
    Column("query", String(255), nullable=False),
    # The source's own cursor (JSON text): opaque to goodwill, given back to the next fetch.
    Column("cursor", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("source", "query"),
)

source_state = Table(
    "source_state",
    metadata,
    Column("source", String(64), nullable=False),
    Column("last_run_at", UTCDateTime, nullable=True),
    Column("last_ok_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_posts", Integer, nullable=True),
    # The last rate-limit headers seen, per host (JSON text).
    Column("rate_limits", Text, nullable=True),
    PrimaryKeyConstraint("source"),
)

source_spend = Table(
    "source_spend",
    metadata,
    Column("source", String(64), nullable=False),
    Column("bucket", String(64), nullable=False),
    # The UTC day the spend belongs to, YYYY-MM-DD (months are sums of days).
    Column("day", String(10), nullable=False),
    Column("requests", Integer, nullable=False),
    Column("units", Float, nullable=False),
    Column("usd", Float, nullable=False),
    PrimaryKeyConstraint("source", "bucket", "day"),
)
