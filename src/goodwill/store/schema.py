"""The store's tables, in portable SQLAlchemy Core.

The tables are declared once here; the Alembic migrations create the same
shape, and a test compares the two so they never drift. Only portable types are
used (JSON, not a SQLite-specific one) so PostgreSQL can follow with the same
code. The SQLite full-text index (``posts_fts``) is not declared here: it is
dialect-specific, created by the migration on SQLite only, and hidden from
schema comparison by :func:`include_object`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

__all__ = [
    "FTS_TABLE",
    "UTCDateTime",
    "enrichments",
    "include_object",
    "metadata",
    "post_versions",
    "posts",
    "raw_payloads",
]

FTS_TABLE = "posts_fts"

#: Stable constraint names, so migrations on PostgreSQL can name what they alter.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always read back timezone-aware.

    SQLite has no timezone-aware type; without this, a naive value would come
    back and comparisons with aware ones would fail at run time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("network", String(64), nullable=False),
    Column("native_id", String(255), nullable=False),
    # NULL text is a tombstone: the post was deleted; the row stays so it is never re-imported.
    Column("text", Text, nullable=True),
    Column("author_handle", String(255), nullable=True),
    Column("author_name", String(255), nullable=True),
    Column("author_native_id", String(255), nullable=True),
    Column("author_followers", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=True),
    Column("reply_to", String(255), nullable=True),
    Column("conversation_id", String(255), nullable=True),
    Column("url", Text, nullable=True),
    Column("lang", String(16), nullable=True),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("deleted_at", UTCDateTime, nullable=True),
    Column("content_hash", String(64), nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("network", "native_id"),
    Index(None, "created_at"),
)

post_versions = Table(
    "post_versions",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("version_no", Integer, nullable=False),
    Column("text", Text, nullable=True),
    Column("content_hash", String(64), nullable=False),
    Column("valid_until", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("post_id", "version_no"),
)

raw_payloads = Table(
    "raw_payloads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    # The payload as it came, serialised as JSON text (key order kept).
    Column("payload", Text, nullable=False),
    Column("payload_hash", String(64), nullable=False),
    Column("source", String(64), nullable=False),
    Column("endpoint", Text, nullable=True),
    Column("retrieved_at", UTCDateTime, nullable=False),
    UniqueConstraint("post_id", "payload_hash"),
)

enrichments = Table(
    "enrichments",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("stage", String(64), nullable=False),
    Column("stage_version", String(64), nullable=False),
    Column("result", JSON, nullable=False),
    Column("computed_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("post_id", "stage", "stage_version"),
    Index(None, "stage", "stage_version", "post_id"),
)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic filter: the FTS5 table and its shadow tables are not part of the portable model."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE))


from goodwill.store import schema_insights as _schema_insights  # noqa: E402, F401  (the insights tables)
