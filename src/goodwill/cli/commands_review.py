"""Commands to review judged posts: ``queue``, ``posts`` and ``stats``."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from goodwill.cli.main import ConfigOption, app
from goodwill.cli.render import FORMATS, write_posts
from goodwill.cli.workspace import resolve_workspace
from goodwill.errors import InputError
from goodwill.timespec import parse_since

FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, jsonl or csv.")]
LimitOption = Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most this many posts.")]


def _check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> None:
    if fmt not in allowed:
        raise InputError(f"unknown --format {fmt!r}: use one of {', '.join(allowed)}.")


@app.command()
def queue(
    config: ConfigOption = None,
    brand: Annotated[str | None, typer.Option("--brand", help="Only posts about this brand.")] = None,
    limit: LimitOption = 20,
    fmt: FormatOption = "table",
) -> None:
    """The posts that welcome a reply, most urgent first, each with its reasons.

    Urgency adds up what the person wants (complaint and help first), how upset they sound,
    how many people will see the answer, and how long they have waited. Run
    `goodwill enrich --stored` first so new posts are judged.
    """
    from goodwill.care.queue import build_queue
    from goodwill.store import open_store

    _check_format(fmt)
    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        entries = build_queue(store, brand=brand, versions=workspace.stage_versions(), limit=limit)
    if not entries and fmt == "table":
        Console(stderr=True).print("The queue is empty: no judged post welcomes a reply.", markup=False)
        return
    write_posts(
        [e.post for e in entries],
        fmt=fmt,
        title=f"Queue: {len(entries):,} posts that welcome a reply",
        extra=[{"priority": round(e.priority.score, 2)} for e in entries],
    )


@app.command()
def posts(
    config: ConfigOption = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="Full-text search words.")] = None,
    brand: Annotated[str | None, typer.Option("--brand", help="Posts about this brand.")] = None,
    network: Annotated[str | None, typer.Option("--network", help="Only this network.")] = None,
    sentiment: Annotated[
        str | None, typer.Option("--sentiment", help="negative, neutral or positive.")
    ] = None,
    intent: Annotated[str | None, typer.Option("--intent", help="e.g. question, complaint.")] = None,
    language: Annotated[str | None, typer.Option("--language", help="ISO code, e.g. en.")] = None,
    welcome: Annotated[
        bool | None, typer.Option("--welcome/--not-welcome", help="Only posts that do (not) welcome a reply.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Posts newer than 30m, 24h, 7d, 2w or a date.")
    ] = None,
    limit: LimitOption = 50,
    fmt: FormatOption = "table",
) -> None:
    """Find stored posts by words, brand, network, sentiment, intent and age."""
    from goodwill.store import PostQuery, open_store

    _check_format(fmt)
    workspace = resolve_workspace(config)
    if sentiment is not None and sentiment not in {"negative", "neutral", "positive"}:
        raise InputError(f"unknown --sentiment {sentiment!r}: use negative, neutral or positive.")
    query = PostQuery(
        search=search,
        brand=brand,
        network=network,
        sentiment=sentiment,
        intent=intent,
        language=language,
        welcome=welcome,
        since=parse_since(since) if since else None,
        limit=limit,
        versions=workspace.stage_versions(),
    )
    with open_store(workspace.store_url) as store:
        found = store.query(query)
    write_posts(found, fmt=fmt, title=f"{len(found):,} posts")


@app.command()
def stats(
    config: ConfigOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Counts of stored posts by brand, network, language, sentiment, intent and welcome."""
    from goodwill.store import open_store

    _check_format(fmt, ("table", "json"))
    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        counts = store.stats(workspace.stage_versions())
    if fmt == "json":
        typer.echo(json.dumps(counts, indent=2, sort_keys=True))
        return
    console = Console()
    for group, values in counts.items():
        table = Table(title=group, title_justify="left", show_header=False, box=None, pad_edge=False)
        table.add_column("value")
        table.add_column("posts", justify="right")
        for key, count in sorted(values.items(), key=lambda kv: -kv[1]):
            table.add_row(str(key), f"{count:,}")
        console.print(table)
        console.print()
