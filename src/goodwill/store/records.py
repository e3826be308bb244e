"""The plain values the store takes and gives back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from goodwill.models import Post, Provenance

__all__ = ["EncodedJSON", "RawRecord", "StoredPost", "UpsertCounts", "encode_json"]


class EncodedJSON(str):
    """A JSON value already serialised (by :func:`encode_json`): the store writes the text as it is.

    Why: Dask workers serialise their results themselves, so the driver, the one
    process that writes, does not spend half its time in ``json.dumps``.
    """

    __slots__ = ()

    @classmethod
    def of(cls, value: Any) -> EncodedJSON:
        return cls(json.dumps(value))


def encode_json(value: Any) -> str:
    """The engine's JSON serialiser: ``json.dumps``, except for text that is JSON already."""
    return value if type(value) is EncodedJSON else json.dumps(value)


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
