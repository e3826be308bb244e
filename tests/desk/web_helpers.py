"""Logging in through the real login form, and reading CSRF tokens out of pages."""

from __future__ import annotations

import re

from desk_helpers import PASSWORD
from fastapi.testclient import TestClient

from goodwill.desk.services import ReplyContext, ReplyFlag

BASE = "http://127.0.0.1:8080"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through /login; return the session's CSRF token (read from the inbox page)."""
    page = client.get("/login")
    assert page.status_code == 200
    done = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    inbox = client.get("/inbox")
    assert inbox.status_code == 200
    return csrf_of(inbox.text)


class SalesCheck:
    """A stand-in reply check for the desk's wiring: flags any draft that offers a discount."""

    def check(self, text: str, context: ReplyContext) -> list[ReplyFlag]:
        if "discount" in text.lower():
            return [
                ReplyFlag(
                    code="sales_pitch", message="offers a discount nobody asked for", evidence="discount"
                )
            ]
        return []
