"""The queue: stored posts that welcome a reply, most urgent first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from goodwill.care.priority import Priority, priority_of
from goodwill.store import PostQuery, Store, StoredPost

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
    """Rank every welcome, non-spam post by priority; ties go to the older post."""
    candidates = store.query(PostQuery(welcome=True, brand=brand, versions=versions, limit=None))
    entries = [
        QueueEntry(
            post=stored,
            priority=priority_of(
                stored.enrichment,
                followers=stored.post.author_followers,
                created_at=stored.post.created_at,
                now=now,
            ),
        )
        for stored in candidates
        if not (stored.enrichment.get("spam") or {}).get("is_spam")
    ]
    entries.sort(key=lambda e: (-e.priority.score, _age_key(e.post), e.post.id))
    return entries[:limit] if limit is not None else entries


def _age_key(stored: StoredPost) -> float:
    created = stored.post.created_at
    return created.timestamp() if created is not None else float("inf")
