"""Fetching from X API v2: recent and full-archive search, and conversations, paid per post read.

Every page is asked for with a keyset (``since_id`` .. ``until_id``) rather than
``next_token``, so a listener killed mid-pass resumes from its stored cursor
without a gap even after the token has expired, and posts arriving during a pass
are picked up by the next one (the cursor keeps the newest id of the pass).

X sells reads: each post (and each user object) returned costs money. Before a
request we check the worst case of the page against the monthly budget, so the
budget is never passed; after it we record what the page really cost.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from goodwill.errors import CredentialError, InputError
from goodwill.json_input import load_json
from goodwill.sources.http import HttpClient
from goodwill.sources.meter import FREE, Cost
from goodwill.sources.source import Cursor, Item, Page, Query, SourceSettings
from goodwill.sources.x.v2 import normalise_v2, snowflake

__all__ = ["API_URL", "XPricing", "search_pages"]

API_URL = "https://api.x.com/2"
TOKEN_ENV = "X_BEARER_TOKEN"
BUCKET = "reads"
#: what ``listen`` asks X to return with every post
FIELDS: Mapping[str, str] = {
    "tweet.fields": (
        "author_id,conversation_id,created_at,edit_history_tweet_ids,entities,in_reply_to_user_id,"
        "lang,note_tweet,public_metrics,referenced_tweets,withheld"
    ),
    "expansions": "author_id,referenced_tweets.id,referenced_tweets.id.author_id",
    "user.fields": "name,username,public_metrics,verified",
}
_ENDPOINTS = {
    "search": "/tweets/search/recent",
    "archive": "/tweets/search/all",
    "thread": "/tweets/search/recent",
}
_MAX_RESULTS = {"search": 100, "archive": 500, "thread": 100}


@dataclass(frozen=True)
class XPricing:
    """Dollars per resource read (pay-per-use prices, overridable in ``[sources.x] options``)."""

    post_usd: float = 0.005
    user_usd: float = 0.010

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> XPricing:
        return cls(
            post_usd=float(options.get("usd_per_post", cls.post_usd)),
            user_usd=float(options.get("usd_per_user", cls.user_usd)),
        )

    def worst_case(self, max_results: int) -> Cost:
        """The most one page can cost: each post may bring a referenced post and two users."""
        return Cost(
            units=2.0 * max_results, usd=max_results * (2 * self.post_usd + 2 * self.user_usd), bucket=BUCKET
        )

    def actual(self, document: Mapping[str, Any]) -> Cost:
        data = document.get("data")
        found = document.get("includes")
        includes: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        tweets, users_found = includes.get("tweets"), includes.get("users")
        posts = (len(data) if isinstance(data, list) else int(isinstance(data, Mapping))) + (
            len(tweets) if isinstance(tweets, list) else 0
        )
        users = len(users_found) if isinstance(users_found, list) else 0
        return Cost(units=float(posts), usd=posts * self.post_usd + users * self.user_usd, bucket=BUCKET)


def _authorise(settings: SourceSettings, client: HttpClient) -> dict[str, str]:
    token, var = settings.secret("token", TOKEN_ENV)
    client.credential_env["token"] = var
    if token is None:
        if client.dry_run:
            return {"Authorization": "Bearer ***"}
        raise CredentialError(
            f"x: no bearer token; set ${var} to your app's bearer token (developer.x.com > your app > keys)."
        )
    client.add_secret(token)
    return {"Authorization": f"Bearer {token}"}


def _query_text(query: Query) -> str:
    if query.kind == "thread":
        conversation = snowflake(query.value)
        if conversation is None:
            raise InputError(f"x: a thread query needs a post id, not {query.value!r}.")
        return f"conversation_id:{conversation}"
    if not query.value.strip():
        raise InputError(
            "x: a search query needs words (X search syntax, e.g. '@acmebank OR \"acme bank\"')."
        )
    return query.value


def _newer(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return a if int(a) >= int(b) else b


def search_pages(
    query: Query,
    cursor: Cursor | None,
    client: HttpClient,
    *,
    settings: SourceSettings,
    base_url: str,
    pricing: XPricing,
    backfill_days: float,
) -> Iterator[Page]:
    """Pages of one search pass; the last cursor holds the pass's newest id as ``since_id``."""
    if query.kind not in _ENDPOINTS:
        raise InputError(f"x: unknown query kind {query.kind!r}; use search, archive or thread.")
    headers = _authorise(settings, client)
    url = base_url.rstrip("/") + _ENDPOINTS[query.kind]
    max_results = min(
        int(query.params.get("max_results", _MAX_RESULTS[query.kind])), _MAX_RESULTS[query.kind]
    )
    state = dict(cursor or {})
    since: str | None = state.get("since_id")
    top: str | None = state.get("pass_top")
    until: str | None = state.get("until_id")
    while True:
        params: dict[str, Any] = {"query": _query_text(query), "max_results": max_results, **FIELDS}
        if since is not None:
            params["since_id"] = since
        elif query.kind == "archive":
            start = datetime.fromtimestamp(client.clock(), tz=UTC) - timedelta(days=backfill_days)
            params["start_time"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        if until is not None:
            params["until_id"] = until
        client.meter.check(pricing.worst_case(max_results))
        response = client.get(
            url, params=params, headers=headers, cost=FREE, what=f"the X search {query.value!r}"
        )
        document = load_json(response.content)
        if not isinstance(document, Mapping):
            raise InputError(f"x: the search answered with a {type(document).__name__}, not a response page.")
        client.meter.record(pricing.actual(document), requests=0)
        items: list[Item] = normalise_v2(document, endpoint=str(response.url))
        found = document.get("meta")
        meta: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        top = _newer(top, snowflake(meta.get("newest_id")))
        oldest = snowflake(meta.get("oldest_id"))
        if not meta.get("next_token") or oldest is None:
            yield Page(items, {"since_id": _newer(top, since)}, endpoint=client.redact(str(response.url)))
            return
        until = oldest
        yield Page(
            items,
            {"since_id": since, "pass_top": top, "until_id": until},
            endpoint=client.redact(str(response.url)),
        )
