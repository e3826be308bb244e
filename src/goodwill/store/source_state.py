"""Store operations on the listening sources' tables (cursors, state, spend).

Each function takes the caller's Connection, so ``listen`` can save a page's
cursor and spend inside the same transaction as the page's posts
(``Store.upsert(batch, also=...)``). Writes are portable select-then-update or
insert; the listener is the only writer of these rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from goodwill.sources.meter import Spend
from goodwill.store.schema_sources import source_cursors, source_spend, source_state

__all__ = [
    "SourceStatus",
    "add_spend",
    "load_cursor",
    "load_spend",
    "record_run",
    "save_cursor",
    "statuses",
]


def load_cursor(conn: Connection, source: str, query: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(source_cursors.c.cursor).where(
            source_cursors.c.source == source, source_cursors.c.query == query
        )
    ).first()
    if row is None:
        return None
    value = json.loads(row.cursor)
    return value if isinstance(value, dict) else None


def save_cursor(
    conn: Connection, source: str, query: str, cursor: Mapping[str, Any] | None, now: datetime
) -> None:
    """Store the cursor a page ended on (None keeps the previous one: the page said nothing new)."""
    if cursor is None:
        return
    text = json.dumps(dict(cursor), sort_keys=True, ensure_ascii=False)
    where = (source_cursors.c.source == source, source_cursors.c.query == query)
    done = conn.execute(update(source_cursors).where(*where).values(cursor=text, updated_at=now))
    if done.rowcount == 0:
        conn.execute(insert(source_cursors).values(source=source, query=query, cursor=text, updated_at=now))


def add_spend(conn: Connection, source: str, spend: Mapping[str, Spend], day: str) -> None:
    """Add a run's spend per bucket to the day's totals."""
    for bucket, amount in spend.items():
        where = (source_spend.c.source == source, source_spend.c.bucket == bucket, source_spend.c.day == day)
        done = conn.execute(
            update(source_spend)
            .where(*where)
            .values(
                requests=source_spend.c.requests + amount.requests,
                units=source_spend.c.units + amount.units,
                usd=source_spend.c.usd + amount.usd,
            )
        )
        if done.rowcount == 0:
            conn.execute(
                insert(source_spend).values(
                    source=source,
                    bucket=bucket,
                    day=day,
                    requests=amount.requests,
                    units=amount.units,
                    usd=amount.usd,
                )
            )


def load_spend(conn: Connection, source: str, since_day: str, until_day: str) -> dict[str, Spend]:
    """Spend per bucket over the days ``since_day..until_day`` (inclusive, YYYY-MM-DD)."""
    stmt = (
        select(
            source_spend.c.bucket,
            func.sum(source_spend.c.requests),
            func.sum(source_spend.c.units),
            func.sum(source_spend.c.usd),
        )
        .where(
            source_spend.c.source == source, source_spend.c.day >= since_day, source_spend.c.day <= until_day
        )
        .group_by(source_spend.c.bucket)
    )
    return {str(b): Spend(int(r or 0), float(u or 0), float(d or 0)) for b, r, u, d in conn.execute(stmt)}


def record_run(
    conn: Connection,
    source: str,
    *,
    at: datetime,
    error: str | None,
    posts: int,
    rate_limits: Mapping[str, Mapping[str, float]],
) -> None:
    """How a source's last run went (an error is kept until a later run succeeds)."""
    values: dict[str, Any] = {"last_run_at": at, "last_error": error, "last_posts": posts}
    if error is None:
        values["last_ok_at"] = at
    if rate_limits:
        values["rate_limits"] = json.dumps({h: dict(v) for h, v in rate_limits.items()}, sort_keys=True)
    done = conn.execute(update(source_state).where(source_state.c.source == source).values(**values))
    if done.rowcount == 0:
        conn.execute(insert(source_state).values(source=source, **values))


@dataclass
class SourceStatus:
    """What ``goodwill sources status`` shows for one source."""

    source: str
    last_run_at: datetime | None = None
    last_ok_at: datetime | None = None
    last_error: str | None = None
    last_posts: int | None = None
    rate_limits: dict[str, dict[str, float]] = field(default_factory=dict)
    queries: int = 0
    today: dict[str, Spend] = field(default_factory=dict)
    month: dict[str, Spend] = field(default_factory=dict)


def statuses(conn: Connection, names: list[str], today: str, month_start: str) -> list[SourceStatus]:
    out = []
    rows = {r.source: r for r in conn.execute(select(source_state))}
    counts: dict[str, int] = {
        str(src): int(n)
        for src, n in conn.execute(
            select(source_cursors.c.source, func.count()).group_by(source_cursors.c.source)
        )
    }
    known = sorted(set(names) | set(rows) | {str(s) for s in counts})
    for name in known:
        status = SourceStatus(source=name, queries=int(counts.get(name, 0)))
        row = rows.get(name)
        if row is not None:
            status.last_run_at, status.last_ok_at = row.last_run_at, row.last_ok_at
            status.last_error, status.last_posts = row.last_error, row.last_posts
            status.rate_limits = json.loads(row.rate_limits) if row.rate_limits else {}
        status.today = load_spend(conn, name, today, today)
        status.month = load_spend(conn, name, month_start, today)
        out.append(status)
    return out
