"""Turning stored rows back into posts with their merged current enrichment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, select

from goodwill.models import Author, Post
from goodwill.store.query import current_clause
from goodwill.store.records import StoredPost
from goodwill.store.schema import enrichments

__all__ = ["id_range", "row_to_post", "stored_posts"]

_CHUNK = 500
_AUTHOR_COLUMNS = ("author_handle", "author_name", "author_native_id", "author_followers")


def row_to_post(row: Row[Any]) -> Post:
    """A ``posts`` row as the shared Post model (absent fields stay None)."""
    m = row._mapping
    author = None
    if any(
        m[c] is not None for c in ("author_handle", "author_name", "author_native_id", "author_followers")
    ):
        author = Author(
            handle=m["author_handle"],
            name=m["author_name"],
            native_id=m["author_native_id"],
            followers=m["author_followers"],
        )
    return Post(
        network=m["network"],
        native_id=m["native_id"],
        text=m["text"],
        author=author,
        created_at=m["created_at"],
        reply_to=m["reply_to"],
        conversation_id=m["conversation_id"],
        url=m["url"],
        lang=m["lang"],
        deleted=bool(m["deleted"]),
    )


def id_range(column: ColumnElement[int], ids: Sequence[int]) -> ColumnElement[bool]:
    """``column BETWEEN min(ids) AND max(ids)``: redundant beside ``IN (ids)``, but it keeps the index in use.

    PostgreSQL estimates ``IN`` from statistics taken when the table was smaller; while results
    are being saved those lag, and it read all of ``enrichments`` for each page of posts (a third
    of its time saving results). A range beyond the statistics is measured on the index itself,
    and the posts being judged are the newest ids.
    """
    return column.between(min(ids), max(ids))


def merged_enrichment(
    conn: Connection, ids: Sequence[int], versions: Mapping[str, str] | None
) -> dict[int, dict[str, Any]]:
    """Per post id, the current results of every stage merged into one dict (oldest first, newest wins)."""
    out: dict[int, dict[str, Any]] = {}
    e = enrichments.alias("e")
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        stmt = (
            select(e.c.post_id, e.c.result)
            .where(e.c.post_id.in_(chunk), id_range(e.c.post_id, chunk), current_clause(e, versions))
            .order_by(e.c.post_id, e.c.computed_at, e.c.stage)
        )
        for post_id, result in conn.execute(stmt):
            if isinstance(result, dict):
                out.setdefault(post_id, {}).update(result)
    return out


def stored_posts(
    conn: Connection, rows: Sequence[Row[Any]], versions: Mapping[str, str] | None
) -> list[StoredPost]:
    """Rows of ``posts`` (in order) as StoredPost values with their enrichment."""
    merged = merged_enrichment(conn, [r.id for r in rows], versions)
    return [StoredPost(id=r.id, post=row_to_post(r), enrichment=merged.get(r.id, {})) for r in rows]
