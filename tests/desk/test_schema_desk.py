"""Migration 0003 creates the desk's tables and indexes, and goes down and up again cleanly."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from goodwill.store import open_store
from goodwill.store.engine import MIGRATIONS

DESK_TABLES = {
    "users",
    "desk_sessions",
    "api_tokens",
    "cases",
    "case_tags",
    "case_actions",
    "replies",
    "corrections",
    "audit_log",
}


def _names(db: Path, kind: str) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))}
    finally:
        con.close()


def test_tables_and_partial_inbox_indexes(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    open_store(f"sqlite:///{db}").close()
    assert _names(db, "table") >= DESK_TABLES
    con = sqlite3.connect(db)
    (sql,) = con.execute("SELECT sql FROM sqlite_master WHERE name = 'ix_cases_active_brand'").fetchone()
    con.close()
    assert "priority DESC" in sql and "WHERE state IN ('open', 'pending')" in sql


def test_downgrade_to_the_core_and_back(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    url = f"sqlite:///{db}"
    open_store(url).close()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0001")
        assert not (DESK_TABLES & _names(db, "table"))
        assert "posts" in _names(db, "table")
        assert not any(name.startswith("ix_posts_network_") for name in _names(db, "index"))
    finally:
        engine.dispose()
    open_store(url).close()
    assert _names(db, "table") >= DESK_TABLES
