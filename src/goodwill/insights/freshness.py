"""Has anything the insights read changed? One cheap fingerprint of the store, compared between requests.

The overview reads posts, their judgements and raw payloads (engagement), the topics and
their assignments, and the author links. The fingerprint takes counts and the newest id or
time from the big tables (so imports, edits of a post, deletions, enrichment and forgetting
all change it) and every row of the small curated tables (so a rename, a merge, a pin or a
link does). It is a handful of aggregate queries, much cheaper than the overview itself,
and it works across processes: a `goodwill import` in a shell changes it for the desk.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, func, select

from goodwill.store import Store
from goodwill.store.schema import enrichments, posts, raw_payloads
from goodwill.store.schema_insights import author_links, post_topics, topics

__all__ = ["POSTS_FIGURES", "data_version"]


#: The posts' figures, one aggregate a query: SQLite answers a lone max() from the last entry of an index
#: (``ix_posts_updated_at``, the primary key), but computes max() beside a count() in a scan of the table.
POSTS_FIGURES = (
    select(func.count()).select_from(posts),
    select(func.max(posts.c.id)),
    select(func.max(posts.c.updated_at)),
)


def _aggregates(conn: Connection) -> list[object]:
    return [
        *(conn.execute(stmt).scalar() for stmt in POSTS_FIGURES),
        *conn.execute(select(func.count(), func.max(enrichments.c.computed_at))).one(),
        *conn.execute(select(func.count(), func.max(raw_payloads.c.id))).one(),
        *conn.execute(
            select(func.count(), func.sum(post_topics.c.post_id), func.sum(post_topics.c.topic_id))
        ).one(),
    ]


def data_version(store: Store) -> str:
    """A short hex digest that changes whenever data the insights read changes."""
    digest = hashlib.sha256()
    with store.reading() as conn:
        for value in _aggregates(conn):
            digest.update(repr(value).encode())
        curated = [
            select(
                topics.c.id,
                topics.c.name,
                topics.c.label,
                topics.c.pinned,
                topics.c.merged_into,
                topics.c.created_at,
            ).order_by(topics.c.id),
            select(author_links.c.author, author_links.c.profile).order_by(author_links.c.author),
        ]
        for stmt in curated:
            for row in conn.execute(stmt):
                digest.update(repr(tuple(row)).encode())
            digest.update(b"|")
    return digest.hexdigest()[:16]
