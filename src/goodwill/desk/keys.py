"""Keys the desk signs things with, made once per store and kept in it (``desk_secrets``).

A key kept in the database, not in the process, is what lets several desk
processes behind one proxy, or a restarted one, accept each other's signed
page links. The first process to ask makes the key; a second one racing it
reads the winner's.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from goodwill.errors import StoreError
from goodwill.store import Store
from goodwill.store.schema_inbox import desk_secrets

__all__ = ["signing_key"]

_KEY_BYTES = 32
_CACHE: dict[tuple[str, str], bytes] = {}


def _read(conn: Connection, name: str) -> bytes | None:
    value = conn.execute(select(desk_secrets.c.value).where(desk_secrets.c.name == name)).scalar()
    return bytes.fromhex(value) if value else None


def signing_key(store: Store, name: str) -> bytes:
    """The store's key called ``name`` (32 random bytes), made on first use."""
    hit = _CACHE.get((store.url, name))
    if hit is not None:
        return hit
    key = store.read(lambda conn: _read(conn, name))
    if key is None:
        fresh = secrets.token_hex(_KEY_BYTES)

        def make(conn: Connection) -> None:
            conn.execute(insert(desk_secrets).values(name=name, value=fresh, created_at=datetime.now(UTC)))

        with contextlib.suppress(IntegrityError, StoreError):  # another process made it first: use theirs
            store.transaction(make)
        key = store.read(lambda conn: _read(conn, name))
        if key is None:
            raise StoreError(f"could not create the desk's {name} key in the store; check it is writable.")
    _CACHE[(store.url, name)] = key
    return key
