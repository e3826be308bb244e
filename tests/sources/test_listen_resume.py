"""Kill ``goodwill listen --follow`` mid-stream with SIGKILL, restart it: no gap, no duplicate.

A real HTTP server on 127.0.0.1 plays Algolia's search_by_date (synthetic, see
fake_algolia.py), slowly, so the kill lands in the middle of a walk. New posts
arrive while the listener is down. After the restart every post is stored
exactly once with exactly one raw payload, and the first request resumes from
the cursor that was stored with the last committed page.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fake_algolia import answer, hit

PAGE = 3


class Server:
    def __init__(self, hits: list[dict[str, Any]]) -> None:
        self.hits = hits
        self.filters: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != "/algolia/search_by_date":
                    self.send_error(404)
                    return
                time.sleep(0.15)  # slow enough for the kill to land mid-walk
                body = answer(list(outer.hits), parts.query)
                outer.filters.append(parts.query)
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return int(con.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not migrated yet
    finally:
        con.close()


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the listener"
        time.sleep(0.05)


@pytest.fixture
def listen_follow(tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    env = {k: v for k, v in os.environ.items() if k != "GOODWILL_DATABASE_URL"}

    def start() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "goodwill", "listen", "--follow"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


@pytest.mark.slow
def test_killed_listener_resumes_without_gap_or_duplicate(
    tmp_path: Path, listen_follow: Callable[[], subprocess.Popen[bytes]]
) -> None:
    now = int(time.time())
    hits = [hit(n, now - 3600 + 60 * n) for n in range(30)]
    db = tmp_path / "goodwill.db"
    with Server(hits) as server:
        (tmp_path / "goodwill.toml").write_text(
            "[sources.hackernews]\npoll_seconds = 0.2\n"
            f'options = {{ search_url = "http://127.0.0.1:{server.port}/algolia", page_size = {PAGE} }}\n'
            '[[queries]]\nsource = "hackernews"\nkind = "search"\nvalue = "acme"\nname = "acme"\n'
        )
        first = listen_follow()
        wait_for(lambda: count(db, "SELECT count(*) FROM posts") >= 9)
        first.send_signal(signal.SIGKILL)
        first.wait()
        stored_before = count(db, "SELECT count(*) FROM posts")
        assert 9 <= stored_before < 30, "the kill must land mid-walk"
        con = sqlite3.connect(db)
        (cursor_text,) = con.execute("SELECT cursor FROM source_cursors WHERE query = 'acme'").fetchone()
        con.close()
        cursor = json.loads(cursor_text)
        assert set(cursor) == {"since", "pass_top", "upper"}
        requests_before = len(server.filters)

        # posts arrive while the listener is down
        hits.extend(hit(n, now + 60 * (n - 29)) for n in range(30, 35))
        second = listen_follow()
        wait_for(lambda: count(db, "SELECT count(*) FROM posts") >= 35)
        passes = len(server.filters)
        wait_for(lambda: len(server.filters) >= passes + 2)  # one more quiet pass: nothing new
        second.send_signal(signal.SIGKILL)
        second.wait()

    resumed = server.filters[requests_before]
    assert f"created_at_i%3C%3D{cursor['upper']}" in resumed, resumed
    con = sqlite3.connect(db)
    try:
        ids = sorted(
            int(r[0]) for r in con.execute("SELECT native_id FROM posts WHERE network = 'hackernews'")
        )
        assert ids == list(range(100, 135))
        doubled = con.execute(
            "SELECT count(*) FROM (SELECT post_id FROM raw_payloads GROUP BY post_id HAVING count(*) > 1)"
        ).fetchone()[0]
        assert doubled == 0
        assert con.execute("SELECT count(*) FROM raw_payloads").fetchone()[0] == 35
        final = json.loads(
            con.execute("SELECT cursor FROM source_cursors WHERE query = 'acme'").fetchone()[0]
        )
        assert final == {"since": now + 60 * 5}
    finally:
        con.close()
