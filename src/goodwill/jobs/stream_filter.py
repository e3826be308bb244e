"""What a listening stream keeps: posts that name a configured brand, and what happens to stored ones.

A firehose (Bluesky's Jetstream) carries every post of the network, some fifty
a second, and a brand is named in a tiny share of them. When the workspace
configures brands or competitors, a stream query stores only the posts whose
text the ``mentions`` stage would match (the same regex, so the queue misses
nothing the stage would find), unless the query says ``params = { keep = "all" }``.

The test runs as early as the source allows (Jetstream drops a non-matching
new post before copying its raw event), and again here on every page, so a
source that ignores it is still filtered. An edit or a deletion passes when it
concerns a post already stored, or one kept earlier in the same page, whatever
its text: a tombstone must reach the post it deletes, and a post edited to no
longer name the brand keeps its history. Deletions of posts never stored are
dropped, not kept as tombstones: the firehose deletes thousands of strangers'
posts an hour.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from goodwill.config import WorkspaceConfig
from goodwill.enrich.mentions import MentionsStage
from goodwill.enrich.stage import StageContext
from goodwill.sources.source import Item
from goodwill.store import Store
from goodwill.store.schema import posts

__all__ = ["BrandFilter", "stored_keys"]

_CHUNK = 500


def stored_keys(conn: Connection, network: str, native_ids: Sequence[str]) -> set[str]:
    """Which of these native ids are stored for ``network`` (tombstones included)."""
    found: set[str] = set()
    for start in range(0, len(native_ids), _CHUNK):
        chunk = native_ids[start : start + _CHUNK]
        stmt = select(posts.c.native_id).where(posts.c.network == network, posts.c.native_id.in_(chunk))
        found.update(conn.execute(stmt).scalars())
    return found


class BrandFilter:
    """The brands and competitors of a workspace as a test on post text; see the module docstring."""

    def __init__(self, config: WorkspaceConfig) -> None:
        self._mentions = MentionsStage(StageContext(config=config))

    @classmethod
    def of(cls, config: WorkspaceConfig) -> BrandFilter | None:
        """The filter of ``config``, or None when it names no brand (then streams keep everything)."""
        return cls(config) if config.brands or config.competitors else None

    def wants(self, text: str) -> bool:
        """True when ``text`` names a configured brand or competitor (as the mentions stage finds them)."""
        return bool(self._mentions.find(text))

    def keep(self, store: Store, items: Sequence[Item]) -> list[Item]:
        """The items of one page worth storing, in order."""
        matched = [not i.post.deleted and bool(i.post.text) and self.wants(i.post.text or "") for i in items]
        if all(matched):
            return list(items)
        kept: set[tuple[str, str]] = {i.post.key for i, ok in zip(items, matched, strict=True) if ok}
        doubtful: dict[str, list[str]] = {}
        for item, ok in zip(items, matched, strict=True):
            if not ok and item.post.key not in kept:
                doubtful.setdefault(item.post.network, []).append(item.post.native_id)
        known: set[tuple[str, str]] = set()
        if doubtful:

            def look(conn: Connection) -> None:
                for network, ids in doubtful.items():
                    known.update((network, native_id) for native_id in stored_keys(conn, network, ids))

            store.read(look)
        out: list[Item] = []
        for item, ok in zip(items, matched, strict=True):
            key = item.post.key
            if ok or key in kept or key in known:
                out.append(item)
        return out
