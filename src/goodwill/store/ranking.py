"""The queue's stored rankings: per post, the part of its priority that only its judgements fix.

A post's score (goodwill.care.priority) is a static part (intent, complaint,
negativity, reach, welcome), fixed once its results and followers are written,
plus a time part (waiting, fading) that moves with the clock and never adds more
than ``TIME_PART_MAX``. So the queue need not score every welcome post: it reads
the best static parts from an index and stops where even the largest time part
could not lift a post into the top (goodwill.care.queue).

A *ranking* holds, for one set of stage versions (the workspace's, or each stage's
latest: ``versions=None``), one row per queue candidate: a live post that welcomes
a reply and is not spam, by exactly the SQL the full ranking uses, with its static
part. A ranking is built the first time the queue is asked for its versions; from
then on every write that can change a candidate (:func:`refresh_ranks`: saved
results, a listener's judged page, an edit or tombstone) recomputes the rows of
the posts it touched, in the same transaction, for every ranking. Only the
:data:`KEEP_RANKINGS` newest rankings are kept, so a workspace that changed its
stage versions does not keep paying for the old ones.

On PostgreSQL a build locks the registry against writers (EXCLUSIVE), and writers
read it FOR SHARE, so a build and a write never miss each other's rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, Select, delete, insert, literal, not_, select

from goodwill.care.priority import INTENT_WEIGHT
from goodwill.store.query import PostQuery, current_clause, filter_clauses
from goodwill.store.schema import enrichments, posts, queue_rankings, queue_ranks

__all__ = ["KEEP_RANKINGS", "build_ranking", "candidates", "find_ranking", "refresh_ranks", "versions_key"]

#: rankings kept; building another drops the oldest
KEEP_RANKINGS = 3
_CHUNK = 500


#: the weights the stored parts are computed with, and a revision of static_score (bump it when that
#: changes): other weights or another revision give other keys, so fresh rankings are built
_FORMULA = json.dumps([1, sorted(INTENT_WEIGHT.items())], separators=(",", ":"))


def versions_key(versions: Mapping[str, str] | None) -> str:
    """The registry key of a set of stage versions (None: each stage's latest) under today's weights."""
    chosen = None if versions is None else sorted(versions.items())
    canonical = json.dumps([_FORMULA, chosen], separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def candidates(
    dialect: str, versions: Mapping[str, str] | None, ids: Sequence[int] | None = None
) -> Select[tuple[int, float]]:
    """``(post_id, base)`` of each queue candidate (of ``ids``, or all): the full ranking's own filters."""
    # here, not at the top: goodwill.care.priority_sql reads the schema, so imports the store package
    from goodwill.care.priority_sql import merged_judgements, spam_flag, static_score

    wanted = PostQuery(welcome=True, versions=versions, limit=None)
    e = enrichments.alias("e")
    where = [*filter_clauses(wanted, dialect), current_clause(e, versions)]
    if ids is not None:
        where.append(posts.c.id.in_(list(ids)))
    judged = merged_judgements(dialect, e, where)
    base = static_score(dialect, judged, posts.c.author_followers)
    return (
        select(posts.c.id, base.label("base"))
        .join(judged, judged.c.qid == posts.c.id)
        .where(not_(spam_flag(dialect, judged.c.spam)))
    )


def _fill(
    conn: Connection, ranking: int, versions: Mapping[str, str] | None, ids: Sequence[int] | None
) -> None:
    chosen = candidates(conn.dialect.name, versions, ids).subquery("chosen")
    conn.execute(
        insert(queue_ranks).from_select(
            ["ranking_id", "post_id", "base"],
            select(literal(ranking), chosen.c.id, chosen.c.base),
        )
    )


def find_ranking(conn: Connection, versions: Mapping[str, str] | None) -> int | None:
    """The id of the ranking for these versions, or None when none has been built."""
    stmt = select(queue_rankings.c.id).where(queue_rankings.c.versions_key == versions_key(versions))
    found = conn.execute(stmt).scalar()
    return int(found) if found is not None else None


def build_ranking(conn: Connection, versions: Mapping[str, str] | None, now: datetime) -> int:
    """Register and fill the ranking for ``versions`` (in the caller's write transaction); its id.

    Reads every candidate once, as the full ranking does; the older rankings beyond
    :data:`KEEP_RANKINGS` are dropped.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE queue_rankings IN EXCLUSIVE MODE")
    found = find_ranking(conn, versions)
    if found is not None:  # built by another process meanwhile
        return found
    stored = None if versions is None else dict(versions)
    ranking = conn.execute(
        insert(queue_rankings)
        .values(versions_key=versions_key(versions), versions=stored, built_at=now)
        .returning(queue_rankings.c.id)
    ).scalar_one()
    _fill(conn, int(ranking), versions, None)
    if conn.dialect.name == "postgresql":
        # statistics from before the build would have the planner read the whole ranking per call
        conn.exec_driver_sql("ANALYZE queue_ranks")
    older = select(queue_rankings.c.id).order_by(queue_rankings.c.id.desc()).offset(KEEP_RANKINGS)
    stale = [int(i) for i in conn.execute(older).scalars()]
    if stale:
        conn.execute(delete(queue_ranks).where(queue_ranks.c.ranking_id.in_(stale)))
        conn.execute(delete(queue_rankings).where(queue_rankings.c.id.in_(stale)))
    return int(ranking)


def refresh_ranks(conn: Connection, post_ids: Sequence[int]) -> None:
    """Recompute these posts' rows in every ranking, in the caller's transaction.

    Call it after anything that can change whether a post is a candidate or its static
    part: its results (saved, replaced, purged) or its row (followers, deletion).
    """
    ids = sorted(set(post_ids))
    if not ids:
        return
    registry = select(queue_rankings.c.id, queue_rankings.c.versions)
    if conn.dialect.name == "postgresql":
        registry = registry.with_for_update(read=True)
    rankings = list(conn.execute(registry))
    for ranking, versions in rankings:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            conn.execute(
                delete(queue_ranks).where(
                    queue_ranks.c.ranking_id == ranking, queue_ranks.c.post_id.in_(chunk)
                )
            )
            _fill(conn, int(ranking), versions, chunk)
