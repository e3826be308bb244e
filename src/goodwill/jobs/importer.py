"""The import job: files of records into the store, safely repeatable.

Records are read as a stream, mapped to posts by a pure function, and
upserted in batches of ``batch_size``, ONE transaction per batch. So a process
killed at any moment leaves the store consistent, and running the same import
again finishes the job: what was stored already counts as unchanged, nothing is
lost and nothing is duplicated.

A record that cannot be used goes, with its line number and the reason, to
``<FILE>.rejects.jsonl`` (``stdin.rejects.jsonl`` in the current folder for
stdin). That file is rewritten by every run, and removed when a run has no
rejects, so it always describes the last run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from goodwill.errors import InputError, RecordRejected
from goodwill.models import Post, Provenance
from goodwill.sources.files import UnreadableRecord, detect_format, read_records, total_size
from goodwill.sources.mapping import record_to_post
from goodwill.store import RawRecord, Store, UpsertCounts

__all__ = ["FileSummary", "ImportSummary", "import_files", "rejects_path_for", "total_size"]


@dataclass
class FileSummary:
    """What importing one file did."""

    path: str
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    #: where this run's rejected records are (None when there were none)
    rejects_path: str | None = None

    def add(self, counts: UpsertCounts) -> None:
        self.imported += counts.imported
        self.updated += counts.updated
        self.unchanged += counts.unchanged


@dataclass
class ImportSummary:
    """Per file and in total: imported, updated, unchanged, rejected."""

    files: list[FileSummary] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return sum(f.imported for f in self.files)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.files)

    @property
    def unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)


def rejects_path_for(path: str) -> Path:
    """``data.jsonl`` -> ``data.jsonl.rejects.jsonl``; stdin -> ``./stdin.rejects.jsonl``."""
    if path == "-":
        return Path.cwd() / "stdin.rejects.jsonl"
    return Path(path + ".rejects.jsonl")


class _Rejects:
    """The rejects file of one input, opened on the first reject only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._fh: IO[bytes] | None = None
        path.unlink(missing_ok=True)  # describe this run only

    def write(self, line: int, reason: str, record: Any) -> None:
        entry = {"line": line, "reason": reason, "record": record}
        try:
            data = json.dumps(entry, ensure_ascii=False, default=str).encode("utf-8")
        except UnicodeEncodeError:
            data = json.dumps(entry, default=str).encode("ascii")
        if self._fh is None:
            try:
                self._fh = self.path.open("wb")
            except OSError as exc:
                raise InputError(f"{self.path}: cannot write the rejects file ({exc.strerror}).") from None
        self._fh.write(data + b"\n")
        self.count += 1

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def import_files(
    store: Store,
    paths: Sequence[str],
    *,
    fmt: str | None = None,
    mapping: Mapping[str, str] | None = None,
    network: str | None = None,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import every file (``-``: stdin) into ``store``; see the module docstring for the guarantees.

    ``mapping``: from :func:`goodwill.sources.mapping.parse_mapping` (None: the contract's names).
    ``network``: for records that do not name one. ``progress(n)`` is called with the number of
    bytes read since the last call (compressed bytes for .gz); :func:`total_size` gives the total.
    """
    if batch_size < 1:
        raise InputError("batch size must be at least 1.")
    for path in paths:
        if path != "-" and not Path(path).is_file():
            what = "is not a file" if Path(path).exists() else "no such file"
            raise InputError(f"{path}: {what}; nothing was imported from it or the files after it.")
        detect_format(path, fmt)  # an unknown --format fails before any work
    summary = ImportSummary()
    for path in paths:
        summary.files.append(
            _import_one(store, path, fmt, mapping, network or "generic", batch_size, progress)
        )
    return summary


def _import_one(
    store: Store,
    path: str,
    fmt: str | None,
    mapping: Mapping[str, str] | None,
    network: str,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> FileSummary:
    endpoint = "stdin" if path == "-" else str(Path(path).resolve())
    summary = FileSummary(path=path)
    rejects = _Rejects(rejects_path_for(path))
    batch: list[tuple[Post, RawRecord]] = []
    retrieved_at = datetime.now(UTC)
    provenance = Provenance(source="file:jsonl", endpoint=endpoint, retrieved_at=retrieved_at)

    def found_format(kind: str) -> None:
        nonlocal provenance
        source = "file:csv" if kind in {"csv", "tsv"} else "file:jsonl"
        provenance = Provenance(source=source, endpoint=endpoint, retrieved_at=retrieved_at)

    try:
        for line, item in read_records(path, fmt=fmt, progress=progress, on_format=found_format):
            if isinstance(item, RecordRejected):
                raw = item.raw if isinstance(item, UnreadableRecord) else None
                rejects.write(line, str(item), raw)
                continue
            try:
                post = record_to_post(item, mapping, default_network=network)
            except RecordRejected as exc:
                rejects.write(line, str(exc), item)
                continue
            batch.append((post, RawRecord(payload=item, provenance=provenance)))
            if len(batch) >= batch_size:
                summary.add(store.upsert(batch))
                batch = []
        if batch:
            summary.add(store.upsert(batch))
    finally:
        rejects.close()
    summary.rejected = rejects.count
    summary.rejects_path = str(rejects.path) if rejects.count else None
    return summary
