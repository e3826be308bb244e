"""Fetching from the YouTube Data API v3: comment threads of a video or channel, replies, search.

YouTube counts quota, not money: 10,000 units a day per project for most calls
(``commentThreads.list`` and ``comments.list`` cost 1 each), and ``search.list``
in a bucket of its own of 100 calls a day. Both reset at midnight Pacific time.
Each call's cost goes to the shared meter BEFORE it is sent, so a configured
limit is never passed; Google's own "quota exceeded" answer becomes an error that
says when the quota comes back.

Comment threads come newest first (``order=time``). A pass walks pages until it
reaches threads older than the newest one of the last complete pass; the cursor
keeps the page token in between, so a killed listener resumes mid-pass. Replies
beyond the few that the API inlines are fetched with ``comments.list?parentId``
and stored with their thread's page.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from goodwill.errors import AccessDenied, BudgetExceeded, CredentialError, GoneError, InputError, SourceError
from goodwill.json_input import load_json
from goodwill.sources.http import HttpClient, server_message
from goodwill.sources.meter import FREE, Cost
from goodwill.sources.source import Cursor, Item, Page, Query, SourceSettings
from goodwill.sources.youtube.normalise import normalise_document, normalise_feed

__all__ = ["API_URL", "FEED_URL", "KEY_ENV", "QUOTA_LIMITS", "YouTubeFetcher", "quota_day", "quota_resets_at"]

API_URL = "https://www.googleapis.com/youtube/v3"
FEED_URL = "https://www.youtube.com/feeds/videos.xml"
KEY_ENV = "YOUTUBE_API_KEY"
#: the default daily quota of a Google Cloud project, per bucket
QUOTA_LIMITS: Mapping[str, float] = {"units": 10_000.0, "search": 100.0}
_PACIFIC = ZoneInfo("America/Los_Angeles")
_LIST_COST = Cost(units=1.0, bucket="units")
_SEARCH_COST = Cost(units=1.0, bucket="search")
_QUOTA_REASONS = frozenset(
    {"quotaExceeded", "dailyLimitExceeded", "rateLimitExceeded", "userRateLimitExceeded"}
)
_KEY_REASONS = frozenset({"keyInvalid", "keyExpired", "badRequest.keyInvalid", "API_KEY_INVALID"})


def quota_day(now: float) -> str:
    """The quota period a moment belongs to: the date in Pacific time."""
    return datetime.fromtimestamp(now, tz=_PACIFIC).date().isoformat()


def quota_resets_at(now: float) -> datetime:
    """The next midnight, Pacific time, in UTC."""
    local = datetime.fromtimestamp(now, tz=_PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=_PACIFIC)
    return midnight.astimezone(UTC)


def _reason(response: httpx.Response) -> str | None:
    try:
        body: Any = load_json(response.content)
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, Mapping) else None
    errors = error.get("errors") if isinstance(error, Mapping) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        reason = errors[0].get("reason")
        return reason if isinstance(reason, str) else None
    return None


class YouTubeFetcher:
    """The requests of one YouTube source; see the module docstring."""

    def __init__(self, settings: SourceSettings, *, base_url: str, feed_url: str, page_size: int) -> None:
        self.settings = settings
        self.base_url = base_url.rstrip("/")
        self.feed_url = feed_url
        self.page_size = page_size

    # -- one request ------------------------------------------------------------------------------

    def _key(self, client: HttpClient) -> str:
        key, var = self.settings.secret("api_key", KEY_ENV)
        client.credential_env["api_key"] = var
        if key is None:
            if client.dry_run:
                return "***"
            raise CredentialError(
                f"youtube: no API key; set ${var} to a YouTube Data API v3 key "
                "(Google Cloud console > APIs & Services > Credentials)."
            )
        client.add_secret(key)
        return key

    def _call(
        self, client: HttpClient, method: str, params: Mapping[str, Any], *, cost: Cost, what: str
    ) -> Any:
        response = client.get(
            f"{self.base_url}/{method}",
            params={**params, "key": self._key(client)},
            cost=cost,
            what=what,
            accept=(400, 403, 404),
        )
        if response.is_success:
            return load_json(response.content)
        reason = _reason(response)
        said = client.redact(server_message(response))
        var = client.credential_env.get("api_key", KEY_ENV)
        if reason in _KEY_REASONS:
            raise CredentialError(f"youtube rejected the API key ({reason}: {said}); check ${var}.")
        if reason in _QUOTA_REASONS:
            resets = quota_resets_at(client.clock()).strftime("%Y-%m-%d %H:%M UTC")
            raise BudgetExceeded(
                f"youtube: the API quota is spent ({reason}: {said}); it resets at midnight Pacific time "
                f"({resets}). Run again then, or ask Google for more quota."
            )
        if response.status_code == 404 or reason in (
            "videoNotFound",
            "channelNotFound",
            "commentThreadNotFound",
        ):
            raise GoneError(f"youtube: {what} no longer exists ({reason or 404}: {said}).")
        if response.status_code == 403:
            hint = " (the owner turned comments off)" if reason == "commentsDisabled" else ""
            raise AccessDenied(f"youtube refused access (403) to {what}{hint}: {said}")
        raise SourceError(f"youtube: HTTP {response.status_code} for {what}: {reason or ''} {said}".strip())

    # -- query kinds ------------------------------------------------------------------------------

    def threads(self, query: Query, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        value = query.value.strip()
        if not value:
            raise InputError(f"youtube: a {query.kind} query needs a {query.kind} id.")
        scope = {"videoId": value} if query.kind == "video" else {"allThreadsRelatedToChannelId": value}
        what = f"the comments of {query.kind} {value}"
        state = dict(cursor or {})
        since: str | None = state.get("since")
        top: str | None = state.get("pass_top")
        token: str | None = state.get("page_token")
        while True:
            params: dict[str, Any] = {
                **scope,
                "part": "snippet,replies",
                "maxResults": self.page_size,
                "order": "time",
                "textFormat": "plainText",
            }
            if token:
                params["pageToken"] = token
            document = self._call(client, "commentThreads", params, cost=_LIST_COST, what=what)
            items = normalise_document(document)
            listed = document.get("items")
            threads = [t for t in listed if isinstance(t, Mapping)] if isinstance(listed, list) else []
            items.extend(self._missing_replies(threads, client))
            times = [
                str(t["snippet"]["topLevelComment"]["snippet"]["publishedAt"])
                for t in threads
                if _published(t)
            ]
            newest = max(times, default=None)
            top = max(filter(None, (top, newest)), default=None)
            reached_known = since is not None and bool(times) and min(times) <= since
            token = document.get("nextPageToken") if isinstance(document.get("nextPageToken"), str) else None
            if token is None or reached_known:
                yield Page(items, {"since": max(filter(None, (top, since)), default=None)}, endpoint=what)
                return
            yield Page(items, {"since": since, "pass_top": top, "page_token": token}, endpoint=what)

    def _missing_replies(self, threads: list[Mapping[str, Any]], client: HttpClient) -> list[Item]:
        out: list[Item] = []
        for thread in threads:
            snippet = thread.get("snippet") if isinstance(thread.get("snippet"), Mapping) else {}
            total = snippet.get("totalReplyCount") if isinstance(snippet, Mapping) else None
            replies = thread.get("replies")
            inlined = replies.get("comments") if isinstance(replies, Mapping) else None
            shown = len(inlined) if isinstance(inlined, list) else 0
            thread_id = thread.get("id")
            if not isinstance(total, int) or total <= shown or not isinstance(thread_id, str):
                continue
            out.extend(self.replies(thread_id, client))
        return out

    def replies(self, thread_id: str, client: HttpClient) -> list[Item]:
        """Every reply under one thread, page by page."""
        out: list[Item] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {
                "parentId": thread_id,
                "part": "snippet",
                "maxResults": self.page_size,
                "textFormat": "plainText",
            }
            if token:
                params["pageToken"] = token
            document = self._call(
                client, "comments", params, cost=_LIST_COST, what=f"the replies to {thread_id}"
            )
            out.extend(normalise_document(document))
            found = document.get("nextPageToken")
            if not isinstance(found, str) or not found:
                return out
            token = found

    def search(
        self, query: Query, cursor: Cursor | None, client: HttpClient, *, backfill_days: float
    ) -> Iterator[Page]:
        """Videos matching words, newest first, published after the last pass's newest."""
        state = dict(cursor or {})
        since = state.get("since") or (
            datetime.fromtimestamp(client.clock(), tz=UTC) - timedelta(days=backfill_days)
        ).strftime("%Y-%m-%dT%H:%M:%SZ")
        top: str | None = state.get("pass_top")
        token: str | None = state.get("page_token")
        what = f"the YouTube search {query.value!r}"
        while True:
            params: dict[str, Any] = {
                "q": query.value,
                "part": "snippet",
                "type": "video",
                "order": "date",
                "maxResults": min(self.page_size, 50),
                "publishedAfter": since,
            }
            if token:
                params["pageToken"] = token
            document = self._call(client, "search", params, cost=_SEARCH_COST, what=what)
            items = normalise_document(document)
            times = [i.post.created_at for i in items if i.post.created_at is not None]
            if times:
                newest = max(times).strftime("%Y-%m-%dT%H:%M:%SZ")
                top = max(filter(None, (top, newest)))
            token = document.get("nextPageToken") if isinstance(document.get("nextPageToken"), str) else None
            if token is None:
                yield Page(items, {"since": top or since}, endpoint=what)
                return
            yield Page(items, {"since": since, "pass_top": top, "page_token": token}, endpoint=what)

    def feed(self, query: Query, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        """A channel's latest 15 uploads through the keyless Atom feed (no quota)."""
        channel = query.value.strip()
        headers = {"If-None-Match": str(cursor["etag"])} if cursor and cursor.get("etag") else None
        response = client.get(
            self.feed_url,
            params={"channel_id": channel},
            headers=headers,
            cost=FREE,
            what=f"the upload feed of channel {channel}",
            accept=(304,),
        )
        if response.status_code == 304:
            yield Page([], dict(cursor or {}), endpoint=str(response.url))
            return
        etag = response.headers.get("etag")
        yield Page(normalise_feed(response.text), {"etag": etag} if etag else {}, endpoint=str(response.url))


def _published(thread: Mapping[str, Any]) -> bool:
    try:
        return isinstance(thread["snippet"]["topLevelComment"]["snippet"]["publishedAt"], str)
    except (KeyError, TypeError):
        return False
