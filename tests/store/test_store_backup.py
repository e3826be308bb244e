"""Backup and restore: every row of every table survives a round trip, between any two stores."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import pytest
from populated import author_post, every_row, populate, raw_record

from goodwill.cli.main import invoke
from goodwill.errors import InputError, StoreError
from goodwill.store import PostQuery, Store, open_store
from goodwill.store.backup import FORMAT, backup, restore, store_row_counts
from goodwill.store.schema import metadata


def test_round_trip_keeps_every_row_between_any_two_stores(
    store_url: str, blank_store_url: str, tmp_path: Path
) -> None:
    # store_url x blank_store_url: every pair of sqlite and postgresql, both ways
    dump = tmp_path / "dump.jsonl"
    with open_store(store_url) as source:
        populate(source)
        before = every_row(source)
        summary = backup(source, dump)
    assert summary.rows == {t: len(rows) for t, rows in before.items()}
    assert summary.rows["posts"] == 4 and summary.rows["post_versions"] == 1
    assert set(summary.rows) == set(metadata.tables)

    with open_store(blank_store_url) as target:
        loaded = restore(target, dump)
        assert loaded.rows == summary.rows
        assert every_row(target) == before
        # the search index was rebuilt and the id sequence moved past the restored ids
        assert [s.post.native_id for s in target.query(PostQuery(search="cafe"))] == ["1"]
        new = author_post("5", "dora", "after the restore")
        target.upsert([(new, raw_record(new))])
        got = target.get("x", "5")
        assert got is not None and got.id == max(r[0] for r in before["posts"]) + 1


def test_header_names_version_revision_counts_and_checksums(store: Store, tmp_path: Path) -> None:
    populate(store)
    dump = tmp_path / "d.jsonl"
    backup(store, dump)
    header = json.loads(dump.read_text(encoding="utf-8").splitlines()[0])
    assert header["format"] == FORMAT
    assert header["revision"] == store.read(
        lambda c: c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    )
    assert header["goodwill"]
    assert header["tables"]["posts"]["rows"] == 4
    assert len(header["tables"]["posts"]["sha256"]) == 64
    assert "author_handle" in header["tables"]["posts"]["columns"]


def test_restore_refuses_a_store_that_holds_data_unless_forced(store_url: str, tmp_path: Path) -> None:
    dump = tmp_path / "d.jsonl"
    with open_store(store_url) as store:
        populate(store)
        before = every_row(store)
        backup(store, dump)
        with pytest.raises(StoreError, match=r"not empty \(enrichments .*--force"):
            restore(store, dump)
        p = author_post("9", "zed", "written after the backup")
        store.upsert([(p, raw_record(p))])
        restore(store, dump, force=True)
        assert every_row(store) == before
        assert store.get("x", "9") is None


def test_restore_refuses_a_newer_schema_and_a_damaged_file(store_url: str, tmp_path: Path) -> None:
    dump = tmp_path / "d.jsonl"
    with open_store(store_url) as store:
        populate(store)
        backup(store, dump)
        lines = dump.read_text(encoding="utf-8").splitlines(keepends=True)
        header = json.loads(lines[0])

        newer = tmp_path / "newer.jsonl"
        newer.write_text(
            json.dumps({**header, "revision": "9999"}) + "\n" + "".join(lines[1:]), encoding="utf-8"
        )
        with pytest.raises(StoreError, match=r"9999.*newer than this goodwill knows"):
            restore(store, newer, force=True)

        damaged = tmp_path / "damaged.jsonl"
        damaged.write_text("".join(lines[:-1]), encoding="utf-8")  # the last row is missing
        before = every_row(store)
        with pytest.raises(InputError, match=r"does not match its checksum.*nothing was restored"):
            restore(store, damaged, force=True)
        assert every_row(store) == before  # all or nothing

        with pytest.raises(InputError, match="not a goodwill backup"):
            (tmp_path / "x.jsonl").write_text('{"id": 1}\n', encoding="utf-8")
            restore(store, tmp_path / "x.jsonl", force=True)


def test_native_sqlite_backup_and_restore(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    copy = tmp_path / "copy.db"
    with open_store(url) as store:
        populate(store)
        before = every_row(store)
        summary = backup(store, copy, native=True)
        assert summary.native and summary.rows["posts"] == 4
    con = sqlite3.connect(copy)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        con.close()
    with open_store(f"sqlite:///{tmp_path / 'b.db'}") as target:
        restore(target, copy)
        assert every_row(target) == before
        assert store_row_counts(target)["posts"] == 4


def test_native_backup_refuses_postgresql(store: Store, tmp_path: Path) -> None:
    if store.dialect != "postgresql":
        pytest.skip("the refusal concerns PostgreSQL")
    with pytest.raises(StoreError, match="native backup needs an SQLite database file"):
        backup(store, tmp_path / "x.db", native=True)


def test_cli_backup_then_restore_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GOODWILL_DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    with open_store(f"sqlite:///{tmp_path / 'a.db'}") as store:
        populate(store)
    assert invoke(["backup", "all.jsonl.gz"]) == 0
    assert "backed up" in capsys.readouterr().err
    with gzip.open(tmp_path / "all.jsonl.gz", "rt", encoding="utf-8") as f:
        assert json.loads(f.readline())["tables"]["posts"]["rows"] == 4
    monkeypatch.setenv("GOODWILL_DATABASE_URL", f"sqlite:///{tmp_path / 'b.db'}")
    assert invoke(["restore", "all.jsonl.gz"]) == 0
    assert invoke(["restore", "all.jsonl.gz"]) == 1
    assert "not empty" in capsys.readouterr().err
    assert invoke(["restore", "all.jsonl.gz", "--force"]) == 0
