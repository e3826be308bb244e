"""The sentiment stage: hand-checked judgements, output shape, pickling, and the shipped model's score."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.enrich.sentiment import (
    CLASSES,
    SentimentFeaturizer,
    SentimentStage,
    explain,
    normalise_batch,
    read_artifacts,
    tokenise,
)
from goodwill.enrich.stage import Stage, StageContext
from goodwill.errors import ModelError
from goodwill.models import Post

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "tweeteval" / "sentiment"


@pytest.fixture(scope="module")
def stage() -> SentimentStage:
    return SentimentStage(StageContext())


def judge(stage: SentimentStage, *texts: str | None) -> list[dict[str, object]]:
    posts = [Post(native_id=str(i), text=t) for i, t in enumerate(texts)]
    return [out["sentiment"] for out in stage.process(posts, [{} for _ in posts])]


def test_is_a_stage_with_the_contract_attributes(stage: SentimentStage) -> None:
    assert isinstance(stage, Stage)
    assert (stage.name, stage.requires, stage.provides) == ("sentiment", (), ("sentiment",))


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("worst. service. ever.", "negative"),
        ("I hate waiting two hours on hold, absolutely useless", "negative"),
        ("😍😍", "positive"),
        ("thank you so much, you guys are amazing!", "positive"),
        ("loooove my new phone sooo much", "positive"),
        ("The store opens at 9am on Monday.", "neutral"),
    ],
)
def test_clear_cases(stage: SentimentStage, text: str, label: str) -> None:
    assert judge(stage, text)[0]["label"] == label


def test_idiom_with_a_violent_word_is_not_strongly_negative(stage: SentimentStage) -> None:
    judged = judge(stage, "I could kill for a coffee right now")[0]
    assert judged["score"] > -0.5  # type: ignore[operator]


def test_negated_negative_is_not_negative(stage: SentimentStage) -> None:
    assert judge(stage, "not bad at all")[0]["label"] in {"neutral", "positive"}


def test_negation_flips_the_score(stage: SentimentStage) -> None:
    happy, unhappy = judge(stage, "I am happy with the service", "I am not happy with the service")
    assert unhappy["score"] < happy["score"]  # type: ignore[operator]
    assert unhappy["label"] == "negative"


def test_elongation_reads_like_the_plain_word(stage: SentimentStage) -> None:
    plain, long = judge(stage, "this is so good", "this is sooooo goooooood")
    assert plain["label"] == long["label"] == "positive"


def test_output_shape_and_ranges(stage: SentimentStage) -> None:
    for judged in judge(stage, "great", "awful", "meh", "", "😡😡 @bank http://x.co/1"):
        assert set(judged) == {"label", "score", "probabilities", "tempered_by_irony"}
        assert judged["tempered_by_irony"] is False  # no irony stage ran
        assert judged["label"] in CLASSES
        probs = judged["probabilities"]
        assert isinstance(probs, dict) and list(probs) == list(CLASSES)
        assert sum(probs.values()) == pytest.approx(1.0, abs=1e-3)
        assert -1.0 <= judged["score"] <= 1.0  # type: ignore[operator]
        assert judged["score"] == pytest.approx(probs["positive"] - probs["negative"], abs=1e-3)


def test_tombstone_and_blank_posts_are_neutral(stage: SentimentStage) -> None:
    for judged in judge(stage, None, "   "):
        assert judged == {
            "label": "neutral",
            "score": 0.0,
            "probabilities": {"negative": 0.0, "neutral": 1.0, "positive": 0.0},
            "tempered_by_irony": False,
        }


def test_batch_order_does_not_change_a_judgement(stage: SentimentStage) -> None:
    texts = ["awful queue", "love it", None, "the bus is late again"]
    forward = judge(stage, *texts)
    backward = judge(stage, *reversed(texts))
    assert forward == list(reversed(backward))


def test_empty_batch(stage: SentimentStage) -> None:
    assert stage.process([], []) == []


def test_pickle_round_trip_gives_the_same_judgements(stage: SentimentStage) -> None:
    before = judge(stage, "great stuff", "terrible")
    blob = pickle.dumps(stage)
    assert len(blob) < 10_000  # the weights are not shipped with the stage
    again = pickle.loads(blob)
    assert judge(again, "great stuff", "terrible") == before


def test_explain_names_the_words_that_matter() -> None:
    reasons = explain("the worst service, I hate it")
    words = [w for w, _ in reasons]
    assert "worst" in words or "hate" in words
    assert all(weight < 0 for word, weight in reasons if word in {"worst", "hate"})


def test_normalisation() -> None:
    assert tokenise("@Bank sooo goood http://t.co/x &amp; I\\u2019m 😍") == [
        "@user", "soo", "xxelong", "good", "xxelong", "http", "i'm", "😍",
    ]  # fmt: skip
    assert normalise_batch(["a\x1eb", "c"]).split("\x1e") == ["a b", "c"]
    assert normalise_batch(["x &#30; y", "z"]).split("\x1e") == ["x  y", "z"]  # a control char entity


def test_missing_artifacts_raise_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"train/sentiment\.py"):
        read_artifacts(tmp_path)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=6))
def test_any_text_gives_one_valid_row_per_post(texts: list[str]) -> None:
    features = SentimentFeaturizer(n_features=2**10).transform(texts)
    assert features.shape[0] == len(texts)
    assert np.isfinite(features.data).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=5))
def test_a_post_is_featurised_the_same_alone_or_in_a_batch(texts: list[str]) -> None:
    featurizer = SentimentFeaturizer(n_features=2**10)
    together = featurizer.transform(texts).toarray()
    alone = np.vstack([featurizer.transform([t]).toarray() for t in texts])
    assert np.allclose(together, alone)


@pytest.mark.skipif(not (SHARED / "val_text.txt").is_file(), reason="../shared/datasets/tweeteval is absent")
def test_validation_macro_recall_beats_the_target(stage: SentimentStage) -> None:
    from sklearn.metrics import recall_score

    texts = (SHARED / "val_text.txt").read_text(encoding="utf-8").rstrip("\n").split("\n")
    gold = [int(x) for x in (SHARED / "val_labels.txt").read_text(encoding="utf-8").split()]
    predicted = [CLASSES.index(str(j["label"])) for j in judge(stage, *texts)]
    assert recall_score(gold, predicted, average="macro") >= 0.65
