"""Complaint and receptivity scores against the bundled sample's intended labels: reliability and cuts.

    python bench/bench_receptivity.py [--json]

The sample (examples/sample) is fictional and its labels are what its
generator *intended*, so this is a sanity check of calibration and of the
precision/recall trade of the ``welcome`` cut, not a benchmark of real-world
quality: no real labelled complaint or receptivity set exists in ../shared.
The scores are therefore not re-mapped (fitting a calibration map to the
generator's labels would only learn the generator); the table shows how far
they are from calibrated, and the cut table shows what raising
``[thresholds] welcome`` in goodwill.toml buys in precision.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from goodwill.config import load_config
from goodwill.enrich.registry import default_pipeline
from goodwill.enrich.reliability import binary_reliability
from goodwill.enrich.stage import StageContext
from goodwill.models import Author, Post

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample"


def load() -> tuple[list[Post], list[dict[str, Any]]]:
    labels = {
        (r["network"], str(r["id"])): r
        for r in map(json.loads, (SAMPLE / "labels.jsonl").read_text(encoding="utf-8").splitlines())
    }
    posts: dict[tuple[str, str], Post] = {}
    for line in (SAMPLE / "posts.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        author = r.get("author")
        post = Post(
            network=r["network"],
            native_id=str(r["id"]),
            text=r.get("text"),
            author=Author(**author) if isinstance(author, dict) else None,
            reply_to=r.get("reply_to"),
        )
        posts[(post.network, post.native_id)] = post
    keys = [k for k in posts if k in labels and posts[k].text]
    return [posts[k] for k in keys], [labels[k] for k in keys]


def cuts(scores: np.ndarray[Any, Any], truth: np.ndarray[Any, Any]) -> list[dict[str, Any]]:
    rows = []
    for cut in (0.4, 0.5, 0.6, 0.7, 0.8):
        flagged = scores >= cut
        tp = int((flagged & truth).sum())
        rows.append(
            {
                "cut": cut,
                "flagged": int(flagged.sum()),
                "precision": round(tp / max(1, int(flagged.sum())), 3),
                "recall": round(tp / max(1, int(truth.sum())), 3),
            }
        )
    return rows


def bench() -> dict[str, Any]:
    posts, labels = load()
    pipeline = default_pipeline(StageContext(config=load_config(SAMPLE / "goodwill.toml")))
    judged = pipeline.run(posts)
    out: dict[str, Any] = {"posts": len(posts)}
    for key, field, truth_key in (
        ("complaint", "score", "is_complaint"),
        ("receptivity", "score", "welcome"),
    ):
        scores = np.array([float(j[key][field]) for j in judged])
        truth = np.array([bool(lab[truth_key]) for lab in labels])
        out[key] = {"reliability": binary_reliability(scores, truth), "cuts": cuts(scores, truth)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = bench()
    if args.json:
        print(json.dumps(result))
        return
    print(f"complaint and receptivity on the fictional sample ({result['posts']:,} posts; intended labels)")
    for key in ("complaint", "receptivity"):
        rel = result[key]["reliability"]
        print(f"  {key}: ECE {rel['ece']:.3f}")
        for row in result[key]["cuts"]:
            print(
                f"    cut {row['cut']:.1f}: flagged {row['flagged']:>5,}  precision {row['precision']:.3f}"
                f"  recall {row['recall']:.3f}"
            )


if __name__ == "__main__":
    main()
