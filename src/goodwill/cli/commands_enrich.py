"""``goodwill enrich``: the public JSON Lines contract, and enrichment of the store."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, BinaryIO, TextIO

import typer

from goodwill.cli.main import ConfigOption, app
from goodwill.cli.progress import progress_bar
from goodwill.cli.workspace import resolve_workspace
from goodwill.enrich.pipeline import Pipeline
from goodwill.errors import InputError
from goodwill.jobs.enrich_stream import DEFAULT_BATCH


def _open_input(source: str, stack: ExitStack) -> tuple[BinaryIO, int | None]:
    if source == "-":
        return sys.stdin.buffer, None
    path = Path(source)
    try:
        handle = stack.enter_context(path.open("rb"))
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror}; check the path.") from None
    return handle, path.stat().st_size


@app.command()
def enrich(
    source: Annotated[str, typer.Argument(help="JSON Lines file, or - for stdin.")] = "-",
    output: Annotated[
        str, typer.Option("--output", "-o", help="Where to write JSON Lines (default: stdout).")
    ] = "-",
    config: ConfigOption = None,
    brand: Annotated[
        list[str] | None, typer.Option("--brand", help="A brand to listen for, instead of a config file.")
    ] = None,
    competitor: Annotated[
        list[str] | None, typer.Option("--competitor", help="A competitor (with --brand).")
    ] = None,
    stored: Annotated[
        bool, typer.Option("--stored", help="Enrich the posts in the store that are new or stale.")
    ] = False,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            min=1,
            help="Posts per batch [default: 1000; on Dask, 4 batches per worker thread, 250 to 4000].",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="With --stored: judge on a local Dask cluster of N processes."),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster", help="With --stored: judge on the Dask scheduler at this address (tcp://host:8786)."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Add enrichment.explanations: the words that weighed most in each model's judgement.",
        ),
    ] = False,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode",
            help="fast (default: sparse and lexicon models) or accurate (sentence embeddings, slower; "
            "pip install 'goodwill[embeddings]'). Default: `mode` in goodwill.toml, else fast.",
        ),
    ] = None,
) -> None:
    """Judge posts: language, brands, sentiment, intent, complaint, spam, and whether a reply is welcome.

    Reads one JSON object per line, each with at least "id" and "text" (optional: network,
    author {handle, followers}, created_at, reply_to, url, lang), and writes each object back
    with an "enrichment" field, one line per input line, in order. A bad line becomes
    {"id": ..., "line": N, "error": "..."} and the run goes on.

    With --stored, enriches the store instead (only posts that are new, or were judged by an
    older version of a stage). Add --workers N to spread the batches over N local processes, or
    --cluster tcp://host:8786 to use a running Dask cluster (pip install 'goodwill[dask]'); this
    process still does all the reading and writing of the store.

    --mode accurate judges sentiment from MiniLM sentence embeddings stacked with the fast
    model (same output fields; see docs/accurate.md). Switching a store's mode re-judges its
    posts on the next --stored run.

    Example: echo '{"id": "1", "text": "@acme my card was charged twice"}' | goodwill enrich --brand Acme
    """
    from goodwill.enrich.explanation import explain as explain_post
    from goodwill.enrich.registry import context_for, default_pipeline

    if competitor and not brand:
        raise InputError("--competitor needs at least one --brand (or use --config).")
    workspace = resolve_workspace(config, brands=brand, competitors=competitor)
    pipeline = default_pipeline(context_for(workspace.config, mode, heads_dir=workspace.heads_dir))
    if (workers is not None or cluster is not None) and not stored:
        raise InputError("--workers and --cluster work with --stored only.")
    if workers is not None and cluster is not None:
        raise InputError("give --workers (a local cluster) or --cluster (a running one), not both.")
    if stored and explain:
        raise InputError("--explain adds explanations to a stream's output; drop --stored to use it.")
    if stored:
        _enrich_store(
            workspace.store_url,
            pipeline,
            batch_size=batch_size,
            quiet=quiet,
            workers=workers,
            cluster=cluster,
        )
        return
    from goodwill.jobs.enrich_stream import enrich_lines

    with ExitStack() as stack:
        handle, size = _open_input(source, stack)
        out: TextIO
        if output == "-":
            out = sys.stdout
        else:
            out = stack.enter_context(Path(output).open("w", encoding="utf-8"))
        advance = stack.enter_context(
            progress_bar("enriching", total=size, unit="bytes", disable=quiet or output == "-")
        )

        def lines() -> Iterator[bytes]:
            for line in handle:
                advance(len(line))
                yield line

        for record in enrich_lines(lines(), pipeline, batch_size=batch_size or DEFAULT_BATCH):
            if explain and isinstance(record.get("enrichment"), dict):
                record["enrichment"]["explanations"] = explain_post(str(record["text"]), record["enrichment"])
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()


def _enrich_store(
    url: str,
    pipeline: Pipeline,
    *,
    batch_size: int | None,
    quiet: bool,
    workers: int | None,
    cluster: str | None,
) -> None:
    from goodwill.jobs.enrich_stored import enrich_stored
    from goodwill.store import PostQuery, open_store

    with open_store(url) as store:
        total = store.count(PostQuery(limit=None))
        if workers is not None or cluster is not None:
            from goodwill.jobs.enrich_dask import dask_client, enrich_stored_dask

            with (
                dask_client(workers=workers, address=cluster) as client,
                progress_bar("enriching on dask", total=total, disable=quiet) as advance,
            ):
                summary = enrich_stored_dask(
                    store,
                    pipeline,
                    client,
                    batch_size=batch_size,
                    progress=advance,
                    # a local cluster's workers share this machine, and so the store
                    workers_open_store=workers is not None,
                )
        else:
            with progress_bar("enriching", total=total, disable=quiet) as advance:
                summary = enrich_stored(
                    store, pipeline, batch_size=batch_size or DEFAULT_BATCH, progress=advance
                )
    if summary.posts:
        typer.echo(f"enriched {summary.posts:,} new or stale posts")
    else:
        typer.echo("nothing to enrich: every stored post is up to date")
