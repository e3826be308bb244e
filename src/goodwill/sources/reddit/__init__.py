"""Reddit: subreddit and site search, new listings, comment trees, through OAuth.

Query kinds (``kinds`` below):

* ``search``: words, through ``/search`` (``subreddit`` param: ``/r/NAME/search``
  restricted to it), newest first;
* ``subreddit``: a subreddit's new submissions (``/r/NAME/new``);
* ``comments``: a subreddit's new comments (``/r/NAME/comments``);
* ``user``: a redditor's new posts and comments (``/user/NAME/overview``);
* ``thread``: a submission id (or its URL): the submission and every comment,
  ``more`` stubs expanded through ``/api/morechildren`` and "continue this
  thread" stubs through ``/comments/ID/_/COMMENT``.

Listings are walked newest first with the ``after`` fullname cursor, and stop at
the newest post of the last completed pass (a keyset on ``created_utc``, never
``before=<fullname>``: a ``before`` whose post was deleted answers an empty
listing forever). A thread keeps the stubs still to expand in its cursor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from goodwill.errors import CredentialError, GoneError, InputError, SourceError
from goodwill.json_input import load_json
from goodwill.sources.http import HttpClient, server_message
from goodwill.sources.meter import Cost
from goodwill.sources.reddit.auth import TOKEN_URL, RedditAuth
from goodwill.sources.reddit.replying import RedditReplier
from goodwill.sources.reddit.things import NETWORK, MoreStub, more_stubs, normalise_document
from goodwill.sources.reply import ReplyTarget, SentReply
from goodwill.sources.source import Capability, Cursor, Item, Page, Query, SourceSettings, read_json_documents

__all__ = ["RedditSource"]

API_URL = "https://oauth.reddit.com"
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{1,30}$")
_THREAD = re.compile(r"(?:/comments/|^t3_|^)([a-z0-9]{2,12})(?:/|$)")
_DAY = 86_400.0
_MORE_BATCH = 100
_REQUEST = Cost(units=1, bucket="requests")


def _name(value: str, what: str) -> str:
    cleaned = value.strip().removeprefix("/").removeprefix("r/").removeprefix("u/").removeprefix("user/")
    if not _NAME.match(cleaned):
        raise InputError(f"reddit: {value!r} is not a {what} name (letters, digits, _ and -).")
    return cleaned


def _thread_id(value: str) -> str:
    found = _THREAD.search(value.strip().lower())
    if found is None:
        raise InputError(f"reddit: a thread query needs a submission id or URL, not {value!r}.")
    return found.group(1)


def _times(document: Any) -> list[float]:
    data = document.get("data") if isinstance(document, Mapping) else None
    children = data.get("children") if isinstance(data, Mapping) else None
    out: list[float] = []
    for child in children if isinstance(children, list) else []:
        inner = child.get("data") if isinstance(child, Mapping) else None
        created = inner.get("created_utc") if isinstance(inner, Mapping) else None
        if isinstance(created, int | float) and not isinstance(created, bool):
            out.append(float(created))
    return out


class RedditSource:
    """Reddit's Data API; replies as the brand's account (replying.py)."""

    name = NETWORK
    capabilities = frozenset({Capability.SEARCH, Capability.THREAD, Capability.REPLY})
    reply_idempotent = False  # /api/comment has no idempotency key: one attempt per send
    stream_kinds: frozenset[str] = frozenset()  # no live stream: listen polls
    kinds: Mapping[str, str] = {
        "search": "words to find in submissions (param subreddit=NAME to search one subreddit)",
        "subreddit": "a subreddit name: its new submissions",
        "comments": "a subreddit name: its new comments",
        "user": "a redditor's name: their new submissions and comments",
        "thread": "a submission id or URL: it and every comment, 'more' stubs expanded",
    }

    def __init__(self, settings: SourceSettings) -> None:
        self.settings = settings
        self.api_url = (settings.base_url or API_URL).rstrip("/")
        token_url = str(settings.options.get("token_url") or TOKEN_URL)
        self.auth = RedditAuth(settings, token_url)
        self.replier = RedditReplier(settings, self.api_url, token_url)
        self.page_size = int(settings.options.get("page_size", 100))
        self.max_items = int(settings.options.get("max_items", 1000))
        self.backfill_days = float(settings.options.get("backfill_days", 7))
        self.comment_limit = int(settings.options.get("comment_limit", 500))
        self.comment_sort = str(settings.options.get("comment_sort", "confidence"))

    def normalise(self, document: Any, *, endpoint: str | None = None) -> list[Item]:
        return normalise_document(document)

    def read_export(self, path: Path) -> Iterator[Any]:
        return read_json_documents(path)

    def reply_ready(self) -> bool:
        return self.replier.ready()

    def reply(
        self, target: ReplyTarget, text: str, client: HttpClient, *, key: str | None = None
    ) -> SentReply:
        return self.replier.send(target, text, client)

    # -- requests -------------------------------------------------------------------------------

    def api(
        self,
        client: HttpClient,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        what: str,
        form: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One Data API call with the bearer token (renewed once on 401) and ``raw_json=1``.

        ``raw_json=1`` makes Reddit send ``&``, ``<`` and ``>`` as themselves rather than
        HTML-escaped, so texts are what the author typed.
        """
        query = {**(params or {}), "raw_json": 1}
        url = f"{self.api_url}{path}"
        for attempt in (0, 1):
            headers = self.auth.headers(client)
            try:
                if form is not None:
                    response = client.request(
                        "POST",
                        url,
                        params=query,
                        data=form,
                        headers=headers,
                        cost=_REQUEST,
                        what=what,
                        accept=[400],
                    )
                else:
                    response = client.get(
                        url, params=query, headers=headers, cost=_REQUEST, what=what, accept=[400]
                    )
            except CredentialError:
                if attempt:
                    raise
                self.auth.forget()
                continue
            if response.status_code == 400:
                raise SourceError(f"reddit: bad request for {what} (400: {_explain(response)}).")
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def fetch(self, query: Query, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        value = query.value
        if query.kind == "search":
            params = {k: v for k, v in query.params.items() if k != "subreddit"}
            subreddit = query.params.get("subreddit")
            if subreddit:
                path = f"/r/{_name(subreddit, 'subreddit')}/search"
                params.setdefault("restrict_sr", "1")
            else:
                path = "/search"
            base = {"q": value, "sort": "new", "t": "all", "type": "link"} | params
            return self._listing(path, base, cursor, client, f"the search {value!r}")
        if query.kind == "subreddit":
            sr = _name(value, "subreddit")
            return self._listing(f"/r/{sr}/new", dict(query.params), cursor, client, f"r/{sr}")
        if query.kind == "comments":
            sr = _name(value, "subreddit")
            return self._listing(
                f"/r/{sr}/comments", dict(query.params), cursor, client, f"the comments of r/{sr}"
            )
        if query.kind == "user":
            user = _name(value, "user")
            params = {"sort": "new"} | dict(query.params)
            return self._listing(f"/user/{user}/overview", params, cursor, client, f"u/{user}")
        if query.kind == "thread":
            return self._thread(_thread_id(value), cursor, client)
        raise InputError(f"reddit: unknown query kind {query.kind!r}; use one of {', '.join(self.kinds)}.")

    # -- listings -------------------------------------------------------------------------------

    def _listing(
        self, path: str, params: Mapping[str, Any], cursor: Cursor | None, client: HttpClient, what: str
    ) -> Iterator[Page]:
        state = dict(cursor or {})
        since = float(state.get("since") or client.clock() - self.backfill_days * _DAY)
        top = float(state.get("pass_top") or since)
        after: str | None = state.get("after")
        fetched = int(state.get("fetched") or 0)
        while True:
            page_params = {"limit": self.page_size} | dict(params)
            if after:
                page_params["after"] = after
            response = self.api(client, path, page_params, what=what)
            document = load_json(response.content)
            items = self.normalise(document)
            times = _times(document)
            fetched += len(times)
            top = max([top, *times])
            data = document.get("data") if isinstance(document, Mapping) else None
            after = (
                data.get("after")
                if isinstance(data, Mapping) and isinstance(data.get("after"), str)
                else None
            )
            done = after is None or not times or min(times) < since or fetched >= self.max_items
            if done:
                yield Page(items, {"since": top}, endpoint=str(response.url))
                return
            yield Page(
                items,
                {"since": since, "pass_top": top, "after": after, "fetched": fetched},
                endpoint=str(response.url),
            )

    # -- threads --------------------------------------------------------------------------------

    def _thread(self, article: str, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        pending: list[dict[str, Any]] = [dict(t) for t in (cursor or {}).get("pending") or []]
        tree_params = {"limit": self.comment_limit, "sort": self.comment_sort}
        if not pending:
            try:
                response = self.api(
                    client, f"/comments/{article}/", tree_params, what=f"the thread {article}"
                )
            except GoneError:
                raise GoneError(
                    f"reddit: thread {article} no longer exists; remove the thread query."
                ) from None
            document = load_json(response.content)
            if not _has_submission(document):
                raise GoneError(f"reddit: thread {article} no longer exists; remove the thread query.")
            pending = _tasks(more_stubs(document))
            yield Page(self.normalise(document), {"pending": pending}, endpoint=str(response.url))
        while pending:
            task, pending = pending[0], pending[1:]
            if "more" in task:
                form = {
                    "api_type": "json",
                    "children": ",".join(task["more"]),
                    "link_id": f"t3_{article}",
                    "sort": self.comment_sort,
                }
                response = self.api(
                    client, "/api/morechildren/", what=f"more comments of {article}", form=form
                )
            else:
                response = self.api(
                    client,
                    f"/comments/{article}/_/{task['deep']}",
                    tree_params,
                    what=f"the replies under comment {task['deep']}",
                )
            document = load_json(response.content)
            items = self.normalise(document)
            if "deep" in task:  # the page repeats the submission above the subtree
                items = [i for i in items if i.post.native_id != f"t3_{article}"]
            pending = pending + _tasks(more_stubs(document), below=task.get("deep"))
            yield Page(items, {"pending": pending}, endpoint=str(response.url))


def _has_submission(document: Any) -> bool:
    if not isinstance(document, list) or not document:
        return False
    first = document[0]
    data = first.get("data") if isinstance(first, Mapping) else None
    children = data.get("children") if isinstance(data, Mapping) else None
    return isinstance(children, list) and bool(children)


def _tasks(stubs: Sequence[MoreStub], below: str | None = None) -> list[dict[str, Any]]:
    """Requests still to make for these stubs: morechildren batches, then "continue this thread" pages."""
    out: list[dict[str, Any]] = []
    for stub in stubs:
        if stub.continue_thread:
            comment = stub.parent_id.removeprefix("t1_")
            if stub.parent_id.startswith("t1_") and comment != below:
                out.append({"deep": comment})
        else:
            ids = list(stub.children)
            out.extend({"more": ids[i : i + _MORE_BATCH]} for i in range(0, len(ids), _MORE_BATCH))
    return out


def _explain(response: httpx.Response) -> str:
    """Reddit's 400s put the useful words in ``explanation``/``reason``, not ``message``."""
    try:
        body = load_json(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("explanation", "reason"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])
    return server_message(response)
