"""Listening speed: ``Listener`` over a mock Algolia against importing the same posts from a file.

Both paths end in the same store upserts; the listener adds the HTTP layer
(httpx over a mock transport, rate-limit header parsing), the Hacker News
normaliser and a cursor saved with every page. The baseline is the generic
JSON Lines import of the same posts, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

from goodwill.config import QueryConfig, SourceConfig, WorkspaceConfig
from goodwill.jobs.importer import import_files
from goodwill.jobs.listen import Listener
from goodwill.store import open_store

NOW = 1_795_180_000


def hits(n: int) -> list[dict[str, Any]]:
    return [
        {
            "objectID": str(1000 + i),
            "created_at_i": NOW - 10 * i,
            "author": f"user{i % 1000}",
            "comment_text": f"<p>post number {i} about Acme Bank &amp; my card, anyone else?</p>",
            "_tags": ["comment"],
            "parent_id": 1,
            "story_id": 1,
        }
        for i in range(n)
    ]


def algolia(all_hits: list[dict[str, Any]]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        params = parse_qs(request.url.query.decode())
        per_page = int(params["hitsPerPage"][0])
        bounds = params["numericFilters"][0].split(",")
        upper = int(bounds[1].split("<=")[1]) if len(bounds) > 1 else None
        keep = [h for h in all_hits if upper is None or h["created_at_i"] <= upper]
        pages = max(1, -(-len(keep) // per_page))
        body = {"hits": keep[:per_page], "nbHits": len(keep), "nbPages": pages, "page": 0}
        return httpx.Response(200, json=body, headers={"x-ratelimit-remaining": "1000"})

    return httpx.MockTransport(handler)


def bench(n: int) -> dict[str, float | int]:
    data = hits(n)
    config = WorkspaceConfig(
        sources={"hackernews": SourceConfig(options={"page_size": 100}, max_pages=10_000)},
        queries=[QueryConfig(source="hackernews", kind="search", value="acme", name="acme")],
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "posts.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for h in data:
                record = {
                    "id": h["objectID"],
                    "network": "hackernews",
                    "text": h["comment_text"],
                    "author": h["author"],
                }
                out.write(json.dumps(record) + "\n")
        with open_store(f"sqlite:///{folder / 'file.db'}") as store:
            start = time.perf_counter()
            import_files(store, [str(path)], batch_size=100)
            base_s = time.perf_counter() - start
        with open_store(f"sqlite:///{folder / 'listen.db'}") as store:
            listener = Listener(store, config, env={}, transport=algolia(data), clock=lambda: NOW + 1.0)
            start = time.perf_counter()
            (result,) = listener.run_once()
            ours_s = time.perf_counter() - start
            listener.close()
            assert result.counts.imported == n, result
    return {
        "posts": n,
        "pages": result.pages,
        "listen_posts_per_s": round(n / ours_s),
        "file_import_posts_per_s": round(n / base_s),
        "listen_vs_file_import": round(base_s / ours_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=5_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = bench(args.posts)
    if args.json:
        print(json.dumps(result))
        return
    print(f"listen (Hacker News search, {result['pages']:,} pages) vs file import, {result['posts']:,} posts")
    print(f"  listen       {result['listen_posts_per_s']:>8,} posts/s")
    print(f"  file import  {result['file_import_posts_per_s']:>8,} posts/s (baseline, batches of 100)")
    print(f"  ratio        {result['listen_vs_file_import']:.3f}x the baseline's speed")


if __name__ == "__main__":
    main()
