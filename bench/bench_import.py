"""Import speed into SQLite against a bare sqlite3 insert of the same rows, in one run.

The baseline is the floor any importer pays (one INSERT per post in one
transaction, no checks); the ratio shows what idempotency, edit history, raw
payloads, provenance and the full-text index cost on top.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path

from goodwill.jobs.importer import import_files
from goodwill.store import open_store


def make_file(folder: Path, n: int) -> Path:
    path = folder / "posts.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            record = {
                "id": str(i),
                "network": "x",
                "text": f"post number {i} about @acmebank and my card, is anyone else seeing this? #{i % 97}",
                "author": {"handle": f"user{i % 1000}", "followers": i % 10_000},
                "created_at": f"2026-11-{1 + i % 20:02d}T{i % 24:02d}:00:00Z",
            }
            out.write(json.dumps(record) + "\n")
    return path


def baseline(path: Path, db: Path) -> float:
    start = time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE posts (network TEXT, native_id TEXT, text TEXT, author TEXT, raw TEXT)")
    with path.open(encoding="utf-8") as lines, conn:
        rows = []
        for line in lines:
            r = json.loads(line)
            rows.append(("x", r["id"], r["text"], r["author"]["handle"], line))
        conn.executemany("INSERT INTO posts VALUES (?, ?, ?, ?, ?)", rows)
    conn.close()
    return time.perf_counter() - start


def bench(n: int) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = make_file(folder, n)
        base_s = baseline(path, folder / "baseline.db")
        with open_store(f"sqlite:///{folder / 'goodwill.db'}") as store:
            start = time.perf_counter()
            import_files(store, [str(path)])
            ours_s = time.perf_counter() - start
            start = time.perf_counter()
            import_files(store, [str(path)])
            rerun_s = time.perf_counter() - start
    return {
        "posts": n,
        "goodwill_posts_per_s": round(n / ours_s),
        "goodwill_rerun_posts_per_s": round(n / rerun_s),
        "sqlite3_baseline_posts_per_s": round(n / base_s),
        "goodwill_vs_baseline": round(base_s / ours_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = bench(args.posts)
    if args.json:
        print(json.dumps(result))
        return
    print(f"import of {result['posts']:,} JSON Lines posts into SQLite")
    print(f"  goodwill import          : {result['goodwill_posts_per_s']:>9,} posts/s")
    print(f"  goodwill rerun (no-op)   : {result['goodwill_rerun_posts_per_s']:>9,} posts/s")
    print(f"  bare sqlite3 executemany : {result['sqlite3_baseline_posts_per_s']:>9,} posts/s")
    print(f"  ratio goodwill/baseline  : {result['goodwill_vs_baseline']}")


if __name__ == "__main__":
    main()
