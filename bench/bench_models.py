"""Every model judgement against a TF-IDF + logistic regression baseline (and VADER), in one run.

    python bench/bench_models.py [--data ../shared/datasets/tweeteval] [--json]

For each TweetEval task goodwill ships a model for (sentiment, irony, emotion,
offensive), goodwill is scored through its own stage on the validation split
with the task's official metric, next to a baseline fitted here, in this run,
on the same train split: word 1-2 gram TF-IDF (sublinear tf, min_df 2) into a
class-balanced logistic regression (C = 1). VADER (compound, +-0.05) is scored
where it applies, on sentiment. These are validation figures, not test scores:
goodwill's settings were chosen looking at validation (docs/models.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, recall_score

from goodwill.enrich.sentiment import CLASSES, SentimentStage
from goodwill.enrich.stage import StageContext
from goodwill.enrich.tone import EmotionStage, IronyStage, OffensiveStage
from goodwill.models import Post

REPO = Path(__file__).resolve().parent.parent
#: ../shared beside the repository (as in CI), or GOODWILL_SHARED where it lives elsewhere.
DEFAULT_DATA = Path(os.environ.get("GOODWILL_SHARED", REPO.parent / "shared")) / "datasets" / "tweeteval"
FASTTEXT_ROW = {"sentiment": 0.629, "irony": 0.631, "emotion": 0.652, "offensive": 0.734}
METRIC = {
    "sentiment": "macro-recall",
    "irony": "F1 (irony)",
    "emotion": "macro-F1",
    "offensive": "macro-F1",
}


def read_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")


def split(data: Path, task: str, name: str) -> tuple[list[str], np.ndarray[Any, Any]]:
    suffix = "_reconstructed" if task == "sentiment" and name == "train" else ""
    texts = read_lines(data / task / f"{name}_text{suffix}.txt")
    labels = np.array([int(x) for x in read_lines(data / task / f"{name}_labels{suffix}.txt")])
    return texts, labels


def metric(task: str, gold: np.ndarray[Any, Any], pred: np.ndarray[Any, Any]) -> float:
    if task == "sentiment":
        return float(recall_score(gold, pred, average="macro"))
    if task == "irony":
        return float(f1_score(gold, pred, pos_label=1))
    return float(f1_score(gold, pred, average="macro"))


def goodwill_predictions(task: str, texts: list[str]) -> np.ndarray[Any, Any]:
    posts = [Post(native_id=str(i), text=t) for i, t in enumerate(texts)]
    empty: list[dict[str, Any]] = [{} for _ in posts]
    if task == "sentiment":
        out = SentimentStage(StageContext()).process(posts, empty)
        return np.array([CLASSES.index(j["sentiment"]["label"]) for j in out])
    if task == "emotion":
        return emotion_predictions(texts, tempered=True)
    if task == "irony":
        # The task-optimal cut (the pipeline uses a stricter one on streams; see docs/models.md).
        irony = IronyStage(StageContext())
        probs = irony.head.probabilities(texts)[:, 1]
        return (probs >= (irony.head.threshold or 0.5)).astype(int)
    offensive = OffensiveStage(StageContext())
    return np.array([int(j["offensive"]["is_offensive"]) for j in offensive.process(posts, empty)])


def emotion_predictions(texts: list[str], *, tempered: bool) -> np.ndarray[Any, Any]:
    """Emotion labels as the pipeline gives them: after the irony stage (tempered) or alone."""
    posts = [Post(native_id=str(i), text=t) for i, t in enumerate(texts)]
    known: list[dict[str, Any]] = [{} for _ in posts]
    if tempered:
        known = [dict(j) for j in IronyStage(StageContext()).process(posts, known)]
    stage = EmotionStage(StageContext())
    out = stage.process(posts, known)
    return np.array([stage.head.classes.index(j["emotion"]["label"]) for j in out])


def irony_tempering(data: Path) -> dict[str, Any]:
    """Emotion with and without irony tempering: macro-F1 on emotion validation, and how often the
    gold-ironic tweets of irony validation read as joy or optimism (the error tempering targets)."""
    texts, gold = split(data, "emotion", "val")
    irony_texts, irony_gold = split(data, "irony", "val")
    ironic = [t for t, g in zip(irony_texts, irony_gold, strict=True) if g == 1]
    classes = EmotionStage(StageContext()).head.classes
    upbeat = [classes.index("joy"), classes.index("optimism")]
    row: dict[str, Any] = {"ironic_tweets": len(ironic)}
    for name, flag in (("untempered", False), ("tempered", True)):
        row[f"emotion_macro_f1_{name}"] = round(
            metric("emotion", gold, emotion_predictions(texts, tempered=flag)), 4
        )
        read_upbeat = np.isin(emotion_predictions(ironic, tempered=flag), upbeat).mean()
        row[f"ironic_read_as_joy_or_optimism_{name}"] = round(float(read_upbeat), 4)
    return row


def tfidf_predictions(
    train: list[str], labels: np.ndarray[Any, Any], texts: list[str]
) -> np.ndarray[Any, Any]:
    vectoriser = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    model = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced", random_state=0)
    model.fit(vectoriser.fit_transform(train), labels)
    return np.asarray(model.predict(vectoriser.transform(texts)))


def vader_predictions(texts: list[str]) -> np.ndarray[Any, Any]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    compound = np.array([analyzer.polarity_scores(t)["compound"] for t in texts])
    return np.where(compound >= 0.05, 2, np.where(compound <= -0.05, 0, 1))


def bench(data: Path) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for task in ("sentiment", "irony", "emotion", "offensive"):
        train_texts, train_labels = split(data, task, "train")
        val_texts, gold = split(data, task, "val")
        started = time.perf_counter()
        row: dict[str, Any] = {
            "metric": METRIC[task],
            "val_rows": len(gold),
            "goodwill": round(metric(task, gold, goodwill_predictions(task, val_texts)), 4),
            "tfidf_lr": round(metric(task, gold, tfidf_predictions(train_texts, train_labels, val_texts)), 4),
            "fasttext_row_tweeteval_paper_test": FASTTEXT_ROW[task],
        }
        if task == "sentiment":
            row["vader"] = round(metric(task, gold, vader_predictions(val_texts)), 4)
        row["seconds"] = round(time.perf_counter() - started, 1)
        rows[task] = row
    rows["emotion_irony_tempering"] = irony_tempering(data)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the tweeteval folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    if not (args.data / "irony" / "val_text.txt").is_file():
        sys.exit(f"no irony/val_text.txt under {args.data}; pass --data pointing at the tweeteval folder.")
    rows = bench(args.data)
    if args.json:
        print(json.dumps(rows))
        return
    print("TweetEval validation splits; baselines fitted on the same train split in this run")
    print(f"{'task':<10}{'metric':<14}{'goodwill':>9}{'TF-IDF+LR':>11}{'VADER':>8}{'paper FastText*':>17}")
    tempering = rows.pop("emotion_irony_tempering")
    for task, row in rows.items():
        vader = f"{row['vader']:.4f}" if "vader" in row else "-"
        print(
            f"{task:<10}{row['metric']:<14}{row['goodwill']:>9.4f}{row['tfidf_lr']:>11.4f}{vader:>8}"
            f"{row['fasttext_row_tweeteval_paper_test']:>17.3f}"
        )
    print(
        "* the TweetEval paper's FastText row, on the (unseen) test split: a target, not a same-run baseline"
    )
    print(
        "emotion tempered by irony (as in the pipeline, stream cut): macro-F1 "
        f"{tempering['emotion_macro_f1_untempered']:.4f} untempered -> "
        f"{tempering['emotion_macro_f1_tempered']:.4f}; gold-ironic irony-validation tweets read as "
        f"joy/optimism {tempering['ironic_read_as_joy_or_optimism_untempered']:.1%} -> "
        f"{tempering['ironic_read_as_joy_or_optimism_tempered']:.1%} (of {tempering['ironic_tweets']})"
    )


if __name__ == "__main__":
    main()
