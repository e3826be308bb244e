"""Reading the stored topic assignments (written by topic discovery) for other insights."""

from __future__ import annotations

from sqlalchemy import func, select

from goodwill.store import Store
from goodwill.store.schema_insights import post_topics, topics

__all__ = ["topic_assignments", "topic_display_names"]


def topic_display_names(store: Store) -> dict[int, str]:
    """Topic id -> the name the team gave it, or its label; merged topics resolve to their target."""
    with store.reading() as conn:
        rows = {
            r.id: r
            for r in conn.execute(select(topics.c.id, topics.c.label, topics.c.name, topics.c.merged_into))
        }
    names: dict[int, str] = {}
    for tid in rows:
        seen = set()
        target = tid
        while (
            rows[target].merged_into is not None and rows[target].merged_into in rows and target not in seen
        ):
            seen.add(target)
            target = rows[target].merged_into
        names[tid] = rows[target].name or rows[target].label
    return names


def topic_assignments(store: Store) -> dict[int, str]:
    """Post id -> topic name, for every post the latest discovery run placed (empty before any run)."""
    names = topic_display_names(store)
    if not names:
        return {}
    with store.reading() as conn:
        count = conn.execute(select(func.count()).select_from(post_topics)).scalar_one()
        if not count:
            return {}
        return {
            pid: names[tid]
            for pid, tid in conn.execute(select(post_topics.c.post_id, post_topics.c.topic_id))
            if tid in names
        }
