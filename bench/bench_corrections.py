"""Learning from corrections: a brand head's gain on held-out corrections, against the shipped model.

    python bench/bench_corrections.py [--data ../shared/datasets] [--json] [--sweep]

No real desk corrections exist, so a brand's corrections are *simulated* with a
labelled set the shipped sentiment model never saw and whose labellers read
sentiment differently from TweetEval's: VADER's ICWSM-2014 tweets
(``vader_icwsm2014/tweets_GroundTruth.txt``; 4,200 tweets, each the mean of 20
raters on -4..+4, mapped to classes at rating/4 = +-0.05 as in the paper). Its
raters call few tweets neutral (297 of 4,200) where TweetEval's call many, the
kind of house view a care team's corrections carry, and it is the only labelled
sentiment set in ../shared outside TweetEval. It is the "team" of a simulated
brand; its labels play the corrections and confirmations the desk would store.

Split: stratified by class with a fixed seed, half the tweets are the brand's
corrections to learn from, half are held out and never seen in training. Heads
are trained on nested prefixes of the training half (50, 100, ... labels) with
``goodwill.enrich.brand_training.fit_head`` and judged through the real
``SentimentStage`` (brand heads applied by the stage, as in the pipeline). The
shipped model is scored on the same held-out half in the same run.
``--sweep`` chooses the head's L2 strength by 3-fold cross-validation on the
training half only (never the held-out half).

Intent and welcome heads are not benchmarked: ../shared has no labelled
intent or receptivity set from outside this project (see docs/models.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, recall_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from goodwill.config import WorkspaceConfig
from goodwill.enrich.brand_heads import base_logits_sentiment
from goodwill.enrich.brand_training import L2_WORDS, fit_head
from goodwill.enrich.sentiment import CLASSES, SentimentStage, shared_model
from goodwill.enrich.stage import StageContext
from goodwill.models import Post

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path(os.environ.get("GOODWILL_SHARED", REPO.parent / "shared")) / "datasets"
SEED = 20240601
BRAND = "Simulated Brand"
SIZES = (50, 100, 250, 500, 1000, 2100)


def load_icwsm(data: Path) -> tuple[list[str], np.ndarray[Any, Any]]:
    texts: list[str] = []
    labels: list[int] = []
    for line in (
        (data / "vader_icwsm2014" / "tweets_GroundTruth.txt").read_text(encoding="utf-8").splitlines()
    ):
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        rating = float(parts[1]) / 4
        texts.append(parts[2])
        labels.append(2 if rating >= 0.05 else 0 if rating <= -0.05 else 1)
    return texts, np.array(labels)


def stage_predictions(texts: list[str], heads_dir: Path | None) -> np.ndarray[Any, Any]:
    """The sentiment stage's labels for posts of the simulated brand (with or without its head)."""
    stage = SentimentStage(StageContext(config=WorkspaceConfig(), heads_dir=heads_dir))
    posts = [Post(native_id=str(i), text=t) for i, t in enumerate(texts)]
    known = [{"brands": [{"name": BRAND, "role": "brand"}]} for _ in posts]
    out = stage.process(posts, known)
    return np.array([CLASSES.index(j["sentiment"]["label"]) for j in out])


def scores(gold: np.ndarray[Any, Any], pred: np.ndarray[Any, Any]) -> dict[str, float]:
    return {
        "macro_recall": round(float(recall_score(gold, pred, average="macro")), 4),
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
    }


def train_head(texts: list[str], labels: np.ndarray[Any, Any], folder: Path, l2: float) -> None:
    base = base_logits_sentiment(shared_model().probabilities(texts))
    head = fit_head(BRAND, "sentiment", texts, [CLASSES[y] for y in labels], base, l2_words=l2)
    head.metadata["version"] = 1
    head.save(folder)


def sweep(texts: list[str], labels: np.ndarray[Any, Any]) -> dict[str, float]:
    """3-fold cross-validated macro-recall of heads on the training half, per L2 strength."""
    out: dict[str, float] = {}
    for l2 in (0.1, 0.3, 1.0, 3.0):
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED)
        preds = np.zeros(len(labels), dtype=np.int64)
        for fit_idx, held_idx in folds.split(np.zeros(len(labels)), labels):
            with tempfile.TemporaryDirectory() as tmp:
                train_head([texts[i] for i in fit_idx], labels[fit_idx], Path(tmp), l2)
                preds[held_idx] = stage_predictions([texts[i] for i in held_idx], Path(tmp))
        out[str(l2)] = scores(labels, preds)["macro_recall"]
    return out


def bench(data: Path, *, with_sweep: bool) -> dict[str, Any]:
    texts, labels = load_icwsm(data)
    idx = np.arange(len(texts))
    train_idx, held_idx = train_test_split(idx, test_size=0.5, stratify=labels, random_state=SEED)
    train_texts = [texts[i] for i in train_idx]
    held_texts = [texts[i] for i in held_idx]
    gold = labels[held_idx]
    result: dict[str, Any] = {
        "data": "vader_icwsm2014/tweets_GroundTruth.txt (rating/4, +-0.05)",
        "train_rows": len(train_idx),
        "held_out_rows": len(held_idx),
        "held_out_class_counts": {c: int((gold == k).sum()) for k, c in enumerate(CLASSES)},
        "shipped": scores(gold, stage_predictions(held_texts, None)),
        "l2_words": L2_WORDS,
        "heads": {},
    }
    for n in SIZES:
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            train_head(train_texts[:n], labels[train_idx[:n]], Path(tmp), L2_WORDS)
            row = scores(gold, stage_predictions(held_texts, Path(tmp)))
        row["seconds"] = round(time.perf_counter() - started, 1)
        result["heads"][str(n)] = row
    if with_sweep:
        result["l2_sweep_cv_macro_recall_on_train_half"] = sweep(train_texts[:1000], labels[train_idx[:1000]])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the datasets folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument(
        "--sweep", action="store_true", help="also cross-validate the L2 strength (train half)"
    )
    args = parser.parse_args()
    if not (args.data / "vader_icwsm2014" / "tweets_GroundTruth.txt").is_file():
        sys.exit(f"no vader_icwsm2014/tweets_GroundTruth.txt under {args.data}; pass --data.")
    result = bench(args.data, with_sweep=args.sweep)
    if args.json:
        print(json.dumps(result))
        return
    shipped = result["shipped"]
    print(
        f"Brand heads from simulated corrections (VADER ICWSM-2014 tweets); held-out half "
        f"{result['held_out_rows']:,} tweets {result['held_out_class_counts']}, shipped model in the same run"
    )
    print(f"{'corrections':>12}{'macro-recall':>14}{'vs shipped':>12}{'accuracy':>10}{'vs shipped':>12}")
    print(f"{'shipped':>12}{shipped['macro_recall']:>14.4f}{'':>12}{shipped['accuracy']:>10.4f}")
    for n, row in result["heads"].items():
        print(
            f"{n:>12}{row['macro_recall']:>14.4f}{row['macro_recall'] - shipped['macro_recall']:>+12.4f}"
            f"{row['accuracy']:>10.4f}{row['accuracy'] - shipped['accuracy']:>+12.4f}"
        )
    if "l2_sweep_cv_macro_recall_on_train_half" in result:
        print(
            "L2 sweep (3-fold CV macro-recall on 1,000 training corrections): "
            f"{result['l2_sweep_cv_macro_recall_on_train_half']}"
        )


if __name__ == "__main__":
    main()
