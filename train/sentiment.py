"""Train goodwill's sentiment model and write its artifacts (numpy weights + JSON metadata).

    python train/sentiment.py --data ../shared/datasets/tweeteval --out src/goodwill/enrich/artifacts/

Why this shape: the regularisation strength is chosen by stratified k-fold
cross-validation on the (reconstructed) TweetEval train split only; the
validation split is scored once, at the end, next to VADER in the same run, so
the number in docs/models.md is not tuned on. Seeds are fixed, so two runs on
the same files write the same weights.

Only plain arrays leave this script: the non-zero rows of the weight matrix
(float16) and the bias, so the shipped model is a few MB and loads without
pickle.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import recall_score
from sklearn.model_selection import StratifiedKFold

from goodwill.enrich.sentiment import (
    CLASSES,
    LEXICON_COLUMNS,
    METADATA_FILE,
    WEIGHTS_FILE,
    SentimentFeaturizer,
    read_artifacts,
)

SEED = 20240601
C_GRID = (0.3, 1.0, 3.0)
N_FEATURES = 2**20
TRAIN_FILES = ("sentiment/train_text_reconstructed.txt", "sentiment/train_labels_reconstructed.txt")


def read_lines(path: Path) -> list[str]:
    """One record per line; a trailing newline does not make an extra empty record."""
    text = path.read_text(encoding="utf-8")
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")


def read_split(root: Path, text_name: str, label_name: str) -> tuple[list[str], NDArray[np.int64]]:
    texts = read_lines(root / text_name)
    labels = np.array([int(x) for x in read_lines(root / label_name)], dtype=np.int64)
    if len(texts) != len(labels):
        sys.exit(
            f"{text_name} has {len(texts):,} lines but {label_name} has {len(labels):,}; check the files."
        )
    return texts, labels


def check_mapping(root: Path) -> None:
    """TweetEval's mapping.txt must say 0 negative, 1 neutral, 2 positive (our CLASSES order)."""
    rows = [line.split() for line in read_lines(root / "sentiment" / "mapping.txt") if line.strip()]
    mapping = {int(r[0]): r[1] for r in rows}
    if [mapping[i] for i in range(len(CLASSES))] != list(CLASSES):
        sys.exit(f"unexpected label mapping {mapping}; expected {dict(enumerate(CLASSES))}.")


def vader_labels(texts: list[str]) -> NDArray[np.int64]:
    """VADER's compound with the usual +-0.05 thresholds, as class indices."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    compound = np.array([analyzer.polarity_scores(t)["compound"] for t in texts])
    return np.where(compound >= 0.05, 2, np.where(compound <= -0.05, 0, 1)).astype(np.int64)


def macro_recall(gold: NDArray[np.int64], pred: NDArray[np.int64]) -> float:
    return float(recall_score(gold, pred, average="macro", labels=[0, 1, 2]))


def fit(features: Any, labels: NDArray[np.int64], c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=SEED)
    return model.fit(features, labels)


def cross_validate(features: Any, labels: NDArray[np.int64], folds: int) -> dict[float, float]:
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    scores: dict[float, float] = {}
    for c in C_GRID:
        fold_scores = []
        for train_idx, test_idx in splitter.split(np.zeros(len(labels)), labels):
            model = fit(features[train_idx], labels[train_idx], c)
            fold_scores.append(macro_recall(labels[test_idx], model.predict(features[test_idx])))
        scores[c] = float(np.mean(fold_scores))
        print(f"  C={c:<5} cv macro-recall {scores[c]:.4f}", flush=True)
    return scores


def vader_gold(path: Path) -> tuple[list[str], NDArray[np.int64]]:
    """VADER's ICWSM 2014 tweets: mean rating / 4 mapped to 3 classes with +-0.05."""
    texts: list[str] = []
    gold: list[int] = []
    for line in read_lines(path):
        parts = line.split("\t", 2)
        if len(parts) == 3:
            score = float(parts[1]) / 4.0
            gold.append(2 if score >= 0.05 else 0 if score <= -0.05 else 1)
            texts.append(parts[2])
    return texts, np.array(gold, dtype=np.int64)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="the tweeteval folder (holds sentiment/)")
    parser.add_argument("--out", type=Path, required=True, help="where to write the artifacts")
    parser.add_argument("--folds", type=int, default=3, help="cross-validation folds for choosing C")
    parser.add_argument("--c", type=float, default=None, help="skip cross-validation and use this C")
    parser.add_argument(
        "--vader-gold",
        type=Path,
        default=None,
        help="VADER's tweets_GroundTruth.txt for an out-of-domain check (default: beside --data)",
    )
    args = parser.parse_args()
    root: Path = args.data
    if not (root / TRAIN_FILES[0]).is_file():
        sys.exit(f"no {TRAIN_FILES[0]} under {root}; pass --data pointing at the tweeteval folder.")
    check_mapping(root)
    train_texts, train_labels = read_split(root, *TRAIN_FILES)
    val_texts, val_labels = read_split(root, "sentiment/val_text.txt", "sentiment/val_labels.txt")
    featurizer = SentimentFeaturizer(n_features=N_FEATURES)
    started = time.perf_counter()
    features = featurizer.transform(train_texts)
    print(
        f"featurised {len(train_texts):,} training tweets in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    cv_scores: dict[float, float] = {}
    if args.c is None:
        print(f"choosing C by {args.folds}-fold cross-validation on train:", flush=True)
        cv_scores = cross_validate(features, train_labels, args.folds)
        best_c = max(cv_scores, key=lambda c: cv_scores[c])
    else:
        best_c = args.c
    model = fit(features, train_labels, best_c)
    class_order = [int(c) for c in model.classes_]
    if class_order != [0, 1, 2]:
        sys.exit(f"the model learnt classes {class_order}, expected [0, 1, 2].")

    weights = model.coef_.T.astype(np.float32)  # (width, 3)
    used = np.flatnonzero(np.abs(weights).max(axis=1) > 0)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out / WEIGHTS_FILE,
        columns=used.astype(np.int32),
        values=weights[used].astype(np.float16),
        bias=model.intercept_.astype(np.float32),
    )

    val_pred = model.predict(featurizer.transform(val_texts))
    scores: dict[str, Any] = {
        "cv_macro_recall_by_C": {str(c): round(s, 4) for c, s in cv_scores.items()},
        "chosen_C": best_c,
        "val_macro_recall_sklearn": round(macro_recall(val_labels, val_pred), 4),
        "val_macro_recall_vader": round(macro_recall(val_labels, vader_labels(val_texts)), 4),
    }
    gold_path = args.vader_gold or root.parent / "vader_icwsm2014" / "tweets_GroundTruth.txt"
    metadata: dict[str, Any] = {
        "model": "multinomial logistic regression over hashed word 1-2 grams + VADER lexicon sums",
        "classes": list(CLASSES),
        "score": "P(positive) - P(negative)",
        "hashing": {
            "n_features": N_FEATURES,
            "hash": "zlib.crc32 of UTF-8 tokens; negation and bigram keys mixed in numpy",
            "dense_columns": list(LEXICON_COLUMNS),
        },
        "training_data": {
            "name": "TweetEval sentiment, reconstructed train split (SemEval-2017 Task 4A sources)",
            "path": "datasets/tweeteval/sentiment (../shared)",
            "licence": (
                "TweetEval: released without restrictions; Twitter terms and SemEval-2017 Task 4 apply"
            ),
            "rows": len(train_texts),
            "sha256": {name: sha256(root / name) for name in TRAIN_FILES},
        },
        "training": {"seed": SEED, "class_weight": "balanced", "folds": args.folds, "sklearn_C": best_c},
        "scores": scores,
        "created": dt.date.today().isoformat(),
    }
    (args.out / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")

    shipped = read_artifacts(args.out)  # score the shipped float16 model through the stage's own code
    val_probs = shipped.probabilities(val_texts)
    scores["val_macro_recall"] = round(macro_recall(val_labels, val_probs.argmax(axis=1)), 4)
    if gold_path.is_file():
        gold_texts, gold = vader_gold(gold_path)
        scores["vader_icwsm2014_macro_recall"] = round(
            macro_recall(gold, shipped.probabilities(gold_texts).argmax(axis=1)), 4
        )
        scores["vader_icwsm2014_macro_recall_vader"] = round(macro_recall(gold, vader_labels(gold_texts)), 4)
    (args.out / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(scores, indent=2))
    print(
        f"wrote {args.out / WEIGHTS_FILE} ({(args.out / WEIGHTS_FILE).stat().st_size:,} bytes, "
        f"{len(used):,} non-zero rows) and {args.out / METADATA_FILE}"
    )


if __name__ == "__main__":
    main()
