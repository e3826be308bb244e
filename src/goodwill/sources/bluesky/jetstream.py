"""The live tail: Jetstream's JSON firehose over a websocket, resumable by time.

Jetstream (``wss://jetstream{1,2}.us-{east,west}.bsky.network/subscribe``) sends
one JSON event per message, filtered by ``wantedCollections`` and ``wantedDids``.
Each event carries ``time_us`` (unix microseconds), and ``cursor=TIME_US`` replays
from that moment. Events do not arrive in strict ``time_us`` order, and
delivery is at least once, so a resumed tail starts from the newest stored time
minus ``margin_us`` (2 s by default): the few events seen twice are absorbed by the
idempotent store, and none are lost.

Pages are cut every ``batch`` events, ``page_s`` seconds after a page's first
event, or when the socket has been quiet for ``idle_s``: so the stored cursor and
the stored posts lag the stream by about a second at most, and a busy stream is
written in large pages (each page is one transaction, whose fixed cost a page of
a thousand events shares). Closing
waits at most a second for the server's close frame (a busy stream keeps the
socket full, and the cursor is already stored). A clean
close ends the fetch; a dropped connection is reopened (with backoff, from the
cursor) up to the client's ``max_attempts`` times in a row. With ``session_s`` the
tail also ends after that long, so ``listen --follow`` can serve its other queries
and come back (resuming from the stored cursor).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from goodwill.errors import SourceError
from goodwill.json_input import load_json
from goodwill.sources.bluesky.posts import jetstream_items
from goodwill.sources.http import DryRun, HttpClient, PlannedRequest
from goodwill.sources.meter import Cost
from goodwill.sources.source import Item, Page

__all__ = ["JETSTREAM_URL", "subscribe_url", "tail"]

JETSTREAM_URL = "wss://jetstream2.us-east.bsky.network/subscribe"
_CONNECT = Cost(units=1, bucket="jetstream")


def subscribe_url(base: str, collections: Sequence[str], dids: Sequence[str], cursor_us: int | None) -> str:
    params: list[tuple[str, str]] = [("wantedCollections", c) for c in collections]
    params += [("wantedDids", d) for d in dids]
    if cursor_us is not None:
        params.append(("cursor", str(cursor_us)))
    return f"{base}?{urlencode(params)}" if params else base


def _websockets() -> Any:
    try:
        from websockets.sync import client as ws_client
    except ImportError as exc:  # pragma: no cover - a pinned dependency
        raise SourceError(
            "bluesky: the Jetstream tail needs the 'websockets' package; reinstall goodwill (make install)."
        ) from exc
    return ws_client


def tail(
    client: HttpClient,
    *,
    base: str,
    collections: Sequence[str],
    dids: Sequence[str],
    cursor: Mapping[str, Any] | None,
    batch: int = 1000,
    idle_s: float = 1.0,
    page_s: float = 1.0,
    margin_us: int = 2_000_000,
    open_timeout_s: float = 10.0,
    session_s: float | None = None,
    match: Callable[[str], bool] | None = None,
) -> Iterator[Page]:
    """Pages of Jetstream events from the stored ``time_us`` on (None: from now); with ``match``,
    only the new posts whose text passes it (see :func:`~goodwill.sources.bluesky.posts.jetstream_items`)."""
    stored = (cursor or {}).get("time_us")
    newest: int | None = (
        int(stored) if isinstance(stored, int | float) and not isinstance(stored, bool) else None
    )
    failures = 0
    ws_client = _websockets()
    from websockets.exceptions import ConnectionClosedOK, WebSocketException

    deadline = None if session_s is None else client.clock() + session_s

    while True:
        url = subscribe_url(base, collections, dids, None if newest is None else max(0, newest - margin_us))
        if client.dry_run:
            raise DryRun(PlannedRequest("GET", client.redact(url), _CONNECT))
        client.meter.check(_CONNECT)
        items: list[Item] = []
        counted = 0
        cut = 0.0  # when the page being filled must be yielded
        try:
            with ws_client.connect(
                url, open_timeout=open_timeout_s, close_timeout=1.0, max_size=2**22
            ) as socket:
                client.meter.record(_CONNECT)
                while True:
                    if deadline is not None and client.clock() >= deadline:
                        if counted:
                            yield Page(items, {"time_us": newest}, endpoint=base)
                        return  # a session's time is up: listen runs the other queries, then resumes here
                    try:
                        message = socket.recv(timeout=idle_s)
                    except TimeoutError:
                        if counted:
                            yield Page(items, {"time_us": newest}, endpoint=base)
                            items, counted = [], 0
                        continue
                    failures = 0
                    event = _event(message)
                    if event is None:
                        continue
                    moment = event.get("time_us")
                    if isinstance(moment, int) and not isinstance(moment, bool):
                        newest = moment if newest is None else max(newest, moment)
                    items.extend(jetstream_items(event, match))
                    counted += 1
                    now = client.clock()
                    if counted == 1:
                        cut = now + page_s
                    if counted >= batch or now >= cut:
                        yield Page(items, {"time_us": newest}, endpoint=base)
                        items, counted = [], 0
        except ConnectionClosedOK:
            if counted:
                yield Page(items, {"time_us": newest}, endpoint=base)
            return
        except (OSError, WebSocketException) as exc:
            if counted:
                yield Page(items, {"time_us": newest}, endpoint=base)
            failures += 1
            if failures >= client.max_attempts:
                raise SourceError(
                    f"bluesky: the Jetstream connection to {base} failed {failures} times in a row "
                    f"({type(exc).__name__}: {exc}); check the network or try another instance."
                ) from None
            client.sleep(min(client.backoff_base_s * 2 ** (failures - 1), 60.0))


def _event(message: str | bytes) -> dict[str, Any] | None:
    try:
        event = load_json(message)
    except (ValueError, UnicodeDecodeError):
        return None
    return event if isinstance(event, dict) else None
