"""``goodwill backup`` and ``goodwill restore``: the whole store in one portable file, and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from goodwill.cli.main import ConfigOption, app
from goodwill.cli.workspace import resolve_workspace


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write (.gz: compressed).", dir_okay=False)],
    config: ConfigOption = None,
    native: Annotated[
        bool,
        typer.Option(
            "--native",
            help="SQLite only: copy the database file with SQLite's online backup API (fast, not portable).",
        ),
    ] = False,
) -> None:
    """Write every table of the store to FILE: a consistent snapshot, safe while others write.

    The file is JSON Lines with a header (goodwill version, schema revision, row counts and
    checksums per table); `goodwill restore FILE` loads it into SQLite or PostgreSQL.
    Example: goodwill backup nightly.jsonl.gz
    """
    from goodwill.store import open_store
    from goodwill.store.backup import backup as run_backup

    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        summary = run_backup(store, file, native=native)
    typer.echo(
        f"backed up {summary.total:,} rows from {len(summary.rows)} tables "
        f"(schema {summary.revision}) to {file}",
        err=True,
    )


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A file written by `goodwill backup`.", dir_okay=False)],
    config: ConfigOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace everything in a store that is not empty.")
    ] = False,
) -> None:
    """Load a backup into the store, all or nothing, and rebuild the search index.

    Refuses a backup from a newer goodwill schema, a damaged file (checksums), and a store
    that already holds data unless --force. Example, moving to PostgreSQL:
    GOODWILL_DATABASE_URL=postgresql+psycopg://... goodwill restore nightly.jsonl.gz
    """
    from goodwill.store import open_store
    from goodwill.store.backup import restore as run_restore

    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        summary = run_restore(store, file, force=force)
    typer.echo(
        f"restored {summary.total:,} rows into {len(summary.rows)} tables (schema {summary.revision})",
        err=True,
    )
