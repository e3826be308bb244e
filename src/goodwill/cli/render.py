"""Turn stored posts into what a person or another program reads: table, JSON Lines or CSV."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:
    from goodwill.store import StoredPost

__all__ = ["FORMATS", "post_row", "write_posts"]

FORMATS = ("table", "jsonl", "csv")

CSV_COLUMNS = (
    "network",
    "id",
    "created_at",
    "author",
    "followers",
    "language",
    "brands",
    "sentiment",
    "sentiment_score",
    "intent",
    "complaint",
    "welcome",
    "reasons",
    "text",
)


def post_row(stored: StoredPost) -> dict[str, Any]:
    """A flat view of one post and its judgements, shared by every format."""
    post, e = stored.post, stored.enrichment
    sentiment = e.get("sentiment") or {}
    receptivity = e.get("receptivity") or {}
    return {
        "network": post.network,
        "id": post.native_id,
        "created_at": post.created_at.isoformat() if post.created_at else "",
        "author": post.author_handle or "",
        "followers": post.author_followers if post.author_followers is not None else "",
        "language": e.get("language", ""),
        "brands": ";".join(b["name"] for b in e.get("brands") or []),
        "sentiment": sentiment.get("label", ""),
        "sentiment_score": sentiment.get("score", ""),
        "intent": (e.get("intent") or {}).get("label", ""),
        "complaint": (e.get("complaint") or {}).get("is_complaint", ""),
        "welcome": receptivity.get("welcome", ""),
        "reasons": "; ".join(receptivity.get("reasons") or []),
        "text": post.text if post.text is not None else "[deleted]",
    }


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def write_posts(
    posts: Sequence[StoredPost],
    *,
    fmt: str,
    title: str,
    extra: Iterable[dict[str, Any]] | None = None,
    out: TextIO | None = None,
) -> None:
    """Write posts in ``fmt``; ``extra`` adds per-post columns (e.g. priority)."""
    stream = out or sys.stdout
    extras = list(extra) if extra is not None else [{} for _ in posts]
    if fmt == "jsonl":
        for stored, more in zip(posts, extras, strict=True):
            record = stored.post.contract_fields()
            record["enrichment"] = stored.enrichment
            record.update(more)
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    rows = [post_row(p) | more for p, more in zip(posts, extras, strict=True)]
    if fmt == "csv":
        columns = list(CSV_COLUMNS) + [k for k in (extras[0] if extras else {}) if k not in CSV_COLUMNS]
        writer = csv.DictWriter(stream, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return
    _write_cards(rows, title=title, stream=stream, extra_cols=list(extras[0]) if extras and extras[0] else [])


def _write_cards(rows: list[dict[str, Any]], *, title: str, stream: TextIO, extra_cols: list[str]) -> None:
    """One short block per post: readable at any terminal width, unlike a wide table."""
    console = Console(file=stream, highlight=False)
    console.print(Text(title, style="bold"))
    for number, row in enumerate(rows, start=1):
        head = Text(f"{number:>3}. ")
        for col in extra_cols:
            head.append(f"[{col} {row[col]}] ", style="bold")
        head.append(f"{row['network']}:{row['id']}", style="cyan")
        if row["author"]:
            head.append(f" @{row['author']}")
        judgement = [str(row["intent"]), str(row["sentiment"])]
        if row["brands"]:
            judgement.append(str(row["brands"]))
        if row["created_at"]:
            judgement.append(str(row["created_at"])[:16].replace("T", " "))
        head.append(" · " + " · ".join(j for j in judgement if j), style="dim")
        console.print(head)
        console.print(Text("     " + _one_line(str(row["text"]), 400)))
        if row["reasons"]:
            console.print(Text(f"     why: {row['reasons']}", style="green"))
