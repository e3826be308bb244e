"""Tables of the insights part: linked author profiles, discovered topics, and alert state.

Declared on the shared ``metadata`` so the schema/migration comparison test sees them;
created by migration 0004. Store operations on them live in ``goodwill.insights``.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from goodwill.store.schema import UTCDateTime, metadata

__all__ = ["alert_state", "author_links", "post_topics", "topics"]

#: The team's "these handles are one person": ``network:handle`` -> a profile name.
author_links = Table(
    "author_links",
    metadata,
    # info["person"]: what `goodwill forget` looks for (goodwill.store.privacy, docs/privacy.md)
    Column("author", String(512), primary_key=True, info={"person": "key"}),
    Column("profile", String(255), nullable=False, info={"person": "alias"}),
    Column("linked_at", UTCDateTime, nullable=False),
    Index(None, "profile"),
)

#: Topics found by discovery, with what the team did to them (name, merge, pin).
topics = Table(
    "topics",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    #: the label made from the cluster's distinctive terms
    Column("label", Text, nullable=False),
    #: the name the team gave it, shown instead of the label
    Column("name", Text, nullable=True),
    Column("terms", JSON, nullable=False),
    #: the cluster centre in embedding space, so later runs can keep a pinned topic
    Column("centroid", JSON, nullable=False),
    #: which embedder made the centroid (a centroid only compares with vectors of the same kind)
    Column("embedder", String(64), nullable=False),
    Column("pinned", Boolean, nullable=False, default=False),
    Column("merged_into", Integer, ForeignKey("topics.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

#: Which topic each post was put in by the latest discovery run.
post_topics = Table(
    "post_topics",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", Integer, ForeignKey("topics.id", ondelete="CASCADE"), nullable=False),
    Index(None, "topic_id"),
)

#: One row per alert key (kind, brand, topic): when it last fired, so a spike fires once.
alert_state = Table(
    "alert_state",
    metadata,
    Column("key", String(512), primary_key=True),
    Column("fired_at", UTCDateTime, nullable=False),
    #: the end of the window that fired; the spike is over once a window is back to normal
    Column("window_end", UTCDateTime, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    #: the spike as sent; its "examples" quote posts ("x:123 text"), removed when their author is forgotten
    Column("details", JSON, nullable=False, info={"person": "quotes"}),
)
