"""The store's tables, in portable SQLAlchemy Core.

The tables are declared once here; the Alembic migrations create the same
shape, and a test compares the two so they never drift. Only portable types are
used (JSON, stored as JSONB on PostgreSQL where it is faster to query), so the
same code runs on SQLite and PostgreSQL. The full-text indexes are not declared
here: they are dialect-specific (an FTS5 table on SQLite, a GIN index on a
tsvector expression on PostgreSQL), created by the migration, and hidden from
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
    Float,
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
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

__all__ = [
    "FTS_TABLE",
    "JSON_RESULT",
    "SEARCH_CONFIG",
    "SEARCH_INDEX",
    "UTCDateTime",
    "enrichments",
    "include_object",
    "metadata",
    "post_versions",
    "posts",
    "queue_rankings",
    "queue_ranks",
    "raw_payloads",
]

FTS_TABLE = "posts_fts"
#: PostgreSQL: the text search configuration (simple + unaccent) and the GIN index that uses it.
SEARCH_CONFIG = "goodwill_search"
SEARCH_INDEX = "ix_posts_text_search"
#: JSON everywhere, JSONB on PostgreSQL.
JSON_RESULT = JSON().with_variant(JSONB(), "postgresql")

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
    Column("network", String(64), nullable=False, info={"person": "network"}),
    # with the network, how other tables quote a post ("x:123 text..."): see goodwill.store.privacy
    Column("native_id", String(255), nullable=False, info={"person": "quoted_as"}),
    # NULL text is a tombstone: the post was deleted; the row stays so it is never re-imported.
    Column("text", Text, nullable=True),
    # info["person"]: what goodwill.store.privacy looks for to forget a person (see docs/privacy.md).
    Column("author_handle", String(255), nullable=True, info={"person": "handle"}),
    Column("author_name", String(255), nullable=True, info={"person": "name"}),
    Column("author_native_id", String(255), nullable=True, info={"person": "id"}),
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
    # the insights overview's freshness check reads max(updated_at) on every request
    Index(None, "updated_at"),
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
    # `goodwill retention apply` drops rows older than [retention] raw_payload_days (by retrieved_at).
    info={"retention": {"setting": "raw_payload_days", "column": "retrieved_at"}},
)

enrichments = Table(
    "enrichments",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("stage", String(64), nullable=False),
    Column("stage_version", String(64), nullable=False),
    Column("result", JSON_RESULT, nullable=False),
    Column("computed_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("post_id", "stage", "stage_version"),
    Index(None, "stage", "stage_version", "post_id"),
)

#: The queue's rankings: one per set of stage versions it has been asked for (goodwill.store.ranking).
queue_rankings = Table(
    "queue_rankings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # sha256 of the versions (null: each stage's latest) and the score's weights, as canonical JSON
    Column("versions_key", String(64), nullable=False),
    Column("versions", JSON_RESULT, nullable=True),
    Column("built_at", UTCDateTime, nullable=False),
    UniqueConstraint("versions_key"),
    # rebuilt from posts and enrichments when missing: a store holding only this counts as empty
    info={"derived": True},
)

#: Per ranking, each queue candidate (welcome, not spam, live) with the static part of its score:
#: what its enrichment and followers fix; the queue adds the part that moves with the clock.
queue_ranks = Table(
    "queue_ranks",
    metadata,
    Column("ranking_id", Integer, ForeignKey("queue_rankings.id", ondelete="CASCADE"), nullable=False),
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("base", Float, nullable=False),
    PrimaryKeyConstraint("ranking_id", "post_id"),
    Index(None, "ranking_id", "base"),
    info={"derived": True},
)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic filter: the full-text indexes (FTS5 tables, the GIN index) are not in the portable model."""
    if type_ == "table" and name is not None and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == SEARCH_INDEX)


# Each part declares its own tables on this metadata, in its own module: the listening sources,
# the care desk, insights.
import goodwill.store.schema_desk  # noqa: E402
import goodwill.store.schema_inbox  # noqa: E402
import goodwill.store.schema_insights  # noqa: E402
import goodwill.store.schema_reply  # noqa: E402
import goodwill.store.schema_sending  # noqa: E402
import goodwill.store.schema_sources  # noqa: E402, F401
