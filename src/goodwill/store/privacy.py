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
* ``info={"person": "key"}``: the person as ``network:handle`` in one value (the team's
  author links); ``forget`` deletes the row (``--network`` narrows it to that network).
* ``info={"person": "alias"}``: a name the team gave the person (a linked profile): when a
  row goes for its key, every row of that table with the same alias goes too, since it
  says which other handles are the same person. Reported as ``"<table> (same person)"``.
* ``info={"person": "quoted_as"}``: a post's public id; with its network column it makes
  the ``network:id`` by which other rows quote the post.
* ``info={"person": "quotes"}``: a JSON value holding quotes of posts as strings that begin
  with ``network:id`` (an alert's example posts); ``forget`` removes the quotes of the
  person's posts and keeps the row. Reported as ``"<table> (quotes)"``.
* ``info={"person": "names"}``: a JSON value that may name the person by a key or an alias
  found above (the desk's audit log of author links); each such string, value or dict key,
  becomes ``"(forgotten)"`` and the row is kept. Reported as ``"<table> (names)"``.
* ``Table(..., info={"retention": {"setting": "raw_payload_days", "column": "retrieved_at"}})``:
  rows older than the ``[retention]`` setting of that name are dropped, children first.

Afterwards the freed space is scrubbed where the database allows it: on SQLite,
``secure_delete`` overwrites deleted content, the FTS5 index is merged so no old segment
keeps the words, and the WAL is checkpointed; on PostgreSQL the tables are vacuumed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

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


def _quoted(conn: Connection, wanted: str, net: str | None) -> set[str]:
    """``network:id`` of every row the person owns that other rows may quote (their posts)."""
    out: set[str] = set()
    for table in metadata.sorted_tables:
        ids, nets, owners = (person_columns(table, r) for r in ("quoted_as", "network", "handle"))
        if not (ids and nets and owners):
            continue
        scope = [nets[0] == net] if net else []
        match = or_(*(func.lower(c) == wanted for c in owners))
        for network, native in conn.execute(select(nets[0], ids[0]).where(match, *scope)):
            out.add(f"{network}:{native}")
    return out


def _unquote(value: Any, quoted: set[str]) -> Any:
    """``value`` without the strings that quote one of ``quoted`` (lists anywhere in the JSON)."""
    if isinstance(value, list):
        kept = [v for v in value if not (isinstance(v, str) and v.split(" ", 1)[0] in quoted)]
        return [_unquote(v, quoted) for v in kept]
    if isinstance(value, dict):
        return {k: _unquote(v, quoted) for k, v in value.items()}
    return value


def _forget_quotes(conn: Connection, table: Table, quoted: set[str], removed: dict[str, int]) -> None:
    for column in person_columns(table, "quotes"):
        keys = list(table.primary_key.columns)
        for row in conn.execute(select(*keys, column)).all():
            value = row[-1]
            cleaned = _unquote(value, quoted)
            if cleaned != value:
                where = and_(*(k == row[i] for i, k in enumerate(keys)))
                conn.execute(table.update().where(where).values({column.name: cleaned}))
                removed[f"{table.name} (quotes)"] += 1


def _key_matches(conn: Connection, table: Table, wanted: str, net: str | None) -> list[Any]:
    """The rows' key values naming ``network:handle`` of the person (exactly, after the colon)."""
    found: list[Any] = []
    forms = {wanted, wanted.casefold()}
    for column in person_columns(table, "key"):
        near = or_(*(func.lower(column).endswith(":" + f, autoescape=True) for f in forms))
        for (value,) in conn.execute(select(column).where(near)):
            network, _, rest = str(value).partition(":")
            if rest.casefold() in forms and (net is None or network.lower() == net):
                found.append(value)
    return found


def _forget_keys(
    conn: Connection, table: Table, wanted: str, net: str | None, removed: dict[str, int]
) -> None:
    values = _key_matches(conn, table, wanted, net)
    if not values:
        return
    keyed = or_(*(c.in_(values) for c in person_columns(table, "key")))
    for alias in person_columns(table, "alias"):
        names = [v for (v,) in conn.execute(select(alias).where(keyed).distinct())]
        if names:
            done = conn.execute(table.delete().where(alias.in_(names), ~keyed))
            if done.rowcount:
                removed[f"{table.name} (same person)"] += done.rowcount
    _delete(conn, table, keyed, removed)


#: what a name of a forgotten person becomes where the row is kept
FORGOTTEN = "(forgotten)"


def _names(conn: Connection, wanted: str, net: str | None) -> set[str]:
    """Every key and alias naming the person: their keys, their aliases, and keys sharing an alias."""
    out: set[str] = set()
    for table in metadata.sorted_tables:
        keys = person_columns(table, "key")
        values = _key_matches(conn, table, wanted, net)
        if not values:
            continue
        out.update(str(v) for v in values)
        for alias in person_columns(table, "alias"):
            aliases = [v for (v,) in conn.execute(select(alias).where(or_(*(c.in_(values) for c in keys))))]
            out.update(str(a) for a in aliases)
            for column in keys:
                out.update(str(v) for (v,) in conn.execute(select(column).where(alias.in_(aliases))))
    return out


def _unname(value: Any, names: Callable[[str], bool]) -> Any:
    if isinstance(value, str):
        return FORGOTTEN if names(value) else value
    if isinstance(value, list):
        return [_unname(v, names) for v in value]
    if isinstance(value, dict):
        return {(FORGOTTEN if names(k) else k): _unname(v, names) for k, v in value.items()}
    return value


def _forget_names(
    conn: Connection, table: Table, names: Callable[[str], bool], removed: dict[str, int]
) -> None:
    for column in person_columns(table, "names"):
        keys = list(table.primary_key.columns)
        for row in conn.execute(select(*keys, column)).all():
            cleaned = _unname(row[-1], names)
            if cleaned != row[-1]:
                where = and_(*(k == row[i] for i, k in enumerate(keys)))
                conn.execute(table.update().where(where).values({column.name: cleaned}))
                removed[f"{table.name} (names)"] += 1


def _naming(known: set[str], wanted: str, net: str | None) -> Callable[[str], bool]:
    """Whether a string names the person: a known key or alias, or their ``network:handle`` itself."""
    forms = {wanted, wanted.casefold()}

    def names(text: str) -> bool:
        network, colon, rest = text.partition(":")
        own_key = bool(colon) and rest.casefold() in forms and (net is None or network.lower() == net)
        return own_key or text in known

    return names


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
        quoted = _quoted(conn, wanted, net)
        names = _naming(_names(conn, wanted, net), wanted, net)
        for table in metadata.sorted_tables:
            if quoted:
                _forget_quotes(conn, table, quoted, removed)
            _forget_names(conn, table, names, removed)
            _forget_keys(conn, table, wanted, net, removed)
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
