"""`goodwill enrich --explain`: an additive `explanations` object, and a clear error with --stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from goodwill.cli.main import invoke
from goodwill.enrich.explanation import explain


def test_explain_flag_adds_explanations_and_keeps_the_contract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "1", "text": "@acmebank worst service ever, you idiots lost my card again"}) + "\n",
        encoding="utf-8",
    )
    assert invoke(["enrich", str(source), "--brand", "Acme Bank", "--explain"]) == 0
    record = json.loads(capsys.readouterr().out)
    enrichment = record["enrichment"]
    for key in ("sentiment", "intent", "complaint", "receptivity", "irony", "emotion", "offensive"):
        assert key in enrichment
    why = enrichment["explanations"]
    assert set(why) == {"sentiment", "irony", "emotion", "offensive"}
    assert why["sentiment"]["towards"] == "positive"
    assert why["emotion"]["towards"] == enrichment["emotion"]["label"]
    words = {f["feature"]: f["weight"] for f in why["sentiment"]["features"]}
    assert words.get("worst", 0.0) < 0


def test_without_the_flag_there_are_no_explanations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "1", "text": "lovely day"}) + "\n", encoding="utf-8")
    assert invoke(["enrich", str(source), "--brand", "Acme Bank"]) == 0
    assert "explanations" not in json.loads(capsys.readouterr().out)["enrichment"]


def test_explain_with_stored_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke(["enrich", "--stored", "--explain", "--brand", "Acme"]) == 2
    assert "drop --stored" in capsys.readouterr().err


def test_blank_text_has_nothing_to_explain() -> None:
    assert explain("   ") == {}
