"""The team's curation of insights from the desk: topic names, merges and pins, and linked handles.

The same store operations as ``goodwill topics`` and ``goodwill authors`` (goodwill.insights),
behind the desk's role check, each with its audit row written in the edit's own transaction.
Analysts and admins may edit; anyone who may see the insights may read. The CLI passes no
viewer (``None``): whoever runs it has the database already, and the row names goodwill.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, select

from goodwill.desk.accounts import User
from goodwill.desk.audit import SYSTEM, Actor, record_audit
from goodwill.desk.roles import Permission, can
from goodwill.errors import DeskError, Forbidden, InputError, NotFound
from goodwill.insights import authors, topics_store
from goodwill.insights.authors import AuthorLink
from goodwill.insights.topics_store import StoredTopic
from goodwill.store import Store
from goodwill.store.schema_insights import author_links, topics

__all__ = [
    "TopicView",
    "desk_links",
    "desk_topics",
    "link_handles",
    "merge_topic",
    "pin_topic",
    "rename_topic",
    "split_handles",
    "unlink_handles",
    "unmerge_topic",
]


def _require(viewer: User | None, permission: Permission, doing: str) -> None:
    if viewer is not None and not can(viewer.role, permission):
        raise Forbidden(f"a {viewer.role.value} may not {doing}.")


def _actor(viewer: User | None, ip: str | None) -> Actor:
    if viewer is None:
        return SYSTEM
    return Actor(user_id=viewer.id, username=viewer.username, ip=ip)


@contextmanager
def _refusals(viewer: User | None) -> Iterator[None]:
    """The store's InputError becomes the desk's DeskError (a 400 page); the CLI keeps its own."""
    try:
        yield
    except InputError as exc:
        if viewer is None:
            raise
        raise DeskError(str(exc)) from None


def _known(store: Store, viewer: User | None, *ids: int) -> None:
    with store.reading() as conn:
        found = set(conn.execute(select(topics.c.id).where(topics.c.id.in_(ids))).scalars())
    for topic_id in ids:
        if topic_id not in found:
            raise (InputError if viewer is None else NotFound)(
                f"no topic {topic_id}: `goodwill topics list` and the desk's Topics page show the ids."
            )


def _shown(conn: Connection, topic_id: int) -> str:
    row = conn.execute(select(topics.c.label, topics.c.name).where(topics.c.id == topic_id)).one()
    return str(row.name or row.label)


@dataclass(frozen=True)
class TopicView:
    """A stored topic as the desk lists it: with the name it shows as and where a merge points."""

    topic: StoredTopic
    shown: str
    merged_into_name: str | None


def desk_topics(store: Store, viewer: User) -> list[TopicView]:
    """Every stored topic, biggest first, with the name its posts count under."""
    _require(viewer, Permission.VIEW_INSIGHTS, "see the insights")
    found = topics_store.list_topics(store)
    names = topics_store.topic_display_names(store)
    return [
        TopicView(
            topic=t,
            shown=t.name or t.label,
            merged_into_name=names.get(t.merged_into) if t.merged_into is not None else None,
        )
        for t in found
    ]


def desk_links(store: Store, viewer: User) -> list[AuthorLink]:
    _require(viewer, Permission.VIEW_INSIGHTS, "see the insights")
    return authors.list_links(store)


def rename_topic(
    store: Store, viewer: User | None, topic_id: int, name: str, *, ip: str | None = None
) -> None:
    """Name a topic (which pins it), logged with the name it had."""
    _require(viewer, Permission.EDIT_INSIGHTS, "name topics")
    _known(store, viewer, topic_id)

    def audit(conn: Connection) -> None:
        detail = {"from": _shown(conn, topic_id), "to": " ".join(name.split())}
        record_audit(conn, _actor(viewer, ip), "topic.name", target=f"topic:{topic_id}", detail=detail)

    with _refusals(viewer):
        topics_store.name_topic(store, topic_id, name, also=audit)


def merge_topic(
    store: Store, viewer: User | None, source: int, target: int, *, ip: str | None = None
) -> None:
    """Count ``source`` as ``target`` from now on (both pinned), logged with both names."""
    _require(viewer, Permission.EDIT_INSIGHTS, "merge topics")
    _known(store, viewer, source, target)

    def audit(conn: Connection) -> None:
        detail = {"into": target, "from_name": _shown(conn, source), "into_name": _shown(conn, target)}
        record_audit(conn, _actor(viewer, ip), "topic.merge", target=f"topic:{source}", detail=detail)

    with _refusals(viewer):
        topics_store.merge_topics(store, source, target, also=audit)


def unmerge_topic(store: Store, viewer: User | None, topic_id: int, *, ip: str | None = None) -> None:
    """Count a merged topic as itself again, logged with the topic it left (nothing if not merged)."""
    _require(viewer, Permission.EDIT_INSIGHTS, "unmerge topics")
    _known(store, viewer, topic_id)

    def audit(conn: Connection) -> None:  # called only when the topic is merged
        left = int(conn.execute(select(topics.c.merged_into).where(topics.c.id == topic_id)).scalar_one())
        detail = {"from": left, "from_name": _shown(conn, left), "name": _shown(conn, topic_id)}
        record_audit(conn, _actor(viewer, ip), "topic.unmerge", target=f"topic:{topic_id}", detail=detail)

    with _refusals(viewer):
        topics_store.unmerge_topic(store, topic_id, also=audit)


def pin_topic(
    store: Store, viewer: User | None, topic_id: int, *, pinned: bool, ip: str | None = None
) -> None:
    """Keep (or stop keeping) a topic across discovery runs."""
    _require(viewer, Permission.EDIT_INSIGHTS, "pin topics")
    _known(store, viewer, topic_id)

    def audit(conn: Connection) -> None:
        action = "topic.pin" if pinned else "topic.unpin"
        detail = {"name": _shown(conn, topic_id)}
        record_audit(conn, _actor(viewer, ip), action, target=f"topic:{topic_id}", detail=detail)

    topics_store.pin_topic(store, topic_id, pinned=pinned, also=audit)


def split_handles(text: str) -> list[str]:
    """What a person types in one box: handles separated by spaces, commas or new lines."""
    return [part for part in text.replace(",", " ").split() if part]


def link_handles(
    store: Store, viewer: User | None, profile: str, handles: Sequence[str], *, ip: str | None = None
) -> list[str]:
    """Link these ``network:handle`` authors as one person; returns them normalised."""
    _require(viewer, Permission.EDIT_INSIGHTS, "link authors")
    with _refusals(viewer):
        keys = [authors.parse_author(h) for h in handles]

    def audit(conn: Connection) -> None:
        before = {
            r.author: r.profile
            for r in conn.execute(select(author_links).where(author_links.c.author.in_(keys)))
        }
        detail: dict[str, object] = {"profile": " ".join(profile.split()), "authors": keys}
        if before:
            detail["was"] = before
        # the target stays empty: a forget rewrites the names in the detail, not the target
        record_audit(conn, _actor(viewer, ip), "authors.link", target=None, detail=detail)

    with _refusals(viewer):
        return authors.link_authors(store, profile, keys, also=audit)


def unlink_handles(
    store: Store, viewer: User | None, handles: Sequence[str], *, ip: str | None = None
) -> int:
    """Remove these authors' links; returns how many there were."""
    _require(viewer, Permission.EDIT_INSIGHTS, "unlink authors")
    with _refusals(viewer):
        keys = [authors.parse_author(h) for h in handles]
        if not keys:
            raise InputError("name at least one author to unlink, e.g. x:alice.")

    def audit(conn: Connection) -> None:
        was = {
            r.author: r.profile
            for r in conn.execute(select(author_links).where(author_links.c.author.in_(keys)))
        }
        if was:
            record_audit(conn, _actor(viewer, ip), "authors.unlink", target=None, detail={"was": was})

    return authors.unlink_authors(store, keys, also=audit)
