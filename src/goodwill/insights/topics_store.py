"""Stored topics: save a discovery run, keep pinned topics, and the team's names and merges.

A discovery run replaces the unpinned topics and all assignments. Naming or merging a topic
pins it, so what the team decided survives the next run; a pinned topic keeps its id and
later runs fill it first (posts near its centre).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from goodwill.errors import InputError
from goodwill.insights.topics import UNASSIGNED, Discovery, PinnedTopic
from goodwill.store import Store
from goodwill.store.schema_insights import post_topics, topics

__all__ = [
    "Also",
    "StoredTopic",
    "list_topics",
    "merge_topics",
    "name_topic",
    "pin_topic",
    "pinned_topics",
    "save_discovery",
    "topic_assignments",
    "topic_display_names",
    "unmerge_topic",
]


#: More work for the edit's own transaction (the desk writes its audit row there); it runs
#: after the edit is checked and before it is written, so it still reads the old values.
Also = Callable[[Connection], None]


def topic_display_names(store: Store) -> dict[int, str]:
    """Topic id -> the name the team gave it, or its label; merged topics resolve to their target."""
    with store.reading() as conn:
        rows = {
            r.id: r
            for r in conn.execute(select(topics.c.id, topics.c.label, topics.c.name, topics.c.merged_into))
        }
    names: dict[int, str] = {}
    for tid in rows:
        seen = set()
        target = tid
        while (
            rows[target].merged_into is not None and rows[target].merged_into in rows and target not in seen
        ):
            seen.add(target)
            target = rows[target].merged_into
        names[tid] = rows[target].name or rows[target].label
    return names


def topic_assignments(store: Store) -> dict[int, str]:
    """Post id -> topic name, for every post the latest discovery run placed (empty before any run)."""
    names = topic_display_names(store)
    if not names:
        return {}
    with store.reading() as conn:
        count = conn.execute(select(func.count()).select_from(post_topics)).scalar_one()
        if not count:
            return {}
        return {
            pid: names[tid]
            for pid, tid in conn.execute(select(post_topics.c.post_id, post_topics.c.topic_id))
            if tid in names
        }


def pinned_topics(store: Store, embedder: str) -> list[PinnedTopic]:
    """The pinned topics whose centres were made by ``embedder`` (others cannot be compared)."""
    stmt = (
        select(topics.c.id, topics.c.label, topics.c.name, topics.c.centroid)
        .where(topics.c.pinned == True, topics.c.embedder == embedder)  # noqa: E712
        .order_by(topics.c.id)
    )
    with store.reading() as conn:
        return [
            PinnedTopic(id=r.id, label=r.name or r.label, centroid=tuple(r.centroid))
            for r in conn.execute(stmt)
        ]


def save_discovery(
    store: Store, discovery: Discovery, post_ids: Sequence[int], *, now: datetime | None = None
) -> dict[int, int]:
    """Replace the unpinned topics and every assignment with this run's; returns topic index -> stored id.

    Pinned topics (and so named or merged ones) keep their id, name and merges.
    """
    moment = now or datetime.now(UTC)

    def run(conn: Connection) -> dict[int, int]:
        conn.execute(delete(post_topics))
        keep = {r.id for r in conn.execute(select(topics.c.id).where(topics.c.pinned == True))}  # noqa: E712
        conn.execute(
            update(topics)
            .where(topics.c.merged_into.is_not(None), topics.c.merged_into.not_in(keep))
            .values(merged_into=None)
        )
        conn.execute(delete(topics).where(topics.c.pinned == False))  # noqa: E712
        ids: dict[int, int] = {}
        for topic in discovery.topics:
            if topic.pinned_id is not None and topic.pinned_id in keep:
                conn.execute(
                    update(topics)
                    .where(topics.c.id == topic.pinned_id)
                    .values(terms=list(topic.terms), centroid=list(topic.centroid))
                )
                ids[topic.index] = topic.pinned_id
                continue
            result = conn.execute(
                topics.insert().values(
                    label=topic.label,
                    name=None,
                    terms=list(topic.terms),
                    centroid=list(topic.centroid),
                    embedder=discovery.embedder,
                    pinned=False,
                    merged_into=None,
                    created_at=moment,
                )
            )
            assert result.inserted_primary_key is not None
            ids[topic.index] = int(result.inserted_primary_key[0])
        rows = [
            {"post_id": pid, "topic_id": ids[a]}
            for pid, a in zip(post_ids, discovery.assignments, strict=True)
            if a != UNASSIGNED
        ]
        if rows:
            conn.execute(post_topics.insert(), rows)
        return ids

    return store.transaction(run)


def _topic(conn: Connection, topic_id: int) -> Any:
    row = conn.execute(select(topics).where(topics.c.id == topic_id)).first()
    if row is None:
        raise InputError(f"no topic {topic_id}: `goodwill topics list` shows the ids.")
    return row


#: longer names are refused (a name is a heading, not a note)
NAME_MAX = 200


def name_topic(store: Store, topic_id: int, name: str, *, also: Also | None = None) -> None:
    """Give a topic the team's name; naming pins it, so the name survives the next discovery run."""
    clean = " ".join(name.split())
    if not clean:
        raise InputError("the topic name must not be empty.")
    if len(clean) > NAME_MAX:
        raise InputError(f"the topic name is {len(clean):,} characters long: keep it under {NAME_MAX}.")

    def run(conn: Connection) -> None:
        _topic(conn, topic_id)
        if also is not None:
            also(conn)
        conn.execute(update(topics).where(topics.c.id == topic_id).values(name=clean, pinned=True))

    store.transaction(run)


def pin_topic(store: Store, topic_id: int, *, pinned: bool = True, also: Also | None = None) -> None:
    """Keep (or stop keeping) a topic across discovery runs."""

    def run(conn: Connection) -> None:
        _topic(conn, topic_id)
        if also is not None:
            also(conn)
        conn.execute(update(topics).where(topics.c.id == topic_id).values(pinned=pinned))

    store.transaction(run)


def merge_topics(store: Store, source: int, target: int, *, also: Also | None = None) -> None:
    """Count ``source`` as ``target`` from now on; both are pinned so the merge lasts."""
    if source == target:
        raise InputError("cannot merge a topic into itself.")

    def run(conn: Connection) -> None:
        _topic(conn, source)
        _topic(conn, target)
        # Follow the target's own merges so no cycle can form.
        seen, current = {target}, target
        while (nxt := _topic(conn, current).merged_into) is not None:
            if nxt == source or nxt in seen:
                raise InputError(
                    f"topic {target} is already merged into {source}: merge the other way round."
                )
            seen.add(nxt)
            current = nxt
        if also is not None:
            also(conn)
        conn.execute(update(topics).where(topics.c.id == source).values(merged_into=target, pinned=True))
        conn.execute(update(topics).where(topics.c.id == target).values(pinned=True))

    store.transaction(run)


def unmerge_topic(store: Store, topic_id: int, *, also: Also | None = None) -> int | None:
    """Count ``topic_id`` as itself again; returns the topic it was merged into (None: it was not).

    It stays pinned: the team has decided about it. Unmerging a topic that is not merged changes
    nothing, so a repeated click or request is harmless.
    """

    def run(conn: Connection) -> int | None:
        was = _topic(conn, topic_id).merged_into
        if was is None:
            return None
        if also is not None:
            also(conn)
        conn.execute(update(topics).where(topics.c.id == topic_id).values(merged_into=None))
        return int(was)

    return store.transaction(run)


@dataclass(frozen=True)
class StoredTopic:
    id: int
    label: str
    name: str | None
    terms: tuple[str, ...]
    pinned: bool
    merged_into: int | None
    posts: int


def list_topics(store: Store) -> list[StoredTopic]:
    """Every stored topic with its number of assigned posts, biggest first."""
    counts = (
        select(post_topics.c.topic_id, func.count().label("n")).group_by(post_topics.c.topic_id).subquery()
    )
    stmt = select(topics, counts.c.n).outerjoin(counts, counts.c.topic_id == topics.c.id)
    with store.reading() as conn:
        rows = [
            StoredTopic(
                id=r.id,
                label=r.label,
                name=r.name,
                terms=tuple(r.terms),
                pinned=bool(r.pinned),
                merged_into=r.merged_into,
                posts=int(r.n or 0),
            )
            for r in conn.execute(stmt)
        ]
    return sorted(rows, key=lambda t: (-t.posts, t.id))
