"""Forgetting a person and dropping old raw payloads, over every table declared on the metadata.

Nothing here names a table. A part of goodwill declares what its columns hold, and
``forget`` and ``apply_retention`` find them on ``goodwill.store.schema.metadata``:

* ``Column(..., info={"person": "handle"})``: the row belongs to the person with this
  handle (their post, their case); ``forget`` deletes the row, and every row that
  references it through a foreign key (``ON DELETE SET NULL`` ones are unlinked instead).
* ``info={"person": "mention"}``: the handle of someone the row is *about* but who did not
  write it (a reply's addressee); ``forget`` sets it to NULL and keeps the row.
* ``info={"person": "network"}``: the network the row's handles live on, so
  ``--network`` only forgets that network's ``alice``.
* ``info={"person": "name"}`` / ``"id"``: personal data erased with the row (documentation
  for readers; the row goes as a whole).
* ``Table(..., info={"retention": {"setting": "raw_payload_days", "column": "retrieved_at"}})``:
  rows older than the ``[retention]`` setting of that name are dropped, children first.

Afterwards the freed space is scrubbed where the database allows it: on SQLite,
``secure_delete`` overwrites deleted content, the FTS5 index is merged so no old segment
keeps the words, and the WAL is checkpointed; on PostgreSQL the tables are vacuumed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, Table, and_, func, or_, select

from goodwill.errors import InputError
from goodwill.store.schema import FTS_TABLE, metadata
from goodwill.store.sqlstore import Store

__all__ = ["apply_retention", "forget", "normalise_handle", "person_columns"]


def normalise_handle(handle: str) -> str:
    """How handles are compared: without the leading ``@``, case folded."""
    return handle.strip().lstrip("@").strip().lower()


def person_columns(table: Table, role: str) -> list[ColumnElement[str]]:
    """The columns of ``table`` declared with ``info={"person": role}``."""
    return [c for c in table.columns if c.info.get("person") == role]


def _delete(conn: Connection, table: Table, where: ColumnElement[bool], removed: dict[str, int]) -> None:
    """Delete the rows of ``table`` matching ``where``, and first whatever references them."""
    for child in metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table is not table:
                continue
            linked = fk.parent.in_(select(fk.column).where(where))
            if (fk.ondelete or "").upper() == "SET NULL":
                done = conn.execute(child.update().where(linked).values({fk.parent.name: None}))
                if done.rowcount:
                    removed[f"{child.name} (unlinked)"] += done.rowcount
            else:
                _delete(conn, child, linked, removed)
    done = conn.execute(table.delete().where(where))
    if done.rowcount:
        removed[table.name] += done.rowcount


def _scrub(store: Store, touched: set[str]) -> None:
    """Make the deleted bytes go away from the files, not only from the tables."""
    if store.dialect == "sqlite":
        store.read(lambda conn: conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").close())
    elif store.dialect == "postgresql" and touched:

        def vacuum(conn: Connection) -> None:
            auto = conn.execution_options(isolation_level="AUTOCOMMIT")
            for name in sorted(touched):
                auto.exec_driver_sql(f"VACUUM {conn.dialect.identifier_preparer.quote(name)}")

        store.read(vacuum)


def _begin_secure(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete = ON")


def _end_secure(conn: Connection, touched: set[str]) -> None:
    if conn.dialect.name == "sqlite":
        if "posts" in touched:
            conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
        conn.exec_driver_sql("PRAGMA secure_delete = OFF")


def forget(store: Store, handle: str, *, network: str | None = None) -> dict[str, int]:
    """Erase the person with ``handle`` (on ``network``, or on all) from every declared table.

    Returns the rows removed per table (and ``"<table> (unlinked)"`` / ``"<table> (mention)"``
    for rows kept with the reference cleared), in ONE transaction.
    """
    wanted = normalise_handle(handle)
    if not wanted:
        raise InputError("--author needs a handle, e.g. --author alice or --author @alice.")
    net = network.strip().lower() if network else None

    def run(conn: Connection) -> dict[str, int]:
        removed: dict[str, int] = defaultdict(int)
        _begin_secure(conn)
        for table in metadata.sorted_tables:
            scope = [c == net for c in person_columns(table, "network")][:1] if net else []
            for column in person_columns(table, "mention"):
                done = conn.execute(
                    table.update().where(func.lower(column) == wanted, *scope).values({column.name: None})
                )
                if done.rowcount:
                    removed[f"{table.name} (mention)"] += done.rowcount
            owners = person_columns(table, "handle")
            if owners:
                _delete(conn, table, and_(or_(*(func.lower(c) == wanted for c in owners)), *scope), removed)
        _end_secure(conn, {n.split(" ")[0] for n in removed})
        return dict(removed)

    removed = store.transaction(run)
    _scrub(store, {n.split(" ")[0] for n in removed})
    return removed


def apply_retention(store: Store, settings: Mapping[str, int | None], *, now: datetime) -> dict[str, int]:
    """Drop rows older than each table's ``retention`` setting (days) allows; rows removed per table."""

    def run(conn: Connection) -> dict[str, int]:
        removed: dict[str, int] = defaultdict(int)
        _begin_secure(conn)
        for table in metadata.sorted_tables:
            rule = table.info.get("retention")
            if not rule or settings.get(rule["setting"]) is None:
                continue
            days = settings[rule["setting"]]
            assert days is not None
            _delete(conn, table, table.c[rule["column"]] < now - timedelta(days=days), removed)
        _end_secure(conn, set(removed))
        return dict(removed)

    removed = store.transaction(run)
    _scrub(store, set(removed))
    return removed
