"""Kill an import with SIGKILL at random moments; a rerun must finish it with nothing lost or duplicated."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from goodwill.jobs.importer import import_files
from goodwill.store import PostQuery, open_store

DRIVER = (
    "import sys\n"
    "from goodwill.jobs.importer import import_files\n"
    "from goodwill.store import open_store\n"
    "with open_store(sys.argv[1]) as store:\n"
    "    s = import_files(store, [sys.argv[2]], batch_size=250)\n"
    "print(s.imported, s.updated, s.unchanged, s.rejected)\n"
)


def _records(n: int, rng: random.Random) -> tuple[list[dict[str, object]], dict[str, str]]:
    records: list[dict[str, object]] = []
    expected: dict[str, str] = {}
    for i in range(n):
        if i and rng.random() < 0.1:  # an identical duplicate of an earlier record
            records.append(dict(records[rng.randrange(len(records))]))
            continue
        key = f"p{i}"
        text = f"post {i} {'é' * (i % 3)} {rng.random()}"
        records.append({"id": key, "text": text, "network": "x", "author": {"handle": f"u{i % 97}"}})
        expected[key] = text
    return records, expected


def _count(db: Path) -> int:
    con = sqlite3.connect(db, timeout=5)
    try:
        return int(con.execute("SELECT count(*) FROM posts").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


@pytest.mark.slow
def test_sigkill_then_rerun_finishes_the_job(tmp_path: Path) -> None:
    rng = random.Random(20261123)
    records, expected = _records(20_000, rng)
    data = tmp_path / "big.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    db = tmp_path / "crash.db"
    url = f"sqlite:///{db}"
    open_store(url).close()  # migrate first, so each kill lands in the import itself

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    counts_seen = []
    for target in sorted(rng.sample(range(500, len(expected) - 2_000), 4)):
        # kill once the store holds about `target` posts: mid-import whatever the machine's speed
        proc = subprocess.Popen([sys.executable, "-c", DRIVER, url, str(data)], env=env)
        time.sleep(rng.uniform(0.0, 0.05))
        while proc.poll() is None and _count(db) < target:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        con = sqlite3.connect(db)
        try:
            counts_seen.append(con.execute("SELECT count(*) FROM posts").fetchone()[0])
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            con.close()
    assert counts_seen == sorted(counts_seen)  # progress is never lost
    assert counts_seen[-1] < len(expected), "every kill should land mid-import"

    with open_store(url) as store:
        summary = import_files(store, [str(data)])
        assert summary.rejected == 0 and summary.updated == 0
        assert summary.imported == len(expected) - counts_seen[-1]
        assert store.count(PostQuery(limit=None)) == len(expected)
        for key in rng.sample(sorted(expected), 300):
            got = store.get("x", key)
            assert got is not None and got.post.text == expected[key]
            assert store.versions(got.id) == []
            assert len(store.raw_payloads(got.id)) == 1
        assert store.count(PostQuery(search="post", limit=None)) == len(expected)

    con = sqlite3.connect(db)
    try:
        dup = con.execute(
            "SELECT count(*) FROM (SELECT network, native_id FROM posts GROUP BY 1, 2 HAVING count(*) > 1)"
        ).fetchone()[0]
        payloads = con.execute("SELECT count(*) FROM raw_payloads").fetchone()[0]
        texts = dict(con.execute("SELECT native_id, text FROM posts").fetchall())
    finally:
        con.close()
    assert dup == 0
    assert payloads == len(expected)
    assert texts == expected
