"""RSS, Atom and JSON Feed: any feed URL, Google Alerts included, politely polled.

Feeds are parsed by feedparser, which forgives what the web serves: a newline
before ``<?xml``, a missing ``</rss>``, bare ampersands, unterminated CDATA.
Bytes go to it undecoded, so a feed with no encoding declaration (Big5,
EUC-JP, Shift_JIS, windows-1255...) is sniffed (chardet) rather than garbled.
JSON Feed (``version: https://jsonfeed.org/version/1``) is read here directly.

Polling is conditional: the ETag and Last-Modified of the last response are
kept in the query's cursor and sent back (``If-None-Match``,
``If-Modified-Since``); a 304 costs the server nothing and yields no page.
Google Alerts wrap every link in ``https://www.google.com/url?...&url=TARGET``;
the target is what is stored.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from goodwill.errors import InputError, SourceError
from goodwill.json_input import load_json
from goodwill.models import Author, Post
from goodwill.sources.html_text import html_to_text
from goodwill.sources.http import HttpClient
from goodwill.sources.source import Capability, Cursor, Item, Page, Query, SourceSettings

__all__ = ["FeedInfo", "RssSource", "parse_feed", "unwrap_link"]

NETWORK = "rss"
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
#: feedparser costs tens of microseconds per element, linearly: a megabyte of bare tags held a
#: listener for half a minute (found by the fuzz harness). Far above any real feed.
MAX_TAGS = 100_000


def unwrap_link(link: str | None) -> str | None:
    """The target of a Google redirect link (``google.*/url?url=`` or ``?q=``); other links as given."""
    if not link:
        return None
    try:
        parts = urlsplit(link)
    except ValueError:  # "http://[::1": no link a reader could follow
        return None
    host = parts.netloc.lower()
    if parts.path == "/url" and (host.startswith("www.google.") or host.startswith("google.")):
        query = parse_qs(parts.query)
        for key in ("url", "q"):
            target = query.get(key, [""])[0]
            if target.startswith(("http://", "https://")):
                return target
    return link


def _jsonable(value: Any) -> Any:
    """feedparser's result as plain JSON: dicts, lists, strings; parsed time tuples dropped."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items() if not str(k).endswith("_parsed")}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _text(value: Any, kind: str | None) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return html_to_text(value) if (kind or "text/html") in _HTML_TYPES or "<" in value else value.strip()


def _language(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().split("-")[0].split("_")[0].lower()[:16] or None


def _when(parsed: Any) -> datetime | None:
    if isinstance(parsed, time.struct_time):
        try:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
        except (OverflowError, ValueError):
            return None
    return None


def _iso(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _fallback_id(*parts: Any) -> str:
    """A stable id for an entry that has neither a guid nor a link."""
    joined = "\x1f".join(p if isinstance(p, str) else "" for p in parts)
    return "sha256:" + hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]


def _join(title: str | None, body: str | None) -> str | None:
    if title and body and body != title:
        return f"{title}\n\n{body}"
    return title or body


class FeedInfo(dict[str, Any]):
    """The feed's own fields (title, link, language, encoding, bozo, version, every entry's link).

    Entries with no words (a bare link) make no post, but their links are listed here.
    """


def _link(base: str | None, raw: Any) -> str | None:
    """An entry's link made absolute and unwrapped; None when it is no URL at all ("http://[::1")."""
    if not isinstance(raw, str) or not raw:
        return None
    try:
        return unwrap_link(urljoin(base, raw) if base else raw)
    except ValueError:
        return None


def _entry_post(entry: Mapping[str, Any], base: str | None, feed_lang: str | None) -> Post | None:
    title_detail = entry.get("title_detail") or {}
    title = _text(entry.get("title"), title_detail.get("type"))
    summary_detail = entry.get("summary_detail") or {}
    body = _text(entry.get("summary"), summary_detail.get("type"))
    if body is None and entry.get("content"):
        first = entry["content"][0]
        body = _text(first.get("value"), first.get("type"))
    text = _join(title, body)
    if text is None:
        return None
    raw_link = entry.get("link")
    link = _link(base, raw_link)
    native_id = entry.get("id") or link or _fallback_id(title, body, entry.get("published"))
    author = entry.get("author")
    return Post(
        network=NETWORK,
        native_id=str(native_id),
        text=text,
        author=Author(name=author.strip()) if isinstance(author, str) and author.strip() else None,
        created_at=_when(entry.get("published_parsed")) or _when(entry.get("updated_parsed")),
        url=link,
        lang=_language(title_detail.get("language")) or feed_lang,
    )


_FIRST_ELEMENT = re.compile(rb"<\w")
_BLANK_LINES = re.compile(rb"\n\s*")


def _tame_prolog(data: bytes) -> bytes:
    """The feed with each run of blank lines before its first element cut to one newline.

    feedparser looks for DOCTYPE and ENTITY declarations there with ``^\\s*<!ENTITY``
    in multi-line mode, which is quadratic in a run of blank lines: a comment of
    20,000 empty lines took 1.5 s, 200,000 would take minutes (found by the fuzz
    harness). Whitespace between markup in the prolog means nothing, and every
    declaration stays at the start of a line.
    """
    first = _FIRST_ELEMENT.search(data)
    if first is None:
        return data
    return _BLANK_LINES.sub(b"\n", data[: first.start()]) + data[first.start() :]


def parse_feed(
    body: bytes | str, *, base: str | None = None, content_type: str | None = None
) -> tuple[FeedInfo, list[Item]]:
    """Every entry of an RSS/Atom/JSON feed as an Item; ``base`` resolves relative links."""
    # A str from a JSON wrapper may hold lone surrogates (invalid UTF-8): they become U+FFFD, not a crash.
    data = body.encode("utf-8", "replace") if isinstance(body, str) else body
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"{":
        try:
            document = load_json(data.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            document = None
        if isinstance(document, Mapping):
            return json_feed(document, base=base)
    import feedparser  # a feed-only dependency: load it only when a feed is read

    headers: dict[str, str] = {"content-type": "application/xml"}
    if content_type and "charset=" in content_type.lower():
        headers["content-type"] = content_type
    if base and base.startswith(("http://", "https://")):
        headers["content-location"] = base
    if data.count(b"<") > MAX_TAGS:
        raise InputError(
            f"not a feed goodwill reads: more than {MAX_TAGS:,} tags (real feeds hold a few thousand); "
            "ask the publisher for a shorter feed or a paged one."
        )
    try:
        parsed = feedparser.parse(_tame_prolog(data), response_headers=headers)
    except Exception as exc:  # feedparser promises "bozo", never an exception; on odd bytes it breaks it
        raise InputError(
            f"not a feed goodwill can read: the feed parser failed on it ({type(exc).__name__}: {exc})."[:300]
        ) from None
    feed = parsed.get("feed", {})
    info = FeedInfo(
        title=feed.get("title"),
        link=feed.get("link"),
        language=feed.get("language"),
        encoding=parsed.get("encoding"),
        bozo=bool(parsed.get("bozo")),
        version=parsed.get("version") or None,
        links=[e.get("link") for e in parsed.get("entries", [])],
    )
    feed_lang = _language(feed.get("language"))
    items = []
    for entry in parsed.get("entries", []):
        post = _entry_post(entry, base if base and base.startswith("http") else None, feed_lang)
        if post is not None:
            items.append(Item(post=post, raw=_jsonable(entry)))
    return info, items


def json_feed(document: Mapping[str, Any], *, base: str | None = None) -> tuple[FeedInfo, list[Item]]:
    """A JSON Feed (v1/v1.1) document's items."""
    version = document.get("version")
    if not isinstance(version, str) or "jsonfeed.org" not in version:
        raise InputError("not a feed: a JSON document without a jsonfeed.org version")
    feed_lang = _language(document.get("language"))
    listed = document.get("items")
    entries: list[Any] = listed if isinstance(listed, list) else []
    info = FeedInfo(
        title=document.get("title"),
        link=document.get("home_page_url"),
        language=document.get("language"),
        encoding="utf-8",
        bozo=False,
        version=version,
        links=[i.get("url") for i in entries if isinstance(i, Mapping)],
    )
    items = []
    for raw in entries:
        if not isinstance(raw, Mapping):
            continue
        title = _text(raw.get("title"), "text")
        body = _text(raw.get("content_text"), "text") or _text(raw.get("content_html"), "text/html")
        body = body or _text(raw.get("summary"), "text")
        text = _join(title, body)
        url = _link(base, raw.get("url"))
        native = raw.get("id")
        if text is None or (native is None and url is None):
            continue
        listed_authors = raw.get("authors")
        authors = listed_authors if isinstance(listed_authors, list) else []
        authors = authors or ([raw["author"]] if isinstance(raw.get("author"), Mapping) else [])
        name = next((a.get("name") for a in authors if isinstance(a, Mapping) and a.get("name")), None)
        post = Post(
            network=NETWORK,
            native_id=str(native if native is not None else url),
            text=text,
            author=Author(name=name) if isinstance(name, str) else None,
            created_at=_iso(raw.get("date_published")) or _iso(raw.get("date_modified")),
            url=url,
            lang=_language(raw.get("language")) or feed_lang,
        )
        items.append(Item(post=post, raw=raw))
    return info, items


class RssSource:
    """Feeds: RSS 0.9x-2.0, RDF, Atom 0.3/1.0 and JSON Feed, by URL."""

    name = NETWORK
    capabilities = frozenset({Capability.SEARCH})
    stream_kinds: frozenset[str] = frozenset()
    kinds: Mapping[str, str] = {"feed": "a feed URL (RSS, Atom, JSON Feed; a Google Alerts feed is a search)"}

    def __init__(self, settings: SourceSettings) -> None:
        self.settings = settings

    def normalise(self, document: Any, *, endpoint: str | None = None) -> list[Item]:
        if isinstance(document, Mapping):
            return json_feed(document, base=endpoint)[1]
        if not isinstance(document, bytes | str):
            raise InputError(f"not a feed: a {type(document).__name__}, not the feed's text")
        return parse_feed(document, base=endpoint)[1]

    def read_export(self, path: Path) -> Iterator[Any]:
        try:
            yield path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror}).") from None

    def fetch(self, query: Query, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        if query.kind != "feed":
            raise InputError(f"rss: unknown query kind {query.kind!r}; use feed.")
        url = query.value.strip()
        if not url.startswith(("http://", "https://")):
            raise InputError(f"rss: {url!r} is not a feed URL (http:// or https://).")
        state = dict(cursor or {})
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = str(state["etag"])
        if state.get("last_modified"):
            headers["If-Modified-Since"] = str(state["last_modified"])
        response = client.get(url, headers=headers, what=f"the feed {url}", accept=[304])
        if response.status_code == 304:
            yield Page([], state or None, endpoint=str(response.url))
            return
        content_type = response.headers.get("content-type")
        info, items = parse_feed(response.content, base=str(response.url), content_type=content_type)
        if not items and not info["version"]:
            raise SourceError(
                f"rss: {client.redact(url)} did not return a feed (got {content_type or 'no content type'}); "
                "check the URL, or find the page's feed link (<link rel=alternate>)."
            )
        fresh = {
            "etag": response.headers.get("etag"),
            "last_modified": response.headers.get("last-modified"),
        }
        yield Page(items, {k: v for k, v in fresh.items() if v}, endpoint=str(response.url))
