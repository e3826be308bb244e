"""A locked database is waited for, then reported; a full disk is reported and leaves the store intact."""

from __future__ import annotations

import errno
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from populated import author_post, every_row, populate, raw_record
from sqlalchemy import event

from goodwill.errors import InputError, StoreError
from goodwill.store import PostQuery, Store, open_store
from goodwill.store import engine as engine_module
from goodwill.store.backup import backup


@pytest.fixture
def sqlite_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 50)  # wait 50 ms per attempt, not 10 s
    sleeps: list[float] = []
    monkeypatch.setattr(engine_module.time, "sleep", lambda s: sleeps.append(s))
    path = tmp_path / "g.db"
    with open_store(f"sqlite:///{path}") as store:
        populate(store)
        yield store, path, sleeps


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    return con


def test_a_held_write_lock_is_retried_with_backoff_then_reported(sqlite_store: Any) -> None:
    store, path, sleeps = sqlite_store
    before = every_row(store)
    holder = _hold_write_lock(path)
    try:
        post = author_post("50", "zoe", "written while locked")
        with pytest.raises(
            StoreError, match="database is locked: another goodwill process is writing; retry"
        ):
            store.upsert([(post, raw_record(post))])
        assert sleeps == [0.2, 0.4]  # three attempts, the waits doubling between them
    finally:
        holder.rollback()
        holder.close()
    assert every_row(store) == before
    store.upsert([(post, raw_record(post))])
    assert store.get("x", "50") is not None


def test_a_lock_released_during_the_retries_lets_the_write_through(
    sqlite_store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, path, sleeps = sqlite_store
    holder = _hold_write_lock(path)
    released = threading.Event()

    def release(seconds: float) -> None:  # the other writer finishes during our first back-off
        sleeps.append(seconds)
        if not released.is_set():
            holder.rollback()
            released.set()

    monkeypatch.setattr(engine_module.time, "sleep", release)
    post = author_post("51", "zoe", "written after the wait")
    store.upsert([(post, raw_record(post))])
    holder.close()
    assert sleeps == [0.2]
    assert store.get("x", "51") is not None


def test_a_full_disk_is_reported_and_the_store_stays_intact(sqlite_store: Any) -> None:
    store, path, _ = sqlite_store
    before = every_row(store)
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]

    def cap(dbapi_connection: Any, _record: Any) -> None:  # SQLite's own "database or disk is full"
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

    event.listen(store._engine, "connect", cap)
    store._engine.dispose()
    big = [author_post(f"big{i}", "yan", "x" * 5000) for i in range(200)]
    with pytest.raises(StoreError, match="the disk is full; free some space and retry"):
        store.upsert([(p, raw_record(p)) for p in big])
    event.remove(store._engine, "connect", cap)
    store._engine.dispose()
    assert every_row(store) == before  # the batch was rolled back whole
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        con.close()
    store.upsert([(p, raw_record(p)) for p in big])
    assert store.count(PostQuery(include_deleted=True, limit=None)) == len(before["posts"]) + 200


def test_a_full_disk_during_backup_keeps_the_previous_backup(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(store)
    target = tmp_path / "b.jsonl"
    backup(store, target)
    good = target.read_bytes()

    def full(*_: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfileobj", full)
    with pytest.raises(InputError, match="No space left on device; check the path and free space"):
        backup(store, target)
    assert target.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("b.")) == ["b.jsonl"]
