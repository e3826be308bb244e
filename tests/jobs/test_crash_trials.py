"""SIGKILL ``import`` and ``enrich --stored`` at random points, 20 times each; every restart loses nothing.

Each trial forks a fresh job from a pre-warmed parent (crash_zygote.py), waits until the store
has committed a random number of rows, sleeps a random few milliseconds more (so the kill lands
inside a batch as often as between two), and kills it. After every kill the store must be
intact, hold no duplicate, and only whole batches; after the final rerun, everything.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from goodwill.enrich.registry import default_pipeline
from goodwill.enrich.stage import StageContext
from goodwill.jobs.enrich_stored import enrich_stored
from goodwill.jobs.importer import import_files
from goodwill.store import PostQuery, open_store

TRIALS = 20
ZYGOTE = Path(__file__).with_name("crash_zygote.py")


class Zygote:
    def __init__(self, *args: str) -> None:
        env = {
            **os.environ,
            "PYTHONDONTWRITEBYTECODE": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
        }
        self.proc = subprocess.Popen(
            [sys.executable, str(ZYGOTE), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self._line() == "ready"

    def _line(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def launch(self, command: str) -> int:
        """Fork a child running ``command``; its pid."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return int(self._line().split()[1])

    def reap(self, pid: int, *, kill: bool) -> bool:
        """SIGKILL the child (if ``kill``) and wait for it. True: it died of a signal (mid-job)."""
        if kill:
            with contextlib.suppress(ProcessLookupError):  # it may have finished just now
                os.kill(pid, signal.SIGKILL)
        status = int(self._line().split()[1])
        return os.WIFSIGNALED(status)

    def kill_when(self, command: str, db: Path, sql: str, target: int, rng: random.Random) -> bool:
        """Run ``command`` in a fresh child; SIGKILL it once ``sql`` counts ``target``. True: mid-job."""
        pid = self.launch(command)
        started = time.monotonic()
        while _scalar(db, sql) < target and time.monotonic() < started + 30:
            time.sleep(0.004)
        time.sleep(rng.uniform(0, 0.004))
        return self.reap(pid, kill=True)

    def close(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    z = Zygote()
    try:
        yield z
    finally:
        z.close()


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db, timeout=10)
    try:
        return con.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


def _scalar(db: Path, sql: str) -> int:
    rows = _query(db, sql)
    return int(rows[0][0]) if rows else 0  # type: ignore[call-overload]


def _intact(db: Path) -> None:
    assert _query(db, "PRAGMA integrity_check") == [("ok",)]
    assert _query(db, "PRAGMA foreign_key_check") == []


def _records(n: int, rng: random.Random) -> tuple[str, dict[str, str]]:
    lines: list[str] = []
    expected: dict[str, str] = {}
    for i in range(n):
        if lines and rng.random() < 0.1:  # an identical repeat of an earlier record: must stay one row
            lines.append(rng.choice(lines))
            continue
        key = f"p{i}"
        expected[key] = f"post {i} about Acme {'refund please' if i % 3 else 'love it'} {rng.random()}"
        lines.append(
            json.dumps({"id": key, "text": expected[key], "network": "x", "author": {"handle": f"u{i}"}})
        )
    return "\n".join(lines) + "\n", expected


@pytest.mark.slow
def test_import_killed_twenty_times_loses_and_duplicates_nothing(zygote: Zygote, tmp_path: Path) -> None:
    rng = random.Random(8_2026)
    killed_mid_job = 0
    for round_no in range(2):
        text, expected = _records(400, rng)
        data = tmp_path / f"in{round_no}.jsonl"
        data.write_text(text, encoding="utf-8")
        db = tmp_path / f"import{round_no}.db"
        url = f"sqlite:///{db}"
        open_store(url).close()
        seen = 0
        for target in sorted(rng.sample(range(20, len(expected) - 40), TRIALS // 2)):
            killed_mid_job += zygote.kill_when(
                f"import {url} {data} 10", db, "SELECT count(*) FROM posts", target, rng
            )
            _intact(db)
            count = _scalar(db, "SELECT count(*) FROM posts")
            assert count >= seen, "a restart lost committed posts"
            seen = count
            assert (
                _scalar(db, "SELECT count(*) FROM raw_payloads") == count
            )  # one payload per post, none twice
            stored = dict(_query(db, "SELECT native_id, text FROM posts"))
            assert all(expected[k] == v for k, v in stored.items())  # type: ignore[index]
        with open_store(url) as store:
            summary = import_files(store, [str(data)], batch_size=10)
            assert summary.imported == len(expected) - seen and summary.updated == 0
            assert store.count(PostQuery(limit=None)) == len(expected)
            assert store.count(PostQuery(search="Acme", limit=None)) == len(expected)  # the index is whole
        assert dict(_query(db, "SELECT native_id, text FROM posts")) == expected
    assert killed_mid_job >= TRIALS // 2, "most kills should land while the job runs"


@pytest.mark.slow
def test_enrich_killed_twenty_times_then_completes_exactly_once(zygote: Zygote, tmp_path: Path) -> None:
    rng = random.Random(20_261_201)
    pipeline = default_pipeline(StageContext())
    versions = pipeline.versions
    stages = len(versions)
    killed_mid_job = 0
    for round_no in range(2):
        text, expected = _records(160, rng)
        data = tmp_path / f"in{round_no}.jsonl"
        data.write_text(text, encoding="utf-8")
        db = tmp_path / f"enrich{round_no}.db"
        url = f"sqlite:///{db}"
        with open_store(url) as store:
            import_files(store, [str(data)])
        judged_sql = "SELECT count(DISTINCT post_id) FROM enrichments"
        seen = 0
        for target in sorted(rng.sample(range(5, len(expected) - 20), TRIALS // 2)):
            killed_mid_job += zygote.kill_when(f"enrich {url} 5", db, judged_sql, target, rng)
            _intact(db)
            judged = _scalar(db, judged_sql)
            assert judged >= seen, "a restart lost committed judgements"
            seen = judged
            # a post is judged by every stage or by none: batches commit whole
            partial = _query(
                db, f"SELECT post_id FROM enrichments GROUP BY post_id HAVING count(*) != {stages}"
            )
            assert partial == []
        with open_store(url) as store:
            summary = enrich_stored(store, pipeline, batch_size=5)
            assert summary.posts == len(expected) - seen  # the rerun judges only what was left
            assert list(store.iter_stale(versions)) == []
        assert _scalar(db, "SELECT count(*) FROM enrichments") == len(expected) * stages
    assert killed_mid_job >= TRIALS // 2, "most kills should land while the job runs"
