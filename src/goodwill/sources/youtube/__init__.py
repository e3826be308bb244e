"""YouTube: comments on videos and channels through the Data API v3, and the keyless upload feed.

Query kinds: ``video`` (a video id: its comment threads and every reply),
``channel`` (a channel id: every thread on its videos), ``search`` (words: videos
newest first, in search.list's own 100-a-day bucket), ``feed`` (a channel id: the
latest 15 uploads from the public Atom feed, no key, no quota). See
docs/sources/youtube.md for the key, the quota and what is collected.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from goodwill.errors import InputError
from goodwill.sources.http import HttpClient
from goodwill.sources.source import Capability, Cursor, Item, Page, Query, SourceSettings, read_json_documents
from goodwill.sources.youtube.fetch import API_URL, FEED_URL, QUOTA_LIMITS, YouTubeFetcher, quota_day
from goodwill.sources.youtube.normalise import NETWORK, normalise_document

__all__ = ["YouTubeSource"]


class YouTubeSource:
    """YouTube comments and videos (read-only here; replying needs OAuth, not an API key)."""

    name = NETWORK
    capabilities = frozenset({Capability.SEARCH, Capability.THREAD})
    stream_kinds: frozenset[str] = frozenset()  # no live stream here: listen polls
    kinds: Mapping[str, str] = {
        "video": "a video id: its comment threads and every reply (1 quota unit a page)",
        "channel": "a channel id: every comment thread on its videos (1 unit a page)",
        "search": "words: matching videos, newest first (search.list's own 100 calls a day)",
        "feed": "a channel id: its latest 15 uploads from the public feed (no key, no quota)",
    }
    #: daily quota per meter bucket; a period is a date in Pacific time (:func:`quota_day`)
    quota_period = staticmethod(quota_day)

    def __init__(self, settings: SourceSettings) -> None:
        self.settings = settings
        options = settings.options
        self.quota_limits: Mapping[str, float] = {
            "units": float(options.get("daily_units", QUOTA_LIMITS["units"])),
            "search": float(options.get("daily_searches", QUOTA_LIMITS["search"])),
        }
        self.backfill_days = float(options.get("backfill_days", 7))
        self._fetcher = YouTubeFetcher(
            settings,
            base_url=settings.base_url or API_URL,
            feed_url=str(options.get("feed_url", FEED_URL)),
            page_size=int(options.get("page_size", 100)),
        )

    def normalise(self, document: Any, *, endpoint: str | None = None) -> list[Item]:
        return normalise_document(document)

    def read_export(self, path: Path) -> Iterator[Any]:
        """API response bodies (JSON or JSON Lines), or a saved channel feed (XML)."""
        try:
            head = path.read_bytes()[:512].lstrip()
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror}).") from None
        if head.startswith(b"<"):
            yield path.read_text(encoding="utf-8", errors="replace")
            return
        yield from read_json_documents(path)

    def fetch(self, query: Query, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        if query.kind in ("video", "channel"):
            return self._fetcher.threads(query, cursor, client)
        if query.kind == "search":
            return self._fetcher.search(query, cursor, client, backfill_days=self.backfill_days)
        if query.kind == "feed":
            return self._fetcher.feed(query, cursor, client)
        raise InputError(f"youtube: unknown query kind {query.kind!r}; use one of {', '.join(self.kinds)}.")
