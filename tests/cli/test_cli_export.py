"""goodwill import, enrich --stored, export on each store backend, and export -> import round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from goodwill.cli.main import invoke
from goodwill.store import PostQuery, open_store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "sample"


def test_import_enrich_export_then_import_the_export_elsewhere(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "goodwill.toml").write_text((SAMPLE / "goodwill.toml").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GOODWILL_DATABASE_URL", store_url)
    # a slice of the sample, with its deleted posts and their earlier copies
    lines_in = (SAMPLE / "posts.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    doomed = {json.loads(x)["id"] for x in lines_in if json.loads(x).get("deleted")}
    kept = lines_in[:300] + [x for x in lines_in[300:] if json.loads(x)["id"] in doomed]
    (tmp_path / "in.jsonl").write_text("".join(kept), encoding="utf-8")
    assert invoke(["import", "in.jsonl", "-q"]) == 0
    assert invoke(["enrich", "--stored", "-q"]) == 0
    capsys.readouterr()
    assert invoke(["export", "--include-deleted", "--batch-size", "100", "-o", "all.jsonl", "-q"]) == 0
    assert "exported" in capsys.readouterr().err
    lines = [json.loads(x) for x in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    with open_store(store_url) as store:
        live = store.count(PostQuery(limit=None))
        deleted = store.stats()["total"]["deleted"]
    assert len(lines) == live + deleted
    assert sum(1 for x in lines if x.get("deleted")) == deleted > 0
    judged = [x for x in lines if not x.get("deleted")]
    assert all({"language", "sentiment", "receptivity"} <= set(x["enrichment"]) for x in judged)

    # the export is goodwill's own JSON Lines: it imports into a fresh store as the same posts
    monkeypatch.setenv("GOODWILL_DATABASE_URL", f"sqlite:///{tmp_path / 'copy.db'}")
    assert invoke(["import", "all.jsonl", "-q"]) == 0
    with open_store(f"sqlite:///{tmp_path / 'copy.db'}") as copy, open_store(store_url) as store:
        assert copy.count(PostQuery(limit=None)) == live
        assert copy.stats()["total"]["deleted"] == deleted
        original = {
            (s.post.network, s.post.native_id): s.post.text for p in store.iter_posts(PostQuery()) for s in p
        }
        copied = {
            (s.post.network, s.post.native_id): s.post.text for p in copy.iter_posts(PostQuery()) for s in p
        }
        assert copied == original


def test_export_to_stdout_writes_json_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOODWILL_DATABASE_URL", raising=False)
    (tmp_path / "in.jsonl").write_text('{"id": "1", "text": "hello there"}\n', encoding="utf-8")
    assert invoke(["import", "in.jsonl", "-q"]) == 0
    capsys.readouterr()
    assert invoke(["export"]) == 0
    assert [json.loads(x) for x in capsys.readouterr().out.splitlines()] == [
        {"id": "1", "network": "generic", "text": "hello there", "enrichment": {}}
    ]
