"""Spans of time as people write them in goodwill.toml: ``30m``, ``4h``, ``1h30m``, ``2d``.

SLA targets and reassignment timeouts are edited by hand, so they read like a
rota ("4h"), not like ISO 8601 ("PT4H"). A day is 24 hours of whatever clock
the span is used on (business time for SLA targets), not a working day.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

__all__ = ["Duration", "format_span", "parse_span"]

_PART = re.compile(r"(\d{1,6})\s*([smhdw])", re.IGNORECASE)
_WHOLE = re.compile(r"^\s*(?:\d{1,6}\s*[smhdw]\s*)+$", re.IGNORECASE)
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_span(value: object) -> timedelta:
    """Read ``"1h30m"`` (or a :class:`timedelta`, or a number of minutes) as a positive timedelta."""
    if isinstance(value, timedelta):
        span = value
    elif isinstance(value, bool):
        raise ValueError("a span is written like 30m, 4h, 1h30m or 2d")
    elif isinstance(value, int | float):
        span = timedelta(minutes=value)
    elif isinstance(value, str) and _WHOLE.match(value):
        span = timedelta(seconds=sum(int(n) * _SECONDS[u.lower()] for n, u in _PART.findall(value)))
    else:
        raise ValueError(f"cannot read {value!r} as a span: write it like 30m, 4h, 1h30m or 2d")
    if span <= timedelta(0):
        raise ValueError("a span must be longer than zero")
    return span


def format_span(span: timedelta) -> str:
    """The inverse of :func:`parse_span` for whole seconds: ``timedelta(minutes=90)`` -> ``"1h30m"``."""
    seconds = int(span.total_seconds())
    out = []
    for unit in ("d", "h", "m", "s"):
        amount, seconds = divmod(seconds, _SECONDS[unit])
        if amount:
            out.append(f"{amount}{unit}")
    return "".join(out) or "0s"


#: A pydantic field type: reads ``"4h"``, writes it back the same way.
Duration = Annotated[timedelta, BeforeValidator(parse_span), PlainSerializer(format_span, return_type=str)]
