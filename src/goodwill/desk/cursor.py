"""Inbox page links: where a page starts, as an opaque token the desk signed.

The inbox pages by keyset ("seek"): a page is "the next 50 cases after this
one in inbox order" (priority down, then case id up), which the inbox indexes
answer by seeking, so page 2,000 costs what page 1 costs, where OFFSET read
and threw away every row before it.

The token carries the boundary case's priority and id, the direction (after
it, or the page before it), the page number (only to show "Page 7") and a
digest of the filters. It is base64url JSON with an HMAC-SHA256 tag under the
store's ``inbox-cursor`` key (goodwill.desk.keys), so a link that was edited,
cut short, made for other filters or signed by another store is refused with
:class:`~goodwill.errors.InvalidCursor` (HTTP 400), never a server error.
Nothing in it is secret: the tag only makes it tamper-evident, and what a
viewer may see is decided by the inbox's SQL whatever the token says.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
from dataclasses import dataclass
from typing import Any

from goodwill.errors import InvalidCursor

__all__ = ["MAX_CURSOR_CHARS", "CursorCodec", "Seek"]

#: Longer input is refused before any decoding (a real token is about 120 characters).
MAX_CURSOR_CHARS = 512
_TAG_BYTES = 16
_VERSION = 1
_MAX_PAGE = 10_000_000
_STALE = "This page link is invalid or was made for other filters. Go back to the first page of the inbox."


@dataclass(frozen=True)
class Seek:
    """Where a page starts: after (or, ``backward``, before) the case with this priority and id."""

    priority: float
    case_id: int
    backward: bool = False
    #: the number of the page this opens, for display only
    page: int = 2


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    """Signs and checks inbox cursors with one key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a cursor key needs at least 16 bytes")
        self._key = key

    def _tag(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()[:_TAG_BYTES]

    def encode(self, seek: Seek, filters: str) -> str:
        """The token for ``seek`` under the filters whose digest is ``filters``."""
        payload = {
            "v": _VERSION,
            "p": float(seek.priority),
            "i": int(seek.case_id),
            "b": int(seek.backward),
            "n": int(seek.page),
            "f": filters,
        }
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
        return f"{_b64(body)}.{_b64(self._tag(body))}"

    def decode(self, token: str, filters: str) -> Seek:
        """The seek a token holds; InvalidCursor when it is not one this desk made for these filters."""
        if not token or len(token) > MAX_CURSOR_CHARS or token.count(".") != 1:
            raise InvalidCursor(_STALE)
        body_text, tag_text = token.split(".")
        try:
            body = _unb64(body_text)
            tag = _unb64(tag_text)
        except (binascii.Error, ValueError):
            raise InvalidCursor(_STALE) from None
        if not hmac.compare_digest(tag, self._tag(body)):
            raise InvalidCursor(_STALE)
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            raise InvalidCursor(_STALE) from None
        seek = _seek(payload)
        if payload.get("f") != filters:
            raise InvalidCursor(_STALE)
        return seek


def _seek(payload: Any) -> Seek:
    """A signed payload as a Seek (a payload of another version or shape is refused)."""
    if not isinstance(payload, dict) or payload.get("v") != _VERSION:
        raise InvalidCursor(_STALE)
    priority, case_id, backward, page = (payload.get(k) for k in ("p", "i", "b", "n"))
    if not isinstance(priority, float | int) or isinstance(priority, bool) or not math.isfinite(priority):
        raise InvalidCursor(_STALE)
    for number in (case_id, backward, page):
        if not isinstance(number, int) or isinstance(number, bool):
            raise InvalidCursor(_STALE)
    assert isinstance(case_id, int) and isinstance(page, int)
    if backward not in (0, 1) or not 1 <= page <= _MAX_PAGE or case_id < 0:
        raise InvalidCursor(_STALE)
    return Seek(priority=float(priority), case_id=case_id, backward=bool(backward), page=page)
