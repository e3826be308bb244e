"""Migrations build the schema from nothing, match the models, and errors say what to do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect
from store_helpers import make_post, rec

import goodwill.store.engine as engine_module
from goodwill.errors import StoreError
from goodwill.store import open_store
from goodwill.store.schema import include_object, metadata

#: The newest migration: every part's migrations chain onto 0001, so head is not fixed here.
HEAD = ScriptDirectory.from_config(engine_module._alembic_config()).get_current_head()


def test_migrations_create_the_schema_from_empty(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    open_store(f"sqlite:///{db}").close()
    con = sqlite3.connect(db)
    try:
        names = {
            r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table','trigger')")
        }
        assert {
            "posts",
            "post_versions",
            "raw_payloads",
            "enrichments",
            "posts_fts",
            "alembic_version",
        } <= names
        assert {"posts_fts_ai", "posts_fts_ad", "posts_fts_au"} <= names
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        con.close()


def test_head_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cmp.db'}"
    open_store(url).close()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"include_object": include_object, "compare_type": True}
            )
            assert compare_metadata(ctx, metadata) == []
            cols = {c["name"] for c in inspect(conn).get_columns("posts")}
            assert cols == {c.name for c in metadata.tables["posts"].columns}
    finally:
        engine.dispose()


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'again.db'}"
    with open_store(url) as store:
        store.upsert([rec(make_post("1", "kept"))])
    with open_store(url, migrate=False) as store:
        got = store.get("generic", "1")
        assert got is not None and got.post.text == "kept"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "future.db"
    open_store(f"sqlite:///{db}").close()
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer than this goodwill"):
        open_store(f"sqlite:///{db}")


def test_unmigrated_database_without_migrate_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=f"not {HEAD}"):
        open_store(f"sqlite:///{tmp_path / 'empty.db'}", migrate=False)


def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a readable goodwill database"):
        open_store(f"sqlite:///{junk}")


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        open_store(f"sqlite:///{tmp_path / 'nope' / 'x.db'}")


def test_bad_url_is_reported() -> None:
    with pytest.raises(StoreError, match="not a database URL"):
        open_store("definitely not a url")


def test_locked_database_retries_then_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 20)
    db = tmp_path / "locked.db"
    store = open_store(f"sqlite:///{db}")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="database is locked: another goodwill process is writing"):
            store.upsert([rec(make_post("1", "x"))])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.upsert([rec(make_post("1", "x"))]).imported == 1
    store.close()
