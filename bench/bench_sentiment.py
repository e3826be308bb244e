"""Benchmark goodwill's sentiment stage against VADER, measured in the same run.

    python bench/bench_sentiment.py [--data ../shared/datasets/tweeteval] [--json]

Both are scored on the TweetEval sentiment validation split (macro-averaged
recall, the task's official metric; VADER's compound is cut at +-0.05) and
timed on the same 10,000 tweets, goodwill in batches of 1,000 posts through
the stage's own ``process``. Numbers from one process on one machine are
comparable with each other; the ratio is the figure to quote.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import recall_score

from goodwill.enrich.sentiment import CLASSES, SentimentStage
from goodwill.enrich.stage import StageContext
from goodwill.models import Post

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "tweeteval"
BATCH = 1_000
N_TIMED = 10_000


def read_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")


def vader_classes(analyzer: Any, texts: list[str]) -> list[int]:
    out = []
    for text in texts:
        compound = analyzer.polarity_scores(text)["compound"]
        out.append(2 if compound >= 0.05 else 0 if compound <= -0.05 else 1)
    return out


def goodwill_classes(stage: SentimentStage, posts: list[Post]) -> list[int]:
    out: list[int] = []
    for start in range(0, len(posts), BATCH):
        batch = posts[start : start + BATCH]
        for judged in stage.process(batch, [{} for _ in batch]):
            out.append(CLASSES.index(judged["sentiment"]["label"]))
    return out


def per_second(count: int, run: Any) -> float:
    started = time.perf_counter()
    run()
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description="goodwill sentiment vs VADER on TweetEval validation")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the tweeteval folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    folder = args.data / "sentiment"
    if not (folder / "val_text.txt").is_file():
        sys.exit(
            f"no sentiment/val_text.txt under {args.data}; pass --data pointing at the tweeteval folder."
        )
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    texts = read_lines(folder / "val_text.txt")
    gold = np.array([int(x) for x in read_lines(folder / "val_labels.txt")])
    posts = [Post(native_id=str(i), text=t) for i, t in enumerate(texts)]
    stage = SentimentStage(StageContext())
    analyzer = SentimentIntensityAnalyzer()
    goodwill_classes(stage, posts[:10])  # load the model outside the timings

    # Timed on 10,000 tweets: the validation split repeated, the same for both.
    timed_texts = (texts * (N_TIMED // len(texts) + 1))[:N_TIMED]
    timed_posts = [Post(native_id=str(i), text=t) for i, t in enumerate(timed_texts)]
    goodwill_rate = per_second(N_TIMED, lambda: goodwill_classes(stage, timed_posts))
    vader_rate = per_second(N_TIMED, lambda: vader_classes(analyzer, timed_texts))

    def score(pred: list[int]) -> float:
        return float(recall_score(gold, pred, average="macro", labels=[0, 1, 2]))

    g: dict[str, Any] = {
        "macro_recall": round(score(goodwill_classes(stage, posts)), 4),
        "posts_per_s": round(goodwill_rate),
    }
    v: dict[str, Any] = {
        "macro_recall": round(score(vader_classes(analyzer, texts)), 4),
        "posts_per_s": round(vader_rate),
    }
    r: dict[str, Any] = {
        "macro_recall": round(g["macro_recall"] / v["macro_recall"], 3),
        "speed": round(goodwill_rate / vader_rate, 2),
    }
    result: dict[str, Any] = {
        "dataset": str(folder / "val_text.txt"),
        "n": len(texts),
        "metric": "macro-averaged recall",
        "goodwill": g,
        "vader": v,
        "ratio": r,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"TweetEval sentiment val ({len(texts):,} tweets); speed on {N_TIMED:,} in batches of {BATCH:,}")
    print(f"{'':10}{'macro-recall':>14}{'posts/s':>12}")
    print(f"{'goodwill':10}{g['macro_recall']:>14.4f}{g['posts_per_s']:>12,}")
    print(f"{'VADER':10}{v['macro_recall']:>14.4f}{v['posts_per_s']:>12,}")
    print(f"{'ratio':10}{r['macro_recall']:>13.3f}x{r['speed']:>11.2f}x")


if __name__ == "__main__":
    main()
