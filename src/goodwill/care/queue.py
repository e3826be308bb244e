"""The queue: stored posts that welcome a reply, most urgent first, ranked by the database.

The score is computed in SQL (goodwill.care.priority_sql, the twin of
``priority_of``), so filtering, ordering and the limit happen in SQLite or
PostgreSQL and only the ``limit`` posts shown are read back; their priority
parts (the "why" shown to an agent) are then explained by ``priority_of``
itself. Ties go to the older post, then the lower id.

Scoring every welcome post on each call grows with the store (1.4 s at 100,000
posts on a quiet machine, 29-46 s at a million), so the queue reads a stored
ranking (goodwill.store.ranking): per candidate, the static part of its score,
kept by the store's writes. The time
part adds at most ``TIME_PART_MAX``, so the queue takes the best static parts
(``_PROBE`` of them, from the index), lets the ``limit``-th best of their scores
be the bar, and scores only the candidates whose static part plus the largest
time part can reach it: the same posts, scores and order as scoring all of them
(:func:`full_ranking`, kept as the reference and the bench's baseline).
The first call for a set of stage versions builds its ranking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, func, not_, select

from goodwill.care.priority import Priority, priority_of
from goodwill.care.priority_sql import (
    TIME_PART_MAX,
    dated_score,
    merged_judgements,
    spam_flag,
    static_score,
)
from goodwill.store import PostQuery, Store, StoredPost
from goodwill.store.query import current_clause, filter_clauses
from goodwill.store.ranking import build_ranking, find_ranking
from goodwill.store.reading import stored_posts
from goodwill.store.schema import enrichments, posts, queue_ranks

__all__ = ["QueueEntry", "build_queue", "full_queue", "full_ranking"]

#: how many of the best static parts set the bar (at least ``limit``)
_PROBE = 200
#: below the bar less the largest time part, with room for the 4-decimal rounding
_SLACK = TIME_PART_MAX + 0.001


@dataclass(frozen=True)
class QueueEntry:
    post: StoredPost
    priority: Priority


def build_queue(
    store: Store,
    *,
    brand: str | None = None,
    versions: Mapping[str, str] | None = None,
    limit: int | None = 20,
    now: datetime | None = None,
) -> list[QueueEntry]:
    """The ``limit`` most urgent welcome, non-spam posts (None: all of them); ties go to the older post."""
    stamp = now or datetime.now(UTC)
    ranking = store.read(lambda conn: find_ranking(conn, versions))
    if ranking is None:
        ranking = store.transaction(lambda conn: build_ranking(conn, versions, datetime.now(UTC)))
    with store.reading() as conn:
        if store.dialect == "postgresql":  # the bar and the top from one snapshot
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            found = _top(conn, ranking, brand=brand, versions=versions, limit=limit, now=stamp)
    return [
        QueueEntry(
            post=stored,
            priority=priority_of(
                stored.enrichment,
                followers=stored.post.author_followers,
                created_at=stored.post.created_at,
                now=stamp,
            ),
        )
        for stored in found
    ]


def _entries(conn: Connection, stmt: Select[Any], versions: Mapping[str, str] | None) -> list[StoredPost]:
    return stored_posts(conn, list(conn.execute(stmt)), versions)


def _top(
    conn: Connection,
    ranking: int,
    *,
    brand: str | None,
    versions: Mapping[str, str] | None,
    limit: int | None,
    now: datetime,
) -> list[StoredPost]:
    """The top ``limit`` of a stored ranking: first the bar, then the candidates that can clear it.

    The bar: the ``limit``-th best score among the candidates with the best static parts
    (``_PROBE`` of them, from the index), a score that at least ``limit`` candidates reach.
    A candidate scores at most its static part plus ``TIME_PART_MAX``, so none whose static
    part is below the bar less that can be in the top ``limit``; with fewer than ``limit``
    candidates the bar is their lowest score, which every candidate clears. Two statements,
    in the caller's transaction: with the bar as a plain number the planner reads only the
    index range (a subquery made PostgreSQL expect a third of the ranking and scan ``posts``).
    """
    dialect = conn.dialect.name
    r = queue_ranks
    where = [
        r.c.ranking_id == ranking,
        *filter_clauses(PostQuery(brand=brand, versions=versions, limit=None), dialect),
    ]
    score = dated_score(dialect, r.c.base, posts.c.created_at, now)
    ranked = score.label("score")
    stmt = (
        select(posts, ranked)
        .select_from(r.join(posts, posts.c.id == r.c.post_id))
        .where(*where)
        .order_by(ranked.desc(), posts.c.created_at.asc().nulls_last(), posts.c.id)
    )
    if limit is not None:
        best = (
            select(score.label("score"))
            .select_from(r.join(posts, posts.c.id == r.c.post_id))
            .where(*where)
            .order_by(r.c.base.desc())
            .limit(max(_PROBE, limit))
            .subquery("best")
        )
        top = select(best.c.score).order_by(best.c.score.desc()).limit(limit).subquery("top")
        bar = conn.execute(select(func.min(top.c.score))).scalar()
        if bar is None:
            return []
        stmt = stmt.where(r.c.base >= float(bar) - _SLACK).limit(limit)
    return _entries(conn, stmt, versions)


def full_ranking(
    dialect: str,
    *,
    brand: str | None = None,
    versions: Mapping[str, str] | None = None,
    now: datetime,
    limit: int | None = None,
) -> Select[Any]:
    """Every welcome post's score from its enrichment, ordered: what the stored ranking must reproduce."""
    wanted = PostQuery(welcome=True, brand=brand, versions=versions, limit=None)
    e = enrichments.alias("e")
    judged = merged_judgements(dialect, e, [*filter_clauses(wanted, dialect), current_clause(e, versions)])
    static = static_score(dialect, judged, posts.c.author_followers)
    score = dated_score(dialect, static, posts.c.created_at, now).label("score")
    stmt = (
        select(posts, score)
        .join(judged, judged.c.qid == posts.c.id)
        .where(not_(spam_flag(dialect, judged.c.spam)))
        .order_by(score.desc(), posts.c.created_at.asc().nulls_last(), posts.c.id)
    )
    return stmt if limit is None else stmt.limit(limit)


def full_queue(
    store: Store,
    *,
    brand: str | None = None,
    versions: Mapping[str, str] | None = None,
    limit: int | None = 20,
    now: datetime | None = None,
) -> list[StoredPost]:
    """The queue's posts from scoring every welcome post, as before stored rankings: the bench's baseline."""
    stamp = now or datetime.now(UTC)
    stmt = full_ranking(store.dialect, brand=brand, versions=versions, now=stamp, limit=limit)
    with store.reading() as conn:
        return _entries(conn, stmt, versions)
