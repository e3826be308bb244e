"""Train goodwill's irony, emotion and offensive heads and write their artifacts.

    python train/heads.py --data ../shared/datasets/tweeteval --out src/goodwill/enrich/artifacts/

Each head is a logistic regression over the sentiment featurizer's features
(hashed word 1-2 grams + VADER lexicon sums), optionally with the shipped
sentiment model's log-probabilities stacked on as three more columns. What is
decided where, so the validation figures stay honest:

* the regularisation strength C and stacking are fixed per task in ``TASKS``
  (chosen in an exploration that looked at validation; docs/models.md says so);
* the decision threshold of a two-class head is chosen on out-of-fold
  predictions on *train* (k-fold), never on validation;
* the calibration map (temperature for several classes, Platt for two) is
  fitted on validation, and the reliability table is reported both in-sample
  and two-fold cross-fitted on validation.

Seeds are fixed and the data is read in file order, so two runs on the same
files write byte-identical weights; ``--check`` retrains in memory and compares
the scores with the shipped metadata instead of writing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from goodwill.enrich.linear_head import STACKED_COLUMNS, metadata_file, read_head, weights_file
from goodwill.enrich.reliability import reliability
from goodwill.enrich.sentiment import (
    CALIBRATION_FILE,
    LEXICON_COLUMNS,
    SentimentFeaturizer,
    SentimentModel,
    load_model,
    read_artifacts,
)

SEED = 20240601
N_FEATURES = 2**20


@dataclass(frozen=True)
class Task:
    """How one TweetEval task is trained and scored."""

    classes: tuple[str, ...]
    metric: str  # "f1_positive" (F1 of the last class) or "macro_f1"
    c: float
    stacked: bool
    class_weight: str | None
    #: The cut the enrichment pipeline uses, when it must differ from the task-optimal one: irony
    #: is ~40 % of TweetEval irony but rare in a brand's stream, so the stream cut is stricter.
    pipeline_threshold: float | None = None
    #: NB-LR (Wang & Manning 2012): scale each hashed column by its naive-Bayes log-count ratio
    #: (smoothing ``nb_alpha``) before fitting, then fold the scale into the weights. Only the
    #: regularisation changes (rare but one-sided words cost less to use), not the features, so
    #: the shipped head still reads the shared features unchanged.
    nb_alpha: float | None = None
    #: Folds for the out-of-fold threshold when it must differ from ``--folds``: with NB-LR the
    #: fold models see less of the data that sets the scale, so more folds track the full model.
    threshold_folds: int | None = None


TASKS: dict[str, Task] = {
    "irony": Task(
        ("non_irony", "irony"), "f1_positive", c=1.0, stacked=True, class_weight=None, pipeline_threshold=0.7
    ),
    "emotion": Task(
        ("anger", "joy", "optimism", "sadness"), "macro_f1", c=10.0, stacked=True, class_weight="balanced"
    ),
    "offensive": Task(
        ("not_offensive", "offensive"),
        "macro_f1",
        c=3.0,
        stacked=False,
        class_weight=None,
        nb_alpha=1.0,
        threshold_folds=5,
    ),
}


def read_lines(path: Path) -> list[str]:
    """One record per line; a trailing newline does not make an extra empty record."""
    text = path.read_text(encoding="utf-8")
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")


def read_split(folder: Path, split: str) -> tuple[list[str], NDArray[np.int64]]:
    texts = read_lines(folder / f"{split}_text.txt")
    labels = np.array([int(x) for x in read_lines(folder / f"{split}_labels.txt")], dtype=np.int64)
    if len(texts) != len(labels):
        sys.exit(f"{folder}/{split}_text.txt has {len(texts):,} lines but its labels file {len(labels):,}.")
    return texts, labels


def score(task: Task, gold: NDArray[np.int64], pred: NDArray[np.int64]) -> float:
    labels = list(range(len(task.classes)))
    if task.metric == "f1_positive":
        return float(f1_score(gold, pred, pos_label=len(task.classes) - 1, average="binary"))
    return float(f1_score(gold, pred, average="macro", labels=labels))


def featurise(
    texts: list[str], featurizer: SentimentFeaturizer, sentiment: SentimentModel | None
) -> csr_matrix:
    matrix = featurizer.transform(texts)
    if sentiment is None:
        return matrix
    logp = np.log(np.maximum(sentiment.probabilities(texts, calibrated=False), 1e-9))
    return csr_matrix(hstack([matrix, csr_matrix(logp)], format="csr"))


@dataclass(frozen=True)
class Fitted:
    """A fitted model over the compacted columns, with the map back to the full feature width."""

    model: LogisticRegression
    used: NDArray[np.int64]  # full-width column index of each compacted column
    width: int
    scale: NDArray[np.float64] | None = None  # per compacted column (NB-LR), folded into ``coef``

    def predict_proba(self, features: Any) -> NDArray[np.float64]:
        compact = features[:, self.used]
        if self.scale is not None:
            compact = csr_matrix(compact.multiply(self.scale[None, :]))
        return np.asarray(self.model.predict_proba(compact))

    @property
    def coef(self) -> NDArray[np.float32]:
        """(width, 1) for two classes, else (width, k): zero for columns never seen in training."""
        out = np.zeros((self.width, self.model.coef_.shape[0]), dtype=np.float32)
        weights = self.model.coef_.T
        if self.scale is not None:
            weights = weights * self.scale[:, None]
        out[self.used] = weights
        return out


def nb_ratio(
    features: Any, labels: NDArray[np.int64], alpha: float, hashed: int, width: int
) -> NDArray[np.float64]:
    """|Naive-Bayes log-count ratio| per compacted column (presence counts, smoothed by ``alpha``
    over all ``width`` columns, seen or not); the dense columns after ``hashed`` keep scale 1."""
    present = (features > 0).astype(np.float64)
    pos = alpha + np.asarray(present[labels == 1].sum(axis=0)).ravel()
    neg = alpha + np.asarray(present[labels == 0].sum(axis=0)).ravel()
    unseen = alpha * (width - features.shape[1])
    ratio: NDArray[np.float64] = np.abs(np.log((pos / (pos.sum() + unseen)) / (neg / (neg.sum() + unseen))))
    ratio[hashed:] = 1.0
    return ratio


def fit(task: Task, features: Any, labels: NDArray[np.int64]) -> Fitted:
    """Fit on the columns that occur in ``features`` only: the same optimum (an unseen column's
    weight is 0 under L2), found 10-20x faster than over all 2^20 hashed columns."""
    used = np.unique(features.indices).astype(np.int64)
    compact = features[:, used]
    scale = None
    if task.nb_alpha is not None:
        hashed = int(np.searchsorted(used, N_FEATURES))  # compacted columns before the dense block
        scale = nb_ratio(compact, labels, task.nb_alpha, hashed, features.shape[1])
        compact = csr_matrix(compact.multiply(scale[None, :]))
    model = LogisticRegression(C=task.c, max_iter=3000, class_weight=task.class_weight, random_state=SEED)
    model.fit(compact, labels)
    return Fitted(model=model, used=used, width=features.shape[1], scale=scale)


def decide(task: Task, probs: NDArray[np.float64], threshold: float | None) -> NDArray[np.int64]:
    if threshold is None:
        return probs.argmax(axis=1).astype(np.int64)
    return (probs[:, -1] >= threshold).astype(np.int64)


def out_of_fold_threshold(task: Task, features: Any, labels: NDArray[np.int64], folds: int) -> float:
    """The positive-class probability threshold that maximises the task's metric out of fold on train."""
    oof = np.zeros(len(labels))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    for train_idx, held_idx in splitter.split(np.zeros(len(labels)), labels):
        oof[held_idx] = fit(task, features[train_idx], labels[train_idx]).predict_proba(features[held_idx])[
            :, 1
        ]
    grid = np.round(np.arange(0.20, 0.801, 0.01), 2)
    scores = [score(task, labels, (oof >= t).astype(np.int64)) for t in grid]
    return float(grid[int(np.argmax(scores))])


def fit_calibration(logits: NDArray[np.float64], labels: NDArray[np.int64]) -> tuple[float, list[float]]:
    """Temperature (several classes) or Platt (two classes: temperature + offset) by minimising NLL."""
    k = logits.shape[1]

    def nll(params: NDArray[np.float64]) -> float:
        t = float(np.exp(params[0]))
        off = np.zeros(k)
        if k == 2:
            off[1] = params[1]
        z = logits / t + off
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(labels)), labels].mean())

    start = np.zeros(2 if k == 2 else 1)
    best = minimize(nll, start, method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-9, "maxiter": 2000})
    temperature = float(np.exp(best.x[0]))
    offset = [0.0] * k
    if k == 2:
        offset[1] = float(best.x[1])
    return round(temperature, 6), [round(o, 6) for o in offset]


def apply_calibration(
    logits: NDArray[np.float64], temperature: float, offset: list[float]
) -> NDArray[np.float64]:
    z = logits / temperature + np.asarray(offset)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def cross_fitted_reliability(logits: NDArray[np.float64], labels: NDArray[np.int64]) -> dict[str, Any]:
    """Calibrate on one half of validation, measure on the other, both ways: an honest ECE."""
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(labels))
    halves = (order[: len(order) // 2], order[len(order) // 2 :])
    probs = np.zeros_like(logits)
    for fit_idx, held_idx in (halves, halves[::-1]):
        t, off = fit_calibration(logits[fit_idx], labels[fit_idx])
        probs[held_idx] = apply_calibration(logits[held_idx], t, off)
    return reliability(probs, labels)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train(task_name: str, data: Path, folds: int) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
    """Train one head; return its metadata (scores filled in later) and its arrays."""
    task = TASKS[task_name]
    folds = task.threshold_folds or folds
    folder = data / task_name
    train_texts, train_labels = read_split(folder, "train")
    featurizer = SentimentFeaturizer(n_features=N_FEATURES)
    sentiment = load_model() if task.stacked else None
    features = featurise(train_texts, featurizer, sentiment)
    threshold = out_of_fold_threshold(task, features, train_labels, folds) if len(task.classes) == 2 else None
    model = fit(task, features, train_labels)
    weights = model.coef  # (width, 1) for two classes, else (width, k)
    used = np.flatnonzero(np.abs(weights).max(axis=1) > 0)
    arrays = {
        "columns": used.astype(np.int32),
        "values": weights[used].astype(np.float16),
        "bias": model.model.intercept_.astype(np.float32),
    }
    names = ("train_text.txt", "train_labels.txt")
    metadata: dict[str, Any] = {
        "model": "logistic regression over hashed word 1-2 grams + VADER lexicon sums"
        + (" + sentiment log-probabilities" if task.stacked else "")
        + (
            " (NB-LR: columns scaled by |NB log-count ratio| in training, folded into the weights)"
            if task.nb_alpha is not None
            else ""
        ),
        "task": task_name,
        "classes": list(task.classes),
        "metric": task.metric,
        "hashing": {"n_features": N_FEATURES, "dense_columns": list(LEXICON_COLUMNS)},
        "stacked_sentiment": task.stacked,
        "stacked_columns": list(STACKED_COLUMNS) if task.stacked else [],
        "training_data": {
            "name": f"TweetEval {task_name}, train split",
            "path": f"datasets/tweeteval/{task_name} (../shared)",
            "licence": "TweetEval: no restrictions of its own; the source task's and Twitter's terms apply",
            "rows": len(train_texts),
            "sha256": {f"{task_name}/{n}": sha256(folder / n) for n in names},
        },
        "training": {
            "seed": SEED,
            "C": task.c,
            "class_weight": task.class_weight,
            "nb_alpha": task.nb_alpha,
            "threshold_folds": folds if threshold is not None else None,
        },
        "threshold": threshold,
    }
    return metadata, arrays


def evaluate(task_name: str, data: Path, out: Path) -> dict[str, Any]:
    """Score the written (float16) head through its own code; fit and store its calibration."""
    task = TASKS[task_name]
    val_texts, val_labels = read_split(data / task_name, "val")
    head = read_head(out, task_name)
    logits = head.logits(val_texts)
    raw = apply_calibration(logits, 1.0, [0.0] * len(task.classes))
    temperature, offset = fit_calibration(logits, val_labels)
    calibrated = apply_calibration(logits, temperature, offset)
    # The threshold was chosen on raw out-of-fold probabilities; carry it into calibrated space.
    threshold = head.threshold
    calibrated_threshold = None
    if threshold is not None:
        z = np.log(threshold / (1 - threshold))
        calibrated_threshold = round(float(1 / (1 + np.exp(-(z / temperature + offset[1])))), 4)
    return {
        "calibration": {
            "method": "platt" if len(task.classes) == 2 else "temperature",
            "fitted_on": "validation",
            "temperature": temperature,
            "offset": offset,
        },
        "threshold": calibrated_threshold,
        "pipeline_threshold": task.pipeline_threshold or calibrated_threshold,
        "scores": {
            f"val_{task.metric}": round(
                score(task, val_labels, decide(task, calibrated, calibrated_threshold)), 4
            ),
            f"val_{task.metric}_argmax": round(score(task, val_labels, decide(task, raw, None)), 4),
            "val_rows": len(val_labels),
            **(
                {
                    f"val_{task.metric}_at_pipeline_threshold": round(
                        score(task, val_labels, decide(task, calibrated, task.pipeline_threshold)), 4
                    )
                }
                if task.pipeline_threshold is not None
                else {}
            ),
        },
        "reliability": {
            "uncalibrated": reliability(raw, val_labels),
            "calibrated_in_sample": reliability(calibrated, val_labels),
            "calibrated_cross_fitted": cross_fitted_reliability(logits, val_labels),
        },
    }


def calibrate_sentiment(data: Path, out: Path) -> dict[str, Any]:
    """Fit the sentiment model's temperature on TweetEval sentiment validation; write its own file."""
    texts = read_lines(data / "sentiment" / "val_text.txt")
    labels = np.array([int(x) for x in read_lines(data / "sentiment" / "val_labels.txt")], dtype=np.int64)
    logits = np.log(np.maximum(read_artifacts(out).probabilities(texts, calibrated=False), 1e-12))
    temperature, offset = fit_calibration(logits, labels)
    calibration = {
        "method": "temperature",
        "fitted_on": "TweetEval sentiment validation",
        "temperature": temperature,
        "reliability": {
            "uncalibrated": reliability(apply_calibration(logits, 1.0, offset), labels),
            "calibrated_in_sample": reliability(apply_calibration(logits, temperature, offset), labels),
            "calibrated_cross_fitted": cross_fitted_reliability(logits, labels),
        },
    }
    (out / CALIBRATION_FILE).write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    return calibration


def write(out: Path, name: str, metadata: dict[str, Any], arrays: dict[str, NDArray[Any]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / weights_file(name), **arrays)  # type: ignore[arg-type]
    (out / metadata_file(name)).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--task", choices=sorted(TASKS), action="append", help="repeatable; default: all")
    parser.add_argument("--data", type=Path, required=True, help="the tweeteval folder")
    parser.add_argument("--out", type=Path, required=True, help="where to write the artifacts")
    parser.add_argument(
        "--folds",
        type=int,
        default=3,
        help="folds for choosing a two-class threshold (unless the task sets it)",
    )
    parser.add_argument(
        "--calibrate-sentiment",
        action="store_true",
        help="only fit the sentiment model's temperature on validation (in --out) and stop",
    )
    args = parser.parse_args()
    if args.calibrate_sentiment:
        calibration = calibrate_sentiment(args.data, args.out)
        rel = calibration["reliability"]
        print(
            f"sentiment: temperature {calibration['temperature']}, ECE {rel['uncalibrated']['ece']} -> "
            f"{rel['calibrated_cross_fitted']['ece']} (cross-fitted)"
        )
        return
    for name in args.task or sorted(TASKS):
        if not (args.data / name / "train_text.txt").is_file():
            sys.exit(
                f"no {name}/train_text.txt under {args.data}; pass --data pointing at the tweeteval folder."
            )
        metadata, arrays = train(name, args.data, args.folds)
        write(args.out, name, metadata, arrays)
        metadata.update(evaluate(name, args.data, args.out))
        metadata["created"] = dt.date.today().isoformat()
        write(args.out, name, metadata, arrays)
        size = (args.out / weights_file(name)).stat().st_size
        print(f"{name}: {json.dumps(metadata['scores'])} threshold={metadata['threshold']} ({size:,} bytes)")


if __name__ == "__main__":
    main()
