"""What to look for in the store (PostQuery) and how that becomes SQL.

Enrichment filters read JSON paths with SQLAlchemy's portable JSON operators
(``result["sentiment"]["label"].as_string()``), so the same code runs on
PostgreSQL. A post's "current" result for a stage is either the row of the
stage version asked for, or, when none is asked for, its most recent row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    FromClause,
    and_,
    exists,
    func,
    not_,
    or_,
    select,
    true,
    tuple_,
)

from goodwill.store.dialect import json_item_field, json_list_items, search_clause
from goodwill.store.schema import enrichments, posts

__all__ = ["PostQuery", "brand_clause", "current_clause", "filter_clauses", "posted_at"]

#: A predicate on one enrichment row alias.
_RowTest = Callable[[FromClause], ColumnElement[bool]]


@dataclass(frozen=True)
class PostQuery:
    """Filters for :meth:`Store.query` and :meth:`Store.count`; every field narrows the result."""

    #: full-text search; the words are matched, never parsed as search syntax
    search: str | None = None
    network: str | None = None
    #: a brand or competitor name found by the mentions stage (case-insensitive)
    brand: str | None = None
    #: sentiment label: negative, neutral or positive
    sentiment: str | None = None
    #: intent label, e.g. complaint or question
    intent: str | None = None
    #: the detected language; posts not yet enriched match on the language declared by the source
    language: str | None = None
    #: receptivity: does the post welcome a reply
    welcome: bool | None = None
    #: on created_at, or first_seen_at where the source gave no date
    since: datetime | None = None
    include_deleted: bool = False
    limit: int | None = 100
    offset: int = 0
    #: only count results of these stage versions (``{stage: version}``); None: each stage's latest
    versions: Mapping[str, str] | None = None
    #: newest first (by posted time, then id); False: oldest first
    newest_first: bool = True


def posted_at() -> ColumnElement[datetime]:
    """When a post was posted, or first seen when the source did not say."""
    return func.coalesce(posts.c.created_at, posts.c.first_seen_at)


def current_clause(e: FromClause, versions: Mapping[str, str] | None) -> ColumnElement[bool]:
    """True for the enrichment rows of alias ``e`` that count as current."""
    if versions is not None:
        pairs = list(versions.items())
        if not pairs:
            return e.c.stage != e.c.stage  # nothing is current
        return tuple_(e.c.stage, e.c.stage_version).in_(pairs)
    newer = enrichments.alias("newer")
    return not_(
        exists().where(
            newer.c.post_id == e.c.post_id,
            newer.c.stage == e.c.stage,
            or_(
                newer.c.computed_at > e.c.computed_at,
                and_(newer.c.computed_at == e.c.computed_at, newer.c.stage_version > e.c.stage_version),
            ),
        )
    )


def _has_result(versions: Mapping[str, str] | None, test: _RowTest) -> ColumnElement[bool]:
    """Posts with a current enrichment row for which ``test`` holds."""
    e = enrichments.alias("e")
    return exists().where(e.c.post_id == posts.c.id, current_clause(e, versions), test(e))


def filter_clauses(q: PostQuery, dialect_name: str) -> list[ColumnElement[bool]]:
    """The WHERE clauses on ``posts`` for a query."""
    out: list[ColumnElement[bool]] = []
    v = q.versions
    if not q.include_deleted:
        out.append(posts.c.deleted == False)  # noqa: E712
    if q.network:
        out.append(posts.c.network == q.network.strip().lower())
    if q.since is not None:
        out.append(posted_at() >= q.since)
    if q.search is not None:
        out.append(search_clause(dialect_name, q.search))
    if q.sentiment:
        label = q.sentiment
        out.append(_has_result(v, (lambda e: e.c.result["sentiment"]["label"].as_string() == label)))
    if q.intent:
        intent = q.intent
        out.append(_has_result(v, (lambda e: e.c.result["intent"]["label"].as_string() == intent)))
    if q.welcome is not None:
        welcome = q.welcome
        out.append(_has_result(v, (lambda e: e.c.result["receptivity"]["welcome"].as_boolean() == welcome)))
    if q.language:
        lang = q.language.strip().lower()
        detected = _has_result(v, (lambda e: e.c.result["language"].as_string() == lang))
        any_detected = _has_result(v, (lambda e: e.c.result["language"].as_string().is_not(None)))
        out.append(or_(detected, and_(not_(any_detected), func.lower(posts.c.lang) == lang)))
    if q.brand:
        out.append(brand_clause(q.brand, v, dialect_name))
    return out


def brand_clause(brand: str, versions: Mapping[str, str] | None, dialect_name: str) -> ColumnElement[bool]:
    """Posts whose current "brands" list has an entry with this name (case-insensitive)."""
    e = enrichments.alias("e")
    items = json_list_items(dialect_name, e.c.result, "brands")
    name = json_item_field(dialect_name, items, "name")
    inner = (
        select(true())
        .select_from(e)
        .join(items, true())
        .where(e.c.post_id == posts.c.id, current_clause(e, versions), func.lower(name) == brand.lower())
    )
    return inner.exists()
