"""Normalising speed of the Reddit, Mastodon and Bluesky sources on recorded payloads, in one run.

The baseline is ``json.loads`` of the same response bodies: the floor of reading a
payload at all. The ratio (baseline time / ours) says how much of the work is
goodwill's own (finding posts, HTML and facets to text, validated Post models).
Payloads come from ../shared/fixtures (real recordings).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from goodwill.sources.bluesky import BlueskySource
from goodwill.sources.mastodon import MastodonSource
from goodwill.sources.reddit import RedditSource
from goodwill.sources.source import SourceSettings

ROOT = Path(__file__).resolve().parents[1]


def _fixtures() -> Path:
    for base in (ROOT.parent, *ROOT.parent.parents):
        if (base / "shared" / "fixtures").is_dir():
            return base / "shared" / "fixtures"
    raise SystemExit("../shared/fixtures is missing")


def _betamax(path: Path, index: int) -> str:
    return str(json.loads(path.read_text())["interactions"][index]["response"]["body"]["string"])


def _vcr(path: Path, index: int) -> str:
    data = yaml.safe_load(path.read_text())
    interactions = data.get("interactions") or data.get("http_interactions")
    body = interactions[index]["response"]["body"]["string"]
    return body.decode() if isinstance(body, bytes) else str(body)


def payloads() -> list[tuple[str, Callable[[Any], list[Any]], list[str]]]:
    f = _fixtures()
    reddit = RedditSource(SourceSettings())
    mastodon = MastodonSource(SourceSettings(base_url="http://localhost:3000"))
    bluesky = BlueskySource(SourceSettings())
    jetstream = (f / "bluesky_firehose" / "jetstream" / "expected_v1.jsonl").read_text().splitlines()
    return [
        (
            "reddit comment tree",
            reddit.normalise,
            [_betamax(f / "reddit/praw/TestMore.test_comments.json", 2)],
        ),
        (
            "reddit listing",
            reddit.normalise,
            [_betamax(f / "reddit/praw/TestSubredditListings.test_comments.json", 1)],
        ),
        (
            "mastodon timeline",
            mastodon.normalise,
            [_vcr(f / "mastodon/local_dev_server/test_timeline_disabled.yaml", 2)],
        ),
        ("bluesky author feed", bluesky.normalise, [_vcr(f / "bluesky/bskyr/f_autfeed.yml", 0)]),
        ("bluesky jetstream", bluesky.normalise, jetstream),
    ]


def _time(work: Callable[[], int], rounds: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(rounds):
        start = time.perf_counter()
        count = work()
        best = min(best, time.perf_counter() - start)
    return best, count


def bench(rounds: int) -> list[dict[str, Any]]:
    out = []
    for name, normalise, bodies in payloads():
        base_s, _ = _time(lambda bodies=bodies: sum(1 for b in bodies if json.loads(b) is not None), rounds)
        ours_s, items = _time(
            lambda bodies=bodies, normalise=normalise: sum(len(normalise(json.loads(b))) for b in bodies),
            rounds,
        )
        out.append(
            {
                "payload": name,
                "posts": items,
                "posts_per_s": round(items / ours_s),
                "json_loads_only_s": round(base_s, 6),
                "normalise_s": round(ours_s, 6),
                "baseline_vs_ours": round(base_s / ours_s, 3),
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = bench(args.rounds)
    if args.json:
        print(json.dumps(results))
        return
    print(f"normalising recorded payloads, best of {args.rounds} (baseline: json.loads of the same bodies)")
    for r in results:
        print(
            f"  {r['payload']:<22} {r['posts']:>4} posts {r['posts_per_s']:>9,} posts/s   "
            f"json.loads/ours = {r['baseline_vs_ours']}"
        )


if __name__ == "__main__":
    main()
