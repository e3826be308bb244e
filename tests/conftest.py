"""Fixtures every test folder may use: a store on SQLite and on PostgreSQL, one test suite for both.

``store`` (and ``store_url``) are parametrized over both backends, so a test that takes one
runs twice: ``test_x[sqlite]`` and ``test_x[postgresql]``. See tests/README.md.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from goodwill.store import Store, open_store
from postgres_server import ENABLE_HINT, PostgresServer, find_bin_dir

BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the session (skips, or fails in CI, without the binaries)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail(ENABLE_HINT.replace("skipped", "cannot run in CI"))
        pytest.skip(ENABLE_HINT)
    server = PostgresServer(bin_dir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A database migrated to head, copied for each test (migrating is what takes time)."""
    name = postgres_server.new_database()
    open_store(postgres_server.url(name)).close()
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    open_store(f"sqlite:///{path}").close()  # close() checkpoints the WAL into the file
    return path


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh database migrated to head, on each backend in turn."""
    if request.param == "sqlite":
        target = tmp_path / "goodwill.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.new_database(template=request.getfixturevalue("postgres_template"))
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)


@pytest.fixture(params=BACKENDS)
def blank_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (no schema), on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.new_database()
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An open, empty, migrated store, on each backend in turn."""
    s = open_store(store_url)
    try:
        yield s
    finally:
        s.close()
