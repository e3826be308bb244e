"""Mastodon statuses to posts: the pure half of the source.

Every Mastodon server is its own API and numbers statuses its own way: the same
remote post has a different id on each server. A post's native id is therefore
``HOST/ID`` (``mastodon.social/110446223051565765``), the host being the server
that answered, and ``reply_to`` is built the same way from ``in_reply_to_id``.
The host comes from the request's URL when known, else the configured server,
else the document itself (a status by a local account, whose ``acct`` has no
``@``, lives on the server that sent it), else it is ``unknown.invalid``.

Shapes read: a status, an array of statuses (timelines), a v2 search result
(``statuses``), a thread context (``ancestors``/``descendants``), an edit history
(with the endpoint, each revision becomes a version of the post), streaming events
(``{"event", "payload"}`` as the WebSocket API sends them, or parsed from SSE; a
saved SSE file's events also carry the ``server`` guessed from the whole file).
Instance documents, accounts, tags, trends and error bodies hold no posts.

Text is what a reader sees: the content warning (``spoiler_text``) first, then the
HTML ``content`` as plain text, then a poll's options one per line. A boost is
stored as the boosted status (the words are its author's); a quote post also
yields the quoted status. Followers-only (``private``) and ``direct`` statuses are
skipped unless ``include_private`` is set: listening is about public talk.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from goodwill.errors import InputError
from goodwill.json_input import load_json
from goodwill.models import Author, Post
from goodwill.sources.html_text import html_to_text
from goodwill.sources.source import Item, tombstone

__all__ = ["NETWORK", "StatusReader", "guess_host", "host_of", "status_post"]

NETWORK = "mastodon"
#: the host of ids whose server nothing names (``.invalid`` is reserved: it is no real server)
UNKNOWN_HOST = "unknown.invalid"
_PUBLIC = frozenset({"public", "unlisted"})
_HISTORY = re.compile(r"/api/v1/statuses/(\d+)/history")
_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


def host_of(url: Any) -> str | None:
    """The server's host (with a port when not the default) of an http(s) or ws(s) URL.

    Anything else (a file path given as the endpoint by ``goodwill import``) names no server.
    """
    if not isinstance(url, str) or not url.startswith(("https://", "http://", "wss://", "ws://")):
        return None
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return None
    return netloc.lower() or None


def _ident(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and _ID.match(value.strip()):
        return value.strip()
    return None


def _when(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _author(account: Any) -> Author | None:
    if not isinstance(account, Mapping):
        return None
    handle = account.get("acct") or account.get("username")
    name = account.get("display_name")
    followers = account.get("followers_count")
    return Author(
        handle=handle if isinstance(handle, str) and handle else None,
        name=name if isinstance(name, str) and name else None,
        native_id=_ident(account.get("id")),
        followers=followers
        if isinstance(followers, int) and not isinstance(followers, bool) and followers >= 0
        else None,
    )


def _text(status: Mapping[str, Any]) -> str | None:
    parts: list[str] = []
    warning = status.get("spoiler_text")
    if isinstance(warning, str) and warning.strip():
        parts.append(warning.strip())
    content = status.get("content")
    if isinstance(content, str) and content.strip():
        parts.append(html_to_text(content))
    elif isinstance(status.get("text"), str) and status["text"].strip():
        parts.append(status["text"].strip())  # a delete-and-redraft answer carries the source text
    poll = status.get("poll")
    options = poll.get("options") if isinstance(poll, Mapping) else None
    if isinstance(options, list):
        titles = [o["title"] for o in options if isinstance(o, Mapping) and isinstance(o.get("title"), str)]
        if titles:
            parts.append("\n".join(titles))
    text = "\n\n".join(p for p in parts if p)
    return text or None


def status_post(status: Mapping[str, Any], host: str, *, native_id: str | None = None) -> Post | None:
    """One status as a Post on ``host``; None when it has no id or no words."""
    ident = native_id or _ident(status.get("id"))
    if ident is None:
        return None
    text = _text(status)
    if text is None:
        return None
    reply = _ident(status.get("in_reply_to_id"))
    url = status.get("url") if isinstance(status.get("url"), str) else status.get("uri")
    lang = status.get("language")
    return Post(
        network=NETWORK,
        native_id=f"{host}/{ident}",
        text=text,
        author=_author(status.get("account")),
        created_at=_when(status.get("created_at")),
        reply_to=f"{host}/{reply}" if reply else None,
        url=url if isinstance(url, str) and url else None,
        lang=lang if isinstance(lang, str) and lang else None,
    )


def _is_status(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and _ident(value.get("id")) is not None
        # notifications and accounts have ids and dates but no words; a delete answers with ``text``
        and ("content" in value or "text" in value)
        and "created_at" in value
        and "username" not in value  # an account
    )


def guess_host(document: Any) -> str | None:
    """The server that sent a document: the host of a local account's status (its acct has no '@')."""
    for status in _walk_statuses(document):
        account = status.get("account")
        acct = account.get("acct") if isinstance(account, Mapping) else None
        if isinstance(acct, str) and acct and "@" not in acct:
            found = host_of(status.get("url")) or host_of(status.get("uri"))
            if found:
                return found
    return None


def _walk_statuses(document: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(document, Mapping) and "event" in document and isinstance(document.get("payload"), str):
        try:
            document = load_json(document["payload"])
        except ValueError:
            return
    if isinstance(document, list):
        for element in document:
            if _is_status(element):
                yield element
        return
    if not isinstance(document, Mapping):
        return
    if _is_status(document):
        yield document
        return
    for key in ("statuses", "ancestors", "descendants"):
        value = document.get(key)
        if isinstance(value, list):
            yield from (s for s in value if _is_status(s))


class StatusReader:
    """Reads documents of one server (``host``; None: work it out per document)."""

    def __init__(self, host: str | None, *, include_private: bool = False) -> None:
        self.host = host
        self.include_private = include_private

    def normalise(self, document: Any, endpoint: str | None = None) -> list[Item]:
        server = document.get("server") if isinstance(document, Mapping) and "event" in document else None
        host = host_of(endpoint) or self.host or host_of(server) or guess_host(document)
        # Nothing says which server numbered these ids: keep them apart from every real server's
        # rather than guess (a wrong host would pair a post with another server's id).
        host = host or UNKNOWN_HOST
        out: list[Item] = []
        if isinstance(document, Mapping) and "event" in document and "payload" in document:
            return self._event(document, host)
        if isinstance(document, list):
            history = _HISTORY.search(endpoint or "")
            if history and all(isinstance(e, Mapping) and "id" not in e for e in document):
                return self._history(document, host, history.group(1))
            for element in document:
                if _is_status(element):
                    self._status(element, host, out)
                elif not isinstance(element, Mapping):
                    raise InputError("not a Mastodon payload: an array holding neither statuses nor entities")
            return out
        if not isinstance(document, Mapping):
            raise InputError(f"not a Mastodon payload: a {type(document).__name__}")
        if _is_status(document):
            self._status(document, host, out)
            return out
        if any(isinstance(document.get(k), list) for k in ("statuses", "ancestors", "descendants")):
            root = _root(document)
            for status in _walk_statuses(document):
                self._status(status, host, out, conversation=f"{host}/{root}" if root else None)
            return out
        if _holds_no_posts(document):
            return out
        raise InputError(
            "not a Mastodon payload: expected a status, an array of statuses, a v2 search result, "
            "a thread context or a streaming event"
        )

    def _status(
        self, status: Mapping[str, Any], host: str, out: list[Item], conversation: str | None = None
    ) -> None:
        reblog = status.get("reblog")
        if isinstance(reblog, Mapping) and _is_status(reblog):
            self._status(reblog, host, out)  # a boost: the words are the boosted author's
            return
        visibility = status.get("visibility")
        if not self.include_private and isinstance(visibility, str) and visibility not in _PUBLIC:
            return
        post = status_post(status, host)
        if post is not None:
            if conversation and post.native_id != conversation:
                post = post.model_copy(update={"conversation_id": conversation})
            out.append(Item(post=post, raw=status))
        quote = status.get("quote")
        quoted = quote.get("quoted_status") if isinstance(quote, Mapping) else None
        if isinstance(quoted, Mapping) and _is_status(quoted):
            self._status(quoted, host, out)

    def _history(self, revisions: list[Any], host: str, status_id: str) -> list[Item]:
        """An edit history, oldest first: each revision is a version of the same post."""
        out: list[Item] = []
        for revision in revisions:
            if not isinstance(revision, Mapping):
                continue
            post = status_post(revision, host, native_id=status_id)
            if post is not None:
                out.append(Item(post=post, raw={"id": status_id, **revision}))
        return out

    def _event(self, event: Mapping[str, Any], host: str) -> list[Item]:
        """A streaming event: ``update``/``status.update`` carry a status, ``delete`` an id."""
        kind = event.get("event")
        payload = event.get("payload")
        if kind == "delete":
            ident = _ident(payload)
            return [Item(post=tombstone(NETWORK, f"{host}/{ident}"), raw=dict(event))] if ident else []
        if kind not in ("update", "status.update"):
            return []  # notifications, conversations, filters: not public posts
        if isinstance(payload, str):
            try:
                payload = load_json(payload)
            except ValueError:
                return []
        out: list[Item] = []
        if isinstance(payload, Mapping) and _is_status(payload):
            self._status(payload, host, out)
        return out


def _root(document: Mapping[str, Any]) -> str | None:
    """The thread's first post: the oldest ancestor, when it answers nobody."""
    ancestors = document.get("ancestors")
    if isinstance(ancestors, list) and ancestors and _is_status(ancestors[0]):
        first = ancestors[0]
        if first.get("in_reply_to_id") is None:
            return _ident(first.get("id"))
    return None


def _holds_no_posts(document: Mapping[str, Any]) -> bool:
    """Mastodon documents without statuses: instance, entities, cards, errors."""
    keys = set(document)
    return bool(
        keys & {"error", "uri", "domain", "username", "history", "accounts", "hashtags", "configuration"}
        or "id" in keys  # an entity: account, relationship, tag, poll, notification, list...
        or {"url", "title"} <= keys
    )
