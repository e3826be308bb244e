"""The Store: goodwill's posts, their history, raw payloads and judgements, in one SQL database.

One object, one engine. Every write method is ONE transaction, so a process
killed at any moment leaves either all of a batch or none of it. Reads open a
short connection per call (and per page in :meth:`Store.iter_stale`), so a
long enrichment run never holds a snapshot open while it writes results.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Row, func, select, tuple_
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from goodwill.errors import StoreError
from goodwill.models import Post, Provenance
from goodwill.store.engine import make_engine, migrate_schema, store_error, write
from goodwill.store.enrichment_rows import EncodedRow, write_encoded_rows
from goodwill.store.query import PostQuery, filter_clauses, posted_at
from goodwill.store.ranking import refresh_ranks
from goodwill.store.reading import row_to_post, stored_posts
from goodwill.store.records import RawRecord, StoredPost, UpsertCounts
from goodwill.store.schema import enrichments, post_versions, posts, raw_payloads
from goodwill.store.stats import compute_stats
from goodwill.store.upsert import upsert_batch

__all__ = ["Store", "open_store"]

T = TypeVar("T")
#: Post ids per ``IN`` list.
_ID_CHUNK = 500
#: How much wider than a page a window of posts tested for staleness may grow.
_MAX_WINDOW_GROWTH = 64


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open (and create) the database at ``url``; migrate its schema to head unless told not to."""
    return Store(url, migrate=migrate)


def _now() -> datetime:
    return datetime.now(UTC)


def _live_rows(conn: Connection, ids: Sequence[int]) -> list[Row[Any]]:
    """The ``posts`` rows of those of ``ids`` that are stored and not deleted, by id."""
    wanted = sorted(ids)
    rows: list[Row[Any]] = []
    for start in range(0, len(wanted), _ID_CHUNK):
        chunk = wanted[start : start + _ID_CHUNK]
        live = select(posts).where(posts.c.id.in_(chunk), posts.c.deleted == False)  # noqa: E712
        rows.extend(conn.execute(live.order_by(posts.c.id)).all())
    return rows


def _stale(versions: Mapping[str, str]) -> list[ColumnElement[bool]]:
    """Live posts with fewer current results than there are stages in ``versions``.

    The primary key makes each (stage, version) pair unique per post. One correlated count per
    post, an index range on post_id, rather than one NOT EXISTS per stage: PostgreSQL turned those
    into hashed subplans that read every stored result of every stage for each page, so a page
    cost grew with the store.
    """
    e = enrichments.alias("e")
    current = tuple_(e.c.stage, e.c.stage_version).in_(list(versions.items()))
    judged = select(func.count()).select_from(e).where(e.c.post_id == posts.c.id, current)
    return [posts.c.deleted == False, judged.scalar_subquery() < len(versions)]  # noqa: E712


class Store:
    """Posts keyed by ``(network, native_id)``, with versions, raw payloads and enrichment results."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self._engine = make_engine(url)
        try:
            migrate_schema(self._engine, url, upgrade=migrate)
        except BaseException:
            self._engine.dispose()
            raise

    def shared_url(self) -> str | None:
        """The URL another process on this machine opens this same database with, password kept.

        A relative SQLite path is made absolute (a worker may run elsewhere in the file
        system); None for an in-memory SQLite database, which no other process can see.
        """
        parsed = make_url(self.url)
        if parsed.get_backend_name() != "sqlite":
            return parsed.render_as_string(hide_password=False)
        database = parsed.database or ""
        if database in ("", ":memory:") or parsed.query.get("mode") == "memory":
            return None
        if not database.startswith("file:"):  # as the engine opens it: relative to here, no ~ expansion
            parsed = parsed.set(database=str(Path(database).resolve()))
        return parsed.render_as_string(hide_password=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``: what the database speaks."""
        return self._engine.dialect.name

    # -- writing --------------------------------------------------------------------------------

    def upsert(
        self, batch: Sequence[tuple[Post, RawRecord]], *, also: Callable[[Connection], None] | None = None
    ) -> UpsertCounts:
        """Store a batch of posts with their raw payloads in ONE transaction.

        New keys are *imported*; a changed post is *updated* (its previous text kept as a
        version), a deleted one becomes a tombstone (*updated*); an identical or tombstoned
        one is *unchanged* and nothing is written for it. ``also`` runs in the same
        transaction (a listener's cursor is saved with the page it follows).
        """
        if not batch and also is None:
            return UpsertCounts()
        now = _now()

        def run(conn: Connection) -> UpsertCounts:
            counts = upsert_batch(conn, batch, now) if batch else UpsertCounts()
            if also is not None:
                also(conn)
            return counts

        return write(self._engine, self.url, run)

    def transaction(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` in ONE write transaction (retried when locked): the hook for a part's own tables."""
        return write(self._engine, self.url, fn)

    def read(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` on a short read connection: the hook for a part's own tables."""
        with self.reading() as conn:
            return fn(conn)

    def save_enrichment(self, rows: Sequence[tuple[int, str, str, Mapping[str, Any]]]) -> None:
        """Store ``(post_id, stage, stage_version, result)`` rows (same key: replaced) in ONE transaction."""
        self.save_encoded_enrichment(
            [(p, s, v, json.dumps(r if isinstance(r, dict) else dict(r))) for p, s, v, r in rows]
        )

    def save_encoded_enrichment(self, rows: Sequence[EncodedRow]) -> None:
        """:meth:`save_enrichment` for results that are JSON text already (from Dask workers)."""
        if not rows:
            return
        now = _now()

        def run(conn: Connection) -> None:
            write_encoded_rows(conn, rows, now)
            refresh_ranks(conn, [row[0] for row in rows])  # it takes each id once, in order

        try:
            write(self._engine, self.url, run)
        except StoreError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise StoreError(
                    f"{self.url}: cannot save enrichment: a post id in the batch does not exist "
                    "(was the database replaced during the run?)."
                ) from exc
            raise

    # -- reading --------------------------------------------------------------------------------

    def reading(self) -> _ReadConnection:
        """A short read connection, driver errors turned into StoreError: the read hook for other modules."""
        return self._read()

    def get(self, network: str, native_id: str) -> StoredPost | None:
        """The stored post with this key, or None."""
        stmt = select(posts).where(posts.c.network == network.strip().lower(), posts.c.native_id == native_id)
        with self._read() as conn:
            row = conn.execute(stmt).first()
            return stored_posts(conn, [row], None)[0] if row is not None else None

    def get_by_id(self, post_id: int) -> StoredPost | None:
        """The stored post with this database id, or None."""
        with self._read() as conn:
            row = conn.execute(select(posts).where(posts.c.id == post_id)).first()
            return stored_posts(conn, [row], None)[0] if row is not None else None

    def versions(self, post_id: int) -> list[str | None]:
        """The previous texts of a post, oldest first (empty for a tombstone: its history is purged)."""
        stmt = (
            select(post_versions.c.text)
            .where(post_versions.c.post_id == post_id)
            .order_by(post_versions.c.version_no)
        )
        with self._read() as conn:
            return list(conn.execute(stmt).scalars())

    def raw_payloads(self, post_id: int) -> list[RawRecord]:
        """Every distinct payload stored for a post, oldest first, with its provenance."""
        stmt = select(raw_payloads).where(raw_payloads.c.post_id == post_id).order_by(raw_payloads.c.id)
        with self._read() as conn:
            return [
                RawRecord(
                    payload=json.loads(r.payload),
                    provenance=Provenance(source=r.source, endpoint=r.endpoint, retrieved_at=r.retrieved_at),
                )
                for r in conn.execute(stmt)
            ]

    def iter_stale(
        self, versions: Mapping[str, str], *, batch_size: int = 1000
    ) -> Iterator[list[StoredPost]]:
        """Pages of live posts lacking a result of the current version of ANY stage in ``versions``.

        The pages of :meth:`iter_stale_ids`, read in one more short query each. Each post's
        ``enrichment`` holds only the results that are already current.
        """
        for ids in self.iter_stale_ids(versions, batch_size=batch_size):
            with self._read() as conn:
                page = stored_posts(conn, _live_rows(conn, ids), versions)
            if page:
                yield page

    def iter_stale_ids(self, versions: Mapping[str, str], *, batch_size: int = 1000) -> Iterator[list[int]]:
        """The ids of live posts lacking a current result of any stage in ``versions``, by id, in pages.

        Keyset pagination by id, one short read per page, so memory stays bounded and results
        saved between pages do not disturb the walk. Each query tests only a window of the next
        posts by id, as many as the page still lacks: asked for the first 1,000 stale posts after
        an id, PostgreSQL without fresh statistics (a store just imported) tested every later
        post and sorted them, so each page cost 0.95 s at 100,000 posts until autovacuum's
        first ANALYZE, against 0.04 s after it. A window with nothing stale makes the next one
        wider, so a store judged but for its newest posts is walked in few queries.
        """
        if not versions:
            return
        stale = _stale(versions)
        last, grow = 0, 1
        while True:
            page: list[int] = []
            with self._read() as conn:
                while len(page) < batch_size:
                    need = batch_size - len(page)
                    window = (
                        select(posts.c.id).where(posts.c.id > last).order_by(posts.c.id).limit(need * grow)
                    )
                    upper = conn.execute(select(func.max(window.subquery().c.id))).scalar()
                    if upper is None:
                        break
                    in_window = select(posts.c.id).where(posts.c.id > last, posts.c.id <= upper, *stale)
                    found = list(conn.execute(in_window.order_by(posts.c.id).limit(need)).scalars())
                    page.extend(found)
                    # A full page may stop inside the window; the next page starts after its last id.
                    last = found[-1] if len(found) == need else upper
                    # Windows with nothing stale widen (a store judged but for its newest posts is
                    # walked in few queries), up to _MAX_WINDOW_GROWTH times the page.
                    grow = 1 if found else min(2 * grow, _MAX_WINDOW_GROWTH)
            if not page:
                return
            yield page

    def live_posts(self, ids: Sequence[int]) -> list[tuple[int, Post]]:
        """``(id, post)`` for those of ``ids`` that are stored and not deleted, by id."""
        with self._read() as conn:
            return [(r.id, row_to_post(r)) for r in _live_rows(conn, ids)]

    def query(self, q: PostQuery) -> list[StoredPost]:
        """Posts matching every filter of ``q``, newest first unless asked otherwise."""
        order = (posted_at().desc(), posts.c.id.desc()) if q.newest_first else (posted_at(), posts.c.id)
        stmt = select(posts).where(*filter_clauses(q, self.dialect)).order_by(*order).offset(q.offset)
        if q.limit is not None:
            stmt = stmt.limit(q.limit)
        with self._read() as conn:
            return stored_posts(conn, list(conn.execute(stmt)), q.versions)

    def iter_posts(self, q: PostQuery, *, batch_size: int = 1000) -> Iterator[list[StoredPost]]:
        """Pages of every post matching the filters of ``q``, by id; ``limit``, ``offset`` and order ignored.

        For exports of any size: keyset pagination on id, one short read per page, so memory
        stays bounded by ``batch_size`` and no snapshot is held open between pages.
        """
        clauses = filter_clauses(q, self.dialect)
        last = 0
        while True:
            stmt = select(posts).where(posts.c.id > last, *clauses).order_by(posts.c.id).limit(batch_size)
            with self._read() as conn:
                rows = list(conn.execute(stmt).all())  # one fetchall, not a fetchone per row
                if not rows:
                    return
                page = stored_posts(conn, rows, q.versions)
            last = rows[-1].id
            yield page

    def count(self, q: PostQuery) -> int:
        """How many posts match ``q`` (limit and offset ignored)."""
        stmt = select(func.count()).select_from(posts).where(*filter_clauses(q, self.dialect))
        with self._read() as conn:
            return int(conn.execute(stmt).scalar_one())

    def stats(self, versions: Mapping[str, str] | None = None) -> dict[str, dict[str, int]]:
        """Counts per network, brand, sentiment, intent, language and welcome, plus totals."""
        with self._read() as conn:
            return compute_stats(conn, versions)

    # -- lifetime -------------------------------------------------------------------------------

    def close(self) -> None:
        """Release every connection (the file stays consistent whether or not this is called)."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def _read(self) -> _ReadConnection:
        return _ReadConnection(self)


class _ReadConnection:
    """A connection for one read, turning driver errors into StoreError."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._conn: Connection | None = None

    def __enter__(self) -> Connection:
        try:
            self._conn = self._store._engine.connect()
        except DBAPIError as exc:
            raise store_error(exc, self._store.url) from exc
        return self._conn

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._conn is not None
        self._conn.close()
        if isinstance(exc, DBAPIError):
            raise store_error(exc, self._store.url) from exc
