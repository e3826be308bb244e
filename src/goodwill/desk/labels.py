"""Corrections as training labels: the latest correction of each judgement of each post.

``iter_training_labels`` adds what the desk confirms without saying so: a case
a person answered (a reply was sent) and did not correct keeps the judgements
the model gave it (its sentiment and intent, and that a reply was welcome).
Brand heads need those confirmations: trained on mistakes alone, a head would
learn that the shipped model is always wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select

from goodwill.store import Store
from goodwill.store.schema import posts
from goodwill.store.schema_desk import cases, corrections, replies, users

__all__ = ["iter_labels", "iter_training_labels"]


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
            cases.c.brand,
        )
        .join(latest, latest.c.id == corrections.c.id)
        .join(posts, posts.c.id == corrections.c.post_id)
        .outerjoin(users, users.c.id == corrections.c.user_id)
        .outerjoin(cases, cases.c.post_id == corrections.c.post_id)
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
            "brand": r.brand,
        }


def iter_training_labels(store: Store) -> Iterator[dict[str, Any]]:
    """Every correction (as :func:`iter_labels`), then the uncorrected judgements of answered cases."""
    corrected: set[tuple[str, str, str]] = set()
    for label in iter_labels(store):
        corrected.add((label["network"], label["id"], label["field"]))
        yield label
    answered = select(replies.c.case_id).where(replies.c.status == "sent").distinct().subquery()
    stmt = (
        select(
            posts.c.network, posts.c.native_id, posts.c.text, cases.c.brand, cases.c.sentiment, cases.c.intent
        )
        .join(answered, answered.c.case_id == cases.c.id)
        .join(posts, posts.c.id == cases.c.post_id)
        .where(posts.c.deleted == False)  # noqa: E712
        .order_by(cases.c.id)
    )
    with store.reading() as conn:
        rows = list(conn.execute(stmt))
    for r in rows:
        for field, value in (("sentiment", r.sentiment), ("intent", r.intent), ("welcome", True)):
            if value is None or (r.network, r.native_id, field) in corrected:
                continue
            yield {
                "network": r.network,
                "id": r.native_id,
                "text": r.text,
                "field": field,
                "label": value,
                "was": value,
                "by": None,
                "at": None,
                "brand": r.brand,
                "confirmed": True,
            }
