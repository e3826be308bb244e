"""Bluesky: post search, author feeds and threads through XRPC, and the Jetstream live tail.

Query kinds (``kinds`` below): ``search`` (``app.bsky.feed.searchPosts``, needs a
login), ``author`` (``getAuthorFeed``), ``thread`` (``getPostThread``) and
``jetstream`` (the live tail of :mod:`goodwill.sources.bluesky.jetstream`).

Authenticated calls go to the account's service (``base_url``, ``https://bsky.social``
by default, which proxies ``app.bsky.*`` to the AppView) with one session kept by
:class:`~goodwill.sources.bluesky.session.BlueskySession`; without credentials,
author feeds and threads are read from the public AppView
(``https://public.api.bsky.app``, which takes no login), and search is refused
with the variables to set (the public AppView answers anonymous search with 403).

Search and author feeds are walked newest first with the opaque ``cursor`` of
each answer and stop at the newest post of the last finished pass (searchPosts'
``since`` does the stopping server-side), so later runs ask only for what is new.
XRPC errors come as ``{"error", "message"}``: ``ExpiredToken`` refreshes the
session once, ``NotFound`` means the thread is gone, the rest are quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from goodwill.errors import CredentialError, GoneError, InputError, SourceError
from goodwill.json_input import load_json
from goodwill.sources.bluesky.car import car_records, looks_like_car
from goodwill.sources.bluesky.jetstream import JETSTREAM_URL, tail
from goodwill.sources.bluesky.posts import NETWORK, POST_COLLECTION, normalise_document, parse_at_uri
from goodwill.sources.bluesky.replying import BlueskyReplier
from goodwill.sources.bluesky.session import BlueskySession
from goodwill.sources.http import HttpClient, server_message
from goodwill.sources.meter import Cost
from goodwill.sources.reply import ReplyTarget, SentReply
from goodwill.sources.source import Capability, Cursor, Item, Page, Query, SourceSettings, read_json_documents

__all__ = ["BlueskySource"]

SERVICE_URL = "https://bsky.social"
PUBLIC_URL = "https://public.api.bsky.app"
_WEB_POST = re.compile(r"^https://bsky\.app/profile/([^/]+)/post/([A-Za-z0-9._:~-]+)/?$")
_ACTOR = re.compile(r"^(did:[a-z]+:[A-Za-z0-9._:%-]+|[A-Za-z0-9.-]+\.[A-Za-z]{2,})$")
_EXPIRED = frozenset({"ExpiredToken", "InvalidToken"})
_NOT_FOUND = frozenset({"NotFound", "PostNotFound", "RecordNotFound"})
_REQUEST = Cost(units=1, bucket="requests")
_DAY = 86_400.0


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _envelope(response: httpx.Response) -> tuple[str, str]:
    """The XRPC error envelope ``{"error", "message"}``, as far as it is there."""
    try:
        body = load_json(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error") if isinstance(body.get("error"), str) else ""
        message = body.get("message") if isinstance(body.get("message"), str) else ""
        return str(error), str(message)
    return "", server_message(response)


def _sort_times(posts: Any) -> list[str]:
    """``indexedAt`` of each post view (ISO strings compare in time order)."""
    out: list[str] = []
    for view in posts if isinstance(posts, list) else []:
        if isinstance(view, Mapping):
            view = view.get("post", view)
        stamp = view.get("indexedAt") if isinstance(view, Mapping) else None
        if isinstance(stamp, str) and stamp:
            out.append(stamp)
    return out


class BlueskySource:
    """Bluesky's AppView through XRPC and Jetstream; replies as the brand's account (replying.py)."""

    name = NETWORK
    capabilities = frozenset({Capability.SEARCH, Capability.THREAD, Capability.STREAM, Capability.REPLY})
    reply_idempotent = False  # createRecord has no idempotency key: one attempt per send
    stream_kinds: frozenset[str] = frozenset({"jetstream"})  # the websocket tail, resumed from time_us
    kinds: Mapping[str, str] = {
        "search": "words to find (app.bsky.feed.searchPosts; needs a login)",
        "author": "a handle or DID: the account's posts, replies and reposts",
        "thread": "a post's at:// URI or bsky.app URL: it, its parents and its replies",
        "jetstream": "collections to tail live (default app.bsky.feed.post, * for all; param wantedDids)",
    }

    def __init__(self, settings: SourceSettings) -> None:
        self.settings = settings
        self.service = (settings.base_url or SERVICE_URL).rstrip("/")
        self.public_url = str(settings.options.get("public_url", PUBLIC_URL)).rstrip("/")
        self.jetstream_url = str(settings.options.get("jetstream_url", JETSTREAM_URL))
        self.page_size = int(settings.options.get("page_size", 100))
        self.backfill_days = float(settings.options.get("backfill_days", 7))
        self.max_pages = int(settings.options.get("max_pages", 50))
        self.batch = int(settings.options.get("batch", 1000))
        self.idle_s = float(settings.options.get("idle_s", 1.0))
        self.page_s = float(settings.options.get("page_s", 1.0))
        self.margin_us = int(float(settings.options.get("margin_s", 2.0)) * 1_000_000)
        session = settings.options.get("stream_seconds", 300)
        self.stream_seconds = float(session) if session is not None else None
        self.session = BlueskySession(settings, self.service)
        self.replier = BlueskyReplier(settings, self.service)

    def normalise(self, document: Any, *, endpoint: str | None = None) -> list[Item]:
        return normalise_document(document)

    def read_export(self, path: Path) -> Iterator[Any]:
        """A repository export (CAR), a saved XRPC response body, or JSON Lines (Jetstream dumps)."""
        try:
            with path.open("rb") as handle:
                head = handle.read(64)
        except OSError:
            return read_json_documents(path)  # which raises the readable error
        if looks_like_car(head):
            return car_records(path)
        return read_json_documents(path)

    # -- replies --------------------------------------------------------------------------------

    def reply_ready(self) -> bool:
        return self.replier.ready()

    def reply(
        self, target: ReplyTarget, text: str, client: HttpClient, *, key: str | None = None
    ) -> SentReply:
        return self.replier.send(target, text, client)

    # -- requests -------------------------------------------------------------------------------

    def xrpc(
        self, client: HttpClient, method: str, params: Mapping[str, Any], *, what: str, login: bool = False
    ) -> httpx.Response:
        """One XRPC query: with the session when there is one (or ``login``), else anonymously."""
        authed = login or self.session.configured
        if login and not self.session.configured:
            raise self.session.missing(what)
        base = self.service if authed else self.public_url
        for attempt in (0, 1):
            headers = self.session.headers(client) if authed else {}
            try:
                response = client.get(
                    f"{base}/xrpc/{method}",
                    params=params,
                    headers=headers,
                    cost=_REQUEST,
                    what=what,
                    accept=[400],
                )
            except CredentialError:
                if not authed or attempt:
                    raise
                self.session.expire()
                continue
            if response.status_code != 400:
                return response
            error, message = _envelope(response)
            if error in _EXPIRED and authed and not attempt:
                self.session.expire()
                continue
            if error in _NOT_FOUND:
                raise GoneError(f"bluesky: {what} no longer exists ({error}: {message}).")
            raise SourceError(f"bluesky: {what} was refused (400 {error or 'Bad Request'}: {message}).")
        raise AssertionError("unreachable")  # pragma: no cover

    def fetch(self, query: Query, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        value = query.value.strip()
        if query.kind == "search":
            if not value:
                raise InputError("bluesky: a search query needs words.")
            params = {"q": value, "sort": "latest"} | dict(query.params)
            return self._walk(
                "app.bsky.feed.searchPosts",
                "posts",
                params,
                cursor,
                client,
                f"the search {value!r}",
                login=True,
            )
        if query.kind == "author":
            if not _ACTOR.match(value.lstrip("@")):
                raise InputError(f"bluesky: {value!r} is not a handle or DID.")
            params = {"actor": value.lstrip("@"), "filter": "posts_with_replies"} | dict(query.params)
            return self._walk(
                "app.bsky.feed.getAuthorFeed", "feed", params, cursor, client, f"the feed of {value}"
            )
        if query.kind == "thread":
            return self._thread(value, client)
        if query.kind == "jetstream":
            # "*": every collection (Jetstream sends all when wantedCollections is absent)
            collections = (
                []
                if value == "*"
                else [c.strip() for c in (value or POST_COLLECTION).split(",") if c.strip()]
            )
            dids = [d.strip() for d in query.params.get("wantedDids", "").split(",") if d.strip()]
            return tail(
                client,
                base=self.jetstream_url,
                collections=collections,
                dids=dids,
                cursor=cursor,
                batch=self.batch,
                idle_s=self.idle_s,
                page_s=self.page_s,
                margin_us=self.margin_us,
                session_s=self.stream_seconds,
                match=query.match,
            )
        raise InputError(f"bluesky: unknown query kind {query.kind!r}; use one of {', '.join(self.kinds)}.")

    def _walk(
        self,
        method: str,
        key: str,
        params: Mapping[str, Any],
        cursor: Cursor | None,
        client: HttpClient,
        what: str,
        *,
        login: bool = False,
    ) -> Iterator[Page]:
        state = dict(cursor or {})
        since = str(state.get("since") or _iso(client.clock() - self.backfill_days * _DAY))
        top = str(state.get("pass_top") or since)
        page_cursor: str | None = state.get("cursor")
        search = method.endswith("searchPosts")
        for _ in range(self.max_pages):
            request = {"limit": self.page_size} | dict(params)
            if search:
                request["since"] = since
            if page_cursor:
                request["cursor"] = page_cursor
            response = self.xrpc(client, method, request, what=what, login=login)
            document = load_json(response.content)
            items = self.normalise(document, endpoint=str(response.url))
            listed = document.get(key) if isinstance(document, Mapping) else None
            times = _sort_times(listed)
            top = max([top, *times])
            nxt = document.get("cursor") if isinstance(document, Mapping) else None
            page_cursor = nxt if isinstance(nxt, str) and nxt else None
            done = page_cursor is None or not times or min(times) < since
            if done:
                yield Page(items, {"since": top}, endpoint=str(response.url))
                return
            yield Page(
                items, {"since": since, "pass_top": top, "cursor": page_cursor}, endpoint=str(response.url)
            )
        yield Page([], {"since": top}, endpoint=None)

    def _thread(self, value: str, client: HttpClient) -> Iterator[Page]:
        web = _WEB_POST.match(value)
        uri = f"at://{web.group(1)}/{POST_COLLECTION}/{web.group(2)}" if web else value
        if parse_at_uri(uri) is None:
            raise InputError(
                f"bluesky: a thread query needs an at:// URI or a bsky.app post URL, not {value!r}."
            )
        params = {"uri": uri, "depth": 100, "parentHeight": 100}
        try:
            response = self.xrpc(client, "app.bsky.feed.getPostThread", params, what=f"the thread {uri}")
        except GoneError:
            raise GoneError(f"bluesky: the post {uri} no longer exists; remove the thread query.") from None
        document = load_json(response.content)
        thread = document.get("thread") if isinstance(document, Mapping) else None
        if isinstance(thread, Mapping) and str(thread.get("$type", "")).endswith("#notFoundPost"):
            raise GoneError(f"bluesky: the post {uri} no longer exists; remove the thread query.")
        yield Page(self.normalise(document, endpoint=str(response.url)), {}, endpoint=str(response.url))
