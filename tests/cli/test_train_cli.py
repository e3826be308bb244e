"""`goodwill train --from-corrections` on a real workspace, and `goodwill enrich` picking the head up."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from goodwill.cli.main import invoke

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "enrich"))
from test_brand_heads import skate_labels


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "goodwill.toml").write_text(
        '[[brands]]\nname = "Skatey"\nhandles = { any = ["skatey"] }\n', encoding="utf-8"
    )
    rows = [{"text": x.text, "field": x.field, "label": x.label} for x in skate_labels()]
    (tmp_path / "labels.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    (tmp_path / "in.jsonl").write_text('{"id": "1", "text": "@skatey that logo is sick"}\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOODWILL_DATABASE_URL", raising=False)
    return tmp_path


def _sentiment(workspace: Path) -> dict[str, object]:
    assert invoke(["enrich", "in.jsonl", "-o", "out.jsonl", "-q"]) == 0
    (line,) = (workspace / "out.jsonl").read_text(encoding="utf-8").splitlines()
    return json.loads(line)["enrichment"]["sentiment"]  # type: ignore[no-any-return]


def test_train_from_a_corrections_file_then_enrich_uses_the_head(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _sentiment(workspace)["label"] == "negative"
    assert "head" not in _sentiment(workspace)
    capsys.readouterr()
    assert invoke(["train", "--from-corrections", "--file", "labels.jsonl", "--brand", "Skatey"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "Skatey sentiment: head v1 from 40 labels; in sample the shipped model agreed with 32%"
    )
    assert (workspace / "heads" / "skatey" / "sentiment.npz").is_file()
    judged = _sentiment(workspace)
    assert judged["label"] == "positive" and judged["head"] == {"brand": "Skatey", "version": 1}
    assert invoke(["train", "--from-corrections", "--file", "labels.jsonl", "--brand", "Skatey"]) == 0
    assert _sentiment(workspace)["head"] == {"brand": "Skatey", "version": 2}


def test_train_errors_are_one_line_that_says_what_to_do(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(["train"]) == 2
    assert "pass --from-corrections" in capsys.readouterr().err
    assert invoke(["train", "--from-corrections", "--file", "labels.jsonl"]) == 2
    assert "40 correction(s) name no brand; pass --brand" in capsys.readouterr().err
    lines = (workspace / "labels.jsonl").read_text(encoding="utf-8").splitlines()[:25]
    (workspace / "few.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert invoke(["train", "--from-corrections", "--file", "few.jsonl", "--brand", "Skatey"]) == 2
    err = capsys.readouterr().err
    assert "Skatey has 25 sentiment correction(s); a brand head needs at least 30 (5 more)" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    # The store path: a fresh workspace has no corrections yet.
    assert invoke(["train", "--from-corrections"]) == 2
    assert "no corrections to learn from" in capsys.readouterr().err
