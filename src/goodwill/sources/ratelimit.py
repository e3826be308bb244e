"""Every network's rate-limit headers, read into one shape, and how long to wait.

Networks disagree on names and units, so the parsing lives in one pure function:

* ``Retry-After``: seconds or an HTTP date (RFC 9110);
* ``x-ratelimit-*`` (Reddit: ``reset`` in seconds from now, ``remaining`` as "997.0");
* ``x-rate-limit-*`` (X: ``reset`` in unix seconds);
* ``X-RateLimit-*`` (Mastodon: ``reset`` as an ISO 8601 timestamp);
* ``RateLimit-Limit/Remaining/Reset`` + ``RateLimit-Policy: 3000;w=300`` (Bluesky,
  reset in unix seconds) and the IETF draft's ``RateLimit: "x";r=5;t=30``.

A numeric reset above 10^9 is a unix time (10^9 s is 2001, while no window is
31 years long), below it a delay in seconds, so the same header works either way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["RateLimit", "parse_rate_limit", "retry_delay"]

_UNIX_THRESHOLD = 1_000_000_000
_MS_THRESHOLD = 100_000_000_000
_PREFIXES = ("x-ratelimit-", "x-rate-limit-", "ratelimit-")
_PARAM = re.compile(r"\b([a-z]+)=([0-9.]+)")


@dataclass(frozen=True)
class RateLimit:
    """What the server said about its limits; every field None when it did not say.

    ``reset_at`` and times are unix seconds (floats) so an injected clock compares directly.
    """

    limit: float | None = None
    remaining: float | None = None
    reset_at: float | None = None
    window_s: float | None = None
    retry_after_at: float | None = None

    @property
    def exhausted(self) -> bool:
        return self.remaining is not None and self.remaining <= 0

    def as_json(self) -> dict[str, float]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.strip().split(",")[0])
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _moment(text: str | None, now: float) -> float | None:
    """A reset given as unix seconds, unix milliseconds, seconds from now, or ISO 8601."""
    if text is None or not text.strip():
        return None
    value = _number(text)
    if value is not None:
        if value >= _MS_THRESHOLD:
            return value / 1000
        return value if value >= _UNIX_THRESHOLD else now + max(value, 0.0)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).timestamp()


def _retry_after(text: str | None, now: float) -> float | None:
    if text is None or not text.strip():
        return None
    seconds = _number(text)
    if seconds is not None:
        return now + max(seconds, 0.0)
    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def _params(text: str | None) -> dict[str, float]:
    """``3000;w=300`` -> {"q": 3000, "w": 300}; ``"default";r=50;t=30`` -> {"r": 50, "t": 30}."""
    if not text:
        return {}
    first = text.split(",")[0]
    found = {k: float(v) for k, v in _PARAM.findall(first)}
    lead = _number(first.split(";")[0])
    if lead is not None and "q" not in found:
        found["q"] = lead
    return found


def parse_rate_limit(headers: Mapping[str, str], now: float) -> RateLimit:
    """The limits ``headers`` announce (keys case-insensitive, e.g. httpx.Headers), read at ``now``."""
    lower = {k.lower(): v for k, v in headers.items()}
    limit = remaining = reset_at = window = None
    for prefix in _PREFIXES:
        if limit is None:
            limit = _number(lower.get(prefix + "limit"))
        if remaining is None:
            remaining = _number(lower.get(prefix + "remaining"))
        if reset_at is None:
            reset_at = _moment(lower.get(prefix + "reset"), now)
    policy = _params(lower.get("ratelimit-policy"))
    if policy:
        limit = limit if limit is not None else policy.get("q")
        window = policy.get("w")
    combined = _params(lower.get("ratelimit"))
    if combined:
        remaining = remaining if remaining is not None else combined.get("r")
        if reset_at is None and "t" in combined:
            reset_at = now + combined["t"]
    return RateLimit(
        limit=limit,
        remaining=remaining,
        reset_at=reset_at,
        window_s=window,
        retry_after_at=_retry_after(lower.get("retry-after"), now),
    )


def retry_delay(limit: RateLimit, now: float, attempt: int, *, base: float = 1.0, cap: float = 60.0) -> float:
    """Seconds to wait before retrying a 429/5xx: what the server asked, else exponential backoff.

    ``Retry-After`` wins; then the window's reset when the server says none are left
    (or names no remaining count); otherwise ``base * 2**attempt`` capped at ``cap``.
    """
    if limit.retry_after_at is not None:
        return max(limit.retry_after_at - now, 0.0)
    if limit.reset_at is not None and (limit.remaining is None or limit.exhausted):
        return max(limit.reset_at - now, 0.0)
    return float(min(base * 2**attempt, cap))
