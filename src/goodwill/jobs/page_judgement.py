"""``goodwill listen --enrich``: each page's posts judged before they are stored, saved with them.

The listener judges a page's posts with the pipeline first (outside any
transaction, so the database is never locked while stages run), then writes
the posts, the cursor and the judgements in the page's ONE transaction. So a
listener killed at any moment leaves every stored post judged, and the queue
is current as soon as a post is stored: there is no separate catch-up run.

A copy that the store keeps unchanged because it holds a newer text (an edit
seen before a replayed original) is not judged from the old text: only posts
whose stored text is the judged text get results.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, or_, select

from goodwill.enrich.pipeline import Pipeline
from goodwill.models import Post
from goodwill.store.dialect import bulk_insert
from goodwill.store.ranking import refresh_ranks
from goodwill.store.schema import enrichments, posts

__all__ = ["Judged", "PageJudge"]

_CHUNK = 500


@dataclass(frozen=True)
class Judged:
    """A page's live posts (each key once, the last copy) and each stage's result per post."""

    posts: Sequence[Post]
    results: Sequence[Mapping[str, Mapping[str, Any]]]


class PageJudge:
    """Runs one pipeline for every stream of a listener (one at a time: stages keep memory)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.versions = pipeline.versions
        self._lock = threading.Lock()

    def judge(self, batch: Sequence[Post]) -> Judged | None:
        live = {post.key: post for post in batch if not post.deleted and post.text}
        if not live:
            return None
        chosen = list(live.values())
        with self._lock:
            results = self.pipeline.run_by_stage(chosen)
        return Judged(chosen, results)

    def write(self, conn: Connection, judged: Judged, now: datetime) -> None:
        """Save ``judged`` for the posts stored with exactly that text, in the caller's transaction."""
        wanted = {post.key: (post, result) for post, result in zip(judged.posts, judged.results, strict=True)}
        by_network: dict[str, list[str]] = {}
        for network, native_id in wanted:
            by_network.setdefault(network, []).append(native_id)
        rows: list[dict[str, Any]] = []
        for network, ids in by_network.items():
            for start in range(0, len(ids), _CHUNK):
                stmt = select(posts.c.id, posts.c.native_id, posts.c.text).where(
                    posts.c.network == network,
                    posts.c.native_id.in_(ids[start : start + _CHUNK]),
                    posts.c.deleted.is_(False),
                )
                for row in conn.execute(stmt):
                    post, result = wanted[(network, row.native_id)]
                    if row.text != post.text:
                        continue
                    rows.extend(
                        {
                            "post_id": row.id,
                            "stage": stage,
                            "stage_version": self.versions[stage],
                            "result": own if type(own) is dict else dict(own),
                            "computed_at": now,
                        }
                        for stage, own in result.items()
                    )
        if not rows:
            return
        ids_out = sorted({r["post_id"] for r in rows})
        current = or_(
            *(
                and_(enrichments.c.stage == stage, enrichments.c.stage_version == version)
                for stage, version in self.versions.items()
            )
        )
        for start in range(0, len(ids_out), _CHUNK):
            conn.execute(
                delete(enrichments).where(enrichments.c.post_id.in_(ids_out[start : start + _CHUNK]), current)
            )
        bulk_insert(conn, enrichments, rows)
        refresh_ranks(conn, ids_out)
