"""SIGKILL ``goodwill listen`` at random points, 20 times; after every restart nothing is lost or doubled.

A real HTTP server on 127.0.0.1 plays Hacker News: Algolia's search_by_date over
synthetic hits (fake_algolia.py; no Algolia recording exists) and Firebase items for a
thread, each item the recorded story or comment of ../shared/fixtures/hackernews
renumbered into a tree. Every request is a little slow, so kills land inside walks.
Each trial forks ``goodwill listen`` from a pre-warmed parent (crash_zygote.py), kills
it after a random number of requests plus a few random milliseconds, and checks the
store: intact, one raw payload per post, posts never fewer, and each query's cursor
consistent with the posts (everything the cursor says is behind it is stored). New
posts arrive between trials. The last run, unkilled, must leave every post stored once.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from test_crash_trials import Zygote, _intact, _query, _scalar

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sources"))
from fake_algolia import answer

FIXTURES = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "fixtures"
    / "hackernews"
    / "hackernews_api_readme"
)
TRIALS = 20
PAGE = 3
ROOT_ID = 5_000


def _hit(n: int, created_at_i: int) -> dict[str, Any]:
    return {
        "objectID": str(100 + n),
        "created_at_i": created_at_i,
        "author": f"user{n}",
        "comment_text": f"acme {n} <i>refund</i> please",
        "_tags": ["comment"],
        "parent_id": 1,
        "story_id": 1,
    }


def _tree(size: int, rng: random.Random) -> dict[int, dict[str, Any]]:
    """A thread of ``size`` items: the recorded story as root, recorded comments renumbered under it."""
    story = json.loads((FIXTURES / "v0_item_8863.json").read_text(encoding="utf-8"))
    comment = json.loads((FIXTURES / "v0_item_2921983.json").read_text(encoding="utf-8"))
    items = {ROOT_ID: {**story, "id": ROOT_ID, "kids": []}}
    for n in range(1, size):
        parent = rng.choice(list(items))
        ident = ROOT_ID + n
        items[ident] = {
            **comment,
            "id": ident,
            "parent": parent,
            "kids": [],
            "text": f"reply {n} to {parent}",
        }
        items[parent]["kids"].append(ident)
    return items


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a killed listener leaves broken pipes behind: expected here, not news


class FakeHackerNews:
    def __init__(self, hits: list[dict[str, Any]], items: dict[int, dict[str, Any]]) -> None:
        self.hits, self.items, self.requests = hits, items, 0
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                time.sleep(0.006)  # slow enough for kills to land inside a walk
                with outer.lock:
                    outer.requests += 1
                    if parts.path == "/algolia/search_by_date":
                        body: Any = answer(list(outer.hits), parts.query)
                    elif parts.path.startswith("/v0/item/"):
                        body = outer.items.get(int(parts.path.rsplit("/", 1)[1].removesuffix(".json")))
                    else:
                        self.send_error(404)
                        return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    z = Zygote("--listen-only")
    try:
        yield z
    finally:
        z.close()


def _alive(pid: int) -> bool:
    """False once the child has exited (its parent, the zygote, reaps it at once)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _stored(db: Path) -> set[int]:
    return {int(r[0]) for r in _query(db, "SELECT native_id FROM posts WHERE network = 'hackernews'")}  # type: ignore[call-overload]


def _cursor(db: Path, name: str) -> dict[str, Any] | None:
    rows = _query(db, f"SELECT cursor FROM source_cursors WHERE query = '{name}'")
    return json.loads(str(rows[0][0])) if rows and rows[0][0] else None


def _under(items: dict[int, dict[str, Any]], roots: list[int]) -> set[int]:
    """``roots`` and every item below them."""
    out: set[int] = set()
    stack = list(roots)
    while stack:
        ident = stack.pop()
        if ident not in out:
            out.add(ident)
            stack.extend(items[ident]["kids"])
    return out


def _check_cursors(db: Path, hits: list[dict[str, Any]], items: dict[int, dict[str, Any]]) -> None:
    """Whatever a cursor says is done is in the store: no query's place ran ahead of its posts."""
    stored = _stored(db)
    search = _cursor(db, "acme")
    if search is not None:
        times = {int(h["objectID"]): int(h["created_at_i"]) for h in hits}
        if "upper" in search:  # mid-walk: everything in (upper, pass_top] is behind the cursor
            behind = {i for i, t in times.items() if search["upper"] < t <= search["pass_top"]}
        else:  # a finished pass: everything up to ``since``
            behind = {i for i, t in times.items() if t <= search["since"]}
        assert behind <= stored, f"search cursor {search} is ahead of the posts: {sorted(behind - stored)}"
    thread = _cursor(db, "thread")
    if thread is not None:
        # every item of the thread is stored, or still to fetch (pending, or under a pending item)
        missing = set(items) - stored - _under(items, list(thread["pending"]))
        assert missing == set(), f"thread cursor {thread} skips items {sorted(missing)}"


@pytest.mark.slow
def test_listen_killed_twenty_times_loses_and_duplicates_nothing(zygote: Zygote, tmp_path: Path) -> None:
    rng = random.Random(1_12_2026)
    now = int(time.time())
    hits = [_hit(n, now - 7200 + 30 * n) for n in range(60)]
    items = _tree(30, rng)
    server = FakeHackerNews(hits, items)
    db = tmp_path / "goodwill.db"
    (tmp_path / "goodwill.toml").write_text(
        "[sources.hackernews]\n"
        f'base_url = "http://127.0.0.1:{server.port}/v0"\n'
        f'options = {{ search_url = "http://127.0.0.1:{server.port}/algolia", page_size = {PAGE},'
        " items_per_page = 3 }\n"
        '[[queries]]\nsource = "hackernews"\nkind = "search"\nvalue = "acme"\nname = "acme"\n'
        f'[[queries]]\nsource = "hackernews"\nkind = "thread"\nvalue = "{ROOT_ID}"\nname = "thread"\n',
        encoding="utf-8",
    )
    killed_mid_job = 0
    seen = 0
    try:
        for trial in range(TRIALS):
            before = server.requests
            pid = zygote.launch(f"listen {tmp_path}")
            wanted = rng.randint(1, 30)
            started = time.monotonic()
            while server.requests < before + wanted and _alive(pid) and time.monotonic() < started + 30:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.01))
            killed_mid_job += zygote.reap(pid, kill=True)
            _intact(db)
            count = _scalar(db, "SELECT count(*) FROM posts")
            assert count >= seen, "a restart lost committed posts"
            seen = count
            assert _scalar(db, "SELECT count(*) FROM raw_payloads") == count, "a post stored twice"
            assert _stored(db) <= {int(h["objectID"]) for h in hits} | set(items)
            _check_cursors(db, hits, items)
            if trial % 4 == 3:  # posts arrive while the listener is down
                hits.extend(_hit(len(hits), now + 10 * trial + k) for k in range(5))
        pid = zygote.launch(f"listen {tmp_path}")
        assert not zygote.reap(pid, kill=False), "the final, unkilled run must finish"
    finally:
        server.close()
    _intact(db)
    assert _stored(db) == {int(h["objectID"]) for h in hits} | set(items)  # nothing lost
    assert _scalar(db, "SELECT count(*) FROM raw_payloads") == len(hits) + len(items)  # nothing doubled
    assert _cursor(db, "acme") == {"since": max(int(h["created_at_i"]) for h in hits)}
    assert _cursor(db, "thread") == {"pending": []}
    assert killed_mid_job >= TRIALS // 2, "most kills should land while listen runs"
