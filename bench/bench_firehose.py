"""Firehose rate: ``goodwill listen --follow --enrich`` on a Jetstream replayed over loopback.

A local server (tests/jetstream_replay.py) replays the 152 recorded production
Jetstream events in an endless loop, time and record keys rewritten so every
loop is new, as fast as the reader takes them. Two readers, one after the other,
each in its own process:

* the **baseline**: a bare websocket reader that parses each event with
  ``json.loads`` and does nothing else (what any Python client pays);
* **listen**: the real command, ``goodwill listen --follow --enrich``, in a
  workspace whose brands are named in some of the recorded posts. It stores the
  matching posts and their cursor page by page, and judges each page's posts
  with the seven fast-mode stages.

Events/s come from the cursor the listener stored (exact: every replayed
``time_us`` maps to one place in the stream), sampled after a warm-up and again
``--seconds`` later. Posts/s are matched posts stored and enriched in the same
window. Two mixes: ``posts`` (``wantedCollections=app.bsky.feed.post``, what a
listening query asks for: every event is a post to read) and ``all`` (the
whole firehose, mostly likes, as a query with value ``*`` receives it).

    python bench/bench_firehose.py                   # 60 s per mix, both mixes
    python bench/bench_firehose.py --seconds 20 --mix posts
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from jetstream_replay import Stream, recorded_events  # noqa: E402

TARGET = 2_000  # events/s, the bar on this 2-core machine
MIXES = {"posts": ["app.bsky.feed.post"], "all": []}
QUERY_VALUE = {"posts": "app.bsky.feed.post", "all": "*"}
#: Brands named in some of the recorded posts (a link to youtube.com, a "Tic Tac" video): about one
#: post in eight matches, far more than a real brand gets, so enrichment has work on every page.
CONFIG = """\
[[brands]]
name = "YouTube"
domains = ["youtube.com"]

[[competitors]]
name = "Tic Tac"

[sources.bluesky]
poll_seconds = 0.5
options = {{ jetstream_url = "{url}", stream_seconds = 3600{extra} }}

[[queries]]
source = "bluesky"
kind = "jetstream"
value = "{value}"
name = "firehose"
"""


def raw_reader(url: str, seconds: float) -> dict[str, float]:
    """The baseline: read and parse events, nothing else."""
    from websockets.sync.client import connect

    n = 0
    with connect(url, max_size=2**22, compression=None) as socket:
        for _ in range(200):  # warm-up
            json.loads(socket.recv())
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            for _ in range(100):
                json.loads(socket.recv())
            n += 100
    return {"events": n, "seconds": elapsed, "rate": n / elapsed}


class Server:
    """The replay server in its own process, so it does not share this one's interpreter lock."""

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "jetstream_replay.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _sample(db: Path) -> dict[str, Any] | None:
    if not db.exists():
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        # One statement, one snapshot: counted one after the other, a page committed in between
        # showed more posts judged than stored.
        row = con.execute(
            "SELECT (SELECT cursor FROM source_cursors WHERE query = 'firehose'), "
            "(SELECT count(*) FROM posts WHERE deleted = 0), "
            "(SELECT count(*) FROM posts p WHERE p.deleted = 0 AND EXISTS "
            "(SELECT 1 FROM enrichments e WHERE e.post_id = p.id AND e.stage = 'receptivity'))"
        ).fetchone()
        if row[0] is None:
            return None
        posts, enriched = row[1], row[2]
    except sqlite3.OperationalError:
        return None
    finally:
        con.close()
    return {
        "at": time.perf_counter(),
        "time_us": json.loads(row[0])["time_us"],
        "posts": posts,
        "enriched": enriched,
    }


def listen_run(url: str, mix: str, seconds: float, stream: Stream) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="gw-firehose-") as tmp:
        folder = Path(tmp)
        (folder / "goodwill.toml").write_text(CONFIG.format(url=url, value=QUERY_VALUE[mix], extra=""))
        db = folder / "goodwill.db"
        proc = subprocess.Popen(
            [sys.executable, "-m", "goodwill", "listen", "--follow", "--enrich"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 180
            while (first := _sample(db)) is None or first["enriched"] == 0:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    raise SystemExit(f"listen did not start storing: {err[-2000:]}")
                time.sleep(0.2)
            time.sleep(3)  # warm: models loaded, pages flowing
            a = _sample(db)
            time.sleep(seconds)
            b = _sample(db)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    assert a is not None and b is not None
    wanted = MIXES[mix]
    ga = stream.index_at(a["time_us"]) + 1
    gb = stream.index_at(b["time_us"]) + 1
    span = b["at"] - a["at"]
    events = stream.count(ga, gb, wanted)
    return {
        "events": events,
        "seconds": span,
        "rate": events / span,
        "posts_stored": b["posts"] - a["posts"],
        "posts_enriched": b["enriched"] - a["enriched"],
        "posts_rate": (b["enriched"] - a["enriched"]) / span,
        "unenriched_at_end": b["posts"] - b["enriched"],
    }


def _child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="the measured window of listen")
    parser.add_argument("--baseline-seconds", type=float, default=15.0)
    parser.add_argument("--mix", choices=["posts", "all", "both"], default="both")
    parser.add_argument("--raw", help=argparse.SUPPRESS)  # the baseline child: URL
    args = parser.parse_args()
    if args.raw:
        print(json.dumps(raw_reader(args.raw, args.baseline_seconds)))
        return

    stream = Stream(recorded_events())
    print(
        f"bench_firehose, {datetime.date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average at start {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    results: dict[str, Any] = {"date": datetime.date.today().isoformat(), "target": TARGET}
    for mix in ("posts", "all") if args.mix == "both" else (args.mix,):
        wanted = ",".join(MIXES[mix]) or "all collections"
        with Server() as server:
            url = server.url + (
                "?" + "&".join(f"wantedCollections={c}" for c in MIXES[mix]) if MIXES[mix] else ""
            )
            raw = _child(["--raw", url, "--baseline-seconds", str(args.baseline_seconds)])
        with Server() as server:
            real = listen_run(server.url, mix, args.seconds, stream)
        ratio = real["rate"] / raw["rate"]
        results[mix] = {"baseline": raw, "listen": real, "ratio": ratio}
        verdict = "keeps up" if real["rate"] >= TARGET else "BELOW"
        print(
            f"{mix:<5} ({wanted}): baseline (websocket read + json.loads) {raw['rate']:,.0f} events/s; "
            f"listen --follow --enrich {real['rate']:,.0f} events/s over {real['seconds']:.0f} s "
            f"({ratio:.2f}x the baseline; {verdict} with {TARGET:,}/s); "
            f"{real['posts_rate']:,.1f} matched posts/s stored and enriched "
            f"({real['posts_enriched']:,} posts, {real['unenriched_at_end']} not yet judged at the end)",
            flush=True,
        )
    results["load_average_at_end"] = os.getloadavg()[0]
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    print(json.dumps(results, default=lambda x: round(x, 3) if isinstance(x, float) else x))


if __name__ == "__main__":
    main()
