"""Parse the ``--since`` values people type: ``7d``, ``24h``, ``90m``, ``2w`` or an ISO date."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from goodwill.errors import InputError

__all__ = ["parse_since"]

_SPAN = re.compile(r"^\s*(\d{1,6})\s*([smhdw])\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(value: str, *, now: datetime | None = None) -> datetime:
    """The moment ``value`` points at, as an aware UTC datetime.

    A span (``7d``) counts back from ``now``; anything else must be an ISO 8601
    date or date-time (naive values are taken as UTC).
    """
    now = now or datetime.now(UTC)
    match = _SPAN.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        return now - timedelta(seconds=amount * _UNIT_SECONDS[unit])
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"cannot read --since {value!r}: use a span like 30m, 24h, 7d, 2w or a date like 2026-11-01."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
