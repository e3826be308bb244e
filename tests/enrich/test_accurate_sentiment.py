"""Accurate mode: the shipped embedding head, how a mode is chosen, and what happens without the extra."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from goodwill.config import WorkspaceConfig, load_config
from goodwill.enrich import accurate_sentiment
from goodwill.enrich.accurate_sentiment import (
    CUT,
    HEAD_FILE,
    HEAD_METADATA_FILE,
    TAIL_FILE,
    AccurateSentimentStage,
    assemble,
    embedding_texts,
    encoder,
    fast_model_sha256,
    load_head,
    read_head,
)
from goodwill.enrich.registry import context_for, default_pipeline
from goodwill.enrich.sentiment import SentimentStage
from goodwill.enrich.stage import StageContext
from goodwill.errors import ConfigError, ModelError, PipelineError
from goodwill.models import Author, Post

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "src" / "goodwill" / "enrich" / "artifacts"
TRAIN_DATA = ROOT.parent / "shared" / "datasets" / "tweeteval" / "sentiment"
HINT = r"pip install 'goodwill\[embeddings\]'"
#: What train/accurate_sentiment.py measured for the shipped artifacts (a retrain updates it).
SHIPPED_VAL_MACRO_RECALL = 0.7353


def posts(*texts: str | None) -> list[Post]:
    return [
        Post(network="x", native_id=str(i), text=t, deleted=t is None, author=Author(handle="someone"))
        for i, t in enumerate(texts)
    ]


@pytest.fixture(scope="module")
def stage() -> AccurateSentimentStage:
    return AccurateSentimentStage(StageContext(mode="accurate"))


# --- the shipped head --------------------------------------------------------------------------------


def test_shipped_head_is_small_and_says_what_it_was_trained_on() -> None:
    assert (ARTIFACTS / HEAD_FILE).stat().st_size < 2_000_000
    head = load_head()
    assert head.weights.shape == (387, 3) and head.bias.shape == (3,)
    meta = head.metadata
    data = meta["training_data"]
    assert "TweetEval" in data["licence"] and "Apache-2.0" in data["embedding_model_licence"]
    assert set(data["sha256"]) == {
        "sentiment/train_text_reconstructed.txt",
        "sentiment/train_labels_reconstructed.txt",
    }
    assert data["rows_used"] == data["rows"] == 47_573  # every training tweet
    scores = meta["scores"]
    # Measured in the training run, on validation, beside the baselines; the issue asks 72.
    assert scores["val_macro_recall"] >= 0.72
    assert scores["val_macro_recall"] > scores["val_macro_recall_frozen"] > scores["val_macro_recall_fast"]
    assert scores["val_macro_recall_fast"] > scores["val_macro_recall_vader"]
    assert scores["val_macro_recall"] == pytest.approx(SHIPPED_VAL_MACRO_RECALL, abs=1e-4)
    assert meta["features"]["max_tokens"] == 128


def test_shipped_tail_is_the_one_the_head_was_trained_with() -> None:
    tail = ARTIFACTS / TAIL_FILE
    features = load_head().metadata["features"]
    assert features["tail_file"] == TAIL_FILE and features["base_output"] == CUT
    assert hashlib.sha256(tail.read_bytes()).hexdigest() == features["tail_sha256"]
    assert tail.stat().st_size < 8_000_000  # int8: the repository's artifacts stay under 30 MB together
    assert sum(f.stat().st_size for f in ARTIFACTS.iterdir()) < 30_000_000


def test_the_accurate_encoder_gives_unit_vectors_that_separate_polarity() -> None:
    vectors = encoder(cache_size=0).encode(
        embedding_texts(["I love this, thank you so much!", "this is awful, I hate it", "I love it, thanks!"])
    )
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Tuned for sentiment: the two happy posts sit closer together than either does to the angry one.
    assert vectors[0] @ vectors[2] > max(vectors[0] @ vectors[1], vectors[2] @ vectors[1]) + 0.1


def test_a_missing_tail_says_how_to_rebuild(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accurate_sentiment, "TAIL_FILE", "no_such_tail.onnx")
    with pytest.raises(ModelError, match=r"no_such_tail\.onnx, are missing; retrain.*accurate_sentiment\.py"):
        encoder()


@pytest.mark.skipif(not TRAIN_DATA.is_dir(), reason="../shared/datasets/tweeteval is absent")
def test_recorded_data_hashes_match_the_training_files() -> None:
    for name, digest in load_head().metadata["training_data"]["sha256"].items():
        assert hashlib.sha256((TRAIN_DATA.parent / name).read_bytes()).hexdigest() == digest, name


def test_head_was_stacked_on_the_installed_fast_model() -> None:
    # Fails when the fast model is retrained: retrain the head too (train/accurate_sentiment.py).
    assert load_head().metadata["fast_model"]["sha256"] == fast_model_sha256()


def test_head_was_trained_on_the_quantised_copy_this_machine_derives() -> None:
    # Fails when onnxruntime, onnx or the model wheel change the derived copy: retrain the head.
    from goodwill.embeddings import model_file

    derived = hashlib.sha256(model_file(quantized=True).read_bytes()).hexdigest()
    assert load_head().metadata["features"]["embedding_model_sha256"] == derived


def test_a_head_stacked_on_another_fast_model_is_refused() -> None:
    head = load_head()
    other = replace(head, metadata={**head.metadata, "fast_model": {"sha256": "0" * 64}})
    with pytest.raises(ModelError, match=r"different fast sentiment model.*train/accurate_sentiment\.py"):
        assemble(other)


def test_missing_or_malformed_head_says_how_to_rebuild(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"train/accurate_sentiment\.py"):
        read_head(tmp_path)
    (tmp_path / HEAD_METADATA_FILE).write_text(json.dumps({"classes": ["bad", "good"]}), encoding="utf-8")
    np.savez(tmp_path / HEAD_FILE, weights=np.zeros((387, 2)), bias=np.zeros(2))
    with pytest.raises(ModelError, match="not a"):
        read_head(tmp_path)


# --- judgements --------------------------------------------------------------------------------------

HAND_CHECKED = {
    "I love my new phone, best purchase I've made all year!": "positive",
    "Worst customer service ever. Three weeks and still no refund.": "negative",
    "The store on Main Street opens at 9am on Monday.": "neutral",
    "my flight got cancelled again and nobody at the desk can tell me anything": "negative",
    "Can't wait to see @user at the concert tomorrow night :)": "positive",
}


def test_hand_checked_posts_get_the_right_label(stage: AccurateSentimentStage) -> None:
    judged = stage.process(posts(*HAND_CHECKED), [{} for _ in HAND_CHECKED])
    assert [j["sentiment"]["label"] for j in judged] == list(HAND_CHECKED.values())


def test_output_has_the_fast_contract(stage: AccurateSentimentStage) -> None:
    batch = posts("great service, thanks!", "", None, "my bill doubled and nobody answers")
    accurate = stage.process(batch, [{} for _ in batch])
    fast = SentimentStage(StageContext()).process(batch, [{} for _ in batch])
    for a, f in zip(accurate, fast, strict=True):
        assert a.keys() == f.keys() == {"sentiment"}
        assert a["sentiment"].keys() == f["sentiment"].keys()
        s = a["sentiment"]
        p = s["probabilities"]
        assert -1.0 <= s["score"] <= 1.0
        assert s["score"] == pytest.approx(p["positive"] - p["negative"], abs=2e-4)
        assert sum(p.values()) == pytest.approx(1.0, abs=1e-3)
        assert s["label"] == max(p, key=p.__getitem__)
    # Empty and deleted posts are neutral, as in fast mode, without touching the model.
    assert accurate[1] == fast[1] and accurate[2] == fast[2]
    assert accurate[1]["sentiment"]["label"] == "neutral"


def test_texts_are_brought_to_the_training_shape() -> None:
    assert embedding_texts(["@AcmeBank thanks https://t.co/x  it\\u2019s fixed &amp; fast "]) == [
        "@user thanks it\u2019s fixed & fast"
    ]


@given(st.lists(st.text(max_size=200), max_size=5))
def test_embedding_texts_keeps_one_text_per_post_and_no_handles_or_urls(texts: list[str]) -> None:
    out = embedding_texts(texts)
    assert len(out) == len(texts)
    for text in out:
        assert text == text.strip()
        assert all(m == "@user" for m in re.findall(r"@\w+", text))
        assert not re.search(r"https?://\S", text)


# --- choosing the mode -------------------------------------------------------------------------------


def test_mode_picks_the_sentiment_stage() -> None:
    fast = default_pipeline(StageContext())
    accurate = default_pipeline(StageContext(mode="accurate"))
    assert isinstance(dict((s.name, s) for s in fast.stages)["sentiment"], SentimentStage)
    chosen = dict((s.name, s) for s in accurate.stages)["sentiment"]
    assert isinstance(chosen, AccurateSentimentStage)
    # Same stage names, a different sentiment version: switching mode re-judges stored posts.
    assert fast.versions.keys() == accurate.versions.keys()
    assert accurate.versions["sentiment"] == "accurate.6" != fast.versions["sentiment"]
    assert accurate.provides == fast.provides
    with pytest.raises(PipelineError, match="unknown mode 'slow'; use one of: fast, accurate"):
        default_pipeline(StageContext(mode="slow"))


def test_config_mode_is_validated_and_the_flag_wins(tmp_path: Path) -> None:
    path = tmp_path / "goodwill.toml"
    path.write_text('mode = "accurate"\n', encoding="utf-8")
    config = load_config(path)
    assert config.mode == "accurate"
    assert context_for(config).mode == "accurate"
    assert context_for(config, "fast").mode == "fast"
    assert context_for(WorkspaceConfig()).mode == "fast"
    path.write_text('mode = "slow"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"goodwill.toml:1: key 'mode'"):
        load_config(path)


# --- without the embeddings extra ---------------------------------------------------------------------


def test_accurate_mode_without_the_extra_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if the extra were not installed
    with pytest.raises(ModelError, match=HINT):
        default_pipeline(StageContext(mode="accurate"))
    assert default_pipeline(StageContext()).versions["sentiment"]  # fast mode does not need it


def test_cli_accurate_without_the_extra_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from goodwill.cli.main import invoke

    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    code = invoke(["enrich", "--mode", "accurate", "--brand", "Acme", "--quiet", "/dev/null"])
    err = capsys.readouterr().err
    assert code != 0
    assert re.search(HINT, err) and "Traceback" not in err


def test_cli_mode_accurate_judges_posts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from goodwill.cli.main import invoke

    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "1", "text": "@acme you are the best, thank you!"}) + "\n", encoding="utf-8"
    )
    assert invoke(["enrich", "--mode", "accurate", "--brand", "Acme", "--quiet", str(source)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["enrichment"]["sentiment"]["label"] == "positive"
    assert invoke(["enrich", "--mode", "slow", "--brand", "Acme", "--quiet", str(source)]) != 0
    assert "unknown mode 'slow'" in capsys.readouterr().err


def test_a_workspace_in_accurate_mode_counts_its_own_accurate_judgements() -> None:
    from goodwill.cli.workspace import Workspace

    def versions(mode: str) -> dict[str, str]:
        config = WorkspaceConfig.model_validate({"brands": [{"name": "Acme"}], "mode": mode})
        return Workspace(config=config, config_path=None, store_url="sqlite://").stage_versions()

    fast, accurate = versions("fast"), versions("accurate")
    assert accurate["sentiment"] == AccurateSentimentStage.version
    assert fast["sentiment"] == SentimentStage.version
    assert {k: v for k, v in accurate.items() if k != "sentiment"} == {
        k: v for k, v in fast.items() if k != "sentiment"
    }
