"""A fresh migrated SQLite store per desk test (copied from one template: migrating is the slow part)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from goodwill.store import Store, open_store


@pytest.fixture(scope="session")
def desk_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("desk-template") / "template.db"
    open_store(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def store(tmp_path: Path, desk_template: Path) -> Iterator[Store]:
    target = tmp_path / "goodwill.db"
    shutil.copyfile(desk_template, target)
    s = open_store(f"sqlite:///{target}")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def any_store(store_url: str) -> Iterator[Store]:
    """The desk's store on each backend (``store`` above is SQLite only, copied from a template)."""
    s = open_store(store_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests hash many passwords: the same argon2id scheme with the smallest cost keeps them fast."""
    from argon2 import PasswordHasher

    import goodwill.desk.passwords as passwords

    fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", lambda: fast)
