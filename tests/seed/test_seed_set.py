"""The seed set: fresh, big enough, consistent with the guidelines, and measured by a correct bench."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from goodwill.config import WorkspaceConfig
from goodwill.enrich.intent import INTENT_LABELS

ROOT = Path(__file__).resolve().parents[2]
SEED_DIR = ROOT / "data" / "seed"


def _module(path: Path) -> ModuleType:
    name = f"_goodwill_seed_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


build = _module(SEED_DIR / "build.py")
bench = _module(ROOT / "bench" / "bench_judgements.py")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (SEED_DIR / "seed.jsonl").read_text(encoding="utf-8").splitlines()]


def test_seed_jsonl_is_what_the_batches_build() -> None:
    done = subprocess.run(
        [sys.executable, str(SEED_DIR / "build.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_size_and_coverage(rows: list[dict[str, Any]]) -> None:
    assert len(rows) >= 1500
    intents = Counter(r["intent"] for r in rows)
    assert set(intents) == set(INTENT_LABELS)
    assert min(intents.values()) >= 50
    assert {r["lang"] for r in rows} == {"en", "es", "de", "fr", "pt", "it", "nl"}
    assert {r["network"] for r in rows} == {"x", "reddit", "mastodon", "bluesky", "youtube", "hackernews"}
    assert sum(r["slice"] == "generic" for r in rows) >= 300
    assert len({r["id"] for r in rows}) == len(rows)


def test_labels_follow_the_guidelines(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        if row["intent"] == "complaint":
            assert row["is_complaint"], row  # the complaint intent always reports one
        if row["intent"] in ("spam", "news_share"):
            assert not row["welcome"], row  # never reply to spam or a headline
            assert not row["is_complaint"], row


def test_split_is_a_stable_hash_of_the_id(rows: list[dict[str, Any]]) -> None:
    assert all(r["split"] == build.split_of(r["id"]) for r in rows)
    share = sum(r["split"] == "validation" for r in rows) / len(rows)
    assert 0.25 < share < 0.35
    assert build.split_of("seed-000000000000") == build.split_of("seed-000000000000")


def test_every_config_loads(rows: list[dict[str, Any]]) -> None:
    tables = tomllib.loads((SEED_DIR / "configs.toml").read_text(encoding="utf-8"))
    for name in {r["config"] for r in rows}:
        config = bench.config_for(name, tables)
        assert isinstance(config, WorkspaceConfig) and config.brands


def test_parser_rejects_bad_lines() -> None:
    configs = frozenset({"bank"})
    row = build.parse_line("b", 1, "c11 bank x de reply | @LarkspurHelp Karte doppelt belastet", configs)
    assert row.record["intent"] == "complaint" and row.record["lang"] == "de"
    assert row.record["reply_to"] is not None and row.record["welcome"] is True
    for bad in ("c11 bank x no bar here", "z11 bank x | hi", "c11 nowhere x | hi", "c1 bank x | hi",
                "c11 bank fax | hi", "c11 bank x klingon | hi"):  # fmt: skip
        with pytest.raises(build.SeedError):
            build.parse_line("b", 1, bad, configs)


def test_near_duplicates_are_found() -> None:
    configs = frozenset({"bank"})
    a = build.parse_line(
        "b", 1, "c11 bank x | my card was charged twice for one coffee at the station", configs
    )
    b = build.parse_line(
        "b", 2, "c11 bank x | @LarkspurHelp my card was charged twice for one coffee at the station!", configs
    )
    c = build.parse_line("b", 3, "s00 bank x | lovely sunny morning for a walk by the river", configs)
    assert [(x.line, y.line) for x, y, _ in build.near_duplicates([a, b, c])] == [(1, 2)]


def test_metrics_on_hand_checked_values() -> None:
    got = bench.prf([True, True, False, False], [True, False, True, False])
    assert got == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2.0}
    assert bench.prf([False], [False])["f1"] == 0.0
    assert bench.auc([True, False], [0.9, 0.1]) == 1.0
    assert bench.auc([True, False], [0.1, 0.9]) == 0.0
    assert bench.auc([True, False, True, False], [0.5, 0.5, 0.5, 0.5]) == 0.5
    # positives 0.8, 0.4; negatives 0.6, 0.2: 3 of 4 pairs ranked right
    assert bench.auc([True, True, False, False], [0.8, 0.4, 0.6, 0.2]) == 0.75


def test_bench_reports_every_figure() -> None:
    rows = bench.load_seed("validation")[:40]
    result = bench.evaluate(rows, bench.judge(rows))
    assert result["posts"] == 40
    assert set(result["intent"]["per_label"]) == set(INTENT_LABELS)
    assert set(result["complaint"]) == {"stage", "negative_sentiment"}
    assert set(result["welcome"]) == {"stage", "addressed"}
    assert 0.0 <= result["complaint"]["stage"]["auc"] <= 1.0
