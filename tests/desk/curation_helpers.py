"""Stored topics for the curation tests, written straight into the store (discovery is tested elsewhere)."""

from __future__ import annotations

from collections.abc import Sequence

from desk_helpers import NOW
from sqlalchemy import Connection

from goodwill.store import Store
from goodwill.store.schema_insights import post_topics, topics


def add_topic(store: Store, label: str, terms: Sequence[str], post_ids: Sequence[int]) -> int:
    """One topic as a discovery run would leave it (unpinned, unnamed) with its posts; its id."""

    def run(conn: Connection) -> int:
        done = conn.execute(
            topics.insert().values(
                label=label,
                name=None,
                terms=list(terms),
                centroid=[1.0, 0.0],
                embedder="tfidf",
                pinned=False,
                merged_into=None,
                created_at=NOW,
            )
        )
        assert done.inserted_primary_key is not None
        topic_id = int(done.inserted_primary_key[0])
        if post_ids:
            conn.execute(post_topics.insert(), [{"post_id": p, "topic_id": topic_id} for p in post_ids])
        return topic_id

    return store.transaction(run)
