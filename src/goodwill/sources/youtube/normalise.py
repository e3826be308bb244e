"""YouTube payloads to posts: comment threads, replies, videos, and the keyless channel feed.

Pure functions over what the Data API v3 returns
(``youtube#commentThreadListResponse``, ``youtube#commentListResponse``,
``youtube#searchListResponse``, ``youtube#videoListResponse``, single resources)
and over a channel's Atom feed text.

* A comment's id is its post id; a reply's id is ``<thread id>.<reply id>``. The
  thread (the top-level comment) is the conversation; a reply's ``parentId`` is
  the comment it answers.
* Text is ``textOriginal`` when the API gives it (only guaranteed to the comment's
  author), else the HTML ``textDisplay`` made plain.
* A video is a post too (its title and description), keyed by its video id: the
  channel said something in public.
* Private threads (``isPublic: false``) are skipped: goodwill listens to public posts.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from goodwill.errors import InputError
from goodwill.models import Author, Post
from goodwill.sources.html_text import html_to_text
from goodwill.sources.source import Item

__all__ = ["NETWORK", "normalise_document", "normalise_feed"]

NETWORK = "youtube"
_ID = re.compile(r"[\w.-]{1,120}", re.ASCII)
_NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "yt": "http://www.youtube.com/xml/schemas/2015",
    "media": "http://search.yahoo.com/mrss/",
}
_LIST_KINDS = frozenset(
    {
        "youtube#commentThreadListResponse",
        "youtube#commentListResponse",
        "youtube#searchListResponse",
        "youtube#videoListResponse",
    }
)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _sequence(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else []


def _ident(value: Any) -> str | None:
    return value if isinstance(value, str) and _ID.fullmatch(value) else None


def _when(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _author(display: Any, channel_id: Any) -> Author | None:
    """YouTube shows ``@handle`` display names today; older names are free text."""
    name = _string(display)
    handle = name[1:] if name and name.startswith("@") and " " not in name else None
    author = Author(handle=handle, name=name, native_id=_ident(channel_id))
    return None if author == Author() else author


def watch_url(video_id: str | None, comment_id: str | None = None) -> str | None:
    if video_id is None:
        return None
    return f"https://www.youtube.com/watch?v={video_id}" + (f"&lc={comment_id}" if comment_id else "")


def _comment_post(comment: Mapping[str, Any], *, thread_id: str | None, video_id: str | None) -> Post | None:
    native_id = _ident(comment.get("id"))
    snippet = _mapping(comment.get("snippet"))
    if native_id is None:
        return None
    original, display = snippet.get("textOriginal"), snippet.get("textDisplay")
    if isinstance(original, str) and original:
        text = original
    elif isinstance(display, str):
        text = html_to_text(display)
    else:
        return None
    parent = _ident(snippet.get("parentId"))
    video = _ident(snippet.get("videoId")) or video_id
    return Post(
        network=NETWORK,
        native_id=native_id,
        text=text,
        author=_author(
            snippet.get("authorDisplayName"), _mapping(snippet.get("authorChannelId")).get("value")
        ),
        created_at=_when(snippet.get("publishedAt")),
        reply_to=parent,
        conversation_id=parent or thread_id or native_id,
        url=watch_url(video, native_id),
    )


def _thread_items(thread: Mapping[str, Any]) -> list[Item]:
    snippet = _mapping(thread.get("snippet"))
    if snippet.get("isPublic") is False:
        return []
    thread_id = _ident(thread.get("id"))
    video = _ident(snippet.get("videoId"))
    out: list[Item] = []
    top = _mapping(snippet.get("topLevelComment"))
    post = _comment_post(top, thread_id=thread_id, video_id=video) if top else None
    if post is not None:
        out.append(Item(post=post, raw={k: v for k, v in thread.items() if k != "replies"}))
    for reply in _sequence(_mapping(thread.get("replies")).get("comments")):
        if isinstance(reply, Mapping):
            found = _comment_post(reply, thread_id=thread_id, video_id=video)
            if found is not None:
                out.append(Item(post=found, raw=reply))
    return out


def _video_post(resource: Mapping[str, Any]) -> Post | None:
    raw_id = resource.get("id")
    video_id = _ident(_mapping(raw_id).get("videoId")) if isinstance(raw_id, Mapping) else _ident(raw_id)
    if video_id is None:
        return None
    snippet = _mapping(resource.get("snippet"))
    title = _string(snippet.get("title"))
    description = _string(snippet.get("description"))
    text = "\n\n".join(html.unescape(p).strip() for p in (title, description) if p)
    if not text:
        return None
    return Post(
        network=NETWORK,
        native_id=video_id,
        text=text,
        author=_author(snippet.get("channelTitle"), snippet.get("channelId")),
        created_at=_when(snippet.get("publishedAt")),
        conversation_id=video_id,
        url=watch_url(video_id),
        lang=_string(snippet.get("defaultLanguage")) or _string(snippet.get("defaultAudioLanguage")),
    )


def _resource_items(resource: Mapping[str, Any]) -> list[Item]:
    kind = resource.get("kind")
    if kind == "youtube#commentThread":
        return _thread_items(resource)
    if kind == "youtube#comment":
        post = _comment_post(resource, thread_id=None, video_id=None)
        return [Item(post=post, raw=resource)] if post else []
    if kind in ("youtube#video", "youtube#searchResult"):
        id_field = resource.get("id")
        if isinstance(id_field, Mapping) and id_field.get("kind") not in (None, "youtube#video"):
            return []  # a channel or playlist search result: no words of its own
        post = _video_post(resource)
        return [Item(post=post, raw=resource)] if post else []
    return []


def normalise_document(document: Any) -> list[Item]:
    """Every post in one YouTube Data API payload (a list response or a single resource)."""
    if document is None or isinstance(document, bool | int | float):
        return []
    if isinstance(document, str):
        return normalise_feed(document) if document.lstrip().startswith("<") else []
    if isinstance(document, list):
        return [item for element in document for item in normalise_document(element)]
    if not isinstance(document, Mapping):
        raise InputError(f"not a YouTube payload: a {type(document).__name__}")
    kind = document.get("kind")
    if kind is not None and not isinstance(kind, str):
        raise InputError("not a YouTube payload: its 'kind' is not a string")
    if kind in _LIST_KINDS or (kind is None and isinstance(document.get("items"), list)):
        out: list[Item] = []
        for resource in _sequence(document.get("items")):
            if isinstance(resource, Mapping):
                out.extend(_resource_items(resource))
        return out
    if isinstance(kind, str) and kind.startswith("youtube#"):
        return _resource_items(document)
    if isinstance(document.get("error"), Mapping):
        return []  # an error envelope saved to a file: no posts
    raise InputError("not a YouTube payload: expected a Data API v3 response (kind 'youtube#...')")


def _text(element: ET.Element, path: str) -> str | None:
    found = element.find(path, _NS)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def normalise_feed(text: str) -> list[Item]:
    """The videos in a channel's Atom feed (``/feeds/videos.xml?channel_id=...``), as posts."""
    try:
        # lone surrogates (undecodable bytes read leniently) cannot reach expat: they become "?"
        root = ET.fromstring(text.lstrip().encode("utf-8", "replace").decode("utf-8"))
    except ET.ParseError as exc:
        raise InputError(f"not a YouTube channel feed: the XML does not parse ({exc}).") from None
    out: list[Item] = []
    for entry in root.findall("atom:entry", _NS):
        raw = {
            "videoId": _text(entry, "yt:videoId"),
            "channelId": _text(entry, "yt:channelId"),
            "title": _text(entry, "atom:title"),
            "description": _text(entry, "media:group/media:description"),
            "author": _text(entry, "atom:author/atom:name"),
            "published": _text(entry, "atom:published"),
            "updated": _text(entry, "atom:updated"),
        }
        video_id = _ident(raw["videoId"])
        words = "\n\n".join(p for p in (raw["title"], raw["description"]) if p)
        if video_id is None or not words:
            continue
        post = Post(
            network=NETWORK,
            native_id=video_id,
            text=words,
            author=_author(raw["author"], raw["channelId"]),
            created_at=_when(raw["published"]),
            conversation_id=video_id,
            url=watch_url(video_id),
        )
        out.append(Item(post=post, raw={k: v for k, v in raw.items() if v is not None}))
    return out
