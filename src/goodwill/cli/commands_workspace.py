"""Commands that set up a workspace and fill its store: ``init``, ``import``, ``stages``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from goodwill.cli.main import ConfigOption, app
from goodwill.cli.progress import progress_bar
from goodwill.cli.workspace import resolve_workspace
from goodwill.config import CONFIG_FILENAME, config_template
from goodwill.errors import EXIT_SOME_REJECTED, InputError


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder of the new workspace.", file_okay=False)] = Path(),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing goodwill.toml.")] = False,
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the commented config instead of writing it.")
    ] = False,
) -> None:
    """Write a commented goodwill.toml: your brands, competitors, exclusions and store.

    Edit it, then import posts with `goodwill import FILE`.
    """
    if print_only:
        typer.echo(config_template(), nl=False)
        return
    target = directory / CONFIG_FILENAME
    if target.exists() and not force:
        raise InputError(f"{target} already exists; edit it, or pass --force to overwrite it.")
    directory.mkdir(parents=True, exist_ok=True)
    target.write_text(config_template(), encoding="utf-8")
    Console(stderr=True).print(
        f"Wrote {target}. Edit your brands there, then run `goodwill import FILE`.", markup=False
    )


@app.command("import")
def import_(
    files: Annotated[list[str], typer.Argument(help="JSON Lines or CSV files (.gz too); - for stdin.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="jsonl or csv (default: from the file name; jsonl for stdin)."),
    ] = None,
    mapping: Annotated[
        str | None,
        typer.Option(
            "--map",
            help="Where each field is in your records, e.g. text=body,author=user.name,id=tweet_id.",
        ),
    ] = None,
    network: Annotated[
        str | None,
        typer.Option(
            "--network",
            help="Network name for records that do not say; for a network goodwill listens on "
            "(see `goodwill sources list`), its own files too: saved API responses, exports.",
        ),
    ] = None,
    config: ConfigOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Import posts into the store; importing the same post again changes nothing.

    A bad record never stops the batch: it goes to FILE.rejects.jsonl with its
    line number and the reason. Exit status is 0 when nothing was rejected and
    3 when some records were. Killed midway, a rerun finishes the job.
    """
    from goodwill.config import SourceConfig
    from goodwill.jobs.importer import import_files
    from goodwill.jobs.listen import source_settings
    from goodwill.jobs.native_import import has_native_format, import_native
    from goodwill.sources.mapping import parse_mapping
    from goodwill.store import open_store

    if fmt is not None and fmt not in {"jsonl", "csv"}:
        raise InputError(f"unknown --format {fmt!r}: use jsonl or csv.")
    field_map = parse_mapping(mapping) if mapping else None
    workspace = resolve_workspace(config)
    total = sum(Path(f).stat().st_size for f in files if f != "-" and Path(f).is_file())
    with (
        open_store(workspace.store_url) as store,
        progress_bar("importing", total=total or None, unit="bytes", disable=quiet) as advance,
    ):
        if network and fmt is None and field_map is None and has_native_format(network):
            name = network.strip().lower()
            configured = workspace.config.sources.get(name, SourceConfig())
            settings = source_settings(configured, os.environ)
            summary = import_native(store, files, network, progress=advance, settings=settings)
        else:
            summary = import_files(
                store, files, fmt=fmt, mapping=field_map, network=network, progress=advance
            )
    console = Console(stderr=True, highlight=False)
    for item in summary.files:
        if item.rejected and item.rejects_path is not None:
            console.print(f"{item.path}: {item.rejected:,} rejected, see {item.rejects_path}", markup=False)
    typer.echo(
        f"imported {summary.imported:,}, updated {summary.updated:,}, "
        f"unchanged {summary.unchanged:,}, rejected {summary.rejected:,}"
    )
    if summary.rejected:
        raise typer.Exit(EXIT_SOME_REJECTED)


@app.command()
def stages() -> None:
    """List the enrichment stages installed (built-in and plug-ins), in pipeline order."""
    from goodwill.enrich.registry import DEFAULT_STAGES, available_stages

    found = available_stages()
    for name in [*DEFAULT_STAGES, *sorted(set(found) - set(DEFAULT_STAGES))]:
        if name in found:
            typer.echo(f"{name:<12} {found[name]}")
