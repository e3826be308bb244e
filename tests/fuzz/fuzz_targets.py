"""What the fuzz harness feeds: one Target per source, the import mapping and the enrich contract.

A Target builds payload N of a seeded run (a pure function of target, seed and N, via
mutator.py) and feeds it to goodwill the way real input arrives: a source's
``normalise`` on a mutated recorded document, or ``read_export`` + ``normalise`` on
its mutated recorded file; ``record_to_post`` for the import mapping; raw lines
through the real enrichment pipeline for ``enrich``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "sources"))

from mutator import (  # noqa: E402
    ODD_ENDPOINTS,
    Payload,
    draw_big,
    huge_value,
    mutate_bytes,
    mutate_document,
    odd_text,
    odd_value,
    rng_for,
    shallow,
)
from samples import SAMPLES  # noqa: E402

from goodwill.errors import GoodwillError  # noqa: E402
from goodwill.sources.registry import available_sources, build_source  # noqa: E402

ROOT = HERE.parents[1]
CONTRACT_SAMPLE = ROOT / "examples" / "sample" / "posts.jsonl"


@dataclass
class Target:
    """A named thing to fuzz: builds payload N and feeds it."""

    name: str
    make: Callable[[int, int], Payload]
    feed: Callable[[Payload], object]
    #: feeds the unmutated samples once, so lazy imports and models load before the workers fork
    #: (the first enrich payload otherwise spends ~2.5 CPU seconds loading models: a false hang)
    warm: Callable[[], object] = lambda: None
    #: what seeds each payload's random stream (a source's bare name, for replays of older runs)
    key: str = ""

    def is_big(self, seed: int, index: int) -> bool:
        """Whether payload ``index`` is one of the big minority, without building it."""
        return draw_big(rng_for(self.key or self.name, seed, index))


def _source_target(name: str) -> Target:
    source = build_source(name)
    files = [p for p in SAMPLES.get(name, []) if p.exists()]
    documents = [doc for path in files for doc in source.read_export(path)]
    raws = [(path.read_bytes(), "".join(path.suffixes[-1:]) or ".json") for path in files]
    scratch = Path(tempfile.gettempdir()) / f"goodwill-fuzz-{os.getpid()}"

    def make(seed: int, index: int) -> Payload:
        rng = rng_for(name, seed, index)
        kinds: set[str] = set()
        big = draw_big(rng)
        if raws and rng.random() < 0.2:
            raw, suffix = rng.choice(raws)
            return Payload(
                index, kinds, raw=mutate_bytes(raw, rng, kinds, big=big), raw_suffix=suffix, big=big
            )
        document = (
            mutate_document(rng.choice(documents), rng, kinds, big=big)
            if documents
            else odd_value(rng, kinds, big=big)
        )
        return Payload(index, kinds, document=document, endpoint=rng.choice(ODD_ENDPOINTS), big=big)

    def feed(payload: Payload) -> object:
        if payload.raw is None:
            return source.normalise(payload.document, endpoint=payload.endpoint)
        path = scratch.with_name(f"{scratch.name}-{os.getpid()}{payload.raw_suffix}")
        path.write_bytes(payload.raw)
        try:
            return [source.normalise(doc, endpoint=str(path)) for doc in source.read_export(path)]
        finally:
            path.unlink(missing_ok=True)

    def warm() -> None:
        for document in documents:
            with contextlib.suppress(GoodwillError):
                source.normalise(document, endpoint=None)

    return Target(f"source:{name}", make, feed, warm, key=name)


def _contract_records() -> list[dict[str, Any]]:
    lines = CONTRACT_SAMPLE.read_text(encoding="utf-8").splitlines()[:40]
    records: list[dict[str, Any]] = [json.loads(line) for line in lines if line.strip()]
    records.append({"id": "d1", "deleted": True})
    records.append({"id": 7, "text": "ok", "author": "plain_handle", "created_at": 1_764_547_200})
    return records


def _mapping_target() -> Target:
    from goodwill.sources.mapping import record_to_post

    records = _contract_records()
    maps: list[dict[str, str] | None] = [
        None,
        None,
        {"text": "author.name", "id": "url"},
        {"author.handle": "a.b.0.c"},
    ]

    def make(seed: int, index: int) -> Payload:
        rng = rng_for("mapping", seed, index)
        kinds: set[str] = set()
        big = draw_big(rng)
        record = mutate_document(rng.choice(records), rng, kinds, big=big)
        return Payload(index, kinds, document=(record, rng.choice(maps)), big=big)

    def feed(payload: Payload) -> object:
        record, mapping = payload.document
        if not isinstance(record, dict):
            return None  # the reader hands record_to_post objects only (it rejects the rest itself)
        return record_to_post(record, mapping)

    return Target("mapping", make, feed)


def _enrich_target() -> Target:
    from goodwill.config import WorkspaceConfig
    from goodwill.enrich.registry import default_pipeline
    from goodwill.enrich.stage import StageContext
    from goodwill.jobs.enrich_stream import enrich_lines

    pipeline = default_pipeline(StageContext(config=WorkspaceConfig.from_names(["Acme Bank"], ["Globex"])))
    records = _contract_records()

    def make(seed: int, index: int) -> Payload:
        rng = rng_for("enrich", seed, index)
        kinds: set[str] = set()
        big = draw_big(rng)
        lines: list[bytes] = []
        count = rng.randint(1, 5)
        for line in range(count):
            pick = 0.0 if big and line == count - 1 else rng.random()  # a big payload: its last line
            grow = big and line == count - 1
            if pick < 0.35:  # a valid record with odd text, so the stages themselves see it
                record = dict(rng.choice(records))
                record["text"] = (
                    huge_value(rng, kinds) if grow else odd_text(rng, kinds, str(record.get("text", "")))
                )
                if not isinstance(record["text"], str):
                    record["text"] = json.dumps(record["text"]) if shallow(record["text"]) else "[" * 3_000
                lines.append(json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass"))
            elif pick < 0.65:
                record = mutate_document(rng.choice(records), rng, kinds, big=grow)
                if shallow(record):
                    text = json.dumps(record, ensure_ascii=False, default=str)
                elif grow:  # nesting too deep for json.dumps: written out as the raw line would arrive
                    depth = rng.choice([3_000, 100_000])
                    text = '{"id": "deep", "text": "x", "nested": ' + "[" * depth + "]" * depth + "}"
                else:
                    text = "[]"
                lines.append(text.encode("utf-8", "surrogatepass"))
            elif pick < 0.85:
                raw = json.dumps(rng.choice(records)).encode()
                lines.append(mutate_bytes(raw, rng, kinds)[:2_000_000])
            else:
                lines.append(odd_text(rng, kinds, "").encode("utf-8", "surrogatepass"))
        return Payload(index, kinds, document=lines, big=big)

    def feed(payload: Payload) -> object:
        lines = [piece for line in payload.document for piece in line.split(b"\n")]
        out = list(enrich_lines(lines, pipeline, batch_size=3))
        if len(out) != sum(1 for raw in lines if raw.strip()):
            raise AssertionError("enrich_lines did not answer one object per input line")
        return out

    def warm() -> None:
        list(enrich_lines([json.dumps(record).encode() for record in records], pipeline, batch_size=3))

    return Target("enrich", make, feed, warm)


def targets() -> list[str]:
    return [*(f"source:{n}" for n in sorted(available_sources())), "mapping", "enrich"]


def build_target(name: str) -> Target:
    if name == "mapping":
        return _mapping_target()
    if name == "enrich":
        return _enrich_target()
    return _source_target(name.removeprefix("source:"))
