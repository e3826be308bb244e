"""Posting a reply on Mastodon: ``POST /api/v1/statuses`` with ``in_reply_to_id``, as the brand's account.

Every server numbers statuses its own way, so the id to answer is the status's
id on the SENDING server (``base_url``): a post collected there has it in its
native id (``HOST/ID``); a post collected elsewhere is looked up first with
``GET /api/v2/search?q=URL&resolve=true``, which makes the server fetch it.

The reply starts with the author's ``@handle`` unless the text already names
them (option ``mention_author``, default on): Mastodon notifies people of
mentions, and a reply without one reaches the thread but not its author.
Each send carries an ``Idempotency-Key``, which Mastodon honours for an hour,
so a retried request after a lost answer posts once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from goodwill.errors import CredentialError, GoneError, PostOutcomeUnknown
from goodwill.json_input import load_json
from goodwill.sources.http import HttpClient
from goodwill.sources.mastodon.statuses import host_of
from goodwill.sources.meter import Cost
from goodwill.sources.reply import ReplyTarget, SentReply
from goodwill.sources.source import SourceSettings

__all__ = ["TOKEN_ENV", "MastodonReplier"]

TOKEN_ENV = "MASTODON_REPLY_TOKEN"
_POST = Cost(units=1, bucket="posts")
_LOOKUP = Cost(units=1, bucket="requests")
_VISIBILITIES = frozenset({"public", "unlisted", "private", "direct"})


def _ident(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and value.strip().isalnum() else None


class MastodonReplier:
    """The sending half of the Mastodon source (one server, one account)."""

    def __init__(self, settings: SourceSettings, base_url: str | None) -> None:
        self.settings = settings
        self.base_url = base_url
        self.visibility = str(settings.options.get("reply_visibility", "public"))
        if self.visibility not in _VISIBILITIES:
            self.visibility = "public"
        self.mention_author = bool(settings.options.get("mention_author", True))

    def ready(self) -> bool:
        return bool(self.base_url) and self.settings.secret("reply_token", TOKEN_ENV)[0] is not None

    def _headers(self, client: HttpClient) -> dict[str, str]:
        token, var = self.settings.secret("reply_token", TOKEN_ENV)
        client.credential_env.setdefault("reply_token", var)
        if not token or not self.base_url:
            raise CredentialError(
                f"mastodon: sending replies needs base_url (the brand account's server) and ${var} "
                "(an access token of that account with the write:statuses scope); "
                "see docs/sources/mastodon.md."
            )
        client.add_secret(token)
        return {"Authorization": f"Bearer {token}"}

    def send(self, target: ReplyTarget, text: str, client: HttpClient, *, key: str | None) -> SentReply:
        headers = self._headers(client)
        server = str(self.base_url)
        here = host_of(server) or ""
        host, _, status_id = target.native_id.rpartition("/")
        if host.lower() != here or not _ident(status_id):
            status_id = self._resolve(target, client, headers, server)
        body = self._with_mention(text, target, host)
        sent = client.request(
            "POST",
            f"{server}/api/v1/statuses",
            json_body={"status": body, "in_reply_to_id": status_id, "visibility": self.visibility},
            headers=headers | ({"Idempotency-Key": key} if key else {}),
            cost=_POST,
            what=f"the post being answered ({target.url or target.native_id})",
        )
        status: Any = load_json(sent.content)
        new_id = _ident(status.get("id")) if isinstance(status, Mapping) else None
        if new_id is None:
            raise PostOutcomeUnknown(
                f"mastodon: {here} answered the reply without a status id; look at the account's "
                "posts before sending again."
            )
        url = status.get("url") or status.get("uri")
        return SentReply(
            native_id=f"{here}/{new_id}", url=url if isinstance(url, str) else None, text=body, raw=status
        )

    def _resolve(
        self, target: ReplyTarget, client: HttpClient, headers: Mapping[str, str], server: str
    ) -> str:
        """The id on the sending server of a post collected elsewhere (the server fetches it)."""
        here = host_of(server)
        if not target.url:
            raise GoneError(
                f"mastodon: the post {target.native_id} was collected on another server and has no URL "
                f"for {here} to find it by; answer it there by hand."
            )
        found = client.get(
            f"{server}/api/v2/search",
            params={"q": target.url, "type": "statuses", "resolve": "true", "limit": 1},
            headers=headers,
            cost=_LOOKUP,
            what=f"the post {target.url}",
        )
        body: Any = load_json(found.content)
        statuses = body.get("statuses") if isinstance(body, Mapping) else None
        first = statuses[0] if isinstance(statuses, list) and statuses else None
        status_id = _ident(first.get("id")) if isinstance(first, Mapping) else None
        if status_id is None:
            raise GoneError(
                f"mastodon: {here} cannot find the post {target.url} (deleted, private, or its server "
                "blocks yours); answer it on its own server by hand."
            )
        return status_id

    def _with_mention(self, text: str, target: ReplyTarget, host: str) -> str:
        handle = (target.author_handle or "").lstrip("@")
        if not self.mention_author or not handle:
            return text
        here = host_of(self.base_url) or ""
        acct = handle if "@" in handle or host.lower() == here or not host else f"{handle}@{host}"
        named = rf"(?<![\w@])@(?:{re.escape(acct)}|{re.escape(handle)})(?![\w@]|\.\w)"
        if re.search(named, text, flags=re.IGNORECASE):
            return text
        return f"@{acct} {text}"
