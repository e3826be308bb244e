"""A Bluesky login kept for the life of the source: createSession once, refreshSession after.

``com.atproto.server.createSession`` is limited to 30 calls per 5 minutes and 300
per day per account (the recordings show an even tighter ``10;w=86400``), so a
listener that logged in per request would lock itself out within the hour. The
session's access token is reused until a minute before its JWT ``exp``; then, or
when the server says ``ExpiredToken``, the refresh token buys a new pair through
``refreshSession``; only if that fails is the password used again.

Use an app password (Settings → Privacy and security → App passwords), never the
account password.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from goodwill.errors import CredentialError
from goodwill.json_input import load_json
from goodwill.sources.http import HttpClient
from goodwill.sources.meter import Cost
from goodwill.sources.source import SourceSettings

__all__ = ["BlueskySession", "jwt_expiry"]

_MARGIN_S = 60.0
_UNKNOWN_LIFETIME_S = 600.0
_LOGIN = Cost(units=1, bucket="createSession")
_REFRESH = Cost(units=1, bucket="refreshSession")


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT (unix seconds), read without checking the signature."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims: Any = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, UnicodeDecodeError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


class BlueskySession:
    """The access and refresh tokens of one account on one service (PDS or entryway)."""

    def __init__(
        self,
        settings: SourceSettings,
        service: str,
        *,
        identifier: tuple[str, str] = ("identifier", "BLUESKY_HANDLE"),
        password: tuple[str, str] = ("app_password", "BLUESKY_APP_PASSWORD"),
    ) -> None:
        """``identifier``/``password``: (credential name, default environment variable) of the login."""
        self.service = service.rstrip("/")
        self.names = (identifier[0], password[0])
        self.identifier, self.identifier_env = settings.secret(*identifier)
        self.password, self.password_env = settings.secret(*password)
        self.access: str | None = None
        self.refresh: str | None = None
        self.expires_at = 0.0
        self.did: str | None = None
        self.logins = 0
        self.refreshes = 0

    @property
    def configured(self) -> bool:
        return bool(self.identifier and self.password)

    def missing(self, what: str) -> CredentialError:
        return CredentialError(
            f"bluesky: {what} needs a login; set ${self.identifier_env} (your handle) and "
            f"${self.password_env} (an app password), see docs/sources/bluesky.md."
        )

    def headers(self, client: HttpClient) -> dict[str, str]:
        """``Authorization`` for an XRPC call, logging in or refreshing only when due."""
        if client.dry_run and self.access is None:
            return {"Authorization": "Bearer ***"}  # a dry run shows the query, not the login before it
        if self.access is None or client.clock() >= self.expires_at - _MARGIN_S:
            if self.refresh is not None:
                self._refresh(client)
            else:
                self._login(client)
        return {"Authorization": f"Bearer {self.access}"}

    def expire(self) -> None:
        """The server said the access token is no longer good: refresh before the next call."""
        self.expires_at = 0.0

    def _keep(self, client: HttpClient, body: Any) -> None:
        access = body.get("accessJwt") if isinstance(body, dict) else None
        refresh = body.get("refreshJwt") if isinstance(body, dict) else None
        if not isinstance(access, str) or not access or not isinstance(refresh, str) or not refresh:
            raise CredentialError(
                f"bluesky: {self.service} answered the login without tokens; check ${self.identifier_env}."
            )
        client.add_secret(access)
        client.add_secret(refresh)
        self.access, self.refresh = access, refresh
        self.expires_at = jwt_expiry(access) or client.clock() + _UNKNOWN_LIFETIME_S
        did = body.get("did")
        self.did = did if isinstance(did, str) else self.did

    def _login(self, client: HttpClient) -> None:
        if not self.configured:
            raise self.missing("this query")
        client.add_secret(self.password)
        client.credential_env.update({self.names[0]: self.identifier_env, self.names[1]: self.password_env})
        response = client.request(
            "POST",
            f"{self.service}/xrpc/com.atproto.server.createSession",
            json_body={"identifier": self.identifier, "password": self.password},
            cost=_LOGIN,
            what="the login (createSession)",
        )
        self._keep(client, load_json(response.content))
        self.logins += 1

    def _refresh(self, client: HttpClient) -> None:
        assert self.refresh is not None
        response = client.request(
            "POST",
            f"{self.service}/xrpc/com.atproto.server.refreshSession",
            headers={"Authorization": f"Bearer {self.refresh}"},
            cost=_REFRESH,
            what="the session refresh",
            accept=[400, 401],
        )
        if response.status_code in (400, 401):
            self.access = self.refresh = None
            self._login(client)  # the refresh token expired or was revoked: log in once more
            return
        self._keep(client, load_json(response.content))
        self.refreshes += 1
