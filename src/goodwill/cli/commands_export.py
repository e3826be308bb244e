"""``goodwill export``: every stored post and its judgements as JSON Lines, streamed page by page."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from goodwill.cli.main import ConfigOption, app
from goodwill.cli.progress import progress_bar
from goodwill.cli.workspace import resolve_workspace
from goodwill.enrich.stage import StageContext
from goodwill.errors import InputError

if TYPE_CHECKING:
    from goodwill.cli.workspace import Workspace
    from goodwill.pseudonym import Pseudonymiser
    from goodwill.store import StoredPost


def _line(stored: StoredPost) -> dict[str, Any]:
    line = stored.post.contract_fields()
    if stored.post.deleted:
        line["deleted"] = True  # goodwill import turns it into a tombstone again
    line["enrichment"] = stored.enrichment
    return line


def _pseudonymiser(workspace: Workspace) -> Pseudonymiser:
    from goodwill.pseudonym import Pseudonymiser, load_or_create_salt

    folder = workspace.config_path.parent if workspace.config_path is not None else Path.cwd()
    own = [h for spec in workspace.config.brands for h in spec.all_handles()]
    return Pseudonymiser(load_or_create_salt(folder), keep_handles=own)


@app.command()
def export(
    output: Annotated[
        str, typer.Option("--output", "-o", help="Where to write JSON Lines (default: stdout).")
    ] = "-",
    config: ConfigOption = None,
    include_deleted: Annotated[
        bool, typer.Option("--include-deleted", help="Also write tombstones (deleted posts, text null).")
    ] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Posts read per page.")] = 1000,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    pseudonymise: Annotated[
        bool,
        typer.Option(
            "--pseudonymise",
            help="Replace handles, author ids and @mentions by stable pseudonyms (salt: goodwill.salt); "
            "drop names and URLs.",
        ),
    ] = False,
) -> None:
    """Write every stored post, oldest stored first, with its current judgements, as JSON Lines.

    Each line has the fields of the `goodwill enrich` contract (id, network, text, author,
    created_at, ...) plus "enrichment", the results of the installed stage versions (empty when
    not judged yet). Memory stays flat whatever the size of the store: posts are read page by page.

    Example, moving to PostgreSQL: goodwill export -o all.jsonl, then
    GOODWILL_DATABASE_URL=postgresql+psycopg://... goodwill import all.jsonl
    """
    from goodwill.enrich.registry import default_pipeline
    from goodwill.store import PostQuery, open_store

    workspace = resolve_workspace(config)
    versions = default_pipeline(StageContext(config=workspace.config, mode=workspace.config.mode)).versions
    query = PostQuery(include_deleted=include_deleted, limit=None, versions=versions)
    shape = _pseudonymiser(workspace) if pseudonymise else None
    with ExitStack() as stack:
        out: TextIO
        if output == "-":
            out = sys.stdout
        else:
            try:
                out = stack.enter_context(Path(output).open("w", encoding="utf-8"))
            except OSError as exc:
                raise InputError(f"cannot write {output}: {exc.strerror}; check the path.") from None
        store = stack.enter_context(open_store(workspace.store_url))
        total = store.count(query)
        advance = stack.enter_context(progress_bar("exporting", total=total, disable=quiet or output == "-"))
        written = 0
        for page in store.iter_posts(query, batch_size=batch_size):
            out.write(
                "".join(
                    json.dumps(
                        _line(s) if shape is None else shape.line(_line(s)),
                        ensure_ascii=False,
                    )
                    + "\n"
                    for s in page
                )
            )
            written += len(page)
            advance(len(page))
        out.flush()
    if output != "-":
        typer.echo(f"exported {written:,} posts to {output}", err=True)
