"""Print an InsightTable as a rich table, JSON Lines or CSV."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.table import Table

from goodwill.insights.tables import InsightTable

__all__ = ["write_table"]

#: Columns of free text: they take what width is left and are cut, not wrapped.
_LONG_TEXT = {"example", "examples", "evidence", "terms", "text", "details"}


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return " ".join(str(value).split())


def write_table(table: InsightTable, *, fmt: str, out: TextIO | None = None) -> None:
    """``table``: a titled rich table (numbers right-aligned); ``jsonl`` / ``csv``: the raw rows."""
    stream = out or sys.stdout
    if fmt == "jsonl":
        stream.write(table.to_jsonl())
        return
    if fmt == "csv":
        stream.write(table.to_csv())
        return
    console = Console(file=stream, highlight=False)
    if not table.rows:
        console.print(f"{table.title}: no posts in this window.", markup=False)
        return
    columns = list(table.shown)
    widths = {c: _natural_width(table, c) for c in columns}
    if sum(widths.values()) + 3 * len(columns) + 1 > console.width:
        # A narrow terminal: drop the free-text columns before squeezing the numbers.
        columns = [c for c in columns if c not in _LONG_TEXT] or columns
    view = Table(title=table.title, title_justify="left", expand=False)
    for col in columns:
        numeric = all(isinstance(r.get(col), int | float) or r.get(col) is None for r in table.rows)
        long_text = col in _LONG_TEXT
        view.add_column(
            col.replace("_", " "),
            justify="right" if numeric else "left",
            no_wrap=True,
            overflow="ellipsis",
            max_width=48 if long_text else None,
            min_width=12 if long_text else (widths[col] if numeric else min(widths[col], 16)),
        )
    for row in table.rows:
        view.add_row(*(_cell(row.get(c)) for c in columns))
    console.print(view)


def _natural_width(table: InsightTable, col: str) -> int:
    cap = 48 if col in _LONG_TEXT else 16
    label = len(col)
    cells = [len(_cell(r.get(col))) for r in table.rows]
    numeric = all(isinstance(r.get(col), int | float) or r.get(col) is None for r in table.rows)
    widest = max([label, *cells])
    return widest if numeric else min(widest, max(cap, label))
