"""Commands that listen on the networks: ``listen``, ``sources list``, ``sources status``."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console

from goodwill.cli.main import ConfigOption, app
from goodwill.cli.workspace import resolve_workspace
from goodwill.errors import EXIT_ERROR

sources_app = typer.Typer(
    name="sources",
    help="The networks goodwill listens on: what is installed, and how each is doing.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(sources_app)


def _cost(units: float, bucket: str, usd: float) -> str:
    parts = []
    if units:
        parts.append(f"{units:,.0f} {bucket} units")
    if usd:
        parts.append(f"${usd:,.4f}")
    return ", ".join(parts) or "free"


@app.command()
def listen(
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep listening: a pass every poll_seconds until Ctrl-C.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print the first request of each query and its cost; send nothing."),
    ] = False,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only the queries of this source (repeatable).")
    ] = None,
    query: Annotated[
        list[str] | None, typer.Option("--query", help="Only the query with this name (repeatable).")
    ] = None,
    config: ConfigOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every request (redacted).")] = False,
    enrich: Annotated[
        bool,
        typer.Option(
            "--enrich",
            help="Judge each page's posts as they are stored (the `mode` of goodwill.toml), so the "
            "queue is current without `goodwill enrich --stored`.",
        ),
    ] = False,
) -> None:
    """Collect new posts for every [[queries]] entry of goodwill.toml, then stop (or --follow).

    Each query resumes where it stopped: its cursor is stored with the posts of
    each page, so a killed listener loses nothing and duplicates nothing.
    A stream (Bluesky's Jetstream) keeps only posts naming a configured brand.
    Credentials come from the environment variables named in [sources.NAME].
    """
    from goodwill.jobs.listen import Listener
    from goodwill.store import open_store

    workspace = resolve_workspace(config, require_config=True)
    pipeline = None
    if enrich and not dry_run:
        from goodwill.enrich.registry import context_for, default_pipeline

        pipeline = default_pipeline(context_for(workspace.config))
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    log = (lambda line: err.print(line, markup=False)) if verbose else None
    with open_store(workspace.store_url) as store:
        listener = Listener(
            store,
            workspace.config,
            env=os.environ,
            sources=source or (),
            queries=query or (),
            dry_run=dry_run,
            log=log,
            pipeline=pipeline,
        )
        try:
            if follow and not dry_run:
                results = listener.follow(threading.Event())
            else:
                results = listener.run_once()
        finally:
            listener.close()
    failed = False
    for result in results:
        head = f"{result.source} {result.query}"
        if dry_run:
            for planned in result.planned:
                cost = _cost(planned.cost.units, planned.cost.bucket, planned.cost.usd)
                typer.echo(f"{head}: {planned.method} {planned.url} (cost: {cost})")
            continue
        if result.error:
            failed = True
            err.print(f"{head}: error: {result.error}", markup=False)
        c = result.counts
        typer.echo(
            f"{head}: {result.pages:,} pages, imported {c.imported:,}, updated {c.updated:,}, "
            f"unchanged {c.unchanged:,}"
        )
    if failed:
        raise typer.Exit(EXIT_ERROR)


@sources_app.command("list")
def list_sources() -> None:
    """List the installed sources (built-in and plug-ins), their capabilities and query kinds."""
    from goodwill.sources.registry import available_sources, build_source

    for name in sorted(available_sources()):
        found = build_source(name)
        caps = ",".join(sorted(c.value for c in found.capabilities))
        typer.echo(f"{name:<12} {caps:<28} kinds: {', '.join(found.kinds)}")


def _ago(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@sources_app.command("status")
def status(config: ConfigOption = None) -> None:
    """Show each source's last run, errors, rate limits, and quota and spend today and this month."""
    from goodwill.store import open_store
    from goodwill.store.source_state import statuses

    workspace = resolve_workspace(config)
    configured = workspace.config.sources
    names = sorted(set(configured) | {q.source for q in workspace.config.queries})
    today = time.strftime("%Y-%m-%d", time.gmtime())
    with open_store(workspace.store_url) as store:
        rows = store.read(lambda conn: statuses(conn, names, today, today[:8] + "01"))
    if not rows:
        typer.echo(
            "no sources configured or run yet; add [[queries]] to goodwill.toml and run `goodwill listen`"
        )
        return
    for row in rows:
        typer.echo(f"{row.source}")
        typer.echo(f"  last run   {_ago(row.last_run_at)} ({row.last_posts or 0:,} new or changed posts)")
        typer.echo(f"  last ok    {_ago(row.last_ok_at)}")
        if row.last_error:
            typer.echo(f"  error      {row.last_error}")
        typer.echo(f"  queries    {row.queries:,} with a stored cursor")
        limits = configured.get(row.source)
        for bucket, spend in sorted(row.today.items()):
            cap = limits.daily_units.get(bucket) if limits else None
            quota = f" of {cap:,.0f}" if cap is not None else ""
            typer.echo(f"  today      {bucket}: {spend.requests:,} requests, {spend.units:,.0f}{quota} units")
        month_usd = sum(s.usd for s in row.month.values())
        budget = limits.monthly_budget_usd if limits else None
        if month_usd or budget is not None:
            of = f" of ${budget:,.2f}" if budget is not None else ""
            typer.echo(f"  this month ${month_usd:,.2f}{of}")
        for host, limit in sorted(row.rate_limits.items()):
            remaining = limit.get("remaining")
            reset = limit.get("reset_at")
            left = f"{remaining:,.0f}" if remaining is not None else "?"
            of = f"/{limit['limit']:,.0f}" if "limit" in limit else ""
            until = f", resets {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(reset))}" if reset else ""
            typer.echo(f"  rate limit {host}: {left}{of} left{until}")
