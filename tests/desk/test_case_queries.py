"""A case page's queries reach posts through indexes only: none of them walks the posts table.

The bench under load (bench/bench_load.py) found the thread lookup, an OR of
three links under ORDER BY ... LIMIT, scanning the whole created_at index: 0.6 s
per case page at 100,000 posts, linear in the store. This pins the plan, not a
time: every statement get_case sends is EXPLAINed and must SEARCH posts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from desk_helpers import add_people, add_post
from sqlalchemy import Connection, Engine, event

from goodwill.desk.casework import get_case
from goodwill.desk.inbox import InboxFilter, list_inbox
from goodwill.store import Store


def _bulk_posts(store: Store, n: int) -> None:
    """``n`` unrelated posts written straight into the table, then ANALYZE: the planner sees a real store."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        ("x", f"bulk{i}", f"post {i}", f"user{i}", (now - timedelta(minutes=i)).isoformat(" "), f"h{i}")
        for i in range(n)
    ]

    def run(conn: Connection) -> None:
        conn.exec_driver_sql(
            "INSERT INTO posts (network, native_id, text, author_handle, created_at, content_hash, deleted, "
            "first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
            [(*r, r[4], r[4]) for r in rows],
        )

    store.transaction(run)
    store.transaction(lambda conn: conn.exec_driver_sql("ANALYZE"))


def test_get_case_never_scans_the_posts_table(store: Store) -> None:
    people = add_people(store)
    _bulk_posts(store, 20_000)
    add_post(store, "root", "@acmebank my card is blocked, help?", handle="mina", conversation_id="root")
    add_post(
        store, "r1", "@mina same here", handle="joe", reply_to="root", conversation_id="root", hours_ago=1
    )
    from goodwill.desk.cases import sync_cases

    sync_cases(store, versions={"judged": "1"})
    admin = people["admin"]
    case_id = next(
        r.id for r in list_inbox(store, admin, InboxFilter(limit=100)).rows if r.text and "blocked" in r.text
    )
    sent: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if not statement.lstrip().upper().startswith("EXPLAIN"):
            sent.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        detail = get_case(store, admin, case_id)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert [p.post.native_id for p in detail.thread] == ["r1"]
    on_posts = [(s, p) for s, p in sent if " posts" in s and "FROM" in s]
    assert on_posts
    with store.reading() as conn:
        for statement, parameters in on_posts:
            plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
            assert not any(line.startswith("SCAN posts") for line in plan), (statement, plan)
