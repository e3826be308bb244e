"""A store with a row in every table goodwill declares, and a way to read every row back.

Shared by the backup and privacy tests. ``every_row`` walks the metadata, so tables added by
later migrations are compared without this file changing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from goodwill.models import Author, Post, Provenance
from goodwill.store import RawRecord, Store
from goodwill.store.schema import metadata
from goodwill.store.schema_sources import source_cursors, source_spend, source_state

WHEN = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)


def raw_record(post: Post, source: str = "file:jsonl", when: datetime = WHEN) -> RawRecord:
    return RawRecord(
        payload={**post.contract_fields(), "odd": ["é", "😡", "\u202e", None, 1.5]},
        provenance=Provenance(source=source, endpoint="/in.jsonl", retrieved_at=when),
    )


def author_post(native_id: str, handle: str, text: str, *, network: str = "x") -> Post:
    return Post(
        network=network,
        native_id=native_id,
        text=text,
        author=Author(handle=handle, name=f"{handle.title()} Name", native_id=f"id-{handle}", followers=7),
        created_at=WHEN,
        url=f"https://example.com/{native_id}",
        lang="en",
    )


def populate(store: Store) -> None:
    """Posts by two people (one edited, one a tombstone), payloads, judgements, source state."""
    first = [
        author_post("1", "alice", "Refund please, café closed"),
        author_post("2", "bob", "Love the new app 😍"),
        author_post("3", "alice", "second post by alice", network="mastodon"),
        author_post("4", "carol", "to be deleted"),
    ]
    store.upsert([(p, raw_record(p)) for p in first])
    edited = author_post("2", "bob", "Love the new app 😍 (edited)")
    gone = first[3].model_copy(update={"text": None, "deleted": True})
    store.upsert([(edited, raw_record(edited)), (gone, raw_record(gone))])
    ids = [s.id for page in store.iter_stale({"x": "1"}) for s in page]
    store.save_enrichment(
        [(i, "sentiment", "3", {"label": "negative", "score": -0.5, "n": [1, 2]}) for i in ids]
    )

    def extra(conn: Connection) -> None:
        conn.execute(
            source_cursors.insert().values(source="x", query="q", cursor='{"next": "é"}', updated_at=WHEN)
        )
        conn.execute(
            source_state.insert().values(source="x", last_run_at=WHEN, last_error=None, last_posts=3)
        )
        conn.execute(
            source_spend.insert().values(
                source="x", bucket="default", day="2026-03-04", requests=2, units=1.5, usd=0.25
            )
        )

    store.transaction(extra)


def every_row(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table on the metadata, in primary-key order."""

    def run(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
        out = {}
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
        return out

    return store.read(run)
