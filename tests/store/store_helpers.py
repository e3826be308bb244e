"""Small builders shared by the store tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from goodwill.models import Post, Provenance
from goodwill.store import RawRecord

PROVENANCE = Provenance(
    source="file:jsonl", endpoint="/data/in.jsonl", retrieved_at=datetime(2026, 1, 2, tzinfo=UTC)
)


def make_post(native_id: str, text: str | None = "hello", **fields: Any) -> Post:
    return Post(native_id=native_id, text=text, **fields)


def rec(post: Post, payload: dict[str, Any] | None = None) -> tuple[Post, RawRecord]:
    body = payload if payload is not None else post.contract_fields()
    return (post, RawRecord(payload=body, provenance=PROVENANCE))
