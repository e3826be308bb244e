"""Reddit "things" (``t1`` comments, ``t3`` submissions) to posts: the pure half of the source.

Reddit wraps everything in ``{"kind", "data"}``: a ``Listing`` holds ``children``;
a comments page is ``[Listing(t3), Listing(t1 tree)]`` whose comments nest their
answers in ``replies`` (a Listing, or ``""`` when there are none); ``/api/morechildren``
answers ``{"json": {"errors", "data": {"things": [...]}}}``; ``more`` stubs stand for
comments not sent yet. Dumps written by other tools (Pushshift, PRAW scripts) often
hold the bare ``data`` objects one per line; those are read too.

Native ids are *fullnames* (``t1_abc``, ``t3_xyz``): Reddit's own ``parent_id`` and
``link_id`` use them, so ``reply_to`` and ``conversation_id`` need no translation.

Deleted and removed posts are both tombstones (their words are no longer public),
but the reason stays in the raw item kept with the tombstone: ``body`` /
``selftext`` is ``"[deleted]"`` when the author deleted it and ``"[removed]"``
when moderators (or Reddit) removed it, and ``removed_by_category`` is kept
where Reddit sends it. The tombstone's raw keeps those markers and the ids but
drops every field holding words (title, HTML bodies, media).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from goodwill.errors import InputError
from goodwill.models import Author, Post
from goodwill.sources.source import Item, tombstone

__all__ = [
    "NETWORK",
    "MoreStub",
    "fullname",
    "more_stubs",
    "normalise_document",
    "removal",
    "thing_post",
]

NETWORK = "reddit"
SITE = "https://www.reddit.com"
DELETED = "[deleted]"
REMOVED = "[removed]"
_AUTHOR_CATEGORIES = frozenset({"deleted", "author"})
#: fields that carry the author's words; a tombstone's raw goes without them
_WORDS = frozenset(
    {
        "title",
        "selftext",
        "selftext_html",
        "body",
        "body_html",
        "media",
        "media_embed",
        "secure_media",
        "secure_media_embed",
        "media_metadata",
        "preview",
        "crosspost_parent_list",
        "poll_data",
        "gallery_data",
    }
)


@dataclass(frozen=True)
class MoreStub:
    """Comments not sent yet: ``children`` ids for /api/morechildren, or none for "continue this thread"."""

    parent_id: str
    children: tuple[str, ...]
    count: int

    @property
    def continue_thread(self) -> bool:
        return not self.children


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _when(seconds: Any) -> datetime | None:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        if isinstance(seconds, str):
            try:
                seconds = float(seconds)
            except ValueError:
                return None
        else:
            return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _kind_of(data: Mapping[str, Any], kind: Any) -> str | None:
    """``t1`` or ``t3``: from the wrapper's kind, the fullname, or (bare dumps) the fields present."""
    if kind in ("t1", "t3"):
        return str(kind)
    name = data.get("name")
    if isinstance(name, str) and name[:3] in ("t1_", "t3_"):
        return name[:2]
    if kind is not None:
        return None
    if isinstance(data.get("body"), str):
        return "t1"
    if isinstance(data.get("title"), str):
        return "t3"
    return None


def fullname(data: Mapping[str, Any], kind: str) -> str | None:
    """``t1_abc``: Reddit's ``name``, else the kind and the base-36 ``id``."""
    name = data.get("name")
    if isinstance(name, str) and name.startswith(kind + "_") and len(name) > 3:
        return name
    ident = data.get("id")
    if isinstance(ident, str) and ident.strip() and ident.isalnum():
        return f"{kind}_{ident.strip().lower()}"
    return None


def removal(data: Mapping[str, Any], kind: str) -> str | None:
    """``"author"`` (deleted by its author), ``"moderator"`` (removed), or None (still up)."""
    category = data.get("removed_by_category")
    if isinstance(category, str) and category:
        return "author" if category in _AUTHOR_CATEGORIES else "moderator"
    body = data.get("body") if kind == "t1" else data.get("selftext")
    if body == REMOVED:
        return "moderator"
    if body == DELETED:
        # a t1 "[deleted]" is the author's doing; so is a self post whose author is gone too
        return "author" if kind == "t1" or data.get("author") == DELETED else "moderator"
    return None


def _author(data: Mapping[str, Any]) -> Author | None:
    handle = data.get("author")
    if not isinstance(handle, str) or not handle or handle == DELETED:
        return None
    author_id = data.get("author_fullname")
    return Author(handle=handle, native_id=author_id if isinstance(author_id, str) and author_id else None)


def _url(data: Mapping[str, Any], kind: str, native_id: str) -> str | None:
    """The post's permalink; comments from /api/info and /comments listings of old lack it."""
    link = data.get("permalink")
    if isinstance(link, str) and link.startswith("/"):
        return SITE + link
    if isinstance(link, str) and link.startswith("https://"):
        return link
    article = _prefixed(data.get("link_id"), "t3") if kind == "t1" else native_id
    if article is None or not article[3:].isalnum():
        return None
    tail = f"_/{native_id[3:]}/" if kind == "t1" else ""
    return f"{SITE}/comments/{article[3:]}/{tail}"


def _prefixed(value: Any, kind: str) -> str | None:
    """``link_id`` / ``parent_id`` as a fullname (dumps sometimes hold bare ids)."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    return value if value[:3] in ("t1_", "t3_") else f"{kind}_{value}"


def thing_post(data: Mapping[str, Any], kind: str | None = None) -> Post | None:
    """One comment or submission as a Post (a tombstone when deleted or removed); None if unusable."""
    kind = _kind_of(data, kind)
    if kind is None:
        return None
    native_id = fullname(data, kind)
    if native_id is None:
        return None
    if removal(data, kind) is not None:
        return tombstone(NETWORK, native_id)
    if kind == "t1":
        text = _text(data.get("body"))
        reply_to = _prefixed(data.get("parent_id"), "t3")
        conversation = _prefixed(data.get("link_id"), "t3")
    else:
        title = (_text(data.get("title")) or "").strip()
        body = (_text(data.get("selftext")) or "").strip()
        text = "\n\n".join(p for p in (title, body) if p) or None
        reply_to, conversation = None, native_id
    if text is None or not text.strip():
        return None
    return Post(
        network=NETWORK,
        native_id=native_id,
        text=text,
        author=_author(data),
        created_at=_when(data.get("created_utc")) or _when(data.get("created")),
        reply_to=reply_to,
        conversation_id=conversation,
        url=_url(data, kind, native_id),
    )


def _raw(thing: Mapping[str, Any], data: Mapping[str, Any], post: Post) -> Mapping[str, Any]:
    """The thing as it came, without its nested replies; a tombstone's without its words."""
    kept = {k: v for k, v in data.items() if k != "replies"}
    if post.deleted:
        kept = {
            k: v
            for k, v in kept.items()
            if k not in _WORDS or (k in ("body", "selftext") and v in (DELETED, REMOVED))
        }
    return {"kind": thing["kind"], "data": kept} if data is not thing else kept


def _things(document: Any) -> Iterator[Mapping[str, Any]]:
    """Every ``{"kind", "data"}`` thing (or bare data dict) in a document, depth first, replies included."""
    if isinstance(document, list):
        for element in document:
            yield from _things(element)
        return
    if not isinstance(document, Mapping):
        return
    kind = document.get("kind")
    data = document.get("data")
    if kind == "Listing" and isinstance(data, Mapping):
        yield from _things(data.get("children"))
        return
    if isinstance(kind, str) and isinstance(data, Mapping):
        yield document
        replies = data.get("replies")
        if isinstance(replies, Mapping):
            yield from _things(replies)
        return
    inner = document.get("json")
    if isinstance(inner, Mapping) and isinstance(inner.get("data"), Mapping):
        yield from _things(inner["data"].get("things"))
        return
    if kind is None and "id" in document:
        yield document


def _is_reddit(document: Any) -> bool:
    if isinstance(document, list):
        return all(_is_reddit(e) for e in document)
    if not isinstance(document, Mapping):
        return False
    if document.get("kind") in ("Listing", "t1", "t3", "t5", "more", "t2", "t4") or "json" in document:
        return True
    if isinstance(document.get("error"), int) or document.get("reason") or "access_token" in document:
        return True  # an error body or a token: Reddit's, holding no posts
    return "id" in document and any(k in document for k in ("body", "selftext", "subreddit", "title"))


def normalise_document(document: Any) -> list[Item]:
    """Every post in one Reddit payload: a Listing, a comments page, a morechildren answer, a thing."""
    if not _is_reddit(document):
        raise InputError(
            "not a Reddit payload: expected a Listing, a comments page ([Listing, Listing]), "
            "a /api/morechildren answer or a comment/submission object"
        )
    out: list[Item] = []
    for thing in _things(document):
        data = thing.get("data") if "kind" in thing and isinstance(thing.get("data"), Mapping) else thing
        assert isinstance(data, Mapping)
        kind = thing.get("kind") if data is not thing else None
        if kind not in (None, "t1", "t3"):
            continue
        post = thing_post(data, kind)
        if post is not None:
            out.append(Item(post=post, raw=_raw(thing, data, post)))
    return out


def more_stubs(document: Any) -> list[MoreStub]:
    """The ``more`` stubs of a comments page or morechildren answer, in the order Reddit sent them."""
    out: list[MoreStub] = []
    for thing in _things(document):
        if thing.get("kind") != "more":
            continue
        data = thing["data"]
        parent = data.get("parent_id")
        children = data.get("children")
        count = data.get("count")
        if not isinstance(parent, str) or not parent:
            continue
        ids = tuple(c for c in children if isinstance(c, str) and c) if isinstance(children, list) else ()
        out.append(
            MoreStub(parent, ids, count if isinstance(count, int) and not isinstance(count, bool) else 0)
        )
    return out
