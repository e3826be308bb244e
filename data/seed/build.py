"""Build data/seed/seed.jsonl from the hand-written batches in data/seed/batches/.

Each batch is a text file of posts written by hand in one style (care tweets,
Reddit threads, multilingual posts, hard negatives...). One post per line::

    CODE CONFIG NETWORK [LANG] [reply] [by=HANDLE] | text, with \\n for a line break

``CODE`` is three characters: the intent letter (q question, h help_request,
c complaint, p praise, r recommendation_request, b purchase_intent, f feedback,
s social, n news_share, x spam), then ``is_complaint`` (0/1), then ``welcome``
(0/1). ``CONFIG`` names a table of configs.toml, or ``names:Some Bank`` for the
held-out slice judged as ``--brand "Some Bank"``. Lines starting with ``#`` are
comments. The build is deterministic: ids are hashes of the text, authors are
drawn from the id, and the split is a hash of the id. It refuses near-duplicate
posts, so a batch cannot quietly repeat a template.

    python data/seed/build.py          # rewrite seed.jsonl and print the counts
    python data/seed/build.py --check  # fail if seed.jsonl is not what the batches give
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BATCHES = HERE / "batches"
OUT = HERE / "seed.jsonl"
CONFIGS = HERE / "configs.toml"

INTENTS = {
    "q": "question",
    "h": "help_request",
    "c": "complaint",
    "p": "praise",
    "r": "recommendation_request",
    "b": "purchase_intent",
    "f": "feedback",
    "s": "social",
    "n": "news_share",
    "x": "spam",
}
NETWORKS = frozenset({"x", "reddit", "mastodon", "bluesky", "youtube", "hackernews"})
LANGS = frozenset({"en", "es", "de", "fr", "pt", "it", "nl"})
#: share of ids (by hash) held out for validation: the benchmark's split
VALIDATION_PERCENT = 30
NEAR_DUPLICATE = 0.6

_FIRST = tuple(
    [
        "ana",
        "ben",
        "cai",
        "dee",
        "eli",
        "fay",
        "gus",
        "hal",
        "ivy",
        "jon",
        "kit",
        "lou",
        "max",
        "nia",
        "oli",
        "pam",
        "quin",
        "raf",
        "sol",
        "tam",
    ]
)
_SECOND = tuple(
    [
        "bakes",
        "runs",
        "codes",
        "reads",
        "draws",
        "rides",
        "sings",
        "knits",
        "hikes",
        "fixes",
        "films",
        "plays",
        "cooks",
    ]
)


class SeedError(ValueError):
    """A batch line that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Row:
    batch: str
    line: int
    record: dict[str, object]


def split_of(post_id: str) -> str:
    """``train`` or ``validation``, by a hash of the id so adding posts never moves old ones."""
    bucket = int(hashlib.sha256(post_id.encode()).hexdigest()[:8], 16) % 100
    return "validation" if bucket < VALIDATION_PERCENT else "train"


def _author(post_id: str) -> str:
    digest = hashlib.sha256(("author:" + post_id).encode()).digest()
    return f"{_FIRST[digest[0] % len(_FIRST)]}_{_SECOND[digest[1] % len(_SECOND)]}{digest[2] % 90 + 10}"


def parse_line(batch: str, number: int, line: str, configs: frozenset[str]) -> Row:
    head, sep, text = line.partition(" | ")
    if not sep or not text.strip():
        raise SeedError(f"{batch}:{number}: expected 'CODE CONFIG NETWORK ... | text'")
    fields = head.split()
    if len(fields) < 3:
        raise SeedError(f"{batch}:{number}: the head needs CODE CONFIG NETWORK, got {head!r}")
    code, config, network, *rest = fields
    if len(code) != 3 or code[0] not in INTENTS or code[1] not in "01" or code[2] not in "01":
        raise SeedError(f"{batch}:{number}: bad code {code!r} (intent letter, complaint 0/1, welcome 0/1)")
    if config.startswith("names:"):
        config = "names:" + config[len("names:") :].replace("_", " ")
    elif config not in configs:
        raise SeedError(f"{batch}:{number}: unknown config {config!r}")
    if network not in NETWORKS:
        raise SeedError(f"{batch}:{number}: unknown network {network!r}")
    lang, reply, author = "en", False, None
    for extra in rest:
        if extra in LANGS:
            lang = extra
        elif extra == "reply":
            reply = True
        elif extra.startswith("by="):
            author = extra[3:]
        else:
            raise SeedError(f"{batch}:{number}: unknown field {extra!r}")
    body = text.strip().replace("\\n", "\n")
    post_id = "seed-" + hashlib.sha256(body.encode()).hexdigest()[:12]
    record: dict[str, object] = {
        "id": post_id,
        "network": network,
        "lang": lang,
        "text": body,
        "author": author or _author(post_id),
        "reply_to": ("seed-parent-" + post_id[5:13]) if reply else None,
        "config": config,
        "slice": "generic" if config.startswith("names:") else "fictional",
        "batch": batch,
        "intent": INTENTS[code[0]],
        "is_complaint": code[1] == "1",
        "welcome": code[2] == "1",
        "split": split_of(post_id),
    }
    return Row(batch, number, record)


def _shingles(text: str) -> frozenset[str]:
    words = re.findall(r"[a-zà-ÿ']+", re.sub(r"@\w+|https?://\S+", " ", text.lower()))
    if len(words) < 3:
        return frozenset(words)
    return frozenset(" ".join(words[i : i + 3]) for i in range(len(words) - 2))


def near_duplicates(rows: list[Row]) -> list[tuple[Row, Row, float]]:
    """Pairs of posts sharing most of their word trigrams (Jaccard >= NEAR_DUPLICATE)."""
    index: dict[str, list[int]] = {}
    sets = [_shingles(str(r.record["text"])) for r in rows]
    found: list[tuple[Row, Row, float]] = []
    for i, shingles in enumerate(sets):
        seen: Counter[int] = Counter()
        for s in shingles:
            for j in index.get(s, ()):
                seen[j] += 1
        for j, shared in seen.items():
            union = len(shingles | sets[j])
            if union and shared / union >= NEAR_DUPLICATE:
                found.append((rows[j], rows[i], shared / union))
        for s in shingles:
            index.setdefault(s, []).append(i)
    return found


def build() -> list[Row]:
    configs = frozenset(tomllib.loads(CONFIGS.read_text(encoding="utf-8")))
    rows: list[Row] = []
    for path in sorted(BATCHES.glob("*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip() and not line.startswith("#"):
                rows.append(parse_line(path.stem, number, line, configs))
    ids: dict[object, Row] = {}
    for row in rows:
        other = ids.setdefault(row.record["id"], row)
        if other is not row:
            raise SeedError(f"{row.batch}:{row.line} repeats {other.batch}:{other.line}")
    dupes = near_duplicates(rows)
    if dupes:
        lines = [f"  {a.batch}:{a.line} ~ {b.batch}:{b.line} ({score:.2f})" for a, b, score in dupes[:20]]
        raise SeedError("near-duplicate posts; rewrite one of each pair:\n" + "\n".join(lines))
    return rows


def render(rows: list[Row]) -> str:
    return "".join(json.dumps(r.record, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)


def counts(rows: list[Row]) -> str:
    out: list[str] = [f"{len(rows)} posts"]
    for key in ("split", "slice", "intent", "is_complaint", "welcome", "lang", "network", "config", "batch"):
        tally = Counter(str(r.record[key]) for r in rows)
        out.append(
            f"{key}: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items(), key=lambda kv: -kv[1]))
        )
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="fail if seed.jsonl is stale")
    args = parser.parse_args()
    try:
        rows = build()
    except SeedError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    text = render(rows)
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print("error: data/seed/seed.jsonl is stale; run python data/seed/build.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(counts(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
