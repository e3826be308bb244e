"""The queue ranked the way build_queue did before it moved into SQL: the reference the SQL is held to.

Every welcome post is read back, scored with ``priority_of`` and sorted in
Python (highest score, then the oldest post, then the lowest id). The care
tests compare ``build_queue`` with it, and bench/bench_queue.py times it as the
baseline.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from goodwill.care.priority import Priority, priority_of
from goodwill.store import PostQuery, Store, StoredPost


def ranked_in_python(
    store: Store,
    *,
    now: datetime,
    brand: str | None = None,
    versions: Mapping[str, str] | None = None,
    limit: int | None = None,
) -> list[tuple[StoredPost, Priority]]:
    candidates = store.query(PostQuery(welcome=True, brand=brand, versions=versions, limit=None))
    entries = [
        (
            s,
            priority_of(
                s.enrichment, followers=s.post.author_followers, created_at=s.post.created_at, now=now
            ),
        )
        for s in candidates
        if not (s.enrichment.get("spam") or {}).get("is_spam")
    ]

    def age(s: StoredPost) -> float:
        return s.post.created_at.timestamp() if s.post.created_at is not None else float("inf")

    entries.sort(key=lambda e: (-e[1].score, age(e[0]), e[0].id))
    return entries[:limit]
