"""The standalone HTML report: every insight table with its chart, in one file that needs no network.

Charts are inline SVG (:mod:`goodwill.insights.charts`), styles are inline, there is no
script, no font and no image to fetch, so the file opens the same on a plane. The desk
shows the same charts by calling :func:`report_charts` on the same :class:`Overview`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path

from goodwill.errors import InputError
from goodwill.insights.charts import colours_for, grouped_bar_chart, line_chart
from goodwill.insights.overview import Overview
from goodwill.insights.tables import InsightTable

__all__ = ["SECTIONS", "render_report", "report_charts", "write_exports"]

#: (table name, heading, what the reader should know), in report order.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "net_sentiment",
        "How they feel",
        "Net sentiment = (positive − negative) / judged posts × 100, from −100 to +100. "
        "A post naming two brands counts for both.",
    ),
    ("sentiment_over_time", "Sentiment over time", "Net sentiment and volume per brand per bucket."),
    (
        "share_of_voice",
        "Share of voice",
        "By volume: a brand's mentions over all mentions of tracked brands. Weighted: a positive "
        "mention counts 1, neutral 0.5, negative 0.",
    ),
    (
        "wom_by_tier",
        "Word of mouth by the author's follower tier",
        "Negative share of judged posts by authors in each tier (nano < 1k, micro < 10k, mid < 100k, "
        "macro < 1M, mega).",
    ),
    (
        "wom_by_audience",
        "Word of mouth by brand audience size",
        "Negative share per brand beside the brand's own follower count, when known.",
    ),
    (
        "segments",
        "Who they are",
        "Authors per segment, each put there by a post and the words in it; the exports list every "
        "author with the evidence (segment_members).",
    ),
    (
        "topics",
        "What they talk about",
        "Topics found by `goodwill topics discover`: share of posts and negative share; posts in no "
        "topic are listed as unassigned.",
    ),
    (
        "emerging_topics",
        "Emerging topics",
        "Topics whose share of posts grew in the last 7 days against the 7 before.",
    ),
    ("topic_mix", "Topic by sentiment and intent", "Posts per topic, sentiment and intent."),
    (
        "intrusion",
        "Intrusion audit",
        "The brand's own replies: invited (the post spoke to the brand or welcomed a reply) or uninvited, "
        "and the sentiment of the answers they got.",
    ),
    (
        "top_voices",
        "Top voices",
        "Influence = log10(1 + followers) + 2 × log10(1 + engagement); engagement is stored replies "
        "plus the likes and reposts the network reported.",
    ),
)

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2.2rem;border-bottom:1px solid #ddd}
p.note{color:#555;font-size:.9rem}table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0}
th,td{border-bottom:1px solid #eee;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}svg.goodwill-chart{max-width:100%;height:auto}
.meta{color:#555}
"""


def _series_by_brand(table: InsightTable, value: str) -> dict[str, dict[date, float]]:
    out: dict[str, dict[date, float]] = defaultdict(dict)
    for row in table.rows:
        out[str(row["brand"])][date.fromisoformat(str(row["bucket"]))] = float(row[value] or 0)
    return dict(out)


def report_charts(overview: Overview) -> dict[str, str]:
    """An inline ``<svg>`` per chartable table, keyed by table name (what the desk embeds)."""
    t = overview.tables
    brands = [str(r["brand"]) for r in t["share_of_voice"].rows] if "share_of_voice" in t else []
    colours = colours_for(brands)
    charts: dict[str, str] = {}
    if "sentiment_over_time" in t:
        over = t["sentiment_over_time"]
        charts["sentiment_over_time"] = line_chart(
            "Net sentiment per brand", _series_by_brand(over, "net"), colours=colours
        )
        charts["volume_over_time"] = line_chart(
            "Posts per brand", _series_by_brand(over, "posts"), colours=colours
        )
    if "share_of_voice" in t:
        rows = t["share_of_voice"].rows
        charts["share_of_voice"] = grouped_bar_chart(
            "Share of voice",
            [str(r["brand"]) for r in rows],
            {
                "by volume": [float(r["share"] or 0) for r in rows],
                "sentiment-weighted": [float(r["weighted_share"] or 0) for r in rows],
            },
            unit="%",
        )
    if "wom_by_tier" in t:
        rows = t["wom_by_tier"].rows
        charts["wom_by_tier"] = grouped_bar_chart(
            "Negative share by follower tier",
            [str(r["tier"]) for r in rows],
            {"negative share": [float(r["negative_share"] or 0) for r in rows]},
            unit="%",
        )
    if "wom_by_audience" in t:
        rows = t["wom_by_audience"].rows
        charts["wom_by_audience"] = grouped_bar_chart(
            "Negative share by brand audience",
            [f"{r['brand']}" for r in rows],
            {"negative share": [float(r["negative_share"] or 0) for r in rows]},
            unit="%",
        )
    if "topics" in t:
        rows = tuple(r for r in t["topics"].rows if r["topic"] != "unassigned")[:10]
        charts["topics"] = grouped_bar_chart(
            "Share of posts per topic",
            [str(r["topic"]) for r in rows],
            {
                "share": [float(r["share"] or 0) for r in rows],
                "negative share": [float(r["negative_share"] or 0) for r in rows],
            },
            unit="%",
        )
    if "topics_over_time" in t:
        top = (
            [str(r["topic"]) for r in t["topics"].rows if r["topic"] != "unassigned"][:6]
            if "topics" in t
            else []
        )
        series: dict[str, dict[date, float]] = {name: {} for name in top}
        for row in t["topics_over_time"].rows:
            if row["topic"] in series:
                series[str(row["topic"])][date.fromisoformat(str(row["bucket"]))] = float(row["posts"] or 0)
        charts["topics_over_time"] = line_chart("Posts per topic (largest six)", series)
    if "net_sentiment" in t:
        rows = t["net_sentiment"].rows
        charts["net_sentiment"] = grouped_bar_chart(
            "Net sentiment", [str(r["brand"]) for r in rows], {"net": [float(r["net"] or 0) for r in rows]}
        )
    return charts


def _cell(value: object) -> str:
    if value is None:
        return "<td>–</td>"
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, int | float):
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
        return f'<td class="n">{text}</td>'
    return f"<td>{escape(str(value))}</td>"


def html_table(table: InsightTable, *, limit: int = 200) -> str:
    """A table as HTML (the first ``limit`` rows; the exports hold all of them)."""
    if not table.rows:
        return '<p class="note">No posts in this window.</p>'
    head = "".join(f"<th>{escape(c.replace('_', ' '))}</th>" for c in table.shown)
    body = "".join(
        "<tr>" + "".join(_cell(row.get(c)) for c in table.shown) + "</tr>" for row in table.rows[:limit]
    )
    more = (
        f'<p class="note">{len(table.rows) - limit:,} more rows in the exports.</p>'
        if len(table.rows) > limit
        else ""
    )
    return (
        f'<table data-table="{escape(table.name)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>{more}"
    )


def render_report(
    overview: Overview,
    *,
    title: str = "goodwill insights",
    generated_at: datetime | None = None,
    extra_sections: Mapping[str, tuple[str, str]] | None = None,
) -> str:
    """The whole report as one HTML document (UTF-8, no external resource of any kind).

    ``extra_sections`` maps a table name in ``overview.tables`` to (heading, note) for tables
    beyond the standard ones (segments, topics), shown after them.
    """
    generated = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    charts = report_charts(overview)
    window = f"since {overview.since:%Y-%m-%d %H:%M} UTC" if overview.since else "all time"
    scope = f" · brand: {escape(overview.brand)}" if overview.brand else ""
    brand = overview.brand
    counted = sum(1 for f in overview.facts if f.mentions(brand)) if brand else len(overview.facts)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing may load from anywhere: the policy makes that a rule, not a hope.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{counted:,} posts {window}{scope} · generated {generated}. '
        "Spam and the brands' own posts are left out.</p>",
    ]
    sections = [(n, h, note) for n, h, note in SECTIONS]
    sections += [(n, h, note) for n, (h, note) in (extra_sections or {}).items()]
    for name, heading, note in sections:
        table = overview.tables.get(name)
        if table is None:
            continue
        parts.append(
            f'<section id="{escape(name)}"><h2>{escape(heading)}</h2><p class="note">{escape(note)}</p>'
        )
        if name in charts:
            parts.append(charts[name])
        if name == "sentiment_over_time" and "volume_over_time" in charts:
            parts.append(charts["volume_over_time"])
        if name == "topics" and "topics_over_time" in charts:
            parts.append(charts["topics_over_time"])
        parts.append(html_table(table))
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_exports(tables: Mapping[str, InsightTable], directory: Path) -> list[Path]:
    """Every table as ``<name>.csv`` and ``<name>.jsonl`` in ``directory`` (created if needed)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{directory}: cannot create the export folder ({exc.strerror}).") from None
    written: list[Path] = []
    for name, table in tables.items():
        for suffix, text in ((".csv", table.to_csv()), (".jsonl", table.to_jsonl())):
            path = directory / f"{name}{suffix}"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
