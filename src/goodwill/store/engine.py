"""Opening a database: the engine, SQLite's pragmas, migrations to head, and errors a user can act on.

SQLite is set up for one writer and many readers: WAL journal, foreign keys
on, a busy timeout, and write transactions that start with ``BEGIN
IMMEDIATE`` so two importers never deadlock halfway through a batch (the
second waits, then retries a few times before giving up with a clear message).

PostgreSQL (``postgresql+psycopg://``) lets writers run side by side, so two
of them can collide on the same new post or enrichment key, or deadlock on
each other's rows. Such a transaction is replayed from the start: it then sees
what the other one committed, which gives the same idempotency as SQLite's
one-writer lock. Migrations take an advisory lock so two processes opening a
new database at once do not both create it.

Migrations run programmatically with the scripts shipped inside the package,
so no ``alembic.ini`` is needed at run time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from goodwill.errors import StoreError

__all__ = [
    "BUSY_TIMEOUT_MS",
    "display_url",
    "make_engine",
    "migrate_schema",
    "schema_revision",
    "store_error",
    "write",
]

T = TypeVar("T")

#: How long SQLite waits for another writer before reporting "locked".
BUSY_TIMEOUT_MS = 10_000
#: How many times a locked write transaction is retried after the busy timeout.
WRITE_ATTEMPTS = 3
#: How many times a PostgreSQL write that collided with a concurrent one is replayed.
PG_WRITE_ATTEMPTS = 6
MIGRATIONS = Path(__file__).parent / "migrations"
_WRITE = "goodwill_write"
#: PostgreSQL error codes of a write that collided with a concurrent one and can simply be replayed:
#: serialization failure, deadlock, unique violation (the same new key committed meanwhile).
_PG_RETRY = frozenset({"40001", "40P01", "23505"})
#: Any constant: the advisory lock that serialises migrations on PostgreSQL.
_MIGRATION_LOCK = 0x600D_3111


def display_url(url: str) -> str:
    """The URL with its password hidden, fit for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def make_engine(url: str) -> Engine:
    """An engine for ``url``; on SQLite with WAL, foreign keys and a busy timeout set on every connection."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"{url!r} is not a database URL; use e.g. sqlite:///goodwill.db "
            "or postgresql+psycopg://user@host/db."
        ) from None
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        parent = Path(parsed.database).expanduser().resolve().parent
        if not parent.is_dir():
            raise StoreError(f"{url}: folder {parent} does not exist; create it or choose another path.")
    shown = display_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.get_driver_name() != "psycopg":
        raise StoreError(
            f"{shown}: goodwill talks to PostgreSQL through psycopg 3; "
            "write the URL as postgresql+psycopg://user@host/db."
        )
    # PostgreSQL: psycopg would prepare a statement run five times, and the server may then keep
    # one generic plan for it. A store fills from empty: the generic plan of the importer's key
    # lookup, made while the planner believed ``posts`` held two rows, scanned every post of the
    # network for each batch of 500 (120-170 ms a batch at 50,000 posts, the import 2.5x slower)
    # until autovacuum's first ANALYZE. Unprepared, each statement is planned for its own values, a
    # fraction of a millisecond against batches of hundreds of rows. (``plan_cache_mode =
    # force_custom_plan`` would do the same but also replan the server's foreign-key checks on every
    # row: a fifth of its time when saving results.)
    connect_args: dict[str, Any] = {"prepare_threshold": None} if backend == "postgresql" else {}
    try:
        engine = create_engine(
            parsed,
            pool_pre_ping=backend == "postgresql",
            connect_args=connect_args,
        )
    except NoSuchModuleError:
        raise StoreError(f"{shown}: no SQLAlchemy driver for this database is installed.") from None
    except ImportError as exc:
        hint = "pip install 'goodwill[postgresql]'" if backend == "postgresql" else "pip install it"
        raise StoreError(f"{shown}: the database driver is not installed ({exc}); {hint}.") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        # With WAL, NORMAL survives a killed process (only a power cut may lose the last commits).
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _is_locked(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


def _is_pg_collision(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in _PG_RETRY


def _pg_error(msg: str, low: str, url: str) -> StoreError | None:
    """The PostgreSQL failures a user can fix, said plainly."""
    if "does not exist" in low and "database" in low:
        return StoreError(f"{url}: {msg.strip()}; create it first (createdb NAME) or fix the URL.")
    if "connection refused" in low or "could not connect" in low or "no such file or directory" in low:
        first = msg.strip().splitlines()[0]
        return StoreError(
            f"{url}: cannot reach the PostgreSQL server ({first}); check host, port and that it runs."
        )
    if "password authentication failed" in low or "authentication failed" in low:
        return StoreError(f"{url}: PostgreSQL refused the login; check the user and password.")
    if "permission denied" in low:
        return StoreError(
            f"{url}: {msg.strip()}; grant this user the rights goodwill needs (docs/deploy.md)."
        )
    return None


def store_error(exc: SQLAlchemyError, url: str) -> StoreError:
    """Turn a driver error into one line that says what to do."""
    url = display_url(url)
    if isinstance(exc, DBAPIError):
        msg = str(exc.orig)
        low = msg.lower()
        if _is_locked(exc):
            return StoreError(
                f"{url}: database is locked: another goodwill process is writing; retry when it is done."
            )
        if type(exc.orig).__module__.startswith("psycopg"):
            pg = _pg_error(msg, low, url)
            if pg is not None:
                return pg
        if "file is not a database" in low or "malformed" in low:
            return StoreError(
                f"{url}: not a readable goodwill database ({msg}); check the path or restore it."
            )
        if "unable to open database file" in low or "readonly" in low or "read-only" in low:
            return StoreError(
                f"{url}: cannot open or write the database file ({msg}); check its permissions."
            )
        if "disk" in low and "full" in low:
            return StoreError(f"{url}: the disk is full; free some space and retry.")
        return StoreError(f"{url}: database error: {msg.strip()}")
    return StoreError(f"{url}: database error: {exc}")


def write(engine: Engine, url: str, fn: Callable[[Connection], T]) -> T:
    """Run ``fn`` in ONE write transaction; replay it when another writer holds the lock or collided.

    ``fn`` must plan from what it reads inside the transaction, so a replay sees the other
    writer's commit (an upsert then counts that post as known, not as new).
    """
    attempts = WRITE_ATTEMPTS if engine.dialect.name == "sqlite" else PG_WRITE_ATTEMPTS
    for attempt in range(attempts):
        try:
            with engine.connect() as conn:
                conn.execution_options(**{_WRITE: True})
                with conn.begin():
                    return fn(conn)
        except DBAPIError as exc:
            if attempt + 1 < attempts:
                if _is_locked(exc):
                    time.sleep(0.2 * 2**attempt)
                    continue
                if _is_pg_collision(exc):
                    time.sleep(0.01 * 2**attempt)
                    continue
            raise store_error(exc, url) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate_schema(engine: Engine, url: str, *, upgrade: bool) -> None:
    """Bring the schema to head (or, without ``upgrade``, check it is there); refuse a newer schema."""
    cfg = _alembic_config()
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()
    known = {rev.revision for rev in script.walk_revisions()}
    try:
        with engine.connect() as conn:
            conn.execution_options(**{_WRITE: upgrade})
            with conn.begin():
                if conn.dialect.name == "postgresql" and upgrade:
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
                current = MigrationContext.configure(conn).get_current_revision()
                if current == head:
                    return
                if current is not None and current not in known:
                    raise StoreError(
                        f"{url}: the database schema ({current}) is newer than this goodwill knows "
                        f"(head {head}); upgrade goodwill."
                    )
                if not upgrade:
                    raise StoreError(
                        f"{url}: the database schema is at {current or 'nothing'}, not {head}; "
                        "open it with migrations enabled (run `goodwill init` or any import)."
                    )
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
    except DBAPIError as exc:
        raise store_error(exc, url) from exc
