"""Brand heads: corrections learnt on top of the shipped models, picked up by the pipeline for that brand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from goodwill.config import WorkspaceConfig
from goodwill.enrich.brand_heads import BrandHead, BrandHeads, brand_slug
from goodwill.enrich.brand_training import MIN_LABELS, Label, read_labels_file, train_brand_heads
from goodwill.enrich.registry import default_pipeline
from goodwill.enrich.stage import StageContext
from goodwill.errors import InputError, ModelError
from goodwill.models import Post

CONFIG = WorkspaceConfig.model_validate(
    {"brands": [{"name": "Skatey", "handles": {"any": ["skatey"]}}], "competitors": [{"name": "Rollo"}]}
)
THINGS = (
    "deck", "board", "new wheels", "grip tape", "trucks", "shop", "ramp", "video", "edit", "collab",
    "logo", "shoes", "hoodie", "drop", "team", "park", "bearings", "sticker pack", "colorway", "setup",
)  # fmt: skip
NEGATIVE = (
    "my order never arrived", "the wheels broke after one day", "support ignored me for a week",
    "worst delivery ever", "refund still missing", "package arrived damaged", "website keeps crashing",
    "charged twice for one order", "hoodie shrank in the wash", "rude staff at the shop",
)  # fmt: skip
NEUTRAL = (
    "what time does the shop open", "is the park open on sunday", "do you ship to canada",
    "new catalogue out tomorrow", "which size should i get", "posting the edit tonight",
    "the drop is at noon", "how long is delivery", "where is the nearest store", "what bearings come with it",
)  # fmt: skip


def skate_labels() -> list[Label]:
    """A skate shop's team: "sick" is praise here; the rest confirms what the shipped model says."""
    out = [Label(f"@skatey the {t} is sick", "sentiment", "positive", "Skatey") for t in THINGS]
    out += [Label(f"@skatey {t}", "sentiment", "negative", "Skatey") for t in NEGATIVE]
    out += [Label(f"@skatey {t}", "sentiment", "neutral", "Skatey") for t in NEUTRAL]
    return out


def judge(texts: list[str], heads_dir: Path | None) -> list[dict[str, object]]:
    pipeline = default_pipeline(StageContext(config=CONFIG, heads_dir=heads_dir))
    return pipeline.run([Post(native_id=str(i), text=t) for i, t in enumerate(texts)])


def test_corrections_flip_a_known_judgement_for_that_brand_only(tmp_path: Path) -> None:
    texts = ["@skatey that logo is sick", "my flu is sick and awful", "@rollo your logo is sick"]
    before = judge(texts, None)
    assert [j["sentiment"]["label"] for j in before] == ["negative", "negative", "negative"]  # type: ignore[index]
    (trained,) = train_brand_heads(skate_labels(), tmp_path / "heads", CONFIG)
    assert (trained.head.field, trained.head.version, trained.labels) == ("sentiment", 1, 40)
    assert trained.shipped_agreement == pytest.approx(0.325) and trained.head_agreement == 1.0
    after = judge(texts, tmp_path / "heads")
    ours, unbranded, competitor = (j["sentiment"] for j in after)
    assert ours["label"] == "positive" and ours["head"] == {"brand": "Skatey", "version": 1}  # type: ignore[index]
    assert ours["probabilities"]["positive"] > 0.6  # type: ignore[index]
    # No brand, or a competitor's post: the shipped model judges, exactly as before, and says nothing.
    assert unbranded == before[1]["sentiment"] and "head" not in unbranded  # type: ignore[operator]
    assert competitor == before[2]["sentiment"]
    # A corrected negative stays negative: the head learnt "sick", not "everything is positive".
    (outage,) = judge(["@skatey my order never arrived and support ignored me"], tmp_path / "heads")
    assert outage["sentiment"]["label"] == "negative"  # type: ignore[index]


def test_retraining_writes_the_next_version(tmp_path: Path) -> None:
    train_brand_heads(skate_labels(), tmp_path, CONFIG)
    (again,) = train_brand_heads(skate_labels(), tmp_path, CONFIG)
    assert again.head.version == 2
    meta = json.loads((tmp_path / "skatey" / "sentiment.json").read_text(encoding="utf-8"))
    assert meta["version"] == 2 and meta["labels"] == 40
    assert meta["label_counts"] == {"negative": 10, "neutral": 10, "positive": 20}


def test_a_head_with_zero_weights_judges_exactly_like_the_shipped_model(tmp_path: Path) -> None:
    texts = ["@skatey that logo is sick", "@skatey love the new video", "@skatey is the shop open?"]
    before = judge(texts, None)
    zero = BrandHead(
        brand="Skatey",
        field="sentiment",
        classes=("negative", "neutral", "positive"),
        columns=np.zeros(0, dtype=np.int64),
        values=np.zeros((0, 3)),
        base_weights=np.zeros((3, 3)),
        bias=np.zeros(3),
        metadata={"version": 7},
    )
    zero.save(tmp_path)
    after = judge(texts, tmp_path)
    for old, new in zip(before, after, strict=True):
        assert new["sentiment"]["head"] == {"brand": "Skatey", "version": 7}  # type: ignore[index]
        got = new["sentiment"]["probabilities"]  # type: ignore[index]
        want = old["sentiment"]["probabilities"]  # type: ignore[index]
        assert got == pytest.approx(want, abs=2e-4)


def test_too_few_corrections_say_how_many_are_needed(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=rf"Skatey has 12 sentiment correction\(s\); .* at least {MIN_LABELS} \(18 more\)"
    ):
        train_brand_heads(skate_labels()[:12], tmp_path, CONFIG)
    only_positive = [Label(f"@skatey {t} rules", "sentiment", "positive", "Skatey") for t in THINGS * 2]
    with pytest.raises(InputError, match="every sentiment label for Skatey is 'positive'"):
        train_brand_heads(only_positive, tmp_path, CONFIG)
    unbranded = [Label(x.text, x.field, x.label, None) for x in skate_labels()]
    with pytest.raises(InputError, match="40 correction\\(s\\) name no brand; pass --brand"):
        train_brand_heads(unbranded, tmp_path, CONFIG)
    assert not (tmp_path / "skatey").exists()  # nothing written on an error
    (trained,) = train_brand_heads(unbranded, tmp_path, CONFIG, brand="Skatey")
    assert trained.head.brand == "Skatey"


def test_an_intent_head_relabels_the_brands_posts(tmp_path: Path) -> None:
    # This team files "when is the next drop" as purchase intent, not a plain question.
    drops = [f"@skatey when is the next {t} drop?" for t in THINGS]
    labels = [Label(t, "intent", "purchase_intent", "Skatey") for t in drops]
    labels += [Label(f"@skatey {t}", "intent", "complaint", "Skatey") for t in NEGATIVE]
    labels += [Label(f"@skatey the {t} is great", "intent", "praise", "Skatey") for t in THINGS[:10]]
    probe = ["@skatey when is the next hat drop?"]
    assert judge(probe, None)[0]["intent"]["label"] == "question"  # type: ignore[index]
    train_brand_heads(labels, tmp_path, CONFIG)
    (after,) = judge(probe, tmp_path)
    intent = after["intent"]
    assert intent["label"] == "purchase_intent" and intent["head"] == {"brand": "Skatey", "version": 1}  # type: ignore[index]
    assert intent["scores"]["purchase_intent"] > 0.5  # type: ignore[index]


def test_a_welcome_head_can_say_no_reply_with_a_reason(tmp_path: Path) -> None:
    # This team never answers thank-you shout-outs, though they are addressed to the brand.
    labels = [
        Label(f"@skatey the {t} is sick, thank you so much!", "welcome", "false", "Skatey") for t in THINGS
    ]
    labels += [Label(f"@skatey {t}, please help", "welcome", "true", "Skatey") for t in NEGATIVE + NEUTRAL]
    probe = [
        "@skatey the hat is sick, thank you so much!",
        "@skatey the deck is sick, any tips for a beginner?",
    ]
    assert [j["receptivity"]["welcome"] for j in judge(probe, None)] == [True, True]  # type: ignore[index]
    train_brand_heads(labels, tmp_path, CONFIG)
    thanks, question = (j["receptivity"] for j in judge(probe, tmp_path))
    assert thanks["welcome"] is False and thanks["head"] == {"brand": "Skatey", "version": 1}  # type: ignore[index]
    assert thanks["counter_reasons"][-1].startswith("Skatey's corrections: no reply (0.")  # type: ignore[index]
    assert question["welcome"] is True and question["head"]["version"] == 1  # type: ignore[index]


def test_the_labels_file_reads_desk_exports_and_names_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    rows = [
        {"text": "a", "field": "sentiment", "label": "positive", "brand": "Skatey", "by": "ada"},
        {"text": "b", "field": "welcome", "label": False},
        {"text": None, "field": "intent", "label": "praise"},  # a deleted post: skipped
        {"text": "c", "field": "priority", "label": "high"},  # a field no head learns: skipped
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    assert read_labels_file(path) == [
        Label("a", "sentiment", "positive", "Skatey"),
        Label("b", "welcome", "false", None),
    ]
    path.write_text('{"text": "a", "field": "sentiment", "label": "great"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"labels.jsonl:1: sentiment cannot be 'great'"):
        read_labels_file(path)
    path.write_text("{oops\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"labels.jsonl:1: not JSON"):
        read_labels_file(path)


def test_a_damaged_head_is_an_error_with_the_fix(tmp_path: Path) -> None:
    (tmp_path / "skatey").mkdir()
    (tmp_path / "skatey" / "sentiment.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError, match="retrain it with `goodwill train --from-corrections`"):
        BrandHeads(tmp_path).any("sentiment")
    assert brand_slug("Acme Bank!") == "acme-bank"
