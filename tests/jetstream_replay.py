"""A Jetstream stand-in on 127.0.0.1 that replays recorded production events in an endless loop.

The firehose-rate benchmark (bench/bench_firehose.py) and its non-timed test
need a stream that never runs dry and whose posts are new on every loop, as on
the real network. Each event of the recording (``expected_v1.jsonl``: 152
real Jetstream v1 events) is sent once per loop ``k`` with two rewrites:

* ``time_us`` becomes ``T0 + (k * N + i) * STEP_US`` for the ``i``-th of the ``N``
  recorded events (sorted by time), so time advances without end and a
  ``cursor=TIME_US`` maps back to an exact place in the endless stream;
* ``commit.rkey`` gains ``-k``, so loop ``k``'s posts (and deletes) are other
  posts than loop ``k - 1``'s.

Subscriptions are honoured as Jetstream honours them: ``wantedCollections``
(exact NSIDs or ``prefix.*``) filters commits, identity and account events
always come, and ``cursor`` replays from that moment. Messages are built from
templates made once, so the server spends its time sending.

    python tests/jetstream_replay.py            # prints ws://127.0.0.1:PORT/subscribe, serves until killed
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

RECORDING = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "fixtures"
    / "bluesky_firehose"
    / "jetstream"
    / "expected_v1.jsonl"
)
#: Virtual time between two events of the endless stream: 2,000 events a "second", the target rate.
STEP_US = 500
_TIME = 7_777_777_777_777_777  # placeholders, replaced in each message
_LOOP = "@@loop@@"


def recorded_events(path: Path = RECORDING) -> list[dict[str, Any]]:
    """The recording, sorted by ``time_us`` (Jetstream sends nearly, not strictly, in order)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return sorted((json.loads(line) for line in lines if line.strip()), key=lambda e: int(e["time_us"]))


def wants(collection: str | None, wanted: Sequence[str]) -> bool:
    """Jetstream's ``wantedCollections``: none means all; ``app.bsky.*`` is a prefix."""
    if not wanted or collection is None:
        return True
    return any(collection == w or (w.endswith(".*") and collection.startswith(w[:-1])) for w in wanted)


class Stream:
    """The endless stream: event ``g`` is recorded event ``g % N`` of loop ``g // N``."""

    def __init__(self, events: Sequence[dict[str, Any]]) -> None:
        self.events = list(events)
        self.t0 = int(self.events[0]["time_us"])
        self.templates: list[tuple[str, str | None]] = []
        for event in self.events:
            copy = json.loads(json.dumps(event))
            copy["time_us"] = _TIME
            commit = copy.get("commit")
            collection = None
            if isinstance(commit, dict):
                collection = commit.get("collection")
                commit["rkey"] = f"{commit['rkey']}-{_LOOP}"
            self.templates.append((json.dumps(copy, ensure_ascii=False, separators=(",", ":")), collection))

    def time_of(self, g: int) -> int:
        return self.t0 + g * STEP_US

    def index_at(self, time_us: int) -> int:
        """The first event at or after ``time_us``."""
        return max(0, -(-(time_us - self.t0) // STEP_US))

    def message(self, g: int) -> str:
        template, _ = self.templates[g % len(self.templates)]
        return template.replace(str(_TIME), str(self.time_of(g)), 1).replace(
            _LOOP, str(g // len(self.events))
        )

    def wanted(self, g: int, wanted: Sequence[str]) -> bool:
        return wants(self.templates[g % len(self.templates)][1], wanted)

    def count(self, start: int, end: int, wanted: Sequence[str]) -> int:
        """How many events of ``[start, end)`` a subscriber of ``wanted`` receives."""
        n = len(self.events)
        per_loop = sum(1 for i in range(n) if self.wanted(i, wanted))
        whole = max(0, end - start) // n
        return whole * per_loop + sum(1 for g in range(start + whole * n, end) if self.wanted(g, wanted))


class ReplayServer:
    """Serves :class:`Stream` on 127.0.0.1; ``end`` (an event index) makes it finite, then quiet."""

    def __init__(self, events: Iterable[dict[str, Any]] | None = None, *, end: int | None = None) -> None:
        self.stream = Stream(list(events) if events is not None else recorded_events())
        self.end = end
        self.stop = threading.Event()
        self.paths: list[str] = []
        self.sent = 0
        self._server = serve(self._handle, "127.0.0.1", 0, compression=None)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/subscribe"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        self.paths.append(connection.request.path)
        query = parse_qs(urlsplit(connection.request.path).query)
        wanted = query.get("wantedCollections", [])
        g = self.stream.index_at(int(query["cursor"][0])) if "cursor" in query else 0
        try:
            while not self.stop.is_set() and (self.end is None or g < self.end):
                if self.stream.wanted(g, wanted):
                    connection.send(self.stream.message(g))
                    self.sent += 1
                g += 1
            self.stop.wait()  # a live stream with nothing more to say: stay open, quiet
            connection.close()
        except ConnectionClosed:
            return

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._server.shutdown()
        self._thread.join(timeout=5)


def main() -> None:
    # a reader that goes away mid-send is this server's normal end, not an error to print
    logging.getLogger("websockets").setLevel(logging.CRITICAL)
    with ReplayServer() as server:
        print(server.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdin.read()  # serve until the parent closes our stdin (or kills us)


if __name__ == "__main__":
    main()
