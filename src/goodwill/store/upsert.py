"""Writing a batch of posts: new, edited, tombstoned or already known.

The batch is planned in memory first, as if its records were applied one after
another (so the same key twice in a batch counts as one import and then an
update or an unchanged), then written with a handful of bulk statements inside
the caller's single transaction.

Rules, per post key ``(network, native_id)``:

* same content hash as stored: *unchanged*, nothing is written (not even the payload);
* the content of an *earlier* version of the post (a stale copy, e.g. an import rerun over a
  file holding several versions): *unchanged*, so reruns never replay edits;
* different content: *updated*, the previous text goes to ``post_versions``, the new
  payload to ``raw_payloads``;
* ``deleted``: a *tombstone*: text NULL, the id kept, the full-text row removed (by the
  triggers), and the earlier versions, payloads and enrichments of the post purged, since
  a deletion means the author's words should no longer be kept;
* a tombstone is final: a later, non-deleted copy of the post is *unchanged*.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update

from goodwill.models import Post
from goodwill.store.dialect import bulk_insert
from goodwill.store.ranking import refresh_ranks
from goodwill.store.records import RawRecord, UpsertCounts
from goodwill.store.schema import enrichments, post_versions, posts, raw_payloads

__all__ = ["content_hash", "payload_json", "upsert_batch"]

_CHUNK = 500


def content_hash(post: Post) -> str:
    """sha256 of the normalised post fields: equal hashes mean nothing worth storing changed."""
    data = post.model_dump(mode="json")
    if post.deleted:
        data["text"] = None
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def payload_json(payload: Any) -> str:
    """The payload as JSON text, key order kept as it came."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass
class _State:
    """What we know of one key while planning: from the database, then from the batch."""

    id: int | None
    hash: str
    text: str | None
    deleted: bool
    post: Post | None = None  # the post to write, if it changed
    tombstoned: bool = False  # became a tombstone in this batch (purge its history)
    versions: list[tuple[str | None, str]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # hashes of earlier versions: stale copies
    payloads: list[tuple[str, str, RawRecord]] = field(default_factory=list)


def _load(
    conn: Connection, keys: Iterable[tuple[str, str]], *, lock: bool = False
) -> dict[tuple[str, str], _State]:
    """The stored state of these keys; with ``lock``, their rows stay locked until the commit.

    The lock matters on PostgreSQL only (SQLite has one writer at a time, and ignores it): a
    concurrent writer of the same post waits, then plans from this transaction's result.
    """
    by_network: dict[str, list[str]] = {}
    for network, native_id in keys:
        by_network.setdefault(network, []).append(native_id)
    found: dict[tuple[str, str], _State] = {}
    cols = (posts.c.id, posts.c.native_id, posts.c.content_hash, posts.c.text, posts.c.deleted)
    for network, ids in by_network.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            stmt = select(*cols).where(posts.c.network == network, posts.c.native_id.in_(chunk))
            if lock:
                stmt = stmt.with_for_update()
            for row in conn.execute(stmt):
                found[(network, row.native_id)] = _State(
                    row.id, row.content_hash, row.text, bool(row.deleted)
                )
    return found


def _post_row(post: Post, digest: str, now: datetime) -> dict[str, Any]:
    author = post.author
    return {
        "network": post.network,
        "native_id": post.native_id,
        "text": None if post.deleted else post.text,
        "author_handle": author.handle if author else None,
        "author_name": author.name if author else None,
        "author_native_id": author.native_id if author else None,
        "author_followers": author.followers if author else None,
        "created_at": post.created_at,
        "reply_to": post.reply_to,
        "conversation_id": post.conversation_id,
        "url": post.url,
        "lang": post.lang,
        "deleted": post.deleted,
        "deleted_at": now if post.deleted else None,
        "content_hash": digest,
        "updated_at": now,
    }


def upsert_batch(conn: Connection, batch: Sequence[tuple[Post, RawRecord]], now: datetime) -> UpsertCounts:
    """Apply ``batch`` inside the caller's transaction; return what happened to each record."""
    states = _load(conn, dict.fromkeys(post.key for post, _ in batch), lock=True)
    digests = [content_hash(post) for post, _ in batch]
    candidates = {
        state.id
        for (post, _), digest in zip(batch, digests, strict=True)
        if (state := states.get(post.key)) is not None and not state.deleted and state.hash != digest
    }
    history = _version_hashes(conn, [i for i in candidates if i is not None])
    for state in states.values():
        if state.id is not None:
            state.seen = history.get(state.id, set())
    new_keys: list[tuple[str, str]] = []
    imported = updated = unchanged = 0
    for (post, raw), digest in zip(batch, digests, strict=True):
        key = post.key
        state = states.get(key)
        if state is None:
            text = None if post.deleted else post.text
            state = states[key] = _State(None, digest, text, post.deleted, post)
            state.payloads.append(_payload(raw))
            new_keys.append(key)
            imported += 1
        elif state.deleted or state.hash == digest or digest in state.seen:
            # identical, tombstoned (final), or an older copy of a post we have since seen edited
            unchanged += 1
        else:
            if post.deleted:
                state.tombstoned = state.id is not None
                state.versions.clear()
                state.payloads.clear()
            else:
                state.versions.append((state.text, state.hash))
                state.seen.add(state.hash)
            state.payloads.append(_payload(raw))
            state.hash, state.deleted, state.post = digest, post.deleted, post
            state.text = None if post.deleted else post.text
            updated += 1
    _write(conn, states, new_keys, now)
    return UpsertCounts(imported=imported, updated=updated, unchanged=unchanged)


def _payload(raw: RawRecord) -> tuple[str, str, RawRecord]:
    text = payload_json(raw.payload)
    return (text, hashlib.sha256(text.encode("utf-8")).hexdigest(), raw)


def _version_hashes(conn: Connection, ids: list[int]) -> dict[int, set[str]]:
    """Content hashes of the earlier versions of these posts."""
    out: dict[int, set[str]] = {}
    for start in range(0, len(ids), _CHUNK):
        stmt = select(post_versions.c.post_id, post_versions.c.content_hash).where(
            post_versions.c.post_id.in_(ids[start : start + _CHUNK])
        )
        for post_id, digest in conn.execute(stmt):
            out.setdefault(post_id, set()).add(digest)
    return out


def _write(
    conn: Connection, states: dict[tuple[str, str], _State], new_keys: list[tuple[str, str]], now: datetime
) -> None:
    if new_keys:
        rows = []
        for key in new_keys:
            state = states[key]
            assert state.post is not None
            rows.append(_post_row(state.post, state.hash, now) | {"first_seen_at": now})
        # Plain executemany (one statement for the batch); ids are read back by key, which is
        # much faster on SQLite than RETURNING in parameter order (row by row).
        bulk_insert(conn, posts, rows)
        for key, found in _load(conn, new_keys).items():
            states[key].id = found.id

    changed = [s for key, s in states.items() if s.post is not None and s.id is not None]
    new_ids = {states[k].id for k in new_keys}
    existing = [s for s in changed if s.id not in new_ids]
    if existing:
        stmt_u = update(posts).where(posts.c.id == bindparam("pid"))
        conn.execute(
            stmt_u,
            [_post_row(s.post, s.hash, now) | {"pid": s.id} for s in existing if s.post is not None],
        )
    purge = [s.id for s in existing if s.tombstoned]
    for table in (post_versions, raw_payloads, enrichments):
        for start in range(0, len(purge), _CHUNK):
            conn.execute(delete(table).where(table.c.post_id.in_(purge[start : start + _CHUNK])))
    # an edit can change the followers (reach), a tombstone drops the post from the queue
    refresh_ranks(conn, [s.id for s in existing if s.id is not None])

    with_versions = [s for s in changed if s.versions]
    if with_versions:
        base = _max_versions(conn, [s.id for s in with_versions if s.id not in new_ids])
        version_rows = []
        for s in with_versions:
            assert s.id is not None
            start_no = base.get(s.id, 0)
            for i, (old_text, old_hash) in enumerate(s.versions, start=1):
                version_rows.append(
                    {
                        "post_id": s.id,
                        "version_no": start_no + i,
                        "text": old_text,
                        "content_hash": old_hash,
                        "valid_until": now,
                    }
                )
        bulk_insert(conn, post_versions, version_rows)

    payload_rows: list[dict[str, Any]] = []
    for s in changed:
        seen: set[str] = set()
        for text, digest, raw in s.payloads:
            if digest in seen:
                continue
            seen.add(digest)
            payload_rows.append(
                {
                    "post_id": s.id,
                    "payload": text,
                    "payload_hash": digest,
                    "source": raw.provenance.source,
                    "endpoint": raw.provenance.endpoint,
                    "retrieved_at": raw.provenance.retrieved_at,
                }
            )
    if payload_rows:
        known = _known_payloads(conn, [s.id for s in changed if s.id not in new_ids and not s.tombstoned])
        payload_rows = [r for r in payload_rows if (r["post_id"], r["payload_hash"]) not in known]
    if payload_rows:
        bulk_insert(conn, raw_payloads, payload_rows)


def _max_versions(conn: Connection, ids: list[int | None]) -> dict[int, int]:
    out: dict[int, int] = {}
    clean = [i for i in ids if i is not None]
    for start in range(0, len(clean), _CHUNK):
        stmt = (
            select(post_versions.c.post_id, func.max(post_versions.c.version_no))
            .where(post_versions.c.post_id.in_(clean[start : start + _CHUNK]))
            .group_by(post_versions.c.post_id)
        )
        out.update({row[0]: row[1] for row in conn.execute(stmt)})
    return out


def _known_payloads(conn: Connection, ids: list[int | None]) -> set[tuple[int, str]]:
    out: set[tuple[int, str]] = set()
    clean = [i for i in ids if i is not None]
    for start in range(0, len(clean), _CHUNK):
        stmt = select(raw_payloads.c.post_id, raw_payloads.c.payload_hash).where(
            raw_payloads.c.post_id.in_(clean[start : start + _CHUNK])
        )
        out.update((row[0], row[1]) for row in conn.execute(stmt))
    return out
