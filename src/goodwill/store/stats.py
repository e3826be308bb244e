"""Counts for ``goodwill stats``: posts per network, brand, sentiment, intent, language, welcome."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, distinct, exists, func, not_, select, true

from goodwill.store.dialect import json_item_field, json_list_items
from goodwill.store.query import current_clause
from goodwill.store.schema import enrichments, posts

__all__ = ["compute_stats"]


def compute_stats(conn: Connection, versions: Mapping[str, str] | None) -> dict[str, dict[str, int]]:
    """Counts over posts that are not deleted, using each post's current enrichment."""
    dialect = conn.dialect.name
    live = posts.c.deleted == False  # noqa: E712
    e = enrichments.alias("e")
    joined = e.join(posts, posts.c.id == e.c.post_id)
    base = and_(live, current_clause(e, versions))

    def by_label(expr: ColumnElement[Any]) -> dict[str, int]:
        stmt = (
            select(expr, func.count(distinct(e.c.post_id)))
            .select_from(joined)
            .where(base, expr.is_not(None))
            .group_by(expr)
        )
        return {str(k): int(n) for k, n in conn.execute(stmt)}

    out: dict[str, dict[str, int]] = {}
    total = conn.execute(select(func.count()).select_from(posts).where(live)).scalar_one()
    deleted = conn.execute(select(func.count()).select_from(posts).where(not_(live))).scalar_one()
    out["total"] = {"posts": int(total), "enriched": _enriched(conn, versions), "deleted": int(deleted)}
    out["network"] = {
        str(k): int(n)
        for k, n in conn.execute(select(posts.c.network, func.count()).where(live).group_by(posts.c.network))
    }
    items = json_list_items(dialect, e.c.result, "brands")
    name = json_item_field(dialect, items, "name")
    brand_stmt = (
        select(name, func.count(distinct(e.c.post_id)))
        .select_from(joined)
        .join(items, true())
        .where(base, name.is_not(None))
        .group_by(name)
    )
    out["brand"] = {str(k): int(n) for k, n in conn.execute(brand_stmt)}
    out["sentiment"] = by_label(e.c.result["sentiment"]["label"].as_string())
    out["intent"] = by_label(e.c.result["intent"]["label"].as_string())
    out["language"] = by_label(e.c.result["language"].as_string())
    welcome = by_label(e.c.result["receptivity"]["welcome"].as_boolean())
    out["welcome"] = {
        "true": sum(n for k, n in welcome.items() if k in {"True", "1", "true"}),
        "false": sum(n for k, n in welcome.items() if k in {"False", "0", "false"}),
    }
    return out


def _enriched(conn: Connection, versions: Mapping[str, str] | None) -> int:
    """Posts with a current result: for given versions, from every one of those stages."""
    live = posts.c.deleted == False  # noqa: E712
    e = enrichments.alias("e")
    if versions:
        fresh = [
            exists().where(e.c.post_id == posts.c.id, e.c.stage == stage, e.c.stage_version == version)
            for stage, version in versions.items()
        ]
        stmt = select(func.count()).select_from(posts).where(live, *fresh)
    else:
        stmt = select(func.count()).select_from(posts).where(live, exists().where(e.c.post_id == posts.c.id))
    return int(conn.execute(stmt).scalar_one())
