"""The public JSON Lines contract of ``goodwill enrich``: one object in, one object out.

Each input line is a JSON object with at least ``id`` and ``text``. Each output
line is that object, every field kept, plus ``enrichment``. A line that cannot
be used yields ``{"id": ..., "line": n, "error": "..."}`` in its place, so the
output always has exactly one line per input line, in input order, and one bad
line never stops a run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from goodwill.enrich.pipeline import Pipeline
from goodwill.errors import RecordRejected
from goodwill.json_input import load_json
from goodwill.models import Post
from goodwill.sources.mapping import record_to_post

__all__ = ["DEFAULT_BATCH", "enrich_lines", "parse_line"]

#: Posts per batch in one process, for a stream and for the store (Dask has its own, enrich_dask).
DEFAULT_BATCH = 1000


def parse_line(line: bytes | str, line_no: int) -> tuple[dict[str, Any], Post] | dict[str, Any]:
    """A contract line as (the input object, its Post), or the error object for it."""
    try:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
    except UnicodeDecodeError as exc:
        return {"id": None, "line": line_no, "error": f"not valid UTF-8 at byte {exc.start}"}
    try:
        record = load_json(text)
    except json.JSONDecodeError as exc:
        return {"id": None, "line": line_no, "error": f"not valid JSON: {exc.msg} (column {exc.colno})"}
    if not isinstance(record, dict):
        return {"id": None, "line": line_no, "error": "not a JSON object"}
    ident = record.get("id")
    try:
        post = record_to_post(record, None)
    except RecordRejected as exc:
        return {"id": ident, "line": line_no, "error": str(exc)}
    if post.text is None:
        return {"id": ident, "line": line_no, "error": "missing 'text': every line needs an id and a text"}
    return record, post


def enrich_lines(
    lines: Iterable[bytes | str], pipeline: Pipeline, *, batch_size: int = DEFAULT_BATCH
) -> Iterator[dict[str, Any]]:
    """Yield one output object per non-blank input line, in order, batch by batch."""
    pending: list[dict[str, Any] | tuple[dict[str, Any], Post]] = []
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        pending.append(parse_line(line, line_no))
        if len(pending) >= batch_size:
            yield from _flush(pending, pipeline)
            pending = []
    if pending:
        yield from _flush(pending, pipeline)


def _flush(
    pending: list[dict[str, Any] | tuple[dict[str, Any], Post]], pipeline: Pipeline
) -> Iterator[dict[str, Any]]:
    good = [item for item in pending if isinstance(item, tuple)]
    judged = iter(pipeline.run([post for _, post in good]))
    for item in pending:
        if isinstance(item, tuple):
            record = dict(item[0])
            record["enrichment"] = next(judged)
            yield record
        else:
            yield item
