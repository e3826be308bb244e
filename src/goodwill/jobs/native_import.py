"""``goodwill import --network NAME FILE...`` for a network's own files.

When NAME is a registered source, each file (not stdin) is read with that source's
``read_export`` and normalised by its pure ``normalise`` (a saved API response,
a JSON Lines dump, an archive file), the raw items stored with provenance
``file:NAME``. A file that is not that network's shape (say, records in
goodwill's own JSON Lines contract, labelled with ``--network``) falls back to
the generic importer, so ``--network`` keeps working as a plain label.
Batches are one transaction each, as in the generic import: rerunning after a
kill finishes the job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from goodwill.errors import InputError
from goodwill.jobs.importer import FileSummary, ImportSummary, import_files
from goodwill.models import Post, Provenance
from goodwill.sources.registry import available_sources, build_source
from goodwill.sources.source import Item, Source, SourceSettings
from goodwill.store import RawRecord, Store

__all__ = ["has_native_format", "import_native"]


def has_native_format(network: str) -> bool:
    """Whether ``network`` is a registered source whose files ``import`` can read natively."""
    return network.strip().lower() in available_sources()


def _items(source: Source, path: Path) -> Iterator[Item]:
    for document in source.read_export(path):
        yield from source.normalise(document, endpoint=str(path))


def import_native(
    store: Store,
    paths: Sequence[str],
    network: str,
    *,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
    settings: SourceSettings | None = None,
) -> ImportSummary:
    """Import each file through the source's own normaliser (or, if not its shape, as generic records).

    ``settings``: the source's ``[sources.NAME]`` settings (Mastodon needs its server to name posts).
    """
    source = build_source(network.strip().lower(), settings)
    for path in paths:
        if path != "-" and not Path(path).is_file():
            what = "is not a file" if Path(path).exists() else "no such file"
            raise InputError(f"{path}: {what}; nothing was imported from it or the files after it.")
    summary = ImportSummary()
    for path in paths:
        if path == "-":  # stdin is read as records labelled with the network
            summary.files.extend(import_files(store, [path], network=network, batch_size=batch_size).files)
            continue
        try:
            summary.files.append(_import_file(store, source, Path(path), batch_size))
        except _NotNative:
            generic = import_files(store, [path], network=network, batch_size=batch_size)
            summary.files.extend(generic.files)
        if progress is not None:
            progress(Path(path).stat().st_size)
    return summary


class _NotNative(Exception):
    """The file's first document is not this network's shape: import it as generic records."""


def _import_file(store: Store, source: Source, path: Path, batch_size: int) -> FileSummary:
    """All of one file; _NotNative before anything is stored when its first document is foreign."""
    items = _items(source, path)
    first: list[Item] = []
    try:
        for item in items:  # the first document decides whether the file is this network's
            first.append(item)
            break
    except InputError:
        raise _NotNative() from None
    provenance = Provenance(
        source=f"file:{source.name}", endpoint=str(path.resolve()), retrieved_at=datetime.now(UTC)
    )
    summary = FileSummary(path=str(path))
    batch: list[tuple[Post, RawRecord]] = []

    def flush() -> None:
        nonlocal batch
        if batch:
            summary.add(store.upsert(batch))
            batch = []

    def add(item: Item) -> None:
        payload: Any = item.raw
        batch.append((item.post, RawRecord(payload=payload, provenance=provenance)))
        if len(batch) >= batch_size:
            flush()

    for item in first:
        add(item)
    try:
        for item in items:
            add(item)
    except InputError as exc:
        flush()
        raise InputError(f"{path}: {exc}") from None
    flush()
    return summary
