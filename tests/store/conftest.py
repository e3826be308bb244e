"""A fresh SQLite store per test, copied from one migrated template (migrating takes most of the time)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from goodwill.store import Store, open_store


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    open_store(f"sqlite:///{path}").close()  # close() checkpoints the WAL into the file
    return path


@pytest.fixture
def store(tmp_path: Path, migrated_template: Path) -> Iterator[Store]:
    target = tmp_path / "goodwill.db"
    shutil.copyfile(migrated_template, target)
    s = open_store(f"sqlite:///{target}")
    try:
        yield s
    finally:
        s.close()
