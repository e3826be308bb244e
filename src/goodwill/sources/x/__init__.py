"""X (Twitter): API v2 search paid per post read, and the account archive that needs no API.

One source, network ``x``, for both: posts from the API and from an archive are
the same posts. ``goodwill import --network x FILE`` reads API response bodies
(one JSON body, or twarc2 JSON Lines: pages or flattened tweets), compliance job
output, and account archives (a .zip, ``data/manifest.js``, or one data file
such as ``tweets.js``). See docs/sources/x.md.

Query kinds: ``search`` (recent search, last 7 days), ``archive`` (full-archive
search; needs that access level), ``thread`` (a conversation by post id).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from goodwill.errors import InputError
from goodwill.json_input import load_json
from goodwill.sources.http import HttpClient
from goodwill.sources.reply import ReplyTarget, SentReply
from goodwill.sources.source import Capability, Cursor, Item, Page, Query, SourceSettings
from goodwill.sources.x.archive import ARCHIVE_KEY, is_archive_text, normalise_archive, read_archive
from goodwill.sources.x.replying import XReplier
from goodwill.sources.x.search import API_URL, XPricing, search_pages
from goodwill.sources.x.v2 import NETWORK, is_v2_document, normalise_v2

__all__ = ["XSource"]


class XSource:
    """X API v2 (read, paid per post; replies as the brand's account) and account archives."""

    name = NETWORK
    capabilities = frozenset({Capability.SEARCH, Capability.THREAD, Capability.REPLY})
    reply_idempotent = False  # POST /2/tweets has no idempotency key: one attempt per send
    stream_kinds: frozenset[str] = frozenset()  # no live stream here: listen polls
    kinds: Mapping[str, str] = {
        "search": "X search syntax over the last 7 days (recent search)",
        "archive": "X search syntax over every post since 2006 (full-archive search access needed)",
        "thread": "a post id: the whole conversation it belongs to (last 7 days)",
        "account_export": "an account archive on disk (.zip or data/manifest.js), reread when it changes",
    }

    def __init__(self, settings: SourceSettings) -> None:
        self.settings = settings
        self.base_url = settings.base_url or API_URL
        self.pricing = XPricing.from_options(settings.options)
        self.backfill_days = float(settings.options.get("backfill_days", 30))
        self.replier = XReplier(settings, self.base_url)

    def normalise(self, document: Any, *, endpoint: str | None = None) -> list[Item]:
        if isinstance(document, list):
            return [item for element in document for item in self.normalise(element, endpoint=endpoint)]
        if isinstance(document, Mapping) and ARCHIVE_KEY in document:
            return normalise_archive(document)
        if is_v2_document(document):
            assert isinstance(document, Mapping)
            return normalise_v2(document, endpoint=endpoint)
        if document is None or isinstance(document, bool | int | float | str):
            return []
        raise InputError("not an X payload: expected an API v2 response page, a tweet, or an archive file")

    def read_export(self, path: Path) -> Iterator[Any]:
        return _read_export(path)

    def reply_ready(self) -> bool:
        return self.replier.ready()

    def reply(
        self, target: ReplyTarget, text: str, client: HttpClient, *, key: str | None = None
    ) -> SentReply:
        return self.replier.send(target, text, client)

    def fetch(self, query: Query, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        if query.kind == "account_export":
            return self._account_export(query, cursor)
        return search_pages(
            query,
            cursor,
            client,
            settings=self.settings,
            base_url=self.base_url,
            pricing=self.pricing,
            backfill_days=self.backfill_days,
        )

    def _account_export(self, query: Query, cursor: Cursor | None) -> Iterator[Page]:
        """An archive on disk as a query: no request, no cost; read again only when the file changed."""
        path = Path(query.value).expanduser()
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            raise InputError(
                f"x: the account archive {query.value!r} is not there; fix the query's value."
            ) from None
        if cursor is not None and cursor.get("mtime_ns") == stamp:
            yield Page([], dict(cursor), endpoint=str(path))
            return
        items = [item for document in _read_export(path) for item in self.normalise(document)]
        yield Page(items, {"mtime_ns": stamp}, endpoint=str(path))


def _read_export(path: Path) -> Iterator[Any]:
    """Archive files by content; otherwise one JSON body or JSON Lines, a cut last line skipped."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from None
    if head.startswith(b"PK") or is_archive_text(head.decode("utf-8", errors="replace")):
        yield from read_archive(path)
        return
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    try:
        yield load_json(text)
        return
    except json.JSONDecodeError:
        pass
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield load_json(line)
        except json.JSONDecodeError as exc:
            if number == len(lines):
                return  # a stream cut mid-line (a dropped connection): the rest is intact
            raise InputError(
                f"{path}:{number}: not JSON ({exc.msg}); give the API's own response body."
            ) from None
