"""``goodwill enrich --stored``: judge the stored posts that are new or stale.

A post is stale when it lacks a result from the current version of any stage,
so changing one stage's version recomputes exactly the posts it judged before,
and a rerun after a crash picks up where the last committed batch ended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from goodwill.enrich.pipeline import Pipeline
from goodwill.jobs.enrich_stream import DEFAULT_BATCH
from goodwill.store import Store

__all__ = ["EnrichSummary", "enrich_stored"]


@dataclass(frozen=True)
class EnrichSummary:
    posts: int
    batches: int


def enrich_stored(
    store: Store,
    pipeline: Pipeline,
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int], None] | None = None,
) -> EnrichSummary:
    """Enrich every stale post, committing one batch at a time."""
    versions = pipeline.versions
    posts = batches = 0
    for batch in store.iter_stale(versions, batch_size=batch_size):
        per_stage = pipeline.run_by_stage([stored.post for stored in batch])
        rows = [
            (stored.id, name, versions[name], result)
            for stored, results in zip(batch, per_stage, strict=True)
            for name, result in results.items()
        ]
        store.save_enrichment(rows)
        posts += len(batch)
        batches += 1
        if progress is not None:
            progress(len(batch))
    return EnrichSummary(posts=posts, batches=batches)
