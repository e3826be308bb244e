"""Posting a reply on Reddit: ``POST /api/comment`` with the parent's fullname as ``thing_id``.

A comment is written by a user, so the token is a script app's ``password``
grant for the brand's account: the app's ``client_id``/``client_secret`` (the
listening ones unless mapped otherwise) with ``reply_username`` and
``reply_password`` (``$REDDIT_REPLY_USERNAME``, ``$REDDIT_REPLY_PASSWORD``), kept
and renewed by :class:`~goodwill.sources.reddit.auth.RedditAuth` like the
listening token. Reddit answers ``api_type=json`` calls with HTTP 200 even when
it refuses; the refusal is in ``json.errors`` as ``[CODE, message, field]``:
``RATELIMIT`` ("you are doing that too much") is a rate limit, a deleted,
locked or archived thread means the post can no longer be answered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from goodwill.errors import CredentialError, GoneError, PostOutcomeUnknown, RateLimited, SourceError
from goodwill.json_input import load_json
from goodwill.sources.http import HttpClient, server_message
from goodwill.sources.meter import Cost
from goodwill.sources.reddit.auth import ENV, RedditAuth
from goodwill.sources.reply import ReplyTarget, SentReply
from goodwill.sources.source import SourceSettings

__all__ = ["PASSWORD_ENV", "USERNAME_ENV", "RedditReplier"]

USERNAME_ENV = "REDDIT_REPLY_USERNAME"
PASSWORD_ENV = "REDDIT_REPLY_PASSWORD"
_POST = Cost(units=1, bucket="requests")
_FULLNAME = re.compile(r"^t[13]_[a-z0-9]{1,16}$")
_CLOSED = frozenset({"DELETED_COMMENT", "DELETED_LINK", "THREAD_LOCKED", "TOO_OLD", "NOT_AUTHOR"})


class RedditReplier:
    """The sending half of the Reddit source: the brand account's script-app login."""

    def __init__(self, settings: SourceSettings, api_url: str, token_url: str) -> None:
        self.api_url = api_url.rstrip("/")
        names = settings.credentials
        login = {
            "client_id": names.get("client_id", ENV["client_id"]),
            "client_secret": names.get("client_secret", ENV["client_secret"]),
            "username": names.get("reply_username", USERNAME_ENV),
            "password": names.get("reply_password", PASSWORD_ENV),
        }
        options = {k: v for k, v in settings.options.items() if k != "username"}
        self.auth = RedditAuth(replace(settings, credentials=login, options=options), token_url)

    def ready(self) -> bool:
        return bool(self.auth.client_id) and self.auth.grant == "password"

    def send(self, target: ReplyTarget, text: str, client: HttpClient) -> SentReply:
        if not self.ready():
            auth = self.auth
            raise CredentialError(
                f"reddit: sending replies needs a script app and the brand's account: set "
                f"${auth.client_id_env}, ${auth.client_secret_env}, ${auth.username_env} and "
                f"${auth.password_env}; see docs/sources/reddit.md."
            )
        thing = target.native_id
        if not _FULLNAME.match(thing):
            raise SourceError(f"reddit: {thing!r} is not a post or comment fullname; answer it by hand.")
        form = {"api_type": "json", "thing_id": thing, "text": text}
        for attempt in (0, 1):
            headers = self.auth.headers(client)
            try:
                response = client.request(
                    "POST",
                    f"{self.api_url}/api/comment",
                    params={"raw_json": 1},
                    data=form,
                    headers=headers,
                    cost=_POST,
                    what=f"the reply to {thing}",
                    accept=[400],
                )
            except CredentialError:
                if attempt:
                    raise
                self.auth.forget()  # the token expired early: one new one, then the comment
                continue
            if response.status_code == 400:
                said = server_message(response)
                raise SourceError(f"reddit: the reply to {thing} was refused (400: {said}).")
            return _sent(load_json(response.content), thing, text)
        raise AssertionError("unreachable")  # pragma: no cover


def _sent(body: Any, thing: str, text: str) -> SentReply:
    answer = body.get("json") if isinstance(body, Mapping) else None
    errors = answer.get("errors") if isinstance(answer, Mapping) else None
    if isinstance(errors, list) and errors:
        first = errors[0] if isinstance(errors[0], list) else [str(errors[0])]
        code = str(first[0]) if first else "ERROR"
        said = str(first[1]) if len(first) > 1 else code
        if code == "RATELIMIT":
            raise RateLimited(f"reddit: {said} (the brand's account may comment again then).")
        if code in _CLOSED:
            raise GoneError(f"reddit: {thing} can no longer be answered ({code}: {said}).")
        raise SourceError(f"reddit: the reply to {thing} was refused ({code}: {said}).")
    data = answer.get("data") if isinstance(answer, Mapping) else None
    things = data.get("things") if isinstance(data, Mapping) else None
    first_thing = things[0] if isinstance(things, list) and things else None
    made = first_thing.get("data") if isinstance(first_thing, Mapping) else None
    name = made.get("name") if isinstance(made, Mapping) else None
    if not isinstance(made, Mapping) or not isinstance(name, str) or not _FULLNAME.match(name):
        raise PostOutcomeUnknown(
            "reddit: Reddit answered the reply without the new comment's id; look at the account's "
            "comments before sending again."
        )
    link = made.get("permalink")
    url = f"https://www.reddit.com{link}" if isinstance(link, str) and link.startswith("/") else None
    return SentReply(native_id=name, url=url, text=text, raw=made)
