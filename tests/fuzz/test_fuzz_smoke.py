"""A few hundred seeded fuzz payloads per target in every test run, so a regression shows in CI.

The same payloads as ``make fuzz`` (harness.py and mutator.py), fewer of them, run in
this process: any exception other than goodwill's own typed errors, or a payload
past the time budget, fails the test and names the payload to replay. Each target
must also have been fed every kind of odd input the reliability promise names: the
first SMALL payloads of the seed, plus a few of its big ones (picked by their first
draw), since only 1.5% of payloads are big and only they carry megabyte texts and
deep nesting.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from itertools import count

import pytest
from fuzz_targets import Target, build_target, targets
from harness import run_one
from mutator import KINDS, Payload, _deep

SEED = 20261201
#: small payloads per target; enrich runs the whole pipeline per line, rss's feedparser is slowest
SMALL = {"enrich": 100, "source:rss": 100}
DEFAULT = 250
#: big payloads per target (each carries a megabyte text or nesting thousands deep): at least
#: MIN_BIG, and more until both a huge text and deep nesting were among them
MIN_BIG = 3
#: far above any payload's time here (a hang is minutes); only a stuck parser reaches it
BUDGET_S = 60.0


def smoke_payloads(target: Target) -> Iterator[Payload]:
    """The small ones among the seed's first payloads, then its big ones (found by their first draw,
    which is all it costs to know) until both big kinds were fed."""
    small = range(SMALL.get(target.name, DEFAULT))
    yield from (target.make(SEED, index) for index in small if not target.is_big(SEED, index))
    big_kinds: set[str] = set()
    fed = 0
    for index in count():
        if target.is_big(SEED, index):
            payload = target.make(SEED, index)
            yield payload
            fed += 1
            big_kinds |= payload.kinds
            if (fed >= MIN_BIG and {"huge_text", "deep_nesting"} <= big_kinds) or fed >= 30:
                return


@pytest.mark.parametrize("name", targets())
def test_only_typed_rejects_come_out_and_every_kind_is_fed(name: str) -> None:
    target = build_target(name)
    target.warm()
    kinds: Counter[str] = Counter()
    failures: list[str] = []
    outcomes: Counter[str] = Counter()
    for payload in smoke_payloads(target):
        outcome, _, detail = run_one(target, payload, BUDGET_S)
        outcomes[outcome] += 1
        kinds.update(payload.kinds)
        if outcome in ("crash", "hang"):
            replay = f"python tests/fuzz/harness.py --target {name} --seed {SEED} --index {payload.index}"
            failures.append(f"{outcome} at {payload.index} ({replay}):\n{detail}")
    assert failures == []
    assert outcomes["ok"] > 0
    if name != "enrich":  # enrich answers a bad line with an error object, not an exception
        assert outcomes["reject"] > 0, "no payload was refused: the mutations are too timid"
    missing = [kind for kind in KINDS if kinds[kind] == 0]
    assert missing == [], f"{name}: no payload of kind {missing}"


def test_big_payloads_are_a_fixed_small_share_and_only_they_are_megabytes() -> None:
    target = build_target("source:hackernews")
    flags = [target.is_big(SEED, i) for i in range(20_000)]
    assert 0.01 < sum(flags) / len(flags) < 0.02
    for index in range(300):
        payload = target.make(SEED, index)
        assert payload.big == flags[index]
        if not payload.big:
            size = len(payload.raw) if payload.raw is not None else len(repr(payload.document))
            assert size < 300_000, f"small payload {index} is {size:,} characters"
            assert not payload.kinds & {"huge_text", "deep_nesting"}


def test_a_payload_is_the_same_whenever_it_is_built() -> None:
    first, again = build_target("source:hackernews"), build_target("source:hackernews")
    for index in (0, 17, 4_242):
        a, b = first.make(SEED, index), again.make(SEED, index)
        assert (a.kinds, a.raw, a.endpoint) == (b.kinds, b.raw, b.endpoint)
        assert repr(a.document)[:5_000] == repr(b.document)[:5_000]


def test_deep_values_have_one_child_per_level_so_walks_stay_linear() -> None:
    deep = _deep(random.Random(1), 3000, "x")
    seen: set[int] = set()
    stack = [deep]
    while stack:
        node = stack.pop()
        assert id(node) not in seen  # a shared child makes every walk exponential (the old stall)
        seen.add(id(node))
        stack.extend(node.values() if isinstance(node, dict) else node if isinstance(node, list) else [])
    assert len(seen) == 3001
