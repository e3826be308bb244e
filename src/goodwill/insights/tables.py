"""A result as a plain table (a title, columns, rows of JSON-ready values) for every face.

The CLI prints it (rich, JSON Lines, CSV), the HTML report draws and exports it, the desk
can show it: all from the same :class:`InsightTable`, so the numbers never differ.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

__all__ = ["InsightTable", "table_of"]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return "; ".join(str(_plain(v)) for v in value)
    return value


@dataclass(frozen=True)
class InsightTable:
    """``name`` is a file-safe slug (``share_of_voice``); ``rows`` hold str, int, float, bool or None."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    #: the columns worth a terminal's width (exports keep every column)
    display: tuple[str, ...] = ()

    @property
    def shown(self) -> tuple[str, ...]:
        return self.display or self.columns

    def to_jsonl(self) -> str:
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.rows)

    def to_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(self.columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in self.rows)
        return buf.getvalue()


def table_of(
    name: str,
    title: str,
    items: Sequence[Any],
    *,
    columns: Sequence[str] | None = None,
    display: Sequence[str] = (),
) -> InsightTable:
    """A table from dataclass results (or dicts); ``columns`` picks and orders the fields."""
    rows: list[dict[str, Any]] = []
    for item in items:
        is_row = dataclasses.is_dataclass(item) and not isinstance(item, type)
        raw = dataclasses.asdict(item) if is_row else dict(item)
        rows.append({k: _plain(v) for k, v in raw.items()})
    if columns is None:
        if items and dataclasses.is_dataclass(items[0]):
            columns = [f.name for f in dataclasses.fields(items[0])]
        else:
            columns = list(rows[0]) if rows else []
    cols = tuple(columns)
    return InsightTable(
        name=name,
        title=title,
        columns=cols,
        rows=tuple({c: r.get(c) for c in cols} for r in rows),
        display=tuple(display) or DISPLAY.get(name, ()),
    )


#: What the terminal shows of the standard tables (exports keep every column).
DISPLAY: dict[str, tuple[str, ...]] = {
    "top_voices": ("brand", "author", "tier", "followers", "posts", "influence", "example"),
    "topic_mix": ("topic", "sentiment", "intent", "posts"),
    "segment_members": ("segment", "brand", "author", "posts", "evidence"),
    "net_sentiment": ("brand", "posts", "positive", "neutral", "negative", "net"),
    "sentiment_over_time": ("bucket", "brand", "posts", "positive", "neutral", "negative", "net"),
    "share_of_voice": ("brand", "role", "mentions", "share", "weighted_share"),
    "wom_by_audience": ("brand", "audience", "audience_tier", "posts", "negative", "negative_share"),
}
