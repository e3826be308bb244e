"""The queue ranked by the database against the Python ranking it replaced, on the same store in one run.

Fills a SQLite store with N posts (default 100,000), each judged by six stage
results the way `goodwill enrich --stored` writes them (one row per stage:
mentions, sentiment, intent, complaint, receptivity, spam); about 40% welcome a
reply. Then times `build_queue(limit=20)` (score, order and limit in SQL) and,
as the baseline, the old ranking: every welcome post read back with its merged
enrichment and sorted in Python. Both must return the same 20 posts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from goodwill.care.priority import priority_of
from goodwill.care.queue import build_queue
from goodwill.store import PostQuery, Store, open_store

INTENTS = ["complaint", "help_request", "question", "recommendation_request", "feedback", "praise", "social"]
BRANDS = ["Acme Bank", "Globex", "Initech"]


def fill(db: Path, n: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None)
    stamp = now.isoformat(" ")
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous = OFF")
    post_rows, result_rows = [], []
    for i in range(1, n + 1):
        made = now - timedelta(minutes=rng.randrange(60 * 24 * 10))
        post_rows.append(
            (i, "x", str(i), f"post {i}", f"u{i % 9000}", rng.choice([0, 9, 120, 5000]), made.isoformat(" "))
        )
        welcome = rng.random() < 0.4
        complaint = rng.random() < 0.3
        results = {
            "mentions": {"brands": [{"name": rng.choice(BRANDS), "role": "brand"}]},
            "sentiment": {"sentiment": {"label": "neutral", "score": round(rng.uniform(-1, 1), 3)}},
            "intent": {"intent": {"label": rng.choice(INTENTS)}},
            "complaint": {"complaint": {"is_complaint": complaint, "score": round(rng.random(), 3)}},
            "receptivity": {"receptivity": {"welcome": welcome, "score": round(rng.random(), 3)}},
            "spam": {"spam": {"is_spam": rng.random() < 0.05}},
        }
        for stage, result in results.items():
            result_rows.append((i, stage, "1", json.dumps(result), stamp))
    with con:
        con.executemany(
            "INSERT INTO posts (id, network, native_id, text, author_handle, author_followers, created_at, "
            "deleted, content_hash, first_seen_at, updated_at) VALUES (?,?,?,?,?,?,?,0,'h',?,?)",
            [(*r, stamp, stamp) for r in post_rows],
        )
        con.executemany(
            "INSERT INTO enrichments (post_id, stage, stage_version, result, computed_at) VALUES (?,?,?,?,?)",
            result_rows,
        )
    con.execute("ANALYZE")
    con.close()


def python_ranking(store: Store, now: datetime, limit: int) -> list[int]:
    """The old build_queue: every welcome post read back, scored and sorted in Python."""
    found = store.query(PostQuery(welcome=True, limit=None))
    entries = [
        (
            s,
            priority_of(
                s.enrichment, followers=s.post.author_followers, created_at=s.post.created_at, now=now
            ),
        )
        for s in found
        if not (s.enrichment.get("spam") or {}).get("is_spam")
    ]

    def age(s: object) -> float:
        created = s.post.created_at  # type: ignore[attr-defined]
        return created.timestamp() if created is not None else float("inf")

    entries.sort(key=lambda e: (-e[1].score, age(e[0]), e[0].id))
    return [s.id for s, _ in entries[:limit]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "goodwill.db"
        open_store(f"sqlite:///{db}").close()
        fill(db, args.posts)
        now = datetime.now(UTC)
        with open_store(f"sqlite:///{db}") as store:
            welcome = store.count(PostQuery(welcome=True, limit=None))
            sql_t, py_t = [], []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                fast = [e.post.id for e in build_queue(store, limit=20, now=now)]
                sql_t.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                slow = python_ranking(store, now, 20)
                py_t.append(time.perf_counter() - t0)
                assert fast == slow, "the two rankings differ"
    print("load average (1, 5, 15 min): " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    sql_med, py_med = statistics.median(sql_t), statistics.median(py_t)
    print(
        f"goodwill queue --limit 20 on {args.posts:,} posts ({welcome:,} welcome), SQLite, {args.repeat} runs"
    )
    print(f"  ranked in SQL     median {sql_med * 1000:8.1f} ms  max {max(sql_t) * 1000:8.1f} ms")
    print(f"  Python (before)   median {py_med * 1000:8.1f} ms  max {max(py_t) * 1000:8.1f} ms")
    print(f"  speed-up {py_med / sql_med:.1f}x; same 20 posts in the same order")


if __name__ == "__main__":
    main()
