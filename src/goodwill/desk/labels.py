"""Corrections as training labels: the latest correction of each judgement of each post."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select

from goodwill.store import Store
from goodwill.store.schema import posts
from goodwill.store.schema_desk import corrections, users

__all__ = ["iter_labels"]


def iter_labels(store: Store) -> Iterator[dict[str, Any]]:
    """One label per (post, field): the newest correction wins, with the text it applies to."""
    latest = (
        select(func.max(corrections.c.id).label("id"))
        .group_by(corrections.c.post_id, corrections.c.field)
        .subquery()
    )
    stmt = (
        select(
            posts.c.network,
            posts.c.native_id,
            posts.c.text,
            corrections.c.field,
            corrections.c.old_value,
            corrections.c.new_value,
            corrections.c.created_at,
            users.c.username,
        )
        .join(latest, latest.c.id == corrections.c.id)
        .join(posts, posts.c.id == corrections.c.post_id)
        .outerjoin(users, users.c.id == corrections.c.user_id)
        .where(posts.c.deleted == False)  # noqa: E712
        .order_by(corrections.c.id)
    )
    with store.reading() as conn:
        rows = list(conn.execute(stmt))
    for r in rows:
        yield {
            "network": r.network,
            "id": r.native_id,
            "text": r.text,
            "field": r.field,
            "label": r.new_value,
            "was": r.old_value,
            "by": r.username,
            "at": r.created_at.isoformat(),
        }
