"""The plain values the store takes and gives back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from goodwill.models import Post, Provenance

__all__ = ["RawRecord", "StoredPost", "UpsertCounts"]


@dataclass(frozen=True)
class RawRecord:
    """A payload exactly as a source gave it, and where it came from."""

    payload: Mapping[str, Any]
    provenance: Provenance


@dataclass(frozen=True)
class UpsertCounts:
    """What an upsert did, per post: new, changed (edits and tombstones), or already known."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        if not isinstance(other, UpsertCounts):
            return NotImplemented
        return UpsertCounts(
            self.imported + other.imported, self.updated + other.updated, self.unchanged + other.unchanged
        )

    @property
    def total(self) -> int:
        return self.imported + self.updated + self.unchanged


@dataclass(frozen=True)
class StoredPost:
    """A post as stored, with its id and the merged current enrichment (empty if none)."""

    id: int
    post: Post
    enrichment: dict[str, Any] = field(default_factory=dict)
