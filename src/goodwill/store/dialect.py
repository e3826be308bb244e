"""Everything that differs between SQLite and PostgreSQL, in one place.

The rest of the store is portable SQLAlchemy. Here live: the full-text index
(SQLite: an FTS5 table kept by triggers, queried with MATCH; PostgreSQL: a GIN
index on ``to_tsvector`` with a "simple + unaccent" configuration, queried
with ``@@``; an ILIKE fallback elsewhere), "any entry of a JSON list"
(``json_each`` on SQLite, ``jsonb_array_elements`` on PostgreSQL) used by the
brand filter and statistics, and the bulk INSERT both drivers run fast.

Both search paths fold case and accents and AND the words together, so
``cafe`` finds ``Café`` on either database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Integer,
    Table,
    and_,
    false,
    func,
    literal_column,
    or_,
    text,
)
from sqlalchemy.exc import DBAPIError

from goodwill.store.schema import FTS_TABLE, SEARCH_CONFIG, SEARCH_INDEX, posts

__all__ = [
    "FTS_DDL",
    "FTS_DROP",
    "PG_SEARCH_DDL",
    "PG_SEARCH_DROP",
    "bulk_insert",
    "copy_rows",
    "json_item_field",
    "json_list_items",
    "search_clause",
    "search_words",
]

#: Created by the migration on SQLite only. ``content='posts'`` keeps the text once (in posts);
#: the triggers keep the index in step, and a tombstone (text NULL) leaves no row behind.
FTS_DDL: tuple[str, ...] = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(text, content='posts', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON posts WHEN new.text IS NOT NULL BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON posts WHEN old.text IS NOT NULL BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text); END",
    f"CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE OF text ON posts BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) SELECT 'delete', old.id, old.text "
    "WHERE old.text IS NOT NULL; "
    f"INSERT INTO {FTS_TABLE}(rowid, text) SELECT new.id, new.text WHERE new.text IS NOT NULL; END",
)
FTS_DROP: tuple[str, ...] = (
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)

#: Created by the migration on PostgreSQL only. The index expression must be written exactly as
#: :func:`search_clause` writes it, or the planner will not use the index. ``unaccent`` is a trusted
#: extension (PostgreSQL 13+): the owner of the database may create it.
_PG_TSVECTOR = f"to_tsvector('{SEARCH_CONFIG}'::regconfig, text)"
PG_SEARCH_DDL: tuple[str, ...] = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"CREATE TEXT SEARCH CONFIGURATION {SEARCH_CONFIG} (COPY = pg_catalog.simple)",
    f"ALTER TEXT SEARCH CONFIGURATION {SEARCH_CONFIG} ALTER MAPPING FOR "
    "word, hword, hword_part, numword, numhword, hword_numpart WITH unaccent, simple",
    f"CREATE INDEX {SEARCH_INDEX} ON posts USING gin ({_PG_TSVECTOR})",
)
PG_SEARCH_DROP: tuple[str, ...] = (
    f"DROP INDEX IF EXISTS {SEARCH_INDEX}",
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {SEARCH_CONFIG}",
)

_WORD = re.compile(r"\w+", re.UNICODE)


def search_words(query: str) -> list[str]:
    """The words of a user's search; punctuation and FTS syntax are never interpreted."""
    return _WORD.findall(query)


def search_clause(dialect_name: str, query: str) -> ColumnElement[bool]:
    """A WHERE clause on ``posts`` matching every word of ``query``, ignoring case and accents.

    Each word is quoted as an FTS5 string (SQLite) or handed to ``plainto_tsquery``
    (PostgreSQL), so input such as ``"``, ``*``, ``AND`` or ``(`` is searched for as words (or
    ignored when it has none) instead of failing as syntax.
    """
    words = search_words(query)
    if not words:
        return false()
    if dialect_name == "sqlite":
        match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        sub = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_query").bindparams(
            fts_query=match
        )
        return posts.c.id.in_(sub.columns(rowid=Integer))
    if dialect_name == "postgresql":
        config: ColumnElement[Any] = literal_column(f"'{SEARCH_CONFIG}'::regconfig")
        vector = func.to_tsvector(config, posts.c.text)
        wanted = func.plainto_tsquery(config, " ".join(words))
        return vector.op("@@")(wanted)
    return and_(*(posts.c.text.ilike(f"%{_escape_like(w)}%", escape="\\") for w in words))


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def json_list_items(dialect_name: str, json_col: ColumnElement[object], key: str) -> FromClause:
    """A table-valued FROM item with one row (column ``value``) per entry of ``json_col[key]``."""
    if dialect_name == "sqlite":
        return func.json_each(json_col, f"$.{key}").table_valued("value").alias("items")
    if dialect_name == "postgresql":
        return func.jsonb_array_elements(json_col.op("->")(key)).table_valued("value").alias("items")
    raise NotImplementedError(f"JSON list queries are not implemented for {dialect_name!r}")


def json_item_field(dialect_name: str, items: FromClause, field: str) -> ColumnElement[str]:
    """The string ``field`` of each item yielded by :func:`json_list_items`."""
    value = items.c.value
    if dialect_name == "sqlite":
        return func.json_extract(value, f"$.{field}")
    return value.op("->>")(field)


def any_of(*clauses: ColumnElement[bool]) -> ColumnElement[bool]:
    """``or_`` that is false, not an error, when given nothing."""
    return or_(*clauses) if clauses else false()


def bulk_insert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT many rows with one DBAPI ``executemany`` (``COPY`` on PostgreSQL), through the column types.

    Same result as ``conn.execute(insert(table), rows)`` but without SQLAlchemy's per-row
    parameter compilation, which dominates import time. On psycopg the rows are streamed
    with ``COPY ... FROM STDIN`` in the caller's transaction, a few times faster than even a
    pipelined executemany. Drivers with another paramstyle take the ordinary path.
    """
    if not rows:
        return
    dialect = conn.dialect
    marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if marker is None:
        conn.execute(table.insert(), list(rows))
        return
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    # dialect_impl: the type this driver really binds (JSON's JSONB variant on PostgreSQL).
    processors = [col.type.dialect_impl(dialect).bind_processor(dialect) for col in columns]
    preparer = dialect.identifier_preparer
    sql = (
        f"INSERT INTO {preparer.format_table(table)} ({', '.join(preparer.quote(n) for n in names)}) "
        f"VALUES ({', '.join([marker] * len(names))})"
    )
    columns_out: list[list[Any]] = []
    for name, proc in zip(names, processors, strict=True):
        values = [row[name] for row in rows]
        if proc is not None:
            values = _processed(values, proc)
        columns_out.append(values)
    if dialect.driver == "psycopg":
        copy_rows(conn, table, names, zip(*columns_out, strict=True))
        return
    conn.exec_driver_sql(sql, list(zip(*columns_out, strict=True)))


def copy_rows(conn: Connection, table: Table, names: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """``COPY table (names) FROM STDIN`` on the connection's own psycopg cursor (same transaction)."""
    preparer = conn.dialect.identifier_preparer
    sql = f"COPY {preparer.format_table(table)} ({', '.join(preparer.quote(n) for n in names)}) FROM STDIN"
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    base_error = conn.dialect.loaded_dbapi.Error
    try:
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except base_error as exc:
        # What SQLAlchemy would have raised, so callers (the retry in engine.write) see the same.
        raise DBAPIError.instance(sql, None, exc, base_error, dialect=conn.dialect) from exc
    finally:
        cursor.close()


def _processed(values: list[Any], proc: Any) -> list[Any]:
    """Bind-process one column; a value repeated from the row before (e.g. one timestamp) is done once."""
    out: list[Any] = []
    last_in: Any = object()
    last_out: Any = None
    for value in values:
        if value is not last_in:
            last_in, last_out = value, (None if value is None else proc(value))
        out.append(last_out)
    return out
