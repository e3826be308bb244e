"""Throughput of the full enrichment pipeline against VADER alone, in one run.

VADER is the baseline because it is what most open listening tools run: the
ratio says how much of VADER's speed the whole pipeline (language, brands,
spam, sentiment, intent, complaint, receptivity) keeps. Texts are real tweets
from TweetEval when ../shared is present, else the bundled fictional sample.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from goodwill.config import load_config
from goodwill.enrich.registry import default_pipeline
from goodwill.enrich.stage import StageContext
from goodwill.models import Author, Post

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CONFIG = ROOT / "examples" / "sample" / "goodwill.toml"
#: ../shared beside the repository (as in CI), or GOODWILL_SHARED where it lives elsewhere.
SHARED = Path(os.environ.get("GOODWILL_SHARED", ROOT.parent / "shared"))
TWEETEVAL = SHARED / "datasets" / "tweeteval" / "sentiment" / "train_text_reconstructed.txt"
SAMPLE_POSTS = ROOT / "examples" / "sample" / "posts.jsonl"


def load_texts(n: int) -> tuple[list[str], str]:
    if TWEETEVAL.exists():
        lines = TWEETEVAL.read_text(encoding="utf-8").splitlines()
        source = "TweetEval sentiment train texts"
    else:
        lines = [
            json.loads(line).get("text") or ""
            for line in SAMPLE_POSTS.read_text(encoding="utf-8").splitlines()
        ]
        source = "bundled fictional sample"
    texts = [t for t in lines if t.strip()]
    out: list[str] = []
    while len(out) < n:
        out.extend(texts[: n - len(out)])
    return out, source


def bench(n: int, batch: int) -> dict[str, object]:
    texts, source = load_texts(n)
    posts = [
        Post(
            network="x", native_id=str(i), text=t, author=Author(handle=f"user{i % 500}", followers=i % 5000)
        )
        for i, t in enumerate(texts)
    ]
    config = load_config(SAMPLE_CONFIG)
    pipeline = default_pipeline(StageContext(config=config))
    pipeline.run(posts[:batch])  # load models outside the timed part

    stage_s = dict.fromkeys(pipeline.versions, 0.0)
    start = time.perf_counter()
    for i in range(0, len(posts), batch):
        chunk = posts[i : i + batch]
        results: list[dict[str, object]] = [{} for _ in chunk]
        for stage in pipeline.stages:
            t0 = time.perf_counter()
            out = stage.process(chunk, results)
            stage_s[stage.name] += time.perf_counter() - t0
            for acc, judged in zip(results, out, strict=True):
                acc.update(judged)
    pipeline_s = time.perf_counter() - start

    vader = SentimentIntensityAnalyzer()
    start = time.perf_counter()
    for text in texts:
        vader.polarity_scores(text)
    vader_s = time.perf_counter() - start

    return {
        "texts": source,
        "posts": len(posts),
        "pipeline_posts_per_s": round(len(posts) / pipeline_s),
        "vader_posts_per_s": round(len(texts) / vader_s),
        "pipeline_vs_vader": round(vader_s / pipeline_s, 3),
        "stage_posts_per_s": {name: round(len(posts) / secs) for name, secs in stage_s.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--json", action="store_true", help="Print one JSON object.")
    args = parser.parse_args()
    result = bench(args.posts, args.batch)
    if args.json:
        print(json.dumps(result))
        return
    print(f"full pipeline on {result['posts']:,} posts ({result['texts']})")
    print(f"  goodwill pipeline   : {result['pipeline_posts_per_s']:>9,} posts/s")
    print(f"  VADER alone         : {result['vader_posts_per_s']:>9,} posts/s")
    print(f"  ratio pipeline/VADER: {result['pipeline_vs_vader']}")
    stages = result["stage_posts_per_s"]
    assert isinstance(stages, dict)
    for name, rate in stages.items():
        print(f"    stage {name:<12}: {rate:>9,} posts/s")


if __name__ == "__main__":
    main()
