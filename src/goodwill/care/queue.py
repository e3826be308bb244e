"""The queue: stored posts that welcome a reply, most urgent first, ranked by the database.

The score is computed in SQL (goodwill.care.priority_sql, the twin of
``priority_of``), so filtering, ordering and the limit happen in SQLite or
PostgreSQL and only the ``limit`` posts shown are read back; their priority
parts (the "why" shown to an agent) are then explained by ``priority_of``
itself. Ties go to the older post, then the lower id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import not_, select

from goodwill.care.priority import Priority, priority_of
from goodwill.care.priority_sql import MERGED_KEYS, merged_value, priority_score, spam_flag
from goodwill.store import PostQuery, Store, StoredPost
from goodwill.store.query import current_clause, filter_clauses
from goodwill.store.reading import stored_posts
from goodwill.store.schema import enrichments, posts

__all__ = ["QueueEntry", "build_queue"]


@dataclass(frozen=True)
class QueueEntry:
    post: StoredPost
    priority: Priority


def build_queue(
    store: Store,
    *,
    brand: str | None = None,
    versions: Mapping[str, str] | None = None,
    limit: int | None = 20,
    now: datetime | None = None,
) -> list[QueueEntry]:
    """The ``limit`` most urgent welcome, non-spam posts (None: all of them); ties go to the older post."""
    stamp = now or datetime.now(UTC)
    dialect = store.dialect
    wanted = PostQuery(welcome=True, brand=brand, versions=versions, limit=None)
    e = enrichments.alias("e")
    judged = (
        select(posts.c.id.label("qid"), *(merged_value(dialect, e, key).label(key) for key in MERGED_KEYS))
        .select_from(posts.join(e, e.c.post_id == posts.c.id))
        .where(*filter_clauses(wanted, dialect), current_clause(e, versions))
        .group_by(posts.c.id)
        .subquery("judged")
    )
    score = priority_score(
        dialect,
        intent=judged.c.intent,
        complaint=judged.c.complaint,
        sentiment=judged.c.sentiment,
        receptivity=judged.c.receptivity,
        followers=posts.c.author_followers,
        created_at=posts.c.created_at,
        now=stamp,
    ).label("score")
    stmt = (
        select(posts, score)
        .join(judged, judged.c.qid == posts.c.id)
        .where(not_(spam_flag(dialect, judged.c.spam)))
        .order_by(score.desc(), posts.c.created_at.asc().nulls_last(), posts.c.id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    with store.reading() as conn:
        rows = list(conn.execute(stmt))
        found = stored_posts(conn, rows, versions)
    return [
        QueueEntry(
            post=stored,
            priority=priority_of(
                stored.enrichment,
                followers=stored.post.author_followers,
                created_at=stored.post.created_at,
                now=stamp,
            ),
        )
        for stored in found
    ]
