"""Inbox latency on a large store: the desk's inbox page against a bare DBAPI query for the same rows.

Fills a SQLite (or, with ``--store postgresql``, a throwaway PostgreSQL) store
with N posts (default 1,000,000; one in five welcomes a reply and has a case,
spread over brands, networks, intents, languages, queues, assignees and SLA
deadlines), then times the whole inbox page (HTTP request
through FastAPI, session check, query, Jinja2 render) for common filters, and,
as the floor, the bare SELECT of the same 50 rows in the same process (sqlite3 or
psycopg, a connection per query).

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
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from goodwill.desk.accounts import add_user, create_session, find_user
from goodwill.store import Store, open_store
from goodwill.web import DeskSettings, create_app
from goodwill.web.security import SESSION_COOKIE

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the tests' PostgreSQL server

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


POST_COLUMNS = [
    "id",
    "network",
    "native_id",
    "text",
    "author_handle",
    "author_name",
    "author_followers",
    "created_at",
    "deleted",
    "content_hash",
    "first_seen_at",
    "updated_at",
    "url",
]
CASE_COLUMNS = [
    "id",
    "post_id",
    "state",
    "queue",
    "assignee_id",
    "priority",
    "priority_parts",
    "network",
    "brand",
    "intent",
    "language",
    "sentiment",
    "visibility",
    "reasons",
    "counter_reasons",
    "author_handle",
    "posted_at",
    "created_at",
    "updated_at",
    "sla_due_at",
    "escalated",
]


def _rows(n: int, seed: int = 7) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Each post, and the case of every fifth, as column values (datetimes naive, in UTC)."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None)
    for i in range(1, n + 1):
        made = now - timedelta(minutes=rng.randrange(60 * 24 * 30))
        post = dict(
            zip(
                POST_COLUMNS,
                (
                    i,
                    NETWORKS[i % 5],
                    str(i),
                    f"post {i} about my card and the app, can anyone help? #{i % 97}",
                    f"user{i % 50_000}",
                    f"User {i % 50_000}",
                    i % 10_000,
                    made,
                    False,
                    f"h{i}",
                    now,
                    now,
                    f"https://x.example/{i}",
                ),
                strict=True,
            )
        )
        case = None
        if i % 5 == 0:
            due = made + timedelta(hours=rng.choice([1, 4, 24, 24 * 40]))
            values = (
                i // 5,
                i,
                rng.choice(["open", "open", "pending", "resolved"]),
                rng.choice(QUEUES),
                rng.choice([None, 1, 2, 3]),
                round(rng.uniform(0, 8), 3),
                {},
                NETWORKS[i % 5],
                rng.choice(BRANDS),
                rng.choice(INTENTS),
                rng.choice(LANGS),
                "neutral",
                rng.choice(["public", "private"]),
                ["addressed to @acmebank"],
                [],
                f"user{i % 50_000}",
                made,
                now,
                now,
                due,
                False,
            )
            case = dict(zip(CASE_COLUMNS, values, strict=True))
        yield post, case


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, bool):
        return int(value)
    return value


def fill(db: Path, n: int, seed: int = 7) -> int:
    """Write n posts and a case for every fifth straight into a SQLite store; return the case count."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous = OFF")
    post_rows, case_rows = [], []
    for post, case in _rows(n, seed):
        post_rows.append(tuple(_sqlite_value(v) for v in post.values()))
        if case is not None:
            case_rows.append(tuple(_sqlite_value(v) for v in case.values()))
    with con:
        con.executemany(
            f"INSERT INTO posts ({', '.join(POST_COLUMNS)}) VALUES ({', '.join('?' * len(POST_COLUMNS))})",
            post_rows,
        )
        con.executemany(
            f"INSERT INTO cases ({', '.join(CASE_COLUMNS)}, skills) "
            f"VALUES ({', '.join('?' * len(CASE_COLUMNS))}, '[]')",
            case_rows,
        )
    con.execute("ANALYZE")
    con.close()
    return len(case_rows)


def fill_store(store: Store, n: int, seed: int = 7) -> int:
    """The same rows through the store's bulk insert (COPY on PostgreSQL); return the case count."""
    from goodwill.store.dialect import bulk_insert
    from goodwill.store.schema import posts
    from goodwill.store.schema_desk import cases

    post_rows: list[dict[str, Any]] = []
    case_rows: list[dict[str, Any]] = []
    count = 0

    def flush(conn: Connection) -> None:
        bulk_insert(conn, posts, post_rows)
        bulk_insert(conn, cases, case_rows)

    for post, case in _rows(n, seed):
        post_rows.append(post)
        if case is not None:
            case_rows.append(case | {"skills": []})
            count += 1
        if len(post_rows) == 20_000:
            store.transaction(flush)
            post_rows.clear()
            case_rows.clear()
    store.transaction(flush)
    with store.reading() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    return count


_SELECT = (
    "SELECT cases.*, posts.text, posts.author_name, posts.url, users.display_name FROM cases "
    "JOIN posts ON posts.id = cases.post_id LEFT JOIN users ON users.id = cases.assignee_id "
    "WHERE cases.state IN ('open', 'pending') "
)


class Bare:
    """A bare DBAPI connection per query (sqlite3 or psycopg): the floor under the desk's own page."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.postgresql = self.url.get_backend_name() == "postgresql"

    def connect(self) -> Any:
        if self.postgresql:
            import psycopg

            return psycopg.connect(
                host=str(self.url.query["host"]), user=self.url.username, dbname=self.url.database
            )
        return sqlite3.connect(str(self.url.database))

    def sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.postgresql else text


def _timed(db: Bare, sql: str, args: tuple[object, ...]) -> float:
    con = db.connect()
    cur = con.cursor()
    start = time.perf_counter()
    cur.execute(db.sql(sql), args)
    rows = cur.fetchall()
    took = time.perf_counter() - start
    con.close()
    assert rows
    return took


def _bare(db: Bare, where: str, args: tuple[object, ...], offset: int) -> float:
    """The inbox's SELECT with OFFSET (what the desk ran before keyset paging)."""
    sql = _SELECT + f"{where} ORDER BY cases.priority DESC, cases.id LIMIT 51 OFFSET ?"
    return _timed(db, sql, (*args, offset))


def _keyset(db: Bare, after: tuple[float, int]) -> float:
    """The inbox's SELECT after the case ``after`` (priority, id): what the desk runs now."""
    sql = (
        _SELECT + "AND cases.priority <= ? AND (cases.priority < ? OR cases.id > ?) "
        "ORDER BY cases.priority DESC, cases.id LIMIT 51"
    )
    return _timed(db, sql, (after[0], after[0], after[1]))


def _boundary(db: Bare, offset: int) -> tuple[float, int]:
    """The (priority, id) of the last case before ``offset`` in inbox order."""
    con = db.connect()
    cur = con.cursor()
    cur.execute(
        db.sql(
            _SELECT.replace(
                "cases.*, posts.text, posts.author_name, posts.url, users.display_name",
                "cases.priority, cases.id",
            )
            + "ORDER BY cases.priority DESC, cases.id LIMIT 1 OFFSET ?"
        ),
        (offset - 1,),
    )
    row = cur.fetchone()
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


def bench(n: int, repeat: int, kind: str = "sqlite") -> dict[str, object]:
    """The inbox on a store of ``kind`` (sqlite, or postgresql on a throwaway server)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            return _bench(f"sqlite:///{Path(tmp) / 'goodwill.db'}", n, repeat)
    from postgres_server import PostgresServer, find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise SystemExit("no PostgreSQL server binaries (bash scripts/ensure-postgres.sh)")
    server = PostgresServer(bin_dir, durable=True)
    server.start()
    try:
        return _bench(server.url(server.new_database()), n, repeat)
    finally:
        server.stop()


def _bench(url: str, n: int, repeat: int) -> dict[str, object]:
    db = Bare(url)
    with open_store(url) as store:
        for name in ("root", "alice", "bob"):
            add_user(
                store,
                username=name,
                password="bench password 123",
                role="admin" if name == "root" else "agent",
            )
    start = time.perf_counter()
    if db.postgresql:
        with open_store(url) as store:
            n_cases = fill_store(store, n)
    else:
        n_cases = fill(Path(str(db.url.database)), n)
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
                "bare_p95_ms": round(_p(bare_t, 0.95), 2),
            }
            if offset_t:
                row["offset_bare_p95_ms"] = round(_p(offset_t, 0.95), 2)
                row["offset_over_keyset"] = round(_p(offset_t, 0.95) / max(_p(bare_t, 0.95), 1e-6), 1)
            rows[label] = row
        out["inbox"] = rows
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    result = bench(args.posts, args.repeat, args.store)
    if args.json:
        print(json.dumps(result))
        return
    print("load average (1, 5, 15 min): " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(
        f"desk inbox page with {result['posts']:,} posts, {result['cases']:,} cases in {args.store} "
        f"(filled in {result['fill_s']} s), {args.repeat} requests per filter; target p95 < 100 ms"
    )
    inbox = result["inbox"]
    assert isinstance(inbox, dict)
    for label, r in inbox.items():
        print(
            f"  {label:16} page p50 {r['page_p50_ms']:6.1f} ms  p95 {r['page_p95_ms']:6.1f} ms"
            f"   bare {'psycopg' if args.store == 'postgresql' else 'sqlite3'} p95 {r['bare_p95_ms']:6.2f} ms"
            + (
                f"   OFFSET baseline p95 {r['offset_bare_p95_ms']:6.2f} ms"
                f" ({r['offset_over_keyset']:.1f}x keyset)"
                if "offset_over_keyset" in r
                else ""
            )
        )


if __name__ == "__main__":
    main()
