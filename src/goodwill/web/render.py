"""Server-rendered pages: one Jinja2 environment, autoescaping everything, with the desk's filters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from goodwill.desk.accounts import Session
from goodwill.desk.roles import Permission, can
from goodwill.web.links import ago, safe_url

__all__ = ["Pages"]

#: rel for every link to somewhere else: no window.opener, no endorsement, user-generated content
EXTERNAL_REL = "noopener nofollow ugc"


class Pages:
    def __init__(self) -> None:
        self.env = Environment(
            loader=PackageLoader("goodwill.web", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["ago"] = ago
        self.env.globals["safe_url"] = safe_url
        self.env.globals["external_rel"] = EXTERNAL_REL

    def render(
        self,
        request: Request,
        name: str,
        *,
        session: Session | None = None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        user = session.user if session else None
        html = self.env.get_template(name).render(
            request=request,
            user=user,
            csrf=session.csrf_token if session else "",
            now=datetime.now(UTC),
            may=(lambda p: user is not None and can(user.role, Permission(p))),
            **context,
        )
        return HTMLResponse(html, status_code=status_code)
