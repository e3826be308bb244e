"""Server-sent events (the Mastodon streaming API over HTTP) read into event documents.

An SSE stream is blocks separated by blank lines; ``event:`` names the event,
each ``data:`` line adds a line of data, and lines starting with ``:`` are
heartbeats. Each event becomes ``{"event": NAME, "payload": DATA}``, the shape
of Mastodon's WebSocket messages, so one normaliser reads both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["looks_like_sse", "sse_events"]


def sse_events(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Every complete event in ``lines`` (a trailing block without a blank line counts too)."""
    name: str | None = None
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                yield {"event": name or "message", "payload": "\n".join(data)}
            name, data = None, []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
    if data:
        yield {"event": name or "message", "payload": "\n".join(data)}


def looks_like_sse(text: str) -> bool:
    """A saved ``text/event-stream`` body rather than JSON."""
    head = text.lstrip()[:200]
    return head.startswith((":", "event:", "data:"))
