"""The desk's insights page: computing the overview against serving it from the cache, same run.

Builds a SQLite store of N judged posts, then times one ``build_overview`` (what every request
cost before the cache), one ``data_version`` (what a cached request still costs: the
freshness check) and one cache hit (the check plus the lookup), and prints the ratios.

    python bench/bench_overview_cache.py [--posts 20000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from goodwill.config import BrandSpec, WorkspaceConfig
from goodwill.insights.freshness import data_version
from goodwill.insights.overview import build_overview
from goodwill.insights.overview_cache import OverviewCache, OverviewKey
from goodwill.models import Author, Post, Provenance
from goodwill.store import RawRecord, Store, open_store

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SENTIMENTS = ("negative", "neutral", "positive")
BRANDS = ("Acme Bank", "Zeta")


def fill(store: Store, n: int) -> None:
    provenance = Provenance(source="file:jsonl", endpoint="bench", retrieved_at=NOW)
    for start in range(0, n, 2000):
        batch = []
        for i in range(start, min(n, start + 2000)):
            post = Post(
                network="x",
                native_id=str(i),
                text=f"@acmebank post {i} about cards and the app {i % 97}",
                author=Author(handle=f"user{i % 3000}", name=f"User {i % 3000}", followers=i % 5000),
                created_at=NOW - timedelta(minutes=i),
            )
            batch.append((post, RawRecord(payload=post.contract_fields(), provenance=provenance)))
        store.upsert(batch)
    rows = []
    for page in store.iter_stale({"judged": "1"}):
        for sp in page:
            k = sp.id
            rows.append(
                (
                    sp.id,
                    "judged",
                    "1",
                    {
                        "brands": [
                            {"name": BRANDS[k % 2], "role": "brand", "addressed": True, "matched": []}
                        ],
                        "sentiment": {"label": SENTIMENTS[k % 3], "score": 0.0},
                        "intent": {"label": "question"},
                    },
                )
            )
    for start in range(0, len(rows), 2000):
        store.save_enrichment(rows[start : start + 2000])


def timed(fn: object, repeat: int) -> float:
    assert callable(fn)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=20_000)
    args = parser.parse_args()
    config = WorkspaceConfig(brands=[BrandSpec(name="Acme Bank")], competitors=[BrandSpec(name="Zeta")])
    with tempfile.TemporaryDirectory() as folder, open_store(f"sqlite:///{Path(folder) / 'b.db'}") as store:
        fill(store, args.posts)
        since = NOW - timedelta(days=60)
        versions = {"judged": "1"}

        def compute() -> object:
            return build_overview(store, config=config, since=since, versions=versions)

        cache = OverviewCache()
        key = OverviewKey(since="2026-09-21", brand=None, relative=False)

        def hit() -> object:
            return cache.get(
                key,
                data_version(store),
                lambda: (build_overview(store, config=config, since=since, versions=versions), since),
            )

        hit()  # fill the cache
        overview_s = timed(compute, 3)
        version_s = timed(lambda: data_version(store), 10)
        hit_s = timed(hit, 10)
        assert cache.computed == 1
    print(f"{args.posts:,} judged posts on SQLite")
    print(f"build_overview (baseline, every request before): {overview_s * 1000:,.1f} ms")
    print(f"data_version (the freshness check): {version_s * 1000:,.2f} ms")
    print(f"cache hit (check + lookup): {hit_s * 1000:,.2f} ms")
    print(f"cached request / computed request: {hit_s / overview_s:.4f} ({overview_s / hit_s:,.0f}x faster)")


if __name__ == "__main__":
    main()
