"""Mastodon, one server at a time: hashtag and public timelines, search, threads, streaming.

Query kinds (``kinds`` below): ``hashtag``, ``public`` (``local``/``remote``
params), ``account`` (an id or ``user@host``), ``search`` (v2, statuses), ``thread``
(a status id: it, its ancestors and replies) and ``stream`` (``hashtag:NAME``,
``public``, ``public:local``, ``public:remote``: the SSE streaming API, for
``listen --follow``).

Timelines are paged by the ``Link`` header only (Mastodon's docs: follow it, never
build ids). A first run walks ``rel="next"`` back to ``backfill_days``; the
``rel="prev"`` link of the pass's newest page is stored, and later runs walk
``prev`` links forward until a page comes back empty (empty pages carry no Link
header, so the stored link stays). Streams catch up the same way before they
open, so a restarted follower loses nothing (it may see a post twice: the store
is idempotent).

A server that has switched a feed off (``configuration.timelines_access`` since
4.5: an empty array, or 401 for anonymous callers) is reported once with what the
server says, as :class:`AccessDenied`, not retried.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from goodwill.errors import AccessDenied, ConfigError, CredentialError, GoneError, InputError
from goodwill.json_input import load_json
from goodwill.sources.http import HttpClient
from goodwill.sources.mastodon.replying import MastodonReplier
from goodwill.sources.mastodon.sse import looks_like_sse, sse_events
from goodwill.sources.mastodon.statuses import NETWORK, StatusReader, guess_host, host_of
from goodwill.sources.meter import Cost
from goodwill.sources.reply import ReplyTarget, SentReply
from goodwill.sources.source import Capability, Cursor, Item, Page, Query, SourceSettings, read_json_documents

__all__ = ["MastodonSource"]

_TAG = re.compile(r"^#?([\w]{1,100})$")
_STATUS_ID = re.compile(r"(\d{1,30})/?$")
_REQUEST = Cost(units=1, bucket="requests")
_DAY = 86_400.0
_FEEDS = {"hashtag": "hashtag_feeds", "public": "live_feeds"}


def _tag(value: str) -> str:
    found = _TAG.match(value.strip())
    if found is None:
        raise InputError(f"mastodon: {value!r} is not a hashtag (letters, digits and _).")
    return found.group(1)


def _links(response: httpx.Response) -> dict[str, str]:
    return {str(rel): link["url"] for rel, link in response.links.items() if rel and link.get("url")}


def _oldest(document: Any) -> str | None:
    """The ``created_at`` of a page's last (oldest) status."""
    if isinstance(document, list) and document and isinstance(document[-1], Mapping):
        created = document[-1].get("created_at")
        return created if isinstance(created, str) else None
    return None


class MastodonSource:
    """One Mastodon server's public API (``base_url``); replies as the brand's account there."""

    name = NETWORK
    capabilities = frozenset({Capability.SEARCH, Capability.THREAD, Capability.STREAM, Capability.REPLY})
    reply_idempotent = True  # every send carries an Idempotency-Key
    stream_kinds: frozenset[str] = frozenset({"stream"})  # SSE, each session stream_seconds long
    kinds: Mapping[str, str] = {
        "hashtag": "a hashtag (without #): its timeline on this server",
        "public": "all, local or remote: the server's public timeline",
        "account": "an account id or user@host: its public statuses",
        "search": "words, through /api/v2/search (only posts whose authors opted in to search)",
        "thread": "a status id or URL: it, its ancestors and its replies",
        "stream": "hashtag:NAME, public, public:local or public:remote, read live for stream_seconds",
    }

    def __init__(self, settings: SourceSettings) -> None:
        self.settings = settings
        base = settings.base_url.rstrip("/") if settings.base_url else None
        self.base_url = base if not base or "://" in base else f"https://{base}"
        self.streaming_url = str(settings.options.get("streaming_url") or self.base_url or "").rstrip("/")
        self.page_size = int(settings.options.get("page_size", 40))
        self.backfill_days = float(settings.options.get("backfill_days", 7))
        self.max_pages = int(settings.options.get("max_pages", 50))
        self.stream_seconds = float(settings.options.get("stream_seconds", 300))
        self.reader = StatusReader(
            host_of(self.base_url), include_private=bool(settings.options.get("include_private", False))
        )
        self.replier = MastodonReplier(settings, self.base_url)

    def normalise(self, document: Any, *, endpoint: str | None = None) -> list[Item]:
        return self.reader.normalise(document, endpoint)

    def read_export(self, path: Path) -> Iterator[Any]:
        """JSON bodies or JSON Lines, or a saved ``text/event-stream`` body."""
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return read_json_documents(path)  # which raises the readable error
        if looks_like_sse(text):
            return self._saved_stream(text)
        return read_json_documents(path)

    def _saved_stream(self, text: str) -> Iterator[Any]:
        """A saved stream's events; a delete names only an id, so the file's server goes with each."""
        found = list(sse_events(text.splitlines()))
        server = self.reader.host or next(
            (host for event in found if (host := guess_host(event)) is not None), None
        )
        for event in found:
            yield event | {"server": f"https://{server}"} if server else event

    # -- replies (goodwill.sources.reply, mastodon/replying.py) ---------------------------------

    def reply_ready(self) -> bool:
        return self.replier.ready()

    def reply(
        self, target: ReplyTarget, text: str, client: HttpClient, *, key: str | None = None
    ) -> SentReply:
        return self.replier.send(target, text, client, key=key)

    # -- requests -------------------------------------------------------------------------------

    def _server(self) -> str:
        if not self.base_url:
            raise ConfigError(
                "mastodon: set base_url in [sources.mastodon] to the server to listen on "
                "(e.g. https://mastodon.social); every server is its own API."
            )
        return self.base_url

    def _headers(self, client: HttpClient) -> dict[str, str]:
        token, var = self.settings.secret("token", "MASTODON_TOKEN")
        client.credential_env.setdefault("token", var)
        if not token:
            return {}
        client.add_secret(token)
        return {"Authorization": f"Bearer {token}"}

    def _get(
        self, client: HttpClient, url: str, params: Mapping[str, Any] | None, what: str
    ) -> httpx.Response:
        return client.get(url, params=params, headers=self._headers(client), cost=_REQUEST, what=what)

    def fetch(self, query: Query, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        server = self._server()
        value = query.value.strip()
        if query.kind == "hashtag":
            tag = _tag(value)
            return self._timeline(f"{server}/api/v1/timelines/tag/{tag}", {}, cursor, client, "hashtag", tag)
        if query.kind == "public":
            if value.lower() not in ("", "all", "local", "remote"):
                raise InputError(f"mastodon: a public query is all, local or remote, not {value!r}.")
            scope = {value.lower(): "true"} if value.lower() in ("local", "remote") else {}
            params = scope | {k: v for k, v in query.params.items() if k in ("local", "remote", "only_media")}
            return self._timeline(f"{server}/api/v1/timelines/public", params, cursor, client, "public", "")
        if query.kind == "account":
            return self._account(value, cursor, client)
        if query.kind == "search":
            return self._search(value, cursor, client)
        if query.kind == "thread":
            return self._thread(value, client)
        if query.kind == "stream":
            return self._stream(value, cursor, client)
        raise InputError(f"mastodon: unknown query kind {query.kind!r}; use one of {', '.join(self.kinds)}.")

    # -- timelines ------------------------------------------------------------------------------

    def _timeline(
        self,
        url: str,
        params: Mapping[str, Any],
        cursor: Cursor | None,
        client: HttpClient,
        feed: str | None,
        tag: str,
    ) -> Iterator[Page]:
        state = dict(cursor or {})
        what = f"#{tag}" if tag else "the public timeline"
        if state.get("prev") and not state.get("next"):
            yield from self._forward(str(state["prev"]), client, what)
            return
        since = str(state.get("since") or _iso(client.clock() - self.backfill_days * _DAY))
        prev: str | None = state.get("prev")
        next_url: str | None = state.get("next")
        first = next_url is None
        for _ in range(self.max_pages):
            try:
                response = (
                    self._get(client, next_url, None, what)
                    if next_url
                    else self._get(client, url, {"limit": self.page_size, **params}, what)
                )
            except CredentialError:
                if feed:
                    self._check_feed(client, feed, tag, anonymous=True)
                raise
            document = load_json(response.content)
            links = _links(response)
            if first:
                if document == [] and feed:
                    self._check_feed(client, feed, tag, anonymous=False)
                prev = links.get("prev")
                first = False
            items = self.normalise(document, endpoint=str(response.url))
            oldest = _oldest(document)
            next_url = links.get("next")
            done = not next_url or not document or (oldest is not None and oldest < since)
            if done:
                yield Page(items, {"prev": prev} if prev else {}, endpoint=str(response.url))
                return
            yield Page(items, {"prev": prev, "next": next_url, "since": since}, endpoint=str(response.url))
        yield Page([], {"prev": prev} if prev else {}, endpoint=None)

    def _forward(self, prev: str, client: HttpClient, what: str) -> Iterator[Page]:
        """From a stored ``rel="prev"`` link, walk newer pages until one comes back empty."""
        for _ in range(self.max_pages):
            response = self._get(client, prev, None, what)
            document = load_json(response.content)
            items = self.normalise(document, endpoint=str(response.url))
            newer = _links(response).get("prev")
            if not document or not newer:
                yield Page(items, {"prev": newer or prev}, endpoint=str(response.url))
                return
            prev = newer
            yield Page(items, {"prev": prev}, endpoint=str(response.url))

    def _check_feed(self, client: HttpClient, feed: str, tag: str, *, anonymous: bool) -> None:
        """Explain an empty or refused feed from ``configuration.timelines_access`` (Mastodon 4.5+)."""
        server = self._server()
        try:
            instance = client.get(f"{server}/api/v2/instance", cost=_REQUEST, what="the server's settings")
            config = load_json(instance.content).get("configuration") or {}
        except (GoneError, AccessDenied, ValueError, AttributeError):
            return
        access = config.get("timelines_access") if isinstance(config, Mapping) else None
        feeds = access.get(_FEEDS[feed]) if isinstance(access, Mapping) else None
        if not isinstance(feeds, Mapping):
            return
        settings = {k: v for k, v in feeds.items() if isinstance(v, str)}
        name = f"#{tag}" if tag else "public"
        said = ", ".join(f"{k}: {v}" for k, v in sorted(settings.items()))
        if settings and all(v == "disabled" for v in settings.values()):
            raise AccessDenied(
                f"mastodon: {host_of(server)} has switched off its {name} feed "
                f"(timelines_access.{_FEEDS[feed]} = {said}); listen to hashtags or on another server."
            )
        if anonymous and any(v == "authenticated" for v in settings.values()):
            var = self.settings.credentials.get("token", "MASTODON_TOKEN")
            raise CredentialError(
                f"mastodon: {host_of(server)} shows its {name} feed to logged-in users only "
                f"(timelines_access.{_FEEDS[feed]} = {said}); set ${var} to an access token."
            )

    # -- accounts, search, threads ------------------------------------------------------------------

    def _account(self, value: str, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        server = self._server()
        account_id = value
        if not value.isdecimal():
            found = self._get(client, f"{server}/api/v1/accounts/lookup", {"acct": value.lstrip("@")}, value)
            body = load_json(found.content)
            account_id = str(body.get("id")) if isinstance(body, Mapping) else ""
            if not account_id.isdecimal():
                raise GoneError(f"mastodon: no account {value!r} on {host_of(server)}.")
        url = f"{server}/api/v1/accounts/{account_id}/statuses"
        return self._timeline(url, {}, cursor, client, None, "")

    def _search(self, words: str, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        """v2 search finds only posts whose authors opted in (``indexable``) on servers with search."""
        server = self._server()
        params: dict[str, Any] = {"q": words, "type": "statuses", "limit": self.page_size}
        newest = (cursor or {}).get("min_id")
        if newest:
            params["min_id"] = newest  # an id the server gave us, never one we made up
        response = self._get(client, f"{server}/api/v2/search", params, f"the search {words!r}")
        document = load_json(response.content)
        items = self.normalise(document, endpoint=str(response.url))
        statuses = document.get("statuses") if isinstance(document, Mapping) else None
        ids = [
            int(s["id"])
            for s in (statuses if isinstance(statuses, list) else [])
            if isinstance(s, Mapping) and str(s.get("id", "")).isdecimal() and len(str(s["id"])) <= 30
        ]
        best = max([*ids, int(newest)] if newest and str(newest).isdecimal() else ids, default=None)
        yield Page(items, {"min_id": str(best)} if best is not None else {}, endpoint=str(response.url))

    def _thread(self, value: str, client: HttpClient) -> Iterator[Page]:
        server = self._server()
        found = _STATUS_ID.search(value)
        if found is None:
            raise InputError(f"mastodon: a thread query needs a status id or URL, not {value!r}.")
        status_id = found.group(1)
        what = f"status {status_id}"
        try:
            status = self._get(client, f"{server}/api/v1/statuses/{status_id}", None, what)
        except GoneError:
            raise GoneError(
                f"mastodon: status {status_id} no longer exists on {host_of(server)}; "
                "remove the thread query."
            ) from None
        yield Page(
            self.normalise(load_json(status.content), endpoint=str(status.url)), {}, endpoint=str(status.url)
        )
        context = self._get(client, f"{server}/api/v1/statuses/{status_id}/context", None, what)
        yield Page(
            self.normalise(load_json(context.content), endpoint=str(context.url)),
            {},
            endpoint=str(context.url),
        )

    # -- streaming ----------------------------------------------------------------------------------

    def _stream(self, value: str, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        """Catch up through the timeline, then read the SSE stream until it ends."""
        server = self._server()
        kind, _, arg = value.partition(":")
        if kind == "hashtag":
            tag = _tag(arg)
            timeline, rest, params = f"{server}/api/v1/timelines/tag/{tag}", "hashtag", {"tag": tag}
        elif kind == "public" and arg in ("", "local", "remote"):
            tag = ""
            timeline, params = f"{server}/api/v1/timelines/public", {}
            rest = f"public/{arg}" if arg else "public"
        else:
            raise InputError(
                f"mastodon: stream {value!r}; use hashtag:NAME, public, public:local or public:remote."
            )
        stored: dict[str, Any] = dict(cursor or {})
        for page in self._timeline(
            timeline,
            {arg: "true"} if arg else {},
            cursor,
            client,
            "hashtag" if tag else "public",
            tag,
        ):
            stored = dict(page.cursor or {})
            yield page
        url = f"{self.streaming_url}/api/v1/streaming/{rest}"
        with client.stream(
            "GET",
            url,
            params=params or None,
            headers=self._headers(client),
            cost=_REQUEST,
            what=f"the {value} stream",
        ) as response:
            started = client.clock()
            for event in sse_events(_until(response.iter_lines(), client, started + self.stream_seconds)):
                # ids are the API server's, not the streaming server's
                items = self.normalise(event, endpoint=server)
                if items:
                    yield Page(items, stored, endpoint=url)


def _until(lines: Iterator[str], client: HttpClient, deadline: float) -> Iterator[str]:
    """The stream's lines until ``deadline``: the stream ends so ``listen --follow`` can run the other
    queries; the next pass catches up from the stored link. Heartbeats (``:thump``) keep lines coming."""
    for line in lines:
        yield line
        if not line and client.clock() >= deadline:
            return


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
