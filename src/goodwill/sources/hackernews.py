"""Hacker News: Firebase items for threads and story lists, Algolia for search.

The reference source: every other network follows its shape (see
docs/sources/README.md). HN needs no credentials and states no rate limit, so
everything here is free; the HTTP layer still backs off on 429/5xx.

Query kinds:

* ``search``: words, through Algolia ``search_by_date`` (stories and comments),
  walked newest-first with a keyset on ``created_at_i`` (not by page number,
  so new posts arriving mid-walk never open a gap, and Algolia's 1,000-hit page
  cap does not apply; only a page that falls within one second is stepped
  through by page number). The cursor holds the last completed pass's newest time.
* ``thread``: an item id; the story and every comment under it, breadth first,
  the ids still to fetch kept in the cursor.
* ``stories``: ``new``, ``top``, ``best``, ``ask``, ``show`` or ``job``; the
  listed items newer than the last one stored.

Deleted items come back from Firebase as ``{"id", "deleted": true, ...}``
without text; killed ones carry ``dead: true``. Both become tombstones: the
author or HN's moderators took the words down.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from goodwill.errors import GoneError, InputError
from goodwill.json_input import load_json
from goodwill.models import Author, Post
from goodwill.sources.html_text import html_to_text
from goodwill.sources.http import HttpClient
from goodwill.sources.source import (
    Capability,
    Cursor,
    Item,
    Page,
    Query,
    SourceSettings,
    read_json_documents,
    tombstone,
)

__all__ = ["HackerNewsSource"]

NETWORK = "hackernews"
FIREBASE_URL = "https://hacker-news.firebaseio.com/v0"
ALGOLIA_URL = "https://hn.algolia.com/api/v1"
ITEM_URL = "https://news.ycombinator.com/item?id={}"
_STORY_LISTS = frozenset({"new", "top", "best", "ask", "show", "job"})
_STORY_TYPES = frozenset({"story", "job", "poll"})
_ALGOLIA_TYPES = ("comment", "story", "poll", "pollopt", "job")
_INT = re.compile(r"[0-9]{1,20}")  # ASCII and bounded: int() refuses 4,301 digits
_DAY = 86_400.0


def _when(seconds: Any) -> datetime | None:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):  # NaN, or a time far outside years 1..9999
        return None


def _iso(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _ident(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return value.strip()
    return None


def _join(title: Any, body: Any) -> str | None:
    """A story's title (plain text) and its HTML body, as one text."""
    parts = []
    if isinstance(title, str) and title.strip():
        parts.append(title.strip())
    if isinstance(body, str) and body.strip():
        parts.append(html_to_text(body))
    return "\n\n".join(p for p in parts if p) or None


def _author(handle: Any) -> Author | None:
    return Author(handle=handle) if isinstance(handle, str) and handle else None


def firebase_post(item: Mapping[str, Any]) -> Post | None:
    """One Firebase item (story, comment, job, poll, pollopt) as a Post; None when unusable."""
    native_id = _ident(item.get("id"))
    if native_id is None:
        return None
    if item.get("deleted") is True or item.get("dead") is True:
        return tombstone(NETWORK, native_id)
    kind = item.get("type") if isinstance(item.get("type"), str) else None
    text: str | None
    reply_to: str | None
    conversation: str | None
    if kind in _STORY_TYPES:
        text = _join(item.get("title"), item.get("text"))
        reply_to, conversation = None, native_id
    elif kind in ("comment", "pollopt"):
        raw_text = item.get("text")
        text = html_to_text(raw_text) if isinstance(raw_text, str) else None
        reply_to = _ident(item.get("parent") if kind == "comment" else item.get("poll"))
        conversation = _ident(item.get("poll")) if kind == "pollopt" else None
    else:
        return None
    if text is None:
        return None
    return Post(
        network=NETWORK,
        native_id=native_id,
        text=text,
        author=_author(item.get("by")),
        created_at=_when(item.get("time")),
        reply_to=reply_to,
        conversation_id=conversation,
        url=ITEM_URL.format(native_id),
    )


def algolia_post(hit: Mapping[str, Any]) -> Post | None:
    """One Algolia search hit or items-API node as a Post; None when unusable."""
    native_id = _ident(hit.get("objectID")) or _ident(hit.get("id"))
    if native_id is None:
        return None
    raw_tags = hit.get("_tags")
    tags: list[Any] = raw_tags if isinstance(raw_tags, list) else []
    given = hit.get("type")
    kind = given if isinstance(given, str) and given else next((t for t in _ALGOLIA_TYPES if t in tags), None)
    body = hit.get("comment_text") or hit.get("story_text") or hit.get("text")
    if kind == "comment":
        text = html_to_text(body) if isinstance(body, str) else None
        reply_to = _ident(hit.get("parent_id"))
        conversation = _ident(hit.get("story_id"))
    else:
        text = _join(hit.get("title"), body)
        reply_to = _ident(hit.get("parent_id")) if kind == "pollopt" else None
        conversation = _ident(hit.get("story_id")) or native_id
    if text is None:
        return None
    return Post(
        network=NETWORK,
        native_id=native_id,
        text=text,
        author=_author(hit.get("author")),
        created_at=_iso(hit.get("created_at")) or _when(hit.get("created_at_i")),
        reply_to=reply_to,
        conversation_id=conversation,
        url=ITEM_URL.format(native_id),
    )


def _algolia_tree(root: Mapping[str, Any], out: list[Item]) -> None:
    """The items API nests replies in ``children``; each node is kept without its children.

    Walked with a stack, not recursion: a thread thousands of replies deep must not overflow.
    """
    stack = [root]
    while stack:
        node = stack.pop()
        raw = {k: v for k, v in node.items() if k != "children"}
        post = algolia_post(raw)
        if post is not None:
            out.append(Item(post=post, raw=raw))
        children = node.get("children")
        if isinstance(children, list):  # anything else (a number, a string) has no replies to walk
            stack.extend(reversed([c for c in children if isinstance(c, Mapping)]))


def normalise_document(document: Any) -> list[Item]:
    """Every post in one HN payload: a Firebase item, an Algolia search page or item tree, or a list."""
    out: list[Item] = []
    if document is None or isinstance(document, bool | int | float | str):
        return out  # maxitem, a missing item (null), a bare id
    if isinstance(document, list):
        pending = list(reversed(document))  # nested lists flattened with a stack, at any depth
        while pending:
            element = pending.pop()
            if isinstance(element, list):
                pending.extend(reversed(element))
            else:
                out.extend(normalise_document(element))
        return out
    if not isinstance(document, Mapping):
        raise InputError(f"not a Hacker News payload: a {type(document).__name__}")
    if isinstance(document.get("hits"), list):
        for hit in document["hits"]:
            if isinstance(hit, Mapping) and (post := algolia_post(hit)) is not None:
                out.append(Item(post=post, raw=hit))
        return out
    if "children" in document or "created_at" in document or "objectID" in document:
        _algolia_tree(document, out)
        return out
    if "items" in document and "profiles" in document:
        return out  # /v0/updates: ids only
    if "karma" in document or "submitted" in document:
        return out  # a user profile, not a post
    if "id" in document and ("type" in document or "deleted" in document or "time" in document):
        post = firebase_post(document)
        if post is not None:
            out.append(Item(post=post, raw=document))
        return out
    raise InputError(
        "not a Hacker News payload: expected a Firebase item, an Algolia search response or item tree"
    )


def id_list(text: str) -> list[int]:
    """The ids of a story list; lenient about elisions such as the API docs' ``[1, 2, ..., 9]``."""
    try:
        data = load_json(text)
    except ValueError:
        return [int(m) for m in _INT.findall(text)]
    return (
        [int(v) for v in data if isinstance(v, int) and not isinstance(v, bool)]
        if isinstance(data, list)
        else []
    )


class HackerNewsSource:
    """Hacker News, read-only (HN has no reply API)."""

    name = NETWORK
    capabilities = frozenset({Capability.SEARCH, Capability.THREAD})
    stream_kinds: frozenset[str] = frozenset()
    kinds: Mapping[str, str] = {
        "search": "words to find in stories and comments (Algolia search_by_date)",
        "thread": "a story or comment id: it and every reply under it",
        "stories": "new, top, best, ask, show or job: the listed items not seen yet",
    }

    def __init__(self, settings: SourceSettings) -> None:
        self.settings = settings
        self.firebase_url = (settings.base_url or FIREBASE_URL).rstrip("/")
        self.search_url = str(settings.options.get("search_url", ALGOLIA_URL)).rstrip("/")
        self.page_size = int(settings.options.get("page_size", 100))
        self.items_per_page = int(settings.options.get("items_per_page", 20))
        self.backfill_days = float(settings.options.get("backfill_days", 7))

    def normalise(self, document: Any, *, endpoint: str | None = None) -> list[Item]:
        return normalise_document(document)

    def read_export(self, path: Path) -> Iterator[Any]:
        return read_json_documents(path)

    def fetch(self, query: Query, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        if query.kind == "search":
            return self._search(query, cursor, client)
        if query.kind == "thread":
            return self._thread(query, cursor, client)
        if query.kind == "stories":
            return self._stories(query, cursor, client)
        raise InputError(
            f"hackernews: unknown query kind {query.kind!r}; use one of {', '.join(self.kinds)}."
        )

    # -- search -------------------------------------------------------------------------------

    def _search(self, query: Query, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        state = dict(cursor or {})
        since = int(state.get("since") or client.clock() - self.backfill_days * _DAY)
        top: int | None = state.get("pass_top")
        upper: int | None = state.get("upper")
        page = int(state.get("page") or 0)
        tags = query.params.get("tags", "(story,comment)")
        url = f"{self.search_url}/search_by_date"
        while True:
            filters = f"created_at_i>{since}" + (f",created_at_i<={upper}" if upper is not None else "")
            params: dict[str, str | int] = {
                "query": query.value,
                "tags": tags,
                "numericFilters": filters,
                "hitsPerPage": self.page_size,
            }
            if page:
                params["page"] = page
            response = client.get(url, params=params, what=f"the search {query.value!r}")
            document = load_json(response.content)
            items = self.normalise(document)
            hits = [h for h in document.get("hits", []) if isinstance(h, Mapping)]
            times = [int(h["created_at_i"]) for h in hits if isinstance(h.get("created_at_i"), int)]
            if top is None:
                top = max(times, default=since)
            if "nbPages" in document:
                more = int(document["nbPages"]) > page + 1
            else:
                more = len(hits) >= self.page_size
            if not (more and times):
                yield Page(items, {"since": max(top, since)}, endpoint=str(response.url))
                return
            lowest = min(times)
            if upper is None or lowest < upper:
                upper, page = lowest, 0
            else:  # a whole page within one second: step through that second by page number
                page += 1
            state = {"since": since, "pass_top": top, "upper": upper} | ({"page": page} if page else {})
            yield Page(items, state, endpoint=str(response.url))

    # -- threads ------------------------------------------------------------------------------

    def _item(self, client: HttpClient, item_id: int) -> tuple[Any, str]:
        response = client.get(f"{self.firebase_url}/item/{item_id}.json", what=f"item {item_id}")
        return load_json(response.content), str(response.url)

    def _thread(self, query: Query, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        root = _ident(query.value.strip())
        if root is None:
            raise InputError(f"hackernews: a thread query needs an item id, not {query.value!r}.")
        pending: list[int] = list((cursor or {}).get("pending") or [int(root)])
        first = not (cursor or {}).get("pending")
        while pending:
            batch, pending = pending[: self.items_per_page], pending[self.items_per_page :]
            items: list[Item] = []
            endpoint = None
            for item_id in batch:
                document, endpoint = self._item(client, item_id)
                if document is None and first and item_id == int(root):
                    raise GoneError(f"hackernews: item {root} no longer exists; remove the thread query.")
                items.extend(self.normalise(document))
                if isinstance(document, Mapping):
                    kids = document.get("kids")
                    if isinstance(kids, list):  # a number or a string has no replies to fetch
                        pending.extend(k for k in kids if isinstance(k, int))
            first = False
            yield Page(items, {"pending": pending}, endpoint=endpoint)

    # -- story lists --------------------------------------------------------------------------

    def _stories(self, query: Query, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        which = query.value.strip().lower()
        if which not in _STORY_LISTS:
            raise InputError(
                f"hackernews: unknown story list {query.value!r}; use one of {sorted(_STORY_LISTS)}."
            )
        listed = client.get(f"{self.firebase_url}/{which}stories.json", what=f"the {which} stories list")
        seen = int((cursor or {}).get("max_id") or 0)
        fresh: Sequence[int] = sorted(i for i in id_list(listed.text) if i > seen)
        if not fresh:
            yield Page([], {"max_id": seen}, endpoint=str(listed.url))
            return
        for start in range(0, len(fresh), self.items_per_page):
            batch = fresh[start : start + self.items_per_page]
            items: list[Item] = []
            endpoint = None
            for item_id in batch:
                document, endpoint = self._item(client, item_id)
                items.extend(self.normalise(document))
            yield Page(items, {"max_id": batch[-1]}, endpoint=endpoint)
