"""``goodwill insights who|what|feel|sov|wom`` (tables on the terminal) and ``goodwill report`` (HTML)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from goodwill.cli.main import ConfigOption, app
from goodwill.cli.workspace import Workspace, resolve_workspace
from goodwill.errors import InputError
from goodwill.insights.tables import InsightTable

if TYPE_CHECKING:
    from goodwill.insights.facts import PostFact

insights_app = typer.Typer(
    name="insights",
    help=(
        "Who talks about your brands and competitors, what about, how they feel, share of voice, and "
        "word of mouth against audience size. Spam and the brands' own posts are left out. "
        "Run `goodwill enrich --stored` first."
    ),
    no_args_is_help=True,
)
app.add_typer(insights_app, name="insights")

SinceOption = Annotated[
    str, typer.Option("--since", help="Posts newer than 30m, 24h, 7d, 2w or a date (default 30d).")
]
BrandOption = Annotated[str | None, typer.Option("--brand", help="Only this brand or competitor.")]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, jsonl or csv.")]
FORMATS = ("table", "jsonl", "csv")


def _versions(workspace: Workspace) -> dict[str, str]:
    from goodwill.enrich.registry import default_pipeline
    from goodwill.enrich.stage import StageContext

    return default_pipeline(StageContext(config=workspace.config)).versions


def _facts(config: ConfigOption, since: str, fmt: str) -> tuple[Workspace, list[PostFact]]:
    from goodwill.insights.facts import FactFilter, load_facts
    from goodwill.store import open_store
    from goodwill.timespec import parse_since

    if fmt not in FORMATS:
        raise InputError(f"unknown --format {fmt!r}: use one of {', '.join(FORMATS)}.")
    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        facts = load_facts(
            store,
            config=workspace.config,
            flt=FactFilter(since=parse_since(since)),
            versions=_versions(workspace),
        )
    return workspace, facts


def _show(table: InsightTable, fmt: str) -> None:
    from goodwill.cli.insight_render import write_table

    write_table(table, fmt=fmt)


@insights_app.command()
def who(
    config: ConfigOption = None,
    since: SinceOption = "30d",
    brand: BrandOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Voices per brand.")] = 10,
    fmt: FormatOption = "table",
) -> None:
    """Top voices per brand: followers tier, engagement, posts, and an example post.

    Influence = log10(1 + followers) + 2 * log10(1 + engagement), where engagement is replies
    stored for their posts plus the likes and reposts the network reported.
    """
    from goodwill.insights.tables import table_of
    from goodwill.insights.voices import top_voices

    _, facts = _facts(config, since, fmt)
    _show(table_of("top_voices", "Top voices", top_voices(facts, brand=brand, limit=limit)), fmt)


@insights_app.command()
def what(
    config: ConfigOption = None,
    since: SinceOption = "30d",
    brand: BrandOption = None,
    fmt: FormatOption = "table",
) -> None:
    """What people want from each brand: intents with their sentiment and complaint counts."""
    from goodwill.insights.intents import intent_mix
    from goodwill.insights.tables import table_of

    _, facts = _facts(config, since, fmt)
    _show(table_of("intents", "Intents per brand", intent_mix(facts, brand=brand)), fmt)


@insights_app.command()
def feel(
    config: ConfigOption = None,
    since: SinceOption = "30d",
    brand: BrandOption = None,
    by: Annotated[
        str, typer.Option("--by", help="total (net sentiment per brand), day or week (over time).")
    ] = "total",
    fmt: FormatOption = "table",
) -> None:
    """How people feel about each brand: positive, neutral, negative and net sentiment.

    Net sentiment = (positive - negative) / judged posts * 100, from -100 to +100.
    """
    from goodwill.insights.feel import net_sentiment, sentiment_over_time
    from goodwill.insights.tables import table_of

    if by not in {"total", "day", "week"}:
        raise InputError(f"unknown --by {by!r}: use total, day or week.")
    _, facts = _facts(config, since, fmt)
    if by == "total":
        _show(table_of("net_sentiment", "Net sentiment per brand", net_sentiment(facts, brand=brand)), fmt)
    else:
        points = sentiment_over_time(facts, bucket=by, brand=brand)
        _show(table_of("sentiment_over_time", f"Sentiment per {by}", points), fmt)


@insights_app.command()
def sov(
    config: ConfigOption = None,
    since: SinceOption = "30d",
    fmt: FormatOption = "table",
) -> None:
    """Share of voice of each brand and competitor, by volume and weighted by sentiment.

    Weighted: a positive mention counts 1, neutral 0.5, negative 0.
    """
    from goodwill.insights.tables import table_of
    from goodwill.insights.voice import share_of_voice

    _, facts = _facts(config, since, fmt)
    _show(table_of("share_of_voice", "Share of voice", share_of_voice(facts)), fmt)


@insights_app.command()
def wom(
    config: ConfigOption = None,
    since: SinceOption = "30d",
    brand: BrandOption = None,
    by: Annotated[
        str, typer.Option("--by", help="tier (the author's followers) or audience (the brand's followers).")
    ] = "tier",
    fmt: FormatOption = "table",
) -> None:
    """Word of mouth against audience: the negative share by author follower tier or brand audience size."""
    from goodwill.insights.facts import brand_audiences
    from goodwill.insights.tables import table_of
    from goodwill.insights.wom import negative_by_audience, negative_by_tier
    from goodwill.store import open_store

    if by not in {"tier", "audience"}:
        raise InputError(f"unknown --by {by!r}: use tier or audience.")
    workspace, facts = _facts(config, since, fmt)
    if by == "tier":
        rows = negative_by_tier(facts, brand=brand)
        _show(table_of("wom_by_tier", "Negative share by the author's follower tier", rows), fmt)
        return
    with open_store(workspace.store_url) as store:
        audiences = brand_audiences(store, workspace.config)
    rows_a = [
        r
        for r in negative_by_audience(facts, audiences)
        if brand is None or r.brand.casefold() == brand.casefold()
    ]
    _show(table_of("wom_by_audience", "Negative share by brand audience size", rows_a), fmt)


@app.command()
def report(
    config: ConfigOption = None,
    since: SinceOption = "30d",
    brand: BrandOption = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the HTML file.", dir_okay=False)
    ] = Path("report.html"),
    export_dir: Annotated[
        Path | None,
        typer.Option("--export-dir", help="Also write every table as CSV and JSON Lines into this folder."),
    ] = None,
    bucket: Annotated[str, typer.Option("--bucket", help="day or week, for the charts over time.")] = "day",
    title: Annotated[str, typer.Option("--title", help="The report's heading.")] = "goodwill insights",
) -> None:
    """Write one standalone HTML report: every insight table with its chart, readable offline.

    The file holds its charts as inline SVG and loads nothing from anywhere (no script, font
    or image), so it can be mailed or opened without a network. --export-dir adds each table
    as CSV and JSON Lines.
    """
    from goodwill.insights.overview import build_overview
    from goodwill.insights.report import render_report, write_exports
    from goodwill.store import open_store
    from goodwill.timespec import parse_since

    if bucket not in {"day", "week"}:
        raise InputError(f"unknown --bucket {bucket!r}: use day or week.")
    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        overview = build_overview(
            store,
            config=workspace.config,
            since=parse_since(since),
            brand=brand,
            bucket=bucket,
            versions=_versions(workspace),
        )
    html = render_report(overview, title=title)
    try:
        output.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{output}: cannot write the report ({exc.strerror}).") from None
    err = Console(stderr=True, highlight=False)
    err.print(f"Wrote {output} ({len(overview.facts):,} posts).", markup=False)
    if export_dir is not None:
        files = write_exports(overview.tables, export_dir)
        err.print(f"Wrote {len(files):,} export files to {export_dir}.", markup=False)
