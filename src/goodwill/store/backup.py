"""Backup and restore: a portable, streamed logical dump of every table on the store's metadata.

Why logical: the same file restores into SQLite or PostgreSQL, whichever wrote it, and
it covers every table any part of goodwill declares on ``goodwill.store.schema.metadata``
(a table added by a later migration is dumped without a line changing here).

The file is JSON Lines (gzip when its name ends in ``.gz``). Line 1 is the header: the
goodwill version, the alembic revision, and per table its columns, row count and the
SHA-256 of its row lines. Then one line per row, ``[table, [values in column order]]``,
tables in foreign-key order. The header needs the counts and checksums, so rows are first
streamed to a temporary file beside the target, then copied behind the header; memory stays
flat whatever the size of the store. The dump is read in one transaction, so it is one
consistent snapshot.

Restore runs in ONE write transaction: a dump whose checksum does not match, or a process
killed halfway, leaves the store as it was. The full-text index is rebuilt afterwards
(SQLite's FTS5 table; PostgreSQL's search index is an expression index, recomputed by the
inserts themselves, and the tables are analysed).

For SQLite there is also the native path (``native=True``): SQLite's online backup API
copies the database file page by page while others keep writing, and restores it the same way.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, Date, DateTime, Integer, LargeBinary, Table, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.types import TypeDecorator, TypeEngine

from goodwill import __version__
from goodwill.errors import InputError, StoreError
from goodwill.store.dialect import bulk_insert
from goodwill.store.engine import _alembic_config
from goodwill.store.schema import FTS_TABLE, metadata
from goodwill.store.sqlstore import Store

__all__ = ["FORMAT", "BackupSummary", "backup", "restore", "store_row_counts"]

#: The dump format's name and version, in the header's ``format`` key.
FORMAT = "goodwill-backup/1"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_INSERT_BATCH = 1000


@dataclass(frozen=True)
class BackupSummary:
    """What a backup wrote or a restore loaded: rows per table, and the schema revision."""

    revision: str | None
    rows: dict[str, int] = field(default_factory=dict)
    native: bool = False

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _kind(column: Column[Any]) -> str:
    """How a column's values are written in JSON: datetimes as ISO text, bytes as base64."""
    type_: TypeEngine[Any] = column.type
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    if isinstance(type_, DateTime):
        return "datetime"
    if isinstance(type_, Date):
        return "date"
    if isinstance(type_, LargeBinary):
        return "bytes"
    return "plain"


def _encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind in ("datetime", "date"):
        assert isinstance(value, date)
        return value.isoformat()
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "bytes":
        return base64.b64decode(value)
    return value


def _open(path: Path, mode: str, *, gz: bool) -> IO[bytes]:
    if gz:
        return gzip.open(path, mode + "b")  # type: ignore[return-value]
    return path.open(mode + "b")


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def _tables() -> list[Table]:
    return list(metadata.sorted_tables)


def store_row_counts(store: Store) -> dict[str, int]:
    """Rows per table on the metadata (what ``restore`` calls empty: all zero)."""

    def run(conn: Connection) -> dict[str, int]:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in _tables()
        }

    return store.read(run)


def _sqlite_path(store: Store) -> str:
    database = make_url(store.url).database
    if store.dialect != "sqlite" or not database or database == ":memory:":
        raise StoreError(f"{store.url}: the native backup needs an SQLite database file.")
    return database


# -- backup ---------------------------------------------------------------------------------------


def backup(store: Store, target: Path, *, native: bool = False) -> BackupSummary:
    """Write every table of ``store`` to ``target`` (replaced atomically when complete)."""
    target = Path(target)
    if not target.parent.is_dir():
        raise InputError(f"cannot write {target}: folder {target.parent} does not exist.")
    part = target.with_name(target.name + ".part")
    try:
        summary = (
            _native_backup(store, part) if native else _logical_backup(store, part, gz=target.suffix == ".gz")
        )
        part.replace(target)
    except OSError as exc:
        raise InputError(
            f"cannot write {target}: {exc.strerror or exc}; check the path and free space."
        ) from None
    finally:
        part.unlink(missing_ok=True)
    return summary


def _native_backup(store: Store, part: Path) -> BackupSummary:
    source = sqlite3.connect(_sqlite_path(store))
    try:
        dest = sqlite3.connect(part)
        try:
            source.backup(dest)
            revision = dest.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            dest.close()
    finally:
        source.close()
    return BackupSummary(
        revision=revision[0] if revision else None, rows=store_row_counts(store), native=True
    )


def _logical_backup(store: Store, part: Path, *, gz: bool) -> BackupSummary:
    body = part.with_name(part.name + ".rows")
    tables = _tables()
    header: dict[str, Any] = {"format": FORMAT, "goodwill": __version__, "dialect": store.dialect}
    info: dict[str, dict[str, Any]] = {}
    try:

        def dump(conn: Connection) -> None:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            header["revision"] = _revision(conn)
            with body.open("wb") as out:
                for table in tables:
                    columns = list(table.columns)
                    kinds = [_kind(c) for c in columns]
                    digest = hashlib.sha256()
                    count = 0
                    order = list(table.primary_key.columns) or columns
                    result = conn.execution_options(yield_per=_INSERT_BATCH).execute(
                        select(*columns).order_by(*order)
                    )
                    name = json.dumps(table.name)
                    for row in result:
                        values = [_encode(k, v) for k, v in zip(kinds, row, strict=True)]
                        line = f"[{name},{json.dumps(values, ensure_ascii=False)}]\n".encode()
                        digest.update(line)
                        out.write(line)
                        count += 1
                    info[table.name] = {
                        "columns": [c.name for c in columns],
                        "rows": count,
                        "sha256": digest.hexdigest(),
                    }

        store.read(dump)
        header["tables"] = info
        with _open(part, "w", gz=gz) as out, body.open("rb") as rows:
            out.write(json.dumps(header, ensure_ascii=False).encode() + b"\n")
            shutil.copyfileobj(rows, out, 1 << 20)
    finally:
        body.unlink(missing_ok=True)
    return BackupSummary(revision=header["revision"], rows={n: i["rows"] for n, i in info.items()})


# -- restore --------------------------------------------------------------------------------------


def _is_sqlite_file(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC


@contextmanager
def _reader(path: Path) -> Iterator[IO[bytes]]:
    try:
        with _open(path, "r", gz=path.suffix == ".gz") as f:
            yield f
    except FileNotFoundError:
        raise InputError(f"{path}: no such backup file.") from None
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot be read as a goodwill backup ({exc}).") from None


def _read_header(path: Path, f: IO[bytes]) -> dict[str, Any]:
    try:
        header = json.loads(f.readline())
    except (ValueError, UnicodeDecodeError):
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InputError(
            f"{path}: not a goodwill backup (no {FORMAT} header); make one with `goodwill backup`."
        )
    return header


def _check_revision(path: Path, revision: str | None, target_revision: str | None) -> None:
    if revision is not None and revision not in _known_revisions():
        raise StoreError(
            f"{path}: the backup's schema ({revision}) is newer than this goodwill knows "
            f"(head {target_revision}); restore it with a newer goodwill."
        )


def _refuse_non_empty(store: Store, force: bool) -> None:
    if force:
        return
    # a derived table (the queue's rankings) holds nothing of its own: a store with only that is empty
    derived = {t.name for t in _tables() if t.info.get("derived")}
    filled = {name: n for name, n in store_row_counts(store).items() if n and name not in derived}
    if filled:
        listed = ", ".join(f"{name} ({n:,})" for name, n in sorted(filled.items()))
        raise StoreError(
            f"{store.url}: the store is not empty ({listed}); restore into an empty store, "
            "or pass --force to replace everything in it."
        )


def restore(store: Store, source: Path, *, force: bool = False) -> BackupSummary:
    """Load a backup written by :func:`backup` into ``store``, in one transaction.

    Refuses a backup of a schema newer than this goodwill, a file whose checksums do not
    match, and (without ``force``) a store that holds any row.
    """
    source = Path(source)
    if not source.is_file():
        raise InputError(f"{source}: no such backup file.")
    if source.suffix != ".gz" and _is_sqlite_file(source):
        return _native_restore(store, source, force=force)
    _refuse_non_empty(store, force)
    tables = {t.name: t for t in _tables()}
    with _reader(source) as f:
        header = _read_header(source, f)
        target_revision = store.read(_revision)
        _check_revision(source, header.get("revision"), target_revision)
        info: Mapping[str, Any] = header.get("tables") or {}
        unknown = sorted(set(info) - set(tables))
        if unknown:
            raise StoreError(
                f"{source}: the backup holds tables this store lacks ({', '.join(unknown)}); "
                "upgrade goodwill, or migrate this store to the backup's revision."
            )

        def load(conn: Connection) -> dict[str, int]:
            f.seek(0)
            f.readline()
            for table in reversed(list(tables.values())):
                if force or table.info.get("derived"):
                    conn.execute(table.delete())
            return _load_rows(conn, source, f, tables, info)

        rows = store.transaction(load)
    return BackupSummary(revision=header.get("revision"), rows=rows)


def _load_rows(
    conn: Connection, source: Path, f: IO[bytes], tables: Mapping[str, Table], info: Mapping[str, Any]
) -> dict[str, int]:
    digests = {name: hashlib.sha256() for name in info}
    counts = dict.fromkeys(info, 0)
    plans = {
        name: (list(meta["columns"]), [_kind(tables[name].c[c]) for c in meta["columns"]])
        for name, meta in info.items()
    }
    pending: list[dict[str, Any]] = []
    pending_table = ""

    def flush() -> None:
        if pending:
            bulk_insert(conn, tables[pending_table], pending)
            pending.clear()

    for number, line in enumerate(f, start=2):
        try:
            name, values = json.loads(line)
            columns, kinds = plans[name]
            row = {c: _decode(k, v) for c, k, v in zip(columns, kinds, values, strict=True)}
        except (ValueError, TypeError, KeyError) as exc:
            raise InputError(f"{source}:{number}: not a row of a goodwill backup ({exc}).") from None
        digests[name].update(line)
        counts[name] += 1
        if name != pending_table or len(pending) >= _INSERT_BATCH:
            flush()
            pending_table = name
        pending.append(row)
    flush()
    for name, meta in info.items():
        if counts[name] != meta["rows"] or digests[name].hexdigest() != meta["sha256"]:
            raise InputError(
                f"{source}: table {name} does not match its checksum ({counts[name]:,} rows read, "
                f"{meta['rows']:,} written); the file is damaged or truncated, nothing was restored."
            )
    _after_load(conn, list(tables.values()))
    return counts


def _after_load(conn: Connection, tables: list[Table]) -> None:
    """Make the store whole again: sequences past the restored ids, the search index rebuilt."""
    if conn.dialect.name == "postgresql":
        for table in tables:
            keys = list(table.primary_key.columns)
            if len(keys) == 1 and isinstance(keys[0].type, Integer):
                # NULL (no sequence behind the column) makes setval a no-op, not an error.
                conn.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(:t, :c), "
                        f"coalesce((SELECT max({keys[0].name}) FROM {table.name}), 0) + 1, false)"
                    ),
                    {"t": table.name, "c": keys[0].name},
                )
        for table in tables:
            conn.exec_driver_sql(f"ANALYZE {table.name}")
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def _native_restore(store: Store, source: Path, *, force: bool) -> BackupSummary:
    target = _sqlite_path(store)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        try:
            found = src.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{source}: not a goodwill database ({exc}).") from None
        revision = found[0] if found else None
        _check_revision(source, revision, store.read(_revision))
        _refuse_non_empty(store, force)
        store.close()  # the backup API replaces the file's pages; no pooled connection may hold it
        dest = sqlite3.connect(target, timeout=10)
        try:
            src.backup(dest)
        except sqlite3.OperationalError as exc:
            raise StoreError(
                f"{store.url}: cannot restore into it ({exc}); stop other goodwill processes."
            ) from None
        finally:
            dest.close()
    finally:
        src.close()
    Store(store.url).close()  # an older backup is migrated to this goodwill's head
    return BackupSummary(revision=revision, rows=store_row_counts(store), native=True)
