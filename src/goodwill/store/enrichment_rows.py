"""Writing judgement rows whose results are JSON text already, in the caller's transaction.

Why a path of its own: saving results is the work a Dask driver cannot hand to its
workers, and on two cores every millisecond of it is taken from them. Through
SQLAlchemy's column types a post's ten results cost the driver about three times what
SQLite spends inserting them (a dict per row, a bind processor per value, a lookup and a
delete of the rows they replace), so here they are plain tuples given to the database
driver as they are: one ``INSERT ... ON CONFLICT DO UPDATE`` ``executemany`` on SQLite,
and on PostgreSQL a delete of the replaced keys, then a ``COPY``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, select

from goodwill.models import NUL_REPLACEMENT
from goodwill.store.dialect import copy_rows
from goodwill.store.reading import id_range
from goodwill.store.schema import enrichments

__all__ = ["EncodedRow", "without_nul", "write_encoded_rows"]

#: ``(post_id, stage, stage_version, result as JSON text)``.
EncodedRow = tuple[int, str, str, str]

_COLUMNS = ("post_id", "stage", "stage_version", "result", "computed_at")
_SQLITE_UPSERT = (
    f"INSERT INTO enrichments ({', '.join(_COLUMNS)}) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (post_id, stage, stage_version) "
    "DO UPDATE SET result = excluded.result, computed_at = excluded.computed_at"
)
_NUL_ESCAPE = "\\u0000"
#: A ``\u0000`` escape, not ``\\u0000`` (an escaped backslash, then "u0000"): even backslashes before it.
_NUL_ESCAPES = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")
_REPLACEMENT_ESCAPE = json.dumps(NUL_REPLACEMENT)[1:-1]
#: Post ids per lookup of the keys a PostgreSQL batch replaces.
_CHUNK = 500


def write_encoded_rows(conn: Connection, rows: Sequence[EncodedRow], now: datetime) -> None:
    """Store ``rows`` stamped ``now``; a row with the key of a stored or an earlier row replaces it."""
    if not rows:
        return
    if any(_NUL_ESCAPE in row[3] for row in rows):
        rows = [(p, s, v, without_nul(r)) for p, s, v, r in rows]
    stamp = enrichments.c.computed_at.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    computed_at = stamp(now) if stamp is not None else now
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_SQLITE_UPSERT, [(*row, computed_at) for row in rows])
        return
    # COPY cannot replace: drop the stored rows it would collide with, and keep the last of repeats.
    latest = {(p, s, v): r for p, s, v, r in rows}
    _delete_present(conn, latest)
    copy_rows(conn, enrichments, list(_COLUMNS), ((*key, r, computed_at) for key, r in latest.items()))


def without_nul(json_text: str) -> str:
    """The JSON text with each NUL character in its strings replaced (PostgreSQL's JSONB refuses them).

    As posts do (:data:`goodwill.models.NUL_REPLACEMENT`), so both stores keep the same results.
    """
    return _NUL_ESCAPES.sub(lambda m: m.group(1) + _REPLACEMENT_ESCAPE, json_text)


def _delete_present(conn: Connection, keys: dict[tuple[int, str, str], str]) -> None:
    ids = sorted({p for p, _, _ in keys})
    cols = (enrichments.c.post_id, enrichments.c.stage, enrichments.c.stage_version)
    present: list[tuple[int, str, str]] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        stmt = select(*cols).where(enrichments.c.post_id.in_(chunk), id_range(enrichments.c.post_id, chunk))
        present.extend(
            key for key in ((int(p), str(s), str(v)) for p, s, v in conn.execute(stmt)) if key in keys
        )
    if present:
        conn.execute(
            delete(enrichments).where(
                enrichments.c.post_id == bindparam("k_post"),
                enrichments.c.stage == bindparam("k_stage"),
                enrichments.c.stage_version == bindparam("k_version"),
            ),
            [{"k_post": p, "k_stage": s, "k_version": v} for p, s, v in present],
        )
