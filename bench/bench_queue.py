"""The queue from its stored ranking against scoring every welcome post in SQL, on the same store in one run.

Fills a SQLite store with N posts (default 100,000), each judged by six stage
results the way `goodwill enrich --stored` writes them (one row per stage:
mentions, sentiment, intent, complaint, receptivity, spam); about 40% welcome a
reply. The first `build_queue` builds the ranking for its versions (timed once:
what the first `goodwill queue` after the upgrade costs); then it times
`build_queue(limit=20)` (the stored ranking: only candidates that can reach the
top are scored) against the baseline, the previous queue that scores every
welcome post in SQL (`full_queue`), and, unless ``--no-python``, the Python
ranking before that. All must return the same 20 posts.

``--stores sqlite,postgresql`` fills and times each store in turn (PostgreSQL:
a throwaway server, as the tests start one) and prints each against SQLite;
``--no-python`` skips the Python baseline, which at a million posts needs
minutes and gigabytes.

    python bench/bench_queue.py --posts 1000000 --stores sqlite,postgresql --no-python --repeat 5
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, select

from goodwill.care.queue import build_queue, full_queue
from goodwill.store import PostQuery, Store, open_store
from goodwill.store.dialect import bulk_insert
from goodwill.store.records import EncodedJSON
from goodwill.store.schema import enrichments, posts

# the tests' PostgreSQL server and their Python reference ranking
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from python_ranking import ranked_in_python

INTENTS = ["complaint", "help_request", "question", "recommendation_request", "feedback", "praise", "social"]
BRANDS = ["Acme Bank", "Globex", "Initech"]


def fill(store: Store, n: int, seed: int = 11) -> None:
    """``n`` posts and six results each, written through the store's bulk insert (COPY on PostgreSQL)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    post_rows: list[dict[str, object]] = []
    result_rows: list[dict[str, object]] = []

    def flush(conn: Connection) -> None:
        bulk_insert(conn, posts, post_rows)
        bulk_insert(conn, enrichments, result_rows)

    for i in range(1, n + 1):
        made = now - timedelta(minutes=rng.randrange(60 * 24 * 10))
        post_rows.append(
            {
                "id": i,
                "network": "x",
                "native_id": str(i),
                "text": f"post {i}",
                "author_handle": f"u{i % 9000}",
                "author_followers": rng.choice([0, 9, 120, 5000]),
                "created_at": made,
                "deleted": False,
                "content_hash": "h",
                "first_seen_at": now,
                "updated_at": now,
            }
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
            result_rows.append(
                {
                    "post_id": i,
                    "stage": stage,
                    "stage_version": "1",
                    "result": EncodedJSON.of(result),
                    "computed_at": now,
                }
            )
        if len(post_rows) == 20_000 or i == n:
            store.transaction(flush)
            post_rows.clear()
            result_rows.clear()
    analyze = "VACUUM ANALYZE" if store.dialect == "postgresql" else "ANALYZE"
    with store.reading() as conn:  # VACUUM may not run inside a transaction
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(analyze)


def python_ranking(store: Store, now: datetime, limit: int) -> list[int]:
    """The old build_queue: every welcome post read back, scored and sorted in Python."""
    return [s.id for s, _ in ranked_in_python(store, now=now, limit=limit)]


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return 1000 * ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _time_saves(store: Store, repeat: int) -> float:
    """Median ms to save (replace) the six results of 1,000 posts, as `goodwill enrich --stored` saves."""
    with store.reading() as conn:
        rows = list(
            conn.execute(
                select(
                    enrichments.c.post_id,
                    enrichments.c.stage,
                    enrichments.c.stage_version,
                    enrichments.c.result,
                )
                .where(enrichments.c.post_id <= 1000)
                .order_by(enrichments.c.post_id, enrichments.c.stage)
            )
        )
    batch = [(int(p), str(s), str(v), dict(r)) for p, s, v, r in rows]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        store.save_enrichment(batch)
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def measure(url: str, n: int, repeat: int, *, python: bool) -> dict[str, float]:
    """Fill the empty store at ``url``, build the ranking, and time both SQL paths ``repeat`` times."""
    with open_store(url) as store:
        t0 = time.perf_counter()
        fill(store, n)
        fill_s = time.perf_counter() - t0
        now = datetime.now(UTC)
        welcome = store.count(PostQuery(welcome=True, limit=None))
        unranked_save = _time_saves(store, repeat)
        t0 = time.perf_counter()
        first = [e.post.id for e in build_queue(store, limit=20, now=now)]
        build_s = time.perf_counter() - t0
        ranked_save = _time_saves(store, repeat)
        new_t, old_t, py_t = [], [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fast = [e.post.id for e in build_queue(store, limit=20, now=now)]
            new_t.append(time.perf_counter() - t0)
            assert fast == first, "the queue changed between runs"
            t0 = time.perf_counter()
            old = [s.id for s in full_queue(store, limit=20, now=now)]
            old_t.append(time.perf_counter() - t0)
            assert fast == old, "the stored ranking and scoring every post differ"
            if python:
                t0 = time.perf_counter()
                slow = python_ranking(store, now, 20)
                py_t.append(time.perf_counter() - t0)
                assert fast == slow, "the stored ranking and the Python ranking differ"
    out = {
        "fill_s": fill_s,
        "welcome": welcome,
        "build_s": build_s,
        "save_ms": unranked_save,
        "ranked_save_ms": ranked_save,
        "median_ms": 1000 * statistics.median(new_t),
        "p95_ms": _p95(new_t),
        "old_median_ms": 1000 * statistics.median(old_t),
        "old_p95_ms": _p95(old_t),
        "first": float(first[0]) if first else -1.0,
    }
    if py_t:
        out["python_median_ms"] = 1000 * statistics.median(py_t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--stores", default="sqlite", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--no-python", action="store_true", help="skip the Python ranking baseline")
    args = parser.parse_args()
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    print(
        "load average at start (1, 5, 15 min): " + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True
    )
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in stores:
            if kind == "sqlite":
                results[kind] = measure(
                    f"sqlite:///{Path(tmp) / 'goodwill.db'}",
                    args.posts,
                    args.repeat,
                    python=not args.no_python,
                )
            elif kind == "postgresql":
                from postgres_server import PostgresServer, find_bin_dir

                bin_dir = find_bin_dir()
                if bin_dir is None:
                    print("PostgreSQL: skipped (no initdb; bash scripts/ensure-postgres.sh)")
                    continue
                server = PostgresServer(bin_dir, durable=True)
                server.start()
                try:
                    url = server.url(server.new_database())
                    results[kind] = measure(url, args.posts, args.repeat, python=not args.no_python)
                finally:
                    server.stop()
            else:
                raise SystemExit(f"unknown store {kind!r}: sqlite or postgresql")
            r = results[kind]
            print(
                f"[{time.strftime('%H:%M:%S')}, load {os.getloadavg()[0]:.1f}] {kind}: filled in "
                f"{r['fill_s']:.0f} s; goodwill queue --limit 20 on {args.posts:,} posts "
                f"({r['welcome']:,.0f} welcome), {args.repeat} runs",
                flush=True,
            )
            print(
                f"  first call, builds the ranking       {1000 * r['build_s']:9.1f} ms"
                " (once per set of versions)"
            )
            print(f"  stored ranking (new)     median {r['median_ms']:9.1f} ms  p95 {r['p95_ms']:9.1f} ms")
            print(
                f"  every post scored (old)  median {r['old_median_ms']:9.1f} ms"
                f"  p95 {r['old_p95_ms']:9.1f} ms  (baseline, same run)"
            )
            print(
                f"  speed-up against the baseline: median {r['old_median_ms'] / r['median_ms']:.0f}x, "
                f"p95 {r['old_p95_ms'] / r['p95_ms']:.0f}x; same 20 posts in the same order"
            )
            print(
                f"  saving 1,000 posts' results: {r['save_ms']:.0f} ms before the ranking, "
                f"{r['ranked_save_ms']:.0f} ms with it (kept by the write)"
            )
            if "python_median_ms" in r:
                print(
                    f"  Python ranking (before)  median {r['python_median_ms']:9.1f} ms; "
                    f"{r['python_median_ms'] / r['median_ms']:.0f}x the new path"
                )
    if "sqlite" in results and "postgresql" in results:
        lite, pg = results["sqlite"], results["postgresql"]
        assert lite["first"] == pg["first"], "the stores disagree on the most urgent post"
        print(f"PostgreSQL / SQLite queue p95: {pg['p95_ms'] / lite['p95_ms']:.2f}x (same most urgent post)")
    print("load average at end (1, 5, 15 min): " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
