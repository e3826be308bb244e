"""A synthetic Algolia HN ``search_by_date``: honours numericFilters and hitsPerPage, newest first.

No genuine Algolia recording exists (see ../shared/fixtures/hackernews/PROVENANCE.md);
the response shape follows the Algolia HN Search API docs, as in
fixtures/hackernews/algolia_search_by_date_synthetic.json.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import httpx


def hit(n: int, created_at_i: int) -> dict[str, Any]:
    return {
        "objectID": str(100 + n),
        "created_at_i": created_at_i,
        "author": f"user{n}",
        "comment_text": f"acme {n}",
        "_tags": ["comment"],
        "parent_id": 1,
        "story_id": 1,
    }


def _match(value: int, spec: str) -> bool:
    if "<=" in spec:
        return value <= int(spec.split("<=")[1])
    return value > int(spec.split(">")[1])


def answer(hits: list[dict[str, Any]], query: str) -> dict[str, Any]:
    params = parse_qs(query)
    filters = params["numericFilters"][0]
    per_page = int(params["hitsPerPage"][0])
    keep = [h for h in hits if all(_match(int(h["created_at_i"]), f) for f in filters.split(","))]
    keep.sort(key=lambda h: (-int(h["created_at_i"]), h["objectID"]))
    pages = max(1, -(-len(keep) // per_page))
    return {
        "hits": keep[:per_page],
        "nbHits": len(keep),
        "nbPages": pages,
        "page": 0,
        "hitsPerPage": per_page,
    }


class FakeAlgolia:
    """An httpx handler over a list of hits; ``filters`` records what each request asked."""

    def __init__(self, times: list[int]) -> None:
        self.hits = [hit(n, t) for n, t in enumerate(times)]
        self.filters: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = request.url.query.decode()
        self.filters.append(parse_qs(query)["numericFilters"][0])
        return httpx.Response(200, json=answer(self.hits, query))
