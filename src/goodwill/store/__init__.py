"""The store: posts, their edits and raw payloads, and enrichment results, in SQLite (or PostgreSQL).

from goodwill.store import open_store, PostQuery
with open_store("sqlite:///goodwill.db") as store:
    counts = store.upsert([(post, raw_record), ...])
    for page in store.iter_stale(pipeline.versions):
        ...
        store.save_enrichment(rows)
    store.query(PostQuery(sentiment="negative", search="refund"))
"""

from __future__ import annotations

from goodwill.store.query import PostQuery
from goodwill.store.records import RawRecord, StoredPost, UpsertCounts
from goodwill.store.sqlstore import Store, open_store

__all__ = ["PostQuery", "RawRecord", "Store", "StoredPost", "UpsertCounts", "open_store"]
