"""Topic discovery on the bundled sample: MiniLM (int8 ONNX) against the TF-IDF+SVD baseline, same run.

Prints posts embedded per second, the whole discovery time, the number of topics and the
share of posts left unassigned, and MiniLM's ratios to the baseline.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from goodwill.insights.embedders import make_embedder, minilm_available
from goodwill.insights.topics import clean_text, discover_topics

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample" / "posts.jsonl"
BRAND_WORDS = frozenset(
    {"nimbus", "corvid", "mobile", "home", "telecom", "nimbusmobile", "nimbushome", "nimbushelp"}
)


def run(name: str, texts: list[str]) -> tuple[float, float, int, float]:
    embedder = make_embedder(name)
    start = time.perf_counter()
    vectors = embedder.embed([clean_text(t) for t in texts])
    embedded = time.perf_counter() - start
    found = discover_topics(texts, embedder=embedder, vectors=vectors, skip_terms=BRAND_WORDS)
    total = time.perf_counter() - start
    return len(texts) / embedded, total, len(found.topics), found.unassigned_share


def main() -> None:
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in rows if r.get("text")]
    base = run("tfidf", texts)
    print(f"{len(texts):,} sample posts")
    print(
        f"tfidf-svd (baseline): {base[0]:,.0f} posts/s embedded, {base[1]:.1f} s in all, {base[2]} topics, "
        f"{base[3]:.1f}% unassigned"
    )
    if not minilm_available():
        print("minilm: not installed (make install adds it)")
        return
    mini = run("minilm", texts)
    print(
        f"minilm-int8: {mini[0]:,.0f} posts/s embedded, {mini[1]:.1f} s in all, {mini[2]} topics, "
        f"{mini[3]:.1f}% unassigned"
    )
    print(
        f"minilm / baseline: embedding speed {mini[0] / base[0]:.2f}x, "
        f"discovery time {mini[1] / base[1]:.2f}x"
    )


if __name__ == "__main__":
    main()
