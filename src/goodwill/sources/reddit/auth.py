"""Reddit OAuth tokens: app-only (``client_credentials``) or script (``password``), reused until they expire.

Reddit serves its Data API only on ``oauth.reddit.com`` with a bearer token from
``POST https://www.reddit.com/api/v1/access_token`` (HTTP Basic with the app's
client id and secret). A token lasts ``expires_in`` seconds (3600 in older
recordings, 86400 now); asking for one per request would spend the rate limit
and looks like abuse, so one token is kept per source and renewed a minute
before it expires, or once when the API answers 401.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from goodwill import __version__
from goodwill.errors import CredentialError
from goodwill.json_input import load_json
from goodwill.sources.http import HttpClient
from goodwill.sources.meter import Cost
from goodwill.sources.source import SourceSettings

__all__ = ["TOKEN_URL", "RedditAuth", "user_agent"]

TOKEN_URL = "https://www.reddit.com/api/v1/access_token"
_MARGIN_S = 60.0
ENV = {
    "client_id": "REDDIT_CLIENT_ID",
    "client_secret": "REDDIT_CLIENT_SECRET",
    "username": "REDDIT_USERNAME",
    "password": "REDDIT_PASSWORD",
}


def user_agent(settings: SourceSettings, username: str | None) -> str:
    """Reddit's documented form ``<platform>:<app ID>:<version> (by /u/<username>)``.

    Reddit throttles generic User-Agents hard, so one is always sent.
    """
    if settings.user_agent:
        return settings.user_agent
    app = str(settings.options.get("app_id", "goodwill"))
    who = username or str(settings.options.get("contact", "goodwill-listening"))
    return f"python:{app}:{__version__} (by /u/{who})"


@dataclass
class _Token:
    value: str
    expires_at: float


class RedditAuth:
    """Gets, keeps and renews the bearer token of one Reddit app."""

    def __init__(self, settings: SourceSettings, token_url: str = TOKEN_URL) -> None:
        self.settings = settings
        self.token_url = token_url
        self.client_id, self.client_id_env = settings.secret("client_id", ENV["client_id"])
        self.client_secret, self.client_secret_env = settings.secret("client_secret", ENV["client_secret"])
        self.username, self.username_env = settings.secret("username", ENV["username"])
        self.password, self.password_env = settings.secret("password", ENV["password"])
        self.username = self.username or settings.options.get("username") or None
        self._token: _Token | None = None
        self.tokens_fetched = 0

    @property
    def grant(self) -> str:
        """Script apps log in as their user; everything else is app-only."""
        return "password" if self.username and self.password else "client_credentials"

    def credential_env(self) -> dict[str, str]:
        names = {"client_id": self.client_id_env, "client_secret": self.client_secret_env}
        if self.grant == "password":
            names |= {"username": self.username_env, "password": self.password_env}
        return names

    def headers(self, client: HttpClient) -> dict[str, str]:
        """The Authorization and User-Agent headers for a Data API call, renewing the token if due."""
        if client.dry_run and self._token is None:
            # a dry run shows the data request it would make, not the token exchange before it
            return {"Authorization": "bearer ***", "User-Agent": user_agent(self.settings, self.username)}
        token = self._token
        if token is None or client.clock() >= token.expires_at - _MARGIN_S:
            token = self._fetch(client)
        return {
            "Authorization": f"bearer {token.value}",
            "User-Agent": user_agent(self.settings, self.username),
        }

    def forget(self) -> None:
        """Drop the token (the API said 401), so the next call asks for a new one."""
        self._token = None

    def _fetch(self, client: HttpClient) -> _Token:
        if not self.client_id:
            raise CredentialError(
                f"reddit needs an OAuth app: set ${self.client_id_env} and ${self.client_secret_env} "
                "(create an app at https://www.reddit.com/prefs/apps; see docs/sources/reddit.md)."
            )
        secret = self.client_secret or ""
        basic = base64.b64encode(f"{self.client_id}:{secret}".encode()).decode("ascii")
        for value in (self.client_id, secret, basic, self.password):
            client.add_secret(value)
        client.credential_env.update(self.credential_env())
        form = {"grant_type": self.grant}
        if self.grant == "password":
            form |= {"username": str(self.username), "password": str(self.password)}
        response = client.request(
            "POST",
            self.token_url,
            data=form,
            headers={
                "Authorization": f"Basic {basic}",
                "User-Agent": user_agent(self.settings, self.username),
            },
            cost=Cost(units=1, bucket="requests"),
            what="the access token",
        )
        try:
            body = load_json(response.content)
        except ValueError:
            body = None
        value = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(value, str) or not value:
            said = body.get("error") if isinstance(body, dict) else None
            raise CredentialError(
                f"reddit did not grant a token ({said or 'no access_token in the answer'}); "
                f"check ${self.client_id_env} and ${self.client_secret_env}"
                + (f", ${self.username_env} and ${self.password_env}" if self.grant == "password" else "")
                + "."
            )
        client.add_secret(value)
        lifetime = body.get("expires_in") if isinstance(body, dict) else None
        seconds = (
            float(lifetime)
            if isinstance(lifetime, int | float) and not isinstance(lifetime, bool)
            else 3600.0
        )
        self._token = _Token(value, client.clock() + seconds)
        self.tokens_fetched += 1
        return self._token
