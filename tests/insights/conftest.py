"""Fixtures of the insights tests: a migrated store, the fixed dataset in it, a workspace around it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from insights_data import CONFIG_TOML, ROWS, fill

from goodwill.store import Store, open_store


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    open_store(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def empty_store(tmp_path: Path, migrated_template: Path) -> Iterator[Store]:
    target = tmp_path / "goodwill.db"
    shutil.copyfile(migrated_template, target)
    s = open_store(f"sqlite:///{target}")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace folder holding the fixed dataset (goodwill.toml + goodwill.db), as the cwd."""
    (tmp_path / "goodwill.toml").write_text(CONFIG_TOML, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOODWILL_DATABASE_URL", raising=False)
    with open_store(f"sqlite:///{tmp_path / 'goodwill.db'}") as s:
        fill(s, ROWS)
    return tmp_path


@pytest.fixture
def store(empty_store: Store) -> Store:
    fill(empty_store, ROWS)
    return empty_store
