"""Who is asking, and is the request really theirs: sessions, API tokens, CSRF, and the browser's guard rails.

Pages use an HttpOnly, SameSite=Strict session cookie; every state-changing page
request must also carry the session's CSRF token (a form field, or the
``X-CSRF-Token`` header htmx sends) and, when the browser says where it comes
from, an Origin of this very server. The login form, which has no session yet,
uses a double-submit token: a cookie and a field that must match. The JSON API
takes a bearer token and no cookies, so CSRF does not apply to it.

Every response carries a strict Content-Security-Policy: scripts and styles only
from this server's own files, no inline script, no eval, no framing.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from goodwill.desk.accounts import Session, User, session_for, token_user
from goodwill.desk.roles import Permission, can
from goodwill.errors import Forbidden
from goodwill.web.app_state import store_of

__all__ = [
    "CSP",
    "LOGIN_CSRF_COOKIE",
    "SESSION_COOKIE",
    "ApiUser",
    "CsrfSession",
    "LoginRequired",
    "PageSession",
    "SecurityHeaders",
    "Unauthorized",
    "check_login_csrf",
    "client_ip",
    "need",
    "new_login_csrf",
]

SESSION_COOKIE = "gw_session"
LOGIN_CSRF_COOKIE = "gw_login_csrf"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """ASGI middleware adding the guard-rail headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers.extend((k, v) for k, v in _HEADERS if k not in present)
                if not scope.get("path", "").startswith("/static/") and b"cache-control" not in present:
                    # Every page but the assets shows someone's words, names or the team's work (or a
                    # CSRF token): no copy of it stays in a browser or proxy cache.
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LoginRequired(Exception):
    """A page was asked for without a live session: the handler sends the browser to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class Unauthorized(Exception):
    """An API call without a valid token."""


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def need(user: User, permission: Permission, doing: str) -> None:
    """Refuse the request unless the user's role grants ``permission``."""
    if not can(user.role, permission):
        raise Forbidden(f"a {user.role.value} may not {doing}.")


def page_session(request: Request) -> Session:
    session = session_for(store_of(request), request.cookies.get(SESSION_COOKIE, ""))
    if session is None:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        raise LoginRequired(target if request.method == "GET" else "/inbox")
    return session


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        # Older browsers omit Origin on same-origin form posts; the token still has to match.
        return origin is None
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host


async def csrf_session(request: Request, session: Annotated[Session, Depends(page_session)]) -> Session:
    """The session, once the request proves it came from our own page (token and origin)."""
    form = await request.form()
    sent = form.get("csrf_token")
    token = sent if isinstance(sent, str) else request.headers.get("x-csrf-token", "")
    if not token or not hmac.compare_digest(token, session.csrf_token) or not _same_origin(request):
        raise Forbidden(
            "this form is stale or did not come from the desk (CSRF check failed); reload the page."
        )
    return session


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


async def check_login_csrf(request: Request) -> None:
    form = await request.form()
    sent = form.get("csrf_token")
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not isinstance(sent, str) or not cookie or not hmac.compare_digest(sent, cookie):
        raise Forbidden("the login form is stale (CSRF check failed); reload the page and try again.")
    if not _same_origin(request):
        raise Forbidden("the login form did not come from the desk; open the desk's own login page.")


_bearer = HTTPBearer(auto_error=False, description="An API token from `goodwill users token NAME`.")


def api_user(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized()
    user = token_user(store_of(request), credentials.credentials)
    if user is None:
        raise Unauthorized()
    return user


PageSession = Annotated[Session, Depends(page_session)]
CsrfSession = Annotated[Session, Depends(csrf_session)]
ApiUser = Annotated[User, Depends(api_user)]
