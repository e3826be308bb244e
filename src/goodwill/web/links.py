"""Hostile input meets HTML: which URLs may become links, and how a post's time reads."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

__all__ = ["ago", "safe_url"]


def safe_url(url: str | None) -> str | None:
    """The URL if it is plain http(s) to a named host; None for javascript:, data:, relative or odd ones."""
    if not url:
        return None
    candidate = url.strip()
    if any(ord(ch) < 0x21 for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return candidate


def ago(stamp: datetime | None, now: datetime | None = None) -> str:
    """'5 min ago', '3 h ago', '2 d ago': how long someone has waited."""
    if stamp is None:
        return "unknown time"
    seconds = ((now or datetime.now(UTC)) - stamp).total_seconds()
    if seconds < 0:
        return "in the future"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"
