"""Posting a reply on Bluesky: an ``app.bsky.feed.post`` record whose ``reply`` names its parent and root.

A reply must carry strong references (URI and CID) to the post it answers
(``parent``) and to the top of the thread (``root``). Both are read fresh with
``app.bsky.feed.getPosts`` rather than from the store: a stored post may have
come from Jetstream or an old import, and the CID must be the record's current
one. The parent's own ``reply.root`` is the root; a post that answers nothing is
its own root.

The record goes to the account's repository with
``com.atproto.repo.createRecord`` under a login of its own (``reply_identifier``
and ``reply_app_password``, by default ``$BLUESKY_REPLY_HANDLE`` and
``$BLUESKY_REPLY_APP_PASSWORD``), kept for the life of the source like the
listening session. createRecord is not idempotent, so the desk sends it once.
Links, #tags and @mentions in the reply get rich-text facets (goodwill.sources.bluesky.richtext),
mentions after a ``com.atproto.identity.resolveHandle`` lookup each.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from goodwill.errors import CredentialError, GoneError, PostOutcomeUnknown, SourceError
from goodwill.json_input import load_json
from goodwill.sources.bluesky.posts import POST_COLLECTION, parse_at_uri
from goodwill.sources.bluesky.richtext import reply_facets
from goodwill.sources.bluesky.session import BlueskySession
from goodwill.sources.http import HttpClient, server_message
from goodwill.sources.meter import Cost
from goodwill.sources.reply import ReplyTarget, SentReply
from goodwill.sources.source import SourceSettings

__all__ = ["HANDLE_ENV", "PASSWORD_ENV", "BlueskyReplier"]

HANDLE_ENV = "BLUESKY_REPLY_HANDLE"
PASSWORD_ENV = "BLUESKY_REPLY_APP_PASSWORD"
_READ = Cost(units=1, bucket="requests")
_WRITE = Cost(units=1, bucket="posts")
_EXPIRED = frozenset({"ExpiredToken", "InvalidToken"})


def _envelope(response: httpx.Response) -> tuple[str, str]:
    try:
        body: Any = load_json(response.content)
    except ValueError:
        return "", server_message(response)
    if not isinstance(body, Mapping):
        return "", server_message(response)
    error, message = body.get("error"), body.get("message")
    return (error if isinstance(error, str) else ""), (message if isinstance(message, str) else "")


def _strong_ref(value: Any) -> dict[str, str] | None:
    if not isinstance(value, Mapping):
        return None
    uri, cid = value.get("uri"), value.get("cid")
    if parse_at_uri(uri) is None or not isinstance(cid, str) or not cid:
        return None
    return {"uri": str(uri), "cid": cid}


class BlueskyReplier:
    """The sending half of the Bluesky source: the brand account's session and its posts."""

    def __init__(self, settings: SourceSettings, service: str) -> None:
        self.service = service.rstrip("/")
        self.session = BlueskySession(
            settings,
            self.service,
            identifier=("reply_identifier", HANDLE_ENV),
            password=("reply_app_password", PASSWORD_ENV),
        )
        langs = settings.options.get("reply_langs")
        self.langs = [part.strip() for part in str(langs).split(",") if part.strip()] if langs else []

    def ready(self) -> bool:
        return self.session.configured

    def send(self, target: ReplyTarget, text: str, client: HttpClient) -> SentReply:
        if not self.session.configured:
            raise self.session.missing("sending a reply")
        if parse_at_uri(target.native_id) is None:
            raise GoneError(f"bluesky: {target.native_id!r} is not a post's at:// URI; answer it by hand.")
        parent, root = self._refs(target, client)
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": text,
            "createdAt": datetime.fromtimestamp(client.clock(), tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "reply": {"root": root, "parent": parent},
        }
        if self.langs:
            record["langs"] = self.langs
        facets = reply_facets(text, lambda handle: self._did_of(handle, client))
        if facets:
            record["facets"] = facets
        response = self._call(client, "POST", "com.atproto.repo.createRecord", record=record)
        body: Any = load_json(response.content)
        made = _strong_ref(body)
        parts = parse_at_uri(made["uri"]) if made else None
        if made is None or parts is None:
            raise PostOutcomeUnknown(
                f"bluesky: {self.service} answered the reply without the new post's URI; look at the "
                "account's posts before sending again."
            )
        did, _, rkey = parts
        return SentReply(
            native_id=made["uri"], url=f"https://bsky.app/profile/{did}/post/{rkey}", text=text, raw=body
        )

    def _did_of(self, handle: str, client: HttpClient) -> str | None:
        """The DID behind ``handle`` for a mention facet; None when the handle does not resolve (400)."""
        response = self._call(
            client,
            "GET",
            "com.atproto.identity.resolveHandle",
            params={"handle": handle},
            what=f"the handle @{handle}",
            refusal_expected=True,
        )
        if response.status_code == 400:
            return None
        body: Any = load_json(response.content)
        did = body.get("did") if isinstance(body, Mapping) else None
        return did if isinstance(did, str) and did.startswith("did:") else None

    def _refs(self, target: ReplyTarget, client: HttpClient) -> tuple[dict[str, str], dict[str, str]]:
        """(parent, root) strong refs of the post being answered, read from the AppView."""
        response = self._call(client, "GET", "app.bsky.feed.getPosts", params={"uris": target.native_id})
        body: Any = load_json(response.content)
        views = body.get("posts") if isinstance(body, Mapping) else None
        view = next(
            (v for v in views or [] if isinstance(v, Mapping) and v.get("uri") == target.native_id), None
        )
        parent = _strong_ref(view)
        if view is None or parent is None:
            raise GoneError(
                f"bluesky: the post {target.url or target.native_id} is gone or hidden from the brand's "
                "account (deleted, or it blocks you); nothing was sent."
            )
        record = view.get("record")
        reply = record.get("reply") if isinstance(record, Mapping) else None
        root = _strong_ref(reply.get("root")) if isinstance(reply, Mapping) else None
        return parent, root or parent

    def _call(
        self,
        client: HttpClient,
        verb: str,
        method: str,
        *,
        params: Mapping[str, Any] | None = None,
        record: Mapping[str, Any] | None = None,
        what: str | None = None,
        refusal_expected: bool = False,
    ) -> httpx.Response:
        """One XRPC call with the reply session; an expired token is refreshed once.

        A 400 other than an expired token is raised as a refusal, or returned when ``refusal_expected``.
        """
        what = what or ("the reply" if record is not None else "the post being answered")
        for attempt in (0, 1):
            headers = self.session.headers(client)
            body = None
            if record is not None:
                repo = self.session.did or self.session.identifier
                body = {"repo": repo, "collection": POST_COLLECTION, "record": record}
            try:
                response = client.request(
                    verb,
                    f"{self.service}/xrpc/{method}",
                    params=params,
                    headers=headers,
                    json_body=body,
                    cost=_WRITE if record is not None else _READ,
                    what=what,
                    accept=[400],
                )
            except CredentialError:
                if attempt:
                    raise
                self.session.expire()
                continue
            if response.status_code != 400:
                return response
            error, message = _envelope(response)
            if error in _EXPIRED and not attempt:
                self.session.expire()
                continue
            if refusal_expected and error not in _EXPIRED:
                return response
            raise SourceError(f"bluesky: {what} was refused (400 {error or 'Bad Request'}: {message}).")
        raise AssertionError("unreachable")  # pragma: no cover
