"""``goodwill train --from-corrections``: brand heads learnt from the team's corrections."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from goodwill.cli.main import ConfigOption, app
from goodwill.cli.workspace import resolve_workspace
from goodwill.errors import InputError


@app.command()
def train(
    from_corrections: Annotated[
        bool,
        typer.Option(
            "--from-corrections",
            help="Learn brand heads from corrections (the desk's, or --file's). Required: the shipped "
            "models are retrained by the scripts in train/, not by this command.",
        ),
    ] = False,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            dir_okay=False,
            help='JSON Lines of labels, one per line: {"text", "field", "label", "brand"}. Default: '
            "the store's corrections, plus the judgements of answered cases nobody corrected.",
        ),
    ] = None,
    brand: Annotated[
        str | None,
        typer.Option("--brand", help="Train this brand's heads only; also the brand of labels naming none."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Retrain brand-specific heads from corrections, so the pipeline judges a brand's posts its team's way.

    For each brand and each corrected judgement (sentiment, intent, welcome) with at least 30
    labels, fits a small adjustment on top of the shipped model and writes it to heads/ in
    the workspace (beside goodwill.toml). `goodwill enrich` then judges that brand's posts
    with it and says so: "head": {"brand": ..., "version": N} in the adjusted judgement.
    Retraining writes the next version. Delete heads/<brand>/ to go back to the shipped model.

    Example: goodwill corrections export > labels.jsonl; goodwill train --from-corrections --file labels.jsonl
    """
    from goodwill.enrich.brand_training import read_labels_file, train_brand_heads

    if not from_corrections:
        raise InputError(
            "goodwill train learns brand heads from corrections: pass --from-corrections (and --file "
            "for a JSON Lines file). The shipped models are retrained with the scripts in train/."
        )
    workspace = resolve_workspace(config)
    if file is not None:
        labels = read_labels_file(file)
        source = f"file {file.name}"
    else:
        from goodwill.desk.labels import iter_training_labels
        from goodwill.enrich.brand_training import parse_label
        from goodwill.store import open_store

        with open_store(workspace.store_url) as store:
            rows = list(iter_training_labels(store))
        parsed = (parse_label(r, f"correction of post {r['id']}") for r in rows)
        labels = [label for label in parsed if label is not None]
        source = "store"
    trained = train_brand_heads(labels, workspace.heads_dir, workspace.config, brand=brand, source=source)
    for t in trained:
        head = t.head
        typer.echo(
            f"{head.brand} {head.field}: head v{head.version} from {t.labels:,} labels; in sample the "
            f"shipped model agreed with {t.shipped_agreement:.0%} of them, the head with "
            f"{t.head_agreement:.0%} -> {workspace.heads_dir / head.metadata['slug']}/{head.field}.json"
        )
    typer.echo(
        "goodwill enrich now judges these brands' posts with their heads; posts already judged in the "
        "store keep their judgements."
    )
