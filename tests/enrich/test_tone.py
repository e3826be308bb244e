"""The irony, emotion and offensive stages, irony tempering sentiment and receptivity, and thresholds."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from goodwill.config import BrandSpec, Thresholds, WorkspaceConfig
from goodwill.enrich.linear_head import HEADS, load_head, read_head
from goodwill.enrich.registry import default_pipeline
from goodwill.enrich.reliability import binary_reliability, reliability
from goodwill.enrich.sentiment import SentimentStage, temper
from goodwill.enrich.stage import StageContext
from goodwill.enrich.tone import EmotionStage, IronyStage, OffensiveStage, temper_emotion
from goodwill.errors import ModelError
from goodwill.models import Author, Post

SHARED = (
    Path(os.environ.get("GOODWILL_SHARED", Path(__file__).resolve().parents[2].parent / "shared"))
    / "datasets"
    / "tweeteval"
)


def posts_of(*texts: str | None) -> list[Post]:
    return [
        Post(network="x", native_id=str(i), text=t, author=Author(handle="someone"))
        for i, t in enumerate(texts)
    ]


def run(stage: object, *texts: str | None) -> list[dict[str, object]]:
    posts = posts_of(*texts)
    key = stage.provides[0]  # type: ignore[attr-defined]
    return [out[key] for out in stage.process(posts, [{} for _ in posts])]  # type: ignore[attr-defined]


def test_every_head_ships_with_scores_hashes_and_calibration() -> None:
    for name in HEADS:
        head = load_head(name)
        meta = head.metadata
        assert meta["task"] == name
        assert set(meta["training_data"]["sha256"]) == {f"{name}/train_text.txt", f"{name}/train_labels.txt"}
        assert meta["calibration"]["fitted_on"] == "validation"
        assert meta["calibration"]["temperature"] > 0
        cal = meta["reliability"]
        assert cal["calibrated_cross_fitted"]["ece"] < cal["uncalibrated"]["ece"] + 0.02
        assert (head.threshold is None) == (len(head.classes) > 2)


def test_shipped_validation_scores_against_the_fasttext_row() -> None:
    assert load_head("irony").metadata["scores"]["val_f1_positive"] >= 0.631
    assert load_head("emotion").metadata["scores"]["val_macro_f1"] >= 0.652
    assert load_head("offensive").metadata["scores"]["val_macro_f1"] >= 0.734


def test_artifacts_stay_small() -> None:
    folder = Path(__file__).resolve().parents[2] / "src" / "goodwill" / "enrich" / "artifacts"
    assert sum(f.stat().st_size for f in folder.iterdir()) < 30_000_000


@pytest.mark.parametrize(
    ("text", "ironic"),
    [
        ("great, another outage. just what I needed today #not", True),
        ("Love waking up at 5am to a cancelled train. Fantastic service as always", True),
        ("The new store opens on Monday at 9am.", False),
    ],
)
def test_irony_clear_cases(text: str, ironic: bool) -> None:
    assert run(IronyStage(), text)[0]["is_ironic"] is ironic


def test_emotion_and_offensive_clear_cases() -> None:
    emotions = run(
        EmotionStage(), "I am so furious with you, this is outrageous", "my dog died today, I miss him"
    )
    assert [e["label"] for e in emotions] == ["anger", "sadness"]
    scores = emotions[0]["scores"]
    assert isinstance(scores, dict) and sum(scores.values()) == pytest.approx(1.0, abs=1e-3)
    offensive = run(OffensiveStage(), "you are a fucking idiot", "thanks for the help today")
    assert [o["is_offensive"] for o in offensive] == [True, False]


def test_blank_posts_get_empty_judgements() -> None:
    assert run(IronyStage(), None, "  ") == [{"is_ironic": False, "score": 0.0}] * 2
    assert run(EmotionStage(), None)[0] == {
        "label": None, "scores": {"anger": 0.0, "joy": 0.0, "optimism": 0.0, "sadness": 0.0},
        "tempered_by_irony": False,
    }  # fmt: skip


def test_thresholds_come_from_the_config() -> None:
    text = "great, another outage. just what I needed today"
    score = run(IronyStage(), text)[0]["score"]
    assert isinstance(score, float)
    strict = IronyStage(
        StageContext(config=WorkspaceConfig(thresholds=Thresholds(irony=min(0.99, score + 0.01))))
    )
    lax = IronyStage(
        StageContext(config=WorkspaceConfig(thresholds=Thresholds(irony=max(0.01, score - 0.01))))
    )
    assert run(strict, text)[0]["is_ironic"] is False
    assert run(lax, text)[0]["is_ironic"] is True


def test_a_stage_pickles_without_its_weights() -> None:
    stage = IronyStage()
    before = run(stage, "oh great, the app crashed again")
    blob = pickle.dumps(stage)
    assert len(blob) < 10_000
    assert run(pickle.loads(blob), "oh great, the app crashed again") == before


def test_temper_moves_the_ironic_share_of_positive_to_negative() -> None:
    probs = np.array([[0.1, 0.2, 0.7], [0.3, 0.4, 0.3]])
    out = temper(probs, np.array([0.5, 0.0]))
    assert np.allclose(out, [[0.45, 0.2, 0.35], [0.3, 0.4, 0.3]])


def test_temper_emotion_moves_the_ironic_share_of_joy_and_optimism_to_anger() -> None:
    classes = ("anger", "joy", "optimism", "sadness")
    probs = np.array([[0.1, 0.6, 0.2, 0.1], [0.1, 0.6, 0.2, 0.1]])
    out = temper_emotion(probs, np.array([0.75, 0.0]), classes)
    assert np.allclose(out, [[0.7, 0.15, 0.05, 0.1], [0.1, 0.6, 0.2, 0.1]])


def test_irony_tempers_emotion_in_the_pipeline() -> None:
    text = "great, another outage. just what I needed today #not"
    post = posts_of(text)
    alone = EmotionStage().process(post, [{}])[0]["emotion"]
    assert alone["label"] == "joy" and alone["tempered_by_irony"] is False
    judged = default_pipeline(StageContext()).run(post)[0]
    assert judged["irony"]["is_ironic"] is True
    emotion = judged["emotion"]
    assert emotion["label"] == "anger" and emotion["tempered_by_irony"] is True
    irony = judged["irony"]["score"]
    moved = (alone["scores"]["joy"] + alone["scores"]["optimism"]) * irony
    assert emotion["scores"]["anger"] == pytest.approx(alone["scores"]["anger"] + moved, abs=2e-4)
    assert emotion["scores"]["sadness"] == alone["scores"]["sadness"]
    # A plain complaint is not ironic and keeps its emotion untouched.
    plain = default_pipeline(StageContext()).run(posts_of("my dog died today, I miss him"))[0]["emotion"]
    assert plain["label"] == "sadness" and plain["tempered_by_irony"] is False


def test_irony_tempers_sentiment_in_the_pipeline() -> None:
    text = "Love waking up at 5am to a cancelled train. Fantastic service as always"
    post = posts_of(text)
    plain = SentimentStage().process(post, [{}])[0]["sentiment"]
    pipeline = default_pipeline(StageContext())
    judged = pipeline.run(post)[0]
    assert judged["irony"]["is_ironic"] is True
    assert judged["sentiment"]["tempered_by_irony"] is True
    assert plain["tempered_by_irony"] is False
    assert judged["sentiment"]["probabilities"]["positive"] < plain["probabilities"]["positive"]
    assert judged["sentiment"]["label"] != "positive"


def _acme() -> StageContext:
    brand = BrandSpec(name="Acme Rail", aliases=["Acme"], handles={"x": ["acmerail"]})
    return StageContext(config=WorkspaceConfig(brands=[brand]))


def test_irony_is_counter_evidence_for_a_reply_but_not_for_an_addressed_complaint() -> None:
    pipeline = default_pipeline(_acme())
    ironic, addressed = pipeline.run(
        posts_of(
            "Love waking up at 5am to a cancelled Acme train. Fantastic, as always",
            "@acmerail love how my train was cancelled again, thanks for nothing. refund please",
        )
    )
    assert ironic["irony"]["is_ironic"] is True
    assert any(r.startswith("reads as ironic") for r in ironic["receptivity"]["counter_reasons"])
    assert addressed["complaint"]["is_complaint"] is True
    assert not any(r.startswith("reads as ironic") for r in addressed["receptivity"]["counter_reasons"])


def test_explain_cites_the_words_that_weigh_most() -> None:
    reasons = IronyStage().explain("oh great, another outage. just what I needed")
    assert reasons and all(isinstance(w, str) and isinstance(v, float) for w, v in reasons)
    assert abs(reasons[0][1]) >= abs(reasons[-1][1])
    words = [w for w, _ in load_head("offensive").explain("you are a fucking idiot", "offensive")]
    assert "fucking" in words or "idiot" in words


def test_missing_head_raises_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"train/heads\.py --task irony"):
        read_head(tmp_path, "irony")


def test_reliability_table() -> None:
    probs = np.array([[0.92, 0.08], [0.82, 0.18], [0.28, 0.72], [0.45, 0.55]])
    table = reliability(probs, np.array([0, 1, 1, 0]))
    assert table["n"] == 4
    assert [b["bin"] for b in table["bins"]] == ["0.5-0.6", "0.7-0.8", "0.8-0.9", "0.9-1.0"]
    # per bin |observed - confidence|: 0.55, 0.28, 0.82, 0.08 -> mean 0.4325
    assert table["ece"] == pytest.approx(0.4325, abs=1e-4)
    perfect = binary_reliability(np.array([0.0, 0.0, 1.0]), np.array([False, False, True]))
    assert perfect["ece"] == 0.0


@pytest.mark.skipif(not (SHARED / "irony" / "val_text.txt").is_file(), reason="../shared/datasets is absent")
def test_validation_irony_f1_through_the_stage() -> None:
    from sklearn.metrics import f1_score

    texts = (SHARED / "irony" / "val_text.txt").read_text(encoding="utf-8").rstrip("\n").split("\n")
    gold = [int(x) for x in (SHARED / "irony" / "val_labels.txt").read_text(encoding="utf-8").split()]
    from sklearn.metrics import precision_score

    task_cut = load_head("irony").threshold
    at_task_cut = IronyStage(StageContext(config=WorkspaceConfig(thresholds=Thresholds(irony=task_cut))))
    predicted = [int(bool(j["is_ironic"])) for j in run(at_task_cut, *texts)]
    assert f1_score(gold, predicted) >= 0.631
    # The stricter stream cut trades recall for precision.
    strict = [int(bool(j["is_ironic"])) for j in run(IronyStage(), *texts)]
    assert precision_score(gold, strict) > precision_score(gold, predicted)


def test_top_words_cites_only_words_that_point_towards_the_label() -> None:
    head = load_head("irony")
    words = head.top_words("oh great, another outage. just what I needed", "irony", top=3)
    assert 0 < len(words) <= 3
    full = dict(head.explain("oh great, another outage. just what I needed", "irony", top=50))
    assert all(full.get(w, 0.0) > 0 for w in words)
