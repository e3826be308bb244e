"""Posting a reply on X: ``POST /2/tweets`` with ``reply.in_reply_to_tweet_id``, as the brand's account.

Creating a post needs a USER-context credential (the app-only bearer token that
search uses cannot post): an OAuth 2.0 access token of the brand's account with
the ``tweet.write`` scope, in ``$X_REPLY_TOKEN`` (``reply_token`` in
``[sources.x] credentials``). Such tokens last two hours; when X answers 401 the
desk says which variable to renew. X charges per post created (pay-per-use
"Content create", ``usd_per_post_created`` in options, default $0.015), which
the meter records. X may also refuse a reply to someone who has not mentioned
or engaged the account (403); what X says is shown to the agent as it came.
The endpoint has no idempotency key, so the desk sends once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from goodwill.errors import CredentialError, PostOutcomeUnknown, SourceError
from goodwill.json_input import load_json
from goodwill.sources.http import HttpClient
from goodwill.sources.meter import Cost
from goodwill.sources.reply import ReplyTarget, SentReply
from goodwill.sources.source import SourceSettings
from goodwill.sources.x.v2 import post_url, snowflake

__all__ = ["TOKEN_ENV", "XReplier"]

TOKEN_ENV = "X_REPLY_TOKEN"
CREATE_USD = 0.015


class XReplier:
    """The sending half of the X source."""

    def __init__(self, settings: SourceSettings, base_url: str) -> None:
        self.settings = settings
        self.base_url = base_url.rstrip("/")
        self.cost = Cost(
            units=1, usd=float(settings.options.get("usd_per_post_created", CREATE_USD)), bucket="posts"
        )

    def ready(self) -> bool:
        return self.settings.secret("reply_token", TOKEN_ENV)[0] is not None

    def send(self, target: ReplyTarget, text: str, client: HttpClient) -> SentReply:
        token, var = self.settings.secret("reply_token", TOKEN_ENV)
        client.credential_env.setdefault("reply_token", var)
        if not token:
            raise CredentialError(
                f"x: sending replies needs ${var}: an OAuth 2.0 user access token of the brand's account "
                "with the tweet.write scope; see docs/sources/x.md."
            )
        client.add_secret(token)
        parent = snowflake(target.native_id)
        if parent is None:
            raise SourceError(f"x: {target.native_id!r} is not a post id; answer it by hand.")
        response = client.request(
            "POST",
            f"{self.base_url}/tweets",
            json_body={"text": text, "reply": {"in_reply_to_tweet_id": parent}},
            headers={"Authorization": f"Bearer {token}"},
            cost=self.cost,
            what=f"the reply to post {parent}",
        )
        body: Any = load_json(response.content)
        data = body.get("data") if isinstance(body, Mapping) else None
        new_id = snowflake(data.get("id")) if isinstance(data, Mapping) else None
        if new_id is None:
            raise PostOutcomeUnknown(
                "x: X answered the reply without the new post's id; look at the account's posts "
                "before sending again."
            )
        return SentReply(native_id=new_id, url=post_url(new_id, None), text=text, raw=body)
