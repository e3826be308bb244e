"""Bluesky payloads to posts: the pure half of the source.

A post is identified by its AT URI (``at://DID/app.bsky.feed.post/RKEY``), the same
from every host and in the firehose, so the AppView's views, raw repo records and
Jetstream events all land on the same stored post. ``reply_to`` and
``conversation_id`` are the record's ``reply.parent`` and ``reply.root`` URIs.

Shapes read:

* AppView views: ``searchPosts``/``getPosts``/``getQuotes`` (``posts``),
  ``getAuthorFeed``/``getTimeline``/``getFeed`` (``feed`` of ``{post, reply, reason}``:
  a repost is stored as the original post; hydrated reply parents and roots are
  posts too), ``getPostThread`` (``thread``, parents and replies walked);
* repo records: ``listRecords`` (``records``) and ``getRecord`` (``{uri, cid, value}``);
* Jetstream v1 events (``kind: commit`` creates and updates of
  ``app.bsky.feed.post`` are posts, deletes are tombstones; identity and account
  events and other collections hold no posts);
* relay ``#commit`` messages: as raw frame bytes they are decoded by
  :mod:`goodwill.sources.bluesky.relay`; as DAG-JSON their records stay CBOR inside
  ``blocks``, but a post's ``delete`` op needs no record: it is a tombstone.

``notFoundPost`` and ``blockedPost`` stubs are skipped, never tombstoned: the AppView
also says "not found" for posts it cannot show right now, and a tombstone is final.
Quoted posts in a view's embed (``app.bsky.embed.record#viewRecord``) are posts too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from goodwill.errors import InputError
from goodwill.models import Author, Post
from goodwill.sources.bluesky.facets import text_with_links
from goodwill.sources.source import Item, tombstone

__all__ = [
    "NETWORK",
    "POST_COLLECTION",
    "jetstream_items",
    "normalise_document",
    "parse_at_uri",
    "record_post",
]

NETWORK = "bluesky"
POST_COLLECTION = "app.bsky.feed.post"
_VIEW_RECORD = "app.bsky.embed.record#viewRecord"
_STUBS = ("#notFoundPost", "#blockedPost", "#viewNotFound", "#viewBlocked", "#viewDetached")


def parse_at_uri(uri: Any) -> tuple[str, str, str] | None:
    """``(did, collection, rkey)`` of ``at://DID/COLLECTION/RKEY``; None for anything else."""
    if not isinstance(uri, str) or not uri.startswith("at://"):
        return None
    parts = uri[5:].split("/")
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


def _when(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _uri_of(ref: Any) -> str | None:
    uri = ref.get("uri") if isinstance(ref, Mapping) else None
    return uri if parse_at_uri(uri) else None


def record_post(
    uri: str, record: Mapping[str, Any], author: Author | None, fallback_time: Any = None
) -> Post | None:
    """A post record (``app.bsky.feed.post``) as a Post; None when it is another record or empty."""
    parsed = parse_at_uri(uri)
    if parsed is None or parsed[1] != POST_COLLECTION:
        return None
    kind = record.get("$type")
    if kind is not None and kind != POST_COLLECTION:
        return None
    raw_text = record.get("text")
    if not isinstance(raw_text, str):
        return None
    text = text_with_links(raw_text, record.get("facets")).strip()
    if not text:
        return None  # an image-only post: nothing to read
    reply = record.get("reply")
    parent = _uri_of(reply.get("parent")) if isinstance(reply, Mapping) else None
    root = _uri_of(reply.get("root")) if isinstance(reply, Mapping) else None
    langs = record.get("langs")
    lang = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) and langs[0] else None
    did, _, rkey = parsed
    handle = author.handle if author is not None and author.handle else did
    return Post(
        network=NETWORK,
        native_id=uri,
        text=text,
        author=author or Author(native_id=did),
        created_at=_when(record.get("createdAt")) or _when(fallback_time),
        reply_to=parent,
        conversation_id=root or (None if parent else uri),
        url=f"https://bsky.app/profile/{handle}/post/{rkey}",
        lang=lang,
    )


def _author(view: Any) -> Author | None:
    if not isinstance(view, Mapping):
        return None
    handle, name, did = view.get("handle"), view.get("displayName"), view.get("did")
    followers = view.get("followersCount")
    return Author(
        handle=handle if isinstance(handle, str) and handle and handle != "handle.invalid" else None,
        name=name if isinstance(name, str) and name.strip() else None,
        native_id=did if isinstance(did, str) and did else None,
        followers=followers
        if isinstance(followers, int) and not isinstance(followers, bool) and followers >= 0
        else None,
    )


class _Collector:
    """Gathers the items of one document, each URI once (a reply's root can appear many times)."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.seen: set[str] = set()

    def add(self, post: Post | None, raw: Mapping[str, Any]) -> None:
        if post is not None and post.native_id not in self.seen:
            self.seen.add(post.native_id)
            self.items.append(Item(post=post, raw=raw))

    def view(self, view: Any) -> None:
        """A ``postView`` (hydrated: author, record, embed, counts)."""
        if not isinstance(view, Mapping) or str(view.get("$type", "")).endswith(_STUBS):
            return
        uri, record = view.get("uri"), view.get("record")
        if not isinstance(uri, str) or not isinstance(record, Mapping):
            return
        self.add(record_post(uri, record, _author(view.get("author")), view.get("indexedAt")), view)
        self._embedded(view.get("embed"))

    def _embedded(self, embed: Any) -> None:
        """A quoted post (``#viewRecord``, possibly inside ``recordWithMedia``) is a post too."""
        if not isinstance(embed, Mapping):
            return
        inner = embed.get("record")
        if isinstance(inner, Mapping) and isinstance(inner.get("record"), Mapping):
            inner = inner["record"]  # recordWithMedia#view: {record: {record: viewRecord}}
        if isinstance(inner, Mapping) and inner.get("$type") == _VIEW_RECORD:
            uri, value = inner.get("uri"), inner.get("value")
            if isinstance(uri, str) and isinstance(value, Mapping):
                self.add(record_post(uri, value, _author(inner.get("author")), inner.get("indexedAt")), inner)

    def record(self, entry: Any) -> None:
        """A repo record ``{uri, cid, value}`` (no author view: the DID is the author)."""
        if isinstance(entry, Mapping) and isinstance(entry.get("uri"), str):
            value = entry.get("value")
            if isinstance(value, Mapping):
                self.add(record_post(entry["uri"], value, None), entry)

    def thread(self, node: Any, depth: int = 0) -> None:
        if not isinstance(node, Mapping) or depth > 200:
            return
        parent = node.get("parent")
        if isinstance(parent, Mapping):
            self.thread({k: v for k, v in parent.items() if k != "replies"}, depth + 1)
        self.view(node.get("post"))
        replies = node.get("replies")
        for reply in replies if isinstance(replies, list) else []:
            self.thread(
                {k: v for k, v in reply.items() if k != "parent"} if isinstance(reply, Mapping) else None,
                depth + 1,
            )


def jetstream_items(event: Mapping[str, Any], match: Callable[[str], bool] | None = None) -> list[Item]:
    """One Jetstream v1 event: a post create/update is a Post, a post delete a tombstone.

    With ``match``, a created post whose text fails it is dropped here, before its raw
    event is copied (updates and deletes always pass: they may concern a stored post).
    """
    if event.get("kind") != "commit":
        return []
    did, commit = event.get("did"), event.get("commit")
    if not isinstance(did, str) or not did.startswith("did:") or not isinstance(commit, Mapping):
        return []
    if commit.get("collection") != POST_COLLECTION:
        return []
    rkey = commit.get("rkey")
    if not isinstance(rkey, str) or not rkey or "/" in rkey:
        return []
    uri = f"at://{did}/{POST_COLLECTION}/{rkey}"
    operation = commit.get("operation")
    if operation == "delete":
        return [Item(post=tombstone(NETWORK, uri), raw=dict(event))]
    record = commit.get("record")
    if operation in ("create", "update") and isinstance(record, Mapping):
        if match is not None and operation == "create":
            # the text record_post would build, tested before the Post is: most posts stop here
            raw_text = record.get("text")
            if not isinstance(raw_text, str) or not match(text_with_links(raw_text, record.get("facets"))):
                return []
        post = record_post(uri, record, Author(native_id=did))
        if post is not None:
            return [Item(post=post, raw=dict(event))]
    return []


def _firehose_deletes(message: Mapping[str, Any]) -> list[Item]:
    repo, ops = message.get("repo"), message.get("ops")
    out: list[Item] = []
    if not isinstance(repo, str) or not isinstance(ops, list):
        return out
    for op in ops:
        if isinstance(op, Mapping) and op.get("action") == "delete":
            path = op.get("path")
            uri = f"at://{repo}/{path}"
            if isinstance(path, str) and path.startswith(POST_COLLECTION + "/") and parse_at_uri(uri):
                out.append(
                    Item(
                        post=tombstone(NETWORK, uri), raw={"repo": repo, "seq": message.get("seq"), "op": op}
                    )
                )
    return out


def _walk(document: Mapping[str, Any], out: _Collector) -> bool:
    """Fill ``out`` from an XRPC response body; False when the shape is not one we know."""
    known = False
    for key in ("posts", "feed", "records"):
        value = document.get(key)
        if not isinstance(value, list):
            continue
        known = True
        for element in value:
            if key == "posts":
                out.view(element)
            elif key == "records":
                out.record(element)
            elif isinstance(element, Mapping):
                out.view(element.get("post"))
                reply = element.get("reply")
                if isinstance(reply, Mapping):
                    out.view(reply.get("parent"))
                    out.view(reply.get("root"))
    if isinstance(document.get("thread"), Mapping):
        out.thread(document["thread"])
        known = True
    return known


def _holds_no_posts(document: Mapping[str, Any]) -> bool:
    """XRPC errors, sessions, DID documents, handles, profiles, follows, likes, other records."""
    keys = set(document)
    return bool(
        {"error", "message"} <= keys
        or keys & {"accessJwt", "didDoc", "follows", "followers", "likes", "repostedBy", "feeds", "@context"}
        or keys == {"did"}
        or ("did" in keys and "handle" in keys)
        or ("uri" in keys and "value" in keys)
        or document.get("kind") in ("identity", "account", "commit")
        or ("ops" in keys and "repo" in keys)
    )


def normalise_document(document: Any) -> list[Item]:
    """Every post in one Bluesky payload (see the module docstring for the shapes)."""
    if isinstance(document, list):
        out: list[Item] = []
        for element in document:
            out.extend(normalise_document(element))
        return out
    if isinstance(document, bytes | bytearray):
        from goodwill.sources.bluesky.relay import relay_items  # binary frames only, imported late

        return relay_items(bytes(document))
    if not isinstance(document, Mapping):
        raise InputError(f"not a Bluesky payload: a {type(document).__name__}")
    if "time_us" in document and "kind" in document:
        return jetstream_items(document)
    if "ops" in document and "repo" in document:
        return _firehose_deletes(document)
    collector = _Collector()
    if _walk(document, collector):
        return collector.items
    if isinstance(document.get("uri"), str) and isinstance(document.get("value"), Mapping):
        collector.record(document)
        return collector.items
    if isinstance(document.get("uri"), str) and isinstance(document.get("record"), Mapping):
        collector.view(document)
        return collector.items
    if _holds_no_posts(document):
        return []
    raise InputError(
        "not a Bluesky payload: expected an app.bsky.feed response (posts, feed, thread), repo records, "
        "a Jetstream event or a firehose commit"
    )
