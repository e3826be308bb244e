"""Inbox latency on a large store: the desk's inbox page against a bare sqlite3 query for the same rows.

Fills a SQLite store with N posts (default 1,000,000; one in five welcomes a
reply and has a case, spread over brands, networks, intents, languages, queues,
assignees and SLA deadlines), then times the whole inbox page (HTTP request
through FastAPI, session check, query, Jinja2 render) for common filters, and,
as the floor, the bare sqlite3 SELECT of the same 50 rows in the same process.

Deep pages (20 and 200) are reached by following the pages' "Next" links
(keyset cursors). For them the bare figure is the keyset SELECT, and the
baseline is the OFFSET SELECT the inbox used before (``LIMIT 51 OFFSET 950``),
timed in the same run: the ratio is OFFSET / keyset.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from goodwill.desk.accounts import add_user, create_session, find_user
from goodwill.store import open_store
from goodwill.web import DeskSettings, create_app
from goodwill.web.security import SESSION_COOKIE

BRANDS = ["Acme Bank", "Acme Mobile", "Globex", "Initech", "Umbrella"]
NETWORKS = ["x", "mastodon", "bluesky", "reddit", "youtube"]
INTENTS = ["complaint", "help_request", "question", "recommendation_request", "feedback"]
LANGS = ["en", "es", "fr", "de", "pt"]
QUEUES = ["general", "billing", "technical", "vip"]
FILTERS = {
    "no filter": "",
    "brand": "?brand=Globex",
    "intent": "?intent=complaint",
    "language": "?language=pt",
    "queue + brand": "?queue=billing&brand=Acme+Bank",
    "SLA breached": "?sla=breached",
    "assigned to me": "?assignee=me",
    "page 20": 20,
    "page 200": 200,
}
_NEXT = re.compile(r'<a href="([^"]+)" rel="next">')


def fill(db: Path, n: int, seed: int = 7) -> int:
    """Write n posts and a case for every fifth straight into the store's tables; return the case count."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None)
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous = OFF")
    post_rows = []
    case_rows = []
    for i in range(1, n + 1):
        made = now - timedelta(minutes=rng.randrange(60 * 24 * 30))
        post_rows.append(
            (
                i,
                NETWORKS[i % 5],
                str(i),
                f"post {i} about my card and the app, can anyone help? #{i % 97}",
                f"user{i % 50_000}",
                f"User {i % 50_000}",
                i % 10_000,
                made.isoformat(" "),
                0,
                f"h{i}",
                now.isoformat(" "),
                now.isoformat(" "),
                f"https://x.example/{i}",
            )
        )
        if i % 5 == 0:
            due = made + timedelta(hours=rng.choice([1, 4, 24, 24 * 40]))
            case_rows.append(
                (
                    i // 5,
                    i,
                    rng.choice(["open", "open", "pending", "resolved"]),
                    rng.choice(QUEUES),
                    rng.choice([None, 1, 2, 3]),
                    round(rng.uniform(0, 8), 3),
                    "{}",
                    NETWORKS[i % 5],
                    rng.choice(BRANDS),
                    rng.choice(INTENTS),
                    rng.choice(LANGS),
                    "neutral",
                    rng.choice(["public", "private"]),
                    '["addressed to @acmebank"]',
                    "[]",
                    f"user{i % 50_000}",
                    made.isoformat(" "),
                    now.isoformat(" "),
                    now.isoformat(" "),
                    due.isoformat(" "),
                    0,
                )
            )
    with con:
        con.executemany(
            "INSERT INTO posts (id, network, native_id, text, author_handle, author_name, author_followers, "
            "created_at, deleted, content_hash, first_seen_at, updated_at, url) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            post_rows,
        )
        con.executemany(
            "INSERT INTO cases (id, post_id, state, queue, assignee_id, priority, priority_parts, network, "
            "brand, intent, language, sentiment, visibility, reasons, counter_reasons, author_handle, "
            "posted_at, created_at, updated_at, sla_due_at, escalated, skills) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'[]')",
            case_rows,
        )
    con.execute("ANALYZE")
    con.close()
    return len(case_rows)


_SELECT = (
    "SELECT cases.*, posts.text, posts.author_name, posts.url, users.display_name FROM cases "
    "JOIN posts ON posts.id = cases.post_id LEFT JOIN users ON users.id = cases.assignee_id "
    "WHERE cases.state IN ('open', 'pending') "
)


def _timed(db: Path, sql: str, args: tuple[object, ...]) -> float:
    con = sqlite3.connect(db)
    start = time.perf_counter()
    rows = con.execute(sql, args).fetchall()
    took = time.perf_counter() - start
    con.close()
    assert rows
    return took


def _bare(db: Path, where: str, args: tuple[object, ...], offset: int) -> float:
    """The inbox's SELECT with OFFSET (what the desk ran before keyset paging)."""
    sql = _SELECT + f"{where} ORDER BY cases.priority DESC, cases.id LIMIT 51 OFFSET ?"
    return _timed(db, sql, (*args, offset))


def _keyset(db: Path, after: tuple[float, int]) -> float:
    """The inbox's SELECT after the case ``after`` (priority, id): what the desk runs now."""
    sql = (
        _SELECT + "AND cases.priority <= ? AND (cases.priority < ? OR cases.id > ?) "
        "ORDER BY cases.priority DESC, cases.id LIMIT 51"
    )
    return _timed(db, sql, (after[0], after[0], after[1]))


def _boundary(db: Path, offset: int) -> tuple[float, int]:
    """The (priority, id) of the last case before ``offset`` in inbox order."""
    con = sqlite3.connect(db)
    row = con.execute(
        _SELECT.replace(
            "cases.*, posts.text, posts.author_name, posts.url, users.display_name",
            "cases.priority, cases.id",
        )
        + "ORDER BY cases.priority DESC, cases.id LIMIT 1 OFFSET ?",
        (offset - 1,),
    ).fetchone()
    con.close()
    return float(row[0]), int(row[1])


def _deep_link(client: TestClient, page: int) -> str:
    """The address of inbox page ``page``, found by following "Next" from the first page."""
    url = "/inbox"
    for _ in range(page - 1):
        found = _NEXT.search(client.get(url).text)
        assert found, f"no page after {url}"
        url = found.group(1).replace("&amp;", "&")
    return url


BARE = {
    "no filter": ("", (), 0),
    "brand": ("AND cases.brand = ?", ("Globex",), 0),
    "intent": ("AND cases.intent = ?", ("complaint",), 0),
    "language": ("AND cases.language = ?", ("pt",), 0),
    "queue + brand": ("AND cases.queue = ? AND cases.brand = ?", ("billing", "Acme Bank"), 0),
    "SLA breached": (
        "AND cases.sla_due_at <= ?",
        (datetime.now(UTC).replace(tzinfo=None).isoformat(" "),),
        0,
    ),
    "assigned to me": ("AND cases.assignee_id = ?", (2,), 0),
    "page 20": ("", (), 950),
    "page 200": ("", (), 9950),
}


def _p(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, round(q * (len(values) - 1)))] * 1000


def bench(n: int, repeat: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "goodwill.db"
        url = f"sqlite:///{db}"
        with open_store(url) as store:
            for name in ("root", "alice", "bob"):
                add_user(
                    store,
                    username=name,
                    password="bench password 123",
                    role="admin" if name == "root" else "agent",
                )
        start = time.perf_counter()
        n_cases = fill(db, n)
        fill_s = time.perf_counter() - start
        with open_store(url) as store:
            alice = find_user(store, "alice")
            assert alice is not None
            token, _ = create_session(store, alice, lifetime=timedelta(hours=1))
            app = create_app(DeskSettings(store_url=url, sync_on_start=False), store=store)
            client = TestClient(app, base_url="http://127.0.0.1:8080")
            client.cookies.set(SESSION_COOKIE, token)
            assert client.get("/inbox").status_code == 200  # warm: templates, facets
            out: dict[str, object] = {"posts": n, "cases": n_cases, "fill_s": round(fill_s, 1)}
            rows = {}
            for label, query in FILTERS.items():
                url = "/inbox" + query if isinstance(query, str) else _deep_link(client, query)
                offset = BARE[label][2]
                after = _boundary(db, offset) if offset else None
                page_t, bare_t, offset_t = [], [], []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    response = client.get(url)
                    page_t.append(time.perf_counter() - t0)
                    assert response.status_code == 200 and 'class="case-link"' in response.text, label
                    if after is None:
                        bare_t.append(_bare(db, *BARE[label]))
                    else:
                        bare_t.append(_keyset(db, after))
                        offset_t.append(_bare(db, *BARE[label]))
                row: dict[str, float] = {
                    "page_p50_ms": round(_p(page_t, 0.5), 1),
                    "page_p95_ms": round(_p(page_t, 0.95), 1),
                    "sqlite3_p95_ms": round(_p(bare_t, 0.95), 2),
                }
                if offset_t:
                    row["offset_sqlite3_p95_ms"] = round(_p(offset_t, 0.95), 2)
                    row["offset_over_keyset"] = round(_p(offset_t, 0.95) / max(_p(bare_t, 0.95), 1e-6), 1)
                rows[label] = row
            out["inbox"] = rows
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = bench(args.posts, args.repeat)
    if args.json:
        print(json.dumps(result))
        return
    print("load average (1, 5, 15 min): " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(
        f"desk inbox page with {result['posts']:,} posts, {result['cases']:,} cases in SQLite "
        f"(filled in {result['fill_s']} s), {args.repeat} requests per filter; target p95 < 100 ms"
    )
    inbox = result["inbox"]
    assert isinstance(inbox, dict)
    for label, r in inbox.items():
        print(
            f"  {label:16} page p50 {r['page_p50_ms']:6.1f} ms  p95 {r['page_p95_ms']:6.1f} ms"
            f"   bare sqlite3 p95 {r['sqlite3_p95_ms']:6.2f} ms"
            + (
                f"   OFFSET baseline p95 {r['offset_sqlite3_p95_ms']:6.2f} ms"
                f" ({r['offset_over_keyset']:.1f}x keyset)"
                if "offset_over_keyset" in r
                else ""
            )
        )


if __name__ == "__main__":
    main()
