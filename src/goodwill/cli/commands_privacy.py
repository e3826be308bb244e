"""``goodwill forget`` and ``goodwill retention apply``: honour erasure requests, keep only what is needed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from goodwill.cli.main import ConfigOption, app
from goodwill.cli.workspace import resolve_workspace

retention_app = typer.Typer(
    help="Apply the [retention] policy of goodwill.toml (docs/privacy.md).", no_args_is_help=True
)
app.add_typer(retention_app, name="retention")


def _report(removed: dict[str, int], what: str) -> None:
    typer.echo(json.dumps({"removed": removed, "total": sum(removed.values())}, sort_keys=True))
    typer.echo(f"{what}: {sum(removed.values()):,} rows in {len(removed)} tables", err=True)


@app.command()
def forget(
    author: Annotated[str, typer.Option("--author", help="The handle to erase (with or without @).")],
    network: Annotated[
        str | None, typer.Option("--network", help="Only on this network (default: every network).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Erase a person: their posts, edits, raw payloads, judgements and search index entries.

    Every table that declares an author column is covered (docs/privacy.md), the team's author
    links and the alerts' example posts included. Prints what was removed per table as one JSON
    line, e.g. {"removed": {"posts": 3, "raw_payloads": 3, ...}}, and names on stderr the other
    handles that were linked as the same person (their posts are kept: forget them too).
    Example: goodwill forget --author @alice --network x
    """
    from goodwill.insights.authors import same_person
    from goodwill.store import open_store
    from goodwill.store.privacy import forget as run_forget

    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        others = same_person(store, author, network=network)
        removed = run_forget(store, author, network=network)
    _report(removed, f"forgot {author}")
    for other in others:
        net, _, handle = other.partition(":")
        typer.echo(
            f"{other} was linked as the same person (link removed, posts kept): "
            f"goodwill forget --author {handle} --network {net}",
            err=True,
        )


@retention_app.command("apply")
def retention_apply(config: ConfigOption = None) -> None:
    """Drop what the [retention] policy says is too old, e.g. raw payloads after raw_payload_days.

    Posts and their judgements are kept. Prints the rows removed per table as one JSON line.
    Run it daily (cron, a systemd timer).
    """
    from goodwill.store import open_store
    from goodwill.store.privacy import apply_retention

    workspace = resolve_workspace(config)
    settings = workspace.config.retention.settings()
    if all(v is None for v in settings.values()):
        typer.echo("no [retention] policy in goodwill.toml: nothing to drop", err=True)
    with open_store(workspace.store_url) as store:
        removed = apply_retention(store, settings, now=datetime.now(UTC))
    _report(removed, "retention applied")
