"""The shared vocabulary: what a post, an author and its provenance are.

Every part of goodwill (sources, stages, the store, the CLI) speaks in these
types, so they depend on nothing else in the package. A source's raw payload is
kept beside the normalised post; absent fields stay ``None`` rather than being
faked as empty strings, so "unknown" and "empty" never blur.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["ENRICHMENT_KEYS", "NUL_REPLACEMENT", "Author", "Post", "Provenance"]

#: The keys of the public ``enrichment`` object written by ``goodwill enrich``.
#: Later work may add keys; these are never renamed or removed.
ENRICHMENT_KEYS: tuple[str, ...] = (
    "language",
    "brands",
    "sentiment",
    "intent",
    "complaint",
    "receptivity",
    "spam",
    "irony",
    "emotion",
    "offensive",
)


#: What a NUL (U+0000) in a post's text or ids becomes: PostgreSQL's text cannot hold it, and both
#: stores must keep the same post.
NUL_REPLACEMENT = "\ufffd"


def _without_nul(value: str) -> str:
    return value.replace("\x00", NUL_REPLACEMENT) if "\x00" in value else value


def _optional_without_nul(value: str | None) -> str | None:
    return None if value is None else _without_nul(value)


class Author(BaseModel):
    """Who wrote a post, as far as the network tells us."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    handle: str | None = None
    name: str | None = None
    native_id: str | None = None
    followers: int | None = Field(default=None, ge=0)

    _no_nul = field_validator("handle", "name", "native_id")(_optional_without_nul)


class Provenance(BaseModel):
    """Where a payload came from, so every stored post can be traced back."""

    model_config = ConfigDict(frozen=True)

    source: str
    endpoint: str | None = None
    retrieved_at: datetime


class Post(BaseModel):
    """A normalised public post, keyed by ``(network, native_id)``.

    ``text`` is ``None`` only for a tombstone: a post the author or the
    platform deleted, whose id we keep so it is never imported again.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    network: str = "generic"
    native_id: str
    text: str | None
    author: Author | None = None
    created_at: datetime | None = None
    reply_to: str | None = None
    conversation_id: str | None = None
    url: str | None = None
    lang: str | None = None
    deleted: bool = False

    _no_nul = field_validator("text", "reply_to", "conversation_id", "url", "lang")(_optional_without_nul)

    @field_validator("network")
    @classmethod
    def _network_is_a_slug(cls, value: str) -> str:
        cleaned = _without_nul(value).strip().lower()
        if not cleaned:
            raise ValueError("network must not be empty")
        return cleaned

    @field_validator("native_id")
    @classmethod
    def _id_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("id must not be empty")
        return _without_nul(value)

    @property
    def key(self) -> tuple[str, str]:
        """The identity of a post across imports."""
        return (self.network, self.native_id)

    @property
    def author_handle(self) -> str | None:
        return self.author.handle if self.author else None

    @property
    def author_followers(self) -> int | None:
        return self.author.followers if self.author else None

    def contract_fields(self) -> dict[str, Any]:
        """The post as the fields of the public JSON Lines contract."""
        out: dict[str, Any] = {"id": self.native_id, "network": self.network, "text": self.text}
        if self.author is not None:
            out["author"] = self.author.model_dump(exclude_none=True)
        if self.created_at is not None:
            out["created_at"] = self.created_at.isoformat()
        for name in ("reply_to", "conversation_id", "url", "lang"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out
